import { WardenError, type WardenErrorOptions } from '@mcp-warden/core'

/** Error codes of `@mcp-warden/policy`. */
export const POLICY_ERROR_CODES = {
  /** The caller lacks a scope the primitive requires. */
  ERR_POLICY_INSUFFICIENT_SCOPE: 'ERR_POLICY_INSUFFICIENT_SCOPE',
  /** No verified principal where a policy needs one. */
  ERR_POLICY_NO_PRINCIPAL: 'ERR_POLICY_NO_PRINCIPAL',
} as const

export type PolicyErrorCode = (typeof POLICY_ERROR_CODES)[keyof typeof POLICY_ERROR_CODES]

/** A denial by `@mcp-warden/policy`. Status 403 unless stated otherwise. */
export class PolicyError extends WardenError {
  declare readonly code: PolicyErrorCode
  constructor(code: PolicyErrorCode, message: string, options: WardenErrorOptions = {}) {
    super(code, message, { status: 403, ...options })
    this.name = 'PolicyError'
  }
}
