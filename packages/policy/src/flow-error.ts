import { WardenError, type WardenErrorOptions } from '@mcp-warden/core'

/** Error codes of the flow policy. */
export const FLOW_ERROR_CODES = {
  /** An external or destructive action was attempted after untrusted content entered the conversation. */
  ERR_FLOW_UNTRUSTED_ACTION: 'ERR_FLOW_UNTRUSTED_ACTION',
  /** Untrusted input, private data and an external action in one conversation. */
  ERR_FLOW_TRIFECTA: 'ERR_FLOW_TRIFECTA',
  /** The principal is temporarily locked out after an anomaly. */
  ERR_FLOW_LOCKED_OUT: 'ERR_FLOW_LOCKED_OUT',
} as const

export type FlowErrorCode = (typeof FLOW_ERROR_CODES)[keyof typeof FLOW_ERROR_CODES]

/** A denial by `flowPolicy`. `details.taintedBy` names the call that tainted the conversation. */
export class FlowError extends WardenError {
  declare readonly code: FlowErrorCode
  constructor(code: FlowErrorCode, message: string, options: WardenErrorOptions = {}) {
    super(code, message, { status: 403, ...options })
    this.name = 'FlowError'
  }
}
