import { WardenError, type WardenErrorOptions } from '@mcp-warden/core'

/**
 * Reasons a session is refused by `SessionManager.check`. Over HTTP every one of them is answered
 * with the same `404 Session not found` (no oracle); the code goes to logs and security events.
 */
export const SESSION_ERROR_CODES = {
  /** No such session (never existed, deleted, or idle past `idleTimeoutMs`). */
  ERR_SESSION_NOT_FOUND: 'ERR_SESSION_NOT_FOUND',
  /** The session exists but was opened by another principal or client: a hijack attempt. */
  ERR_SESSION_PRINCIPAL_MISMATCH: 'ERR_SESSION_PRINCIPAL_MISMATCH',
  /** Past `absoluteLifetimeMs`. */
  ERR_SESSION_EXPIRED: 'ERR_SESSION_EXPIRED',
  /** Past `rotateAfterMs`: retired, the client must initialize a new session. */
  ERR_SESSION_ROTATED: 'ERR_SESSION_ROTATED',
  /** Revoked, alone or with every session of its principal. */
  ERR_SESSION_REVOKED: 'ERR_SESSION_REVOKED',
  /** The request carries no verified principal, so no session can be opened or used. */
  ERR_SESSION_UNAUTHENTICATED: 'ERR_SESSION_UNAUTHENTICATED',
} as const

export type SessionErrorCode = (typeof SESSION_ERROR_CODES)[keyof typeof SESSION_ERROR_CODES]

/**
 * A session was refused. Status 404 (401 for `ERR_SESSION_UNAUTHENTICATED`); the message is the
 * same for every code so that what reaches the client reveals nothing about other users' sessions.
 */
export class SessionError extends WardenError {
  declare readonly code: SessionErrorCode
  constructor(code: SessionErrorCode, options: Omit<WardenErrorOptions, 'status' | 'expose'> = {}) {
    const unauthenticated = code === SESSION_ERROR_CODES.ERR_SESSION_UNAUTHENTICATED
    super(code, unauthenticated ? 'Authentication required' : 'Session not found', {
      ...options,
      status: unauthenticated ? 401 : 404,
      expose: true,
    })
    this.name = 'SessionError'
  }
}
