import { WardenError, type WardenErrorOptions } from '@mcp-warden/core'

/** Error codes of `requireApproval`. Every one means the call did not run. */
export const APPROVAL_ERROR_CODES = {
  /** The user (or the out-of-band approver) declined. */
  ERR_APPROVAL_DECLINED: 'ERR_APPROVAL_DECLINED',
  /** The user dismissed the request without choosing, or the call was cancelled while waiting. */
  ERR_APPROVAL_CANCELLED: 'ERR_APPROVAL_CANCELLED',
  /** No answer within `timeoutMs`, or the approval state expired before the retry. */
  ERR_APPROVAL_TIMEOUT: 'ERR_APPROVAL_TIMEOUT',
  /** Nobody can be asked: the client cannot elicit and no approver (or, on 2026-07-28, no codec) is configured. */
  ERR_APPROVAL_UNSUPPORTED: 'ERR_APPROVAL_UNSUPPORTED',
  /**
   * The answer does not match the request: wrong or missing confirmation nonce, approval state
   * minted for other arguments, another tool or another caller, forged or replayed state.
   */
  ERR_APPROVAL_MISMATCH: 'ERR_APPROVAL_MISMATCH',
  /** Asking failed (the client answered with an error, the approver threw). */
  ERR_APPROVAL_FAILED: 'ERR_APPROVAL_FAILED',
  /** The arguments cannot be digested (not representable as JSON, nested deeper than 64). */
  ERR_APPROVAL_INVALID_ARGUMENTS: 'ERR_APPROVAL_INVALID_ARGUMENTS',
} as const

export type ApprovalErrorCode = (typeof APPROVAL_ERROR_CODES)[keyof typeof APPROVAL_ERROR_CODES]

/**
 * A denial by `requireApproval`: the call needed a human's approval and did not get it. Narrow
 * with `switch (err.code)` over `APPROVAL_ERROR_CODES`; identify it with `WardenError.isInstance(err)`.
 */
export class ApprovalError extends WardenError {
  declare readonly code: ApprovalErrorCode
  constructor(code: ApprovalErrorCode, message: string, options: WardenErrorOptions = {}) {
    super(code, message, options)
    this.name = 'ApprovalError'
  }
}
