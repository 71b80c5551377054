export { AUTH_ERROR_CODES, AuthError, type AuthErrorCode } from './errors.js'
export { type RequireAuthOptions, requireAuth } from './require-auth.js'
