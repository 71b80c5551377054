import { WardenError, type WardenErrorOptions } from '@mcp-warden/core'

/** Error codes of `@mcp-warden/auth`. */
export const AUTH_ERROR_CODES = {
  /** No verified principal: the request carried no credentials, or none were accepted. */
  ERR_AUTH_REQUIRED: 'ERR_AUTH_REQUIRED',
} as const

export type AuthErrorCode = (typeof AUTH_ERROR_CODES)[keyof typeof AUTH_ERROR_CODES]

/** A denial by `@mcp-warden/auth`. Status 401 unless stated otherwise. */
export class AuthError extends WardenError {
  declare readonly code: AuthErrorCode
  constructor(code: AuthErrorCode, message: string, options: WardenErrorOptions = {}) {
    super(code, message, { status: 401, ...options })
    this.name = 'AuthError'
  }
}
