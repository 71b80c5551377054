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
export { demandApproval } from './demand-approval.js'
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
export {
  checkChainOrder,
  createGuard,
  type Guard,
  isGuard,
  markMiddlewareFactory,
  middlewareFactoryName,
} from './guard.js'
export {
  createHandleCodec,
  type HandleCodec,
  type HandleCodecOptions,
  type HandleExpectation,
  type HandleKey,
  type HandleMintInput,
  MAX_HANDLE_LENGTH,
  type VerifiedHandle,
} from './handle-codec.js'
export { HANDLE_ERROR_CODES, HandleError, type HandleErrorCode } from './handle-error.js'
export { canonicalJson } from './internal/json.js'
export { getSecuredItems, PRINCIPAL_AUTH_EXTRA_KEY, type SecuredItem } from './internal/secure-kit.js'
export { createMemoryStore, type MemoryStoreOptions } from './memory-store.js'
export {
  createRequestStateVerifier,
  type RequestStateVerifier,
  type RequestStateVerifierOptions,
} from './request-state.js'
// Sanitizer engine: detectors, scanning, sanitizing and redaction of text.
export { confusableSkeleton, detectConfusables } from './sanitize/confusables.js'
export { detectInvisibleText, type InvisibleTextOptions } from './sanitize/invisible-text.js'
export { detectPii, luhnValid } from './sanitize/pii.js'
export { detectPromptInjection, type PromptInjectionOptions } from './sanitize/prompt-injection.js'
export { redact } from './sanitize/redact.js'
export { createSanitizer, sanitizeText } from './sanitize/sanitize-text.js'
export { scanText } from './sanitize/scan-text.js'
export { detectSecrets } from './sanitize/secrets.js'
export { detectTerminalEscapes } from './sanitize/terminal-escapes.js'
export { type TextSkeleton, textSkeleton } from './sanitize/text-skeleton.js'
export {
  CONTENT_CATEGORIES,
  type ContentCategory,
  type ContentMode,
  type Detector,
  type Finding,
  type RedactOptions,
  type RedactResult,
  type SanitizeOptions,
  type SanitizeResult,
  type ScanOptions,
  type ScanResult,
} from './sanitize/types.js'
export type { Store, StoreHitOptions, StoreHitResult, StoreIncrementOptions, StoreSetOptions } from './store.js'
export type {
  ApprovalGrant,
  ApprovalRequirement,
  AuthenticatedContext,
  ClientBridge,
  ContentBlock,
  ContextField,
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
  OutboundFilter,
  OutboundMessage,
  PrimitiveKind,
  PrimitiveMetadata,
  PrimitiveResult,
  Principal,
  ToolAnnotations,
  TransportAuth,
  VisibilityHook,
} from './types.js'
