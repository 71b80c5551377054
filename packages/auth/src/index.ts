export { AUTH_ERROR_CODES, AuthError, type AuthErrorCode } from './errors.js'
export { type RequireAuthOptions, requireAuth } from './require-auth.js'
export { SESSION_ERROR_CODES, SessionError, type SessionErrorCode } from './session-error.js'
export {
  type ConnectableServer,
  createSessionManager,
  type SessionInfo,
  type SessionManager,
  type SessionManagerOptions,
  type StreamableTransportOptions,
} from './session-manager.js'
