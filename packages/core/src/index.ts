export {
  DENIED_JSONRPC_CODE,
  type DenialPayload,
  denialCodeOf,
  denialPayload,
  ERROR_META_KEY,
  toJsonRpcError,
  toToolErrorResult,
} from './boundary.js'
export { type AnyMiddleware, compose, type Terminal } from './compose.js'
export { correlationIdFrom } from './correlation.js'
export {
  CORE_ERROR_CODES,
  type CoreErrorCode,
  PipelineError,
  StoreUnavailableError,
  WardenError,
  type WardenErrorOptions,
} from './errors.js'
export {
  DECISION_CHANNEL,
  type DecisionEvent,
  hasDecisionSubscribers,
  publishDecision,
  publishSecurityEvent,
  SECURITY_EVENT_CHANNEL,
  type SecurityEvent,
} from './events.js'
export { createGuard, type Guard, isGuard } from './guard.js'
export { canonicalJson } from './internal/json.js'
export { getSecuredItems, PRINCIPAL_AUTH_EXTRA_KEY, type SecuredItem } from './internal/secure-kit.js'
export { createMemoryStore, type MemoryStoreOptions } from './memory-store.js'
export type { Store, StoreHitOptions, StoreHitResult, StoreIncrementOptions, StoreSetOptions } from './store.js'
export type {
  AuthenticatedContext,
  ClientBridge,
  ContentBlock,
  ElicitationRequest,
  ElicitationResult,
  ElicitOptions,
  GuardContext,
  JsonPrimitive,
  JsonValue,
  ListContext,
  Merge,
  Middleware,
  MiddlewareDescription,
  Next,
  PrimitiveKind,
  PrimitiveMetadata,
  PrimitiveResult,
  Principal,
  ToolAnnotations,
  TransportAuth,
  VisibilityHook,
} from './types.js'
