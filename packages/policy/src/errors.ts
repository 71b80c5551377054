import { WardenError, type WardenErrorOptions } from '@mcp-warden/core'

/**
 * Error codes of `@mcp-warden/policy`, one registry for the whole package. Narrow with
 * `switch (err.code)` after `WardenError.isInstance(err)`.
 */
export const POLICY_ERROR_CODES = {
  /** The caller lacks a scope the primitive requires (details: `missing`, `required`). */
  ERR_POLICY_INSUFFICIENT_SCOPE: 'ERR_POLICY_INSUFFICIENT_SCOPE',
  /** No verified principal where a policy needs one. */
  ERR_POLICY_NO_PRINCIPAL: 'ERR_POLICY_NO_PRINCIPAL',
  /** A contextual rule denied the call (details: `rule`, `reason`). */
  ERR_POLICY_RULE_DENIED: 'ERR_POLICY_RULE_DENIED',
  /** The code of `policy.approval_required` events: a rule asked for human approval. */
  ERR_POLICY_APPROVAL_REQUIRED: 'ERR_POLICY_APPROVAL_REQUIRED',
  /** A rule threw or returned something that is not a decision: denied (fail closed). */
  ERR_POLICY_RULE_FAILED: 'ERR_POLICY_RULE_FAILED',
  /** A path argument is malformed: not a string, empty, too long, control characters, bad encoding. */
  ERR_POLICY_PATH_INVALID: 'ERR_POLICY_PATH_INVALID',
  /** A path argument resolves outside every allowed root. */
  ERR_POLICY_PATH_OUTSIDE_ROOTS: 'ERR_POLICY_PATH_OUTSIDE_ROOTS',
  /** A path argument names a forbidden file or directory (`.git`, `.env`, ...). */
  ERR_POLICY_PATH_FORBIDDEN: 'ERR_POLICY_PATH_FORBIDDEN',
  /** A URL argument is malformed, too long, or carries credentials. */
  ERR_POLICY_URL_INVALID: 'ERR_POLICY_URL_INVALID',
  /** A URL argument uses a scheme outside the allowlist. */
  ERR_POLICY_URL_SCHEME: 'ERR_POLICY_URL_SCHEME',
  /** A URL argument's host is not on the host allowlist. */
  ERR_POLICY_URL_HOST: 'ERR_POLICY_URL_HOST',
  /** A URL's host is, or resolves to, a private, loopback, link-local or other special-purpose address. */
  ERR_POLICY_URL_FORBIDDEN_ADDRESS: 'ERR_POLICY_URL_FORBIDDEN_ADDRESS',
  /** A URL's host could not be resolved (or not in time): refused, never allowed blind. */
  ERR_POLICY_URL_UNRESOLVED: 'ERR_POLICY_URL_UNRESOLVED',
  /** A fetch through `safeUrl` followed more redirects than allowed. */
  ERR_POLICY_URL_TOO_MANY_REDIRECTS: 'ERR_POLICY_URL_TOO_MANY_REDIRECTS',
  /** A process argument contains shell metacharacters, control characters or an option prefix. */
  ERR_POLICY_SHELL_ARG: 'ERR_POLICY_SHELL_ARG',
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
