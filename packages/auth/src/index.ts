export { accessTokenOf } from './access-token-of.js'
export { createTokenVerifier } from './create-token-verifier.js'
export { AUTH_ERROR_CODES, AuthError, type AuthErrorCode } from './errors.js'
export { type RequireAuthOptions, requireAuth } from './require-auth.js'
export type {
  AccessTokenAlgorithm,
  IntrospectionClientAuth,
  IntrospectionVerification,
  JwtKeySource,
  JwtVerification,
  PublicJwk,
  PublicJwkSet,
  TokenCacheOptions,
  TokenVerifier,
  TokenVerifierOptions,
} from './types.js'
