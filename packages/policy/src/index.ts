export { POLICY_ERROR_CODES, PolicyError, type PolicyErrorCode } from './errors.js'
// rate limits and approvals
export { LIMIT_ERROR_CODES, LimitError, type LimitErrorCode } from './limit-error.js'
export { type LimitPayloadOptions, limitPayload } from './limit-payload.js'
export {
  defaultRateLimitKey,
  type RateLimitBaseOptions,
  type RateLimitMemoryOptions,
  type RateLimitOptions,
  type RateLimitSharedStoreOptions,
  rateLimit,
} from './rate-limit.js'
export { requireScopes } from './require-scopes.js'
