import { markMiddlewareFactory } from '@mcp-warden/core'
import { requireAuth } from './require-auth.js'

export { accessTokenOf } from './access-token-of.js'
export { createLocalPrincipal, type LocalPrincipalOptions } from './create-local-principal.js'
export { createProtectedResource, WITHHELD_TOKEN } from './create-protected-resource.js'
export {
  createTokenClient,
  type DownstreamTarget,
  type DownstreamToken,
  type TokenClient,
  type TokenClientOptions,
  type TokenExchangeRequest,
} from './create-token-client.js'
export { createTokenVerifier } from './create-token-verifier.js'
export { AUTH_ERROR_CODES, AuthError, type AuthErrorCode } from './errors.js'
export {
  type ExpressMiddlewareLike,
  type ExpressRequestLike,
  type ProtectExpressOptions,
  protectExpress,
} from './protect-express.js'
export {
  HONO_AUTH_VARIABLE,
  type HonoAuthEnv,
  type HonoContextLike,
  type HonoMiddlewareLike,
  protectHono,
} from './protect-hono.js'
export {
  type AuthenticatedIncomingMessage,
  type ProtectedNodeHandler,
  type ProtectNodeHandlerOptions,
  protectNodeHandler,
} from './protect-node-handler.js'
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
export type {
  AccessTokenAlgorithm,
  AuthenticateOptions,
  IntrospectionClientAuth,
  IntrospectionVerification,
  JwtKeySource,
  JwtVerification,
  McpAuthInfo,
  ProtectedResource,
  ProtectedResourceMetadata,
  ProtectedResourceOptions,
  PublicJwk,
  PublicJwkSet,
  ScopeRequirement,
  StepUpSource,
  TokenCacheOptions,
  TokenVerifier,
  TokenVerifierOptions,
} from './types.js'

// A factory passed uncalled (`use: [requireAuth]`) is refused at start-up (core's markMiddlewareFactory).
markMiddlewareFactory(requireAuth, 'requireAuth')
