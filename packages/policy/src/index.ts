// rate limits and approvals
export { APPROVAL_ERROR_CODES, ApprovalError, type ApprovalErrorCode } from './approval-error.js'
export { POLICY_ERROR_CODES, PolicyError, type PolicyErrorCode } from './errors.js'
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
export {
  APPROVAL_INPUT_KEY,
  type ApprovalDecision,
  type ApprovalHandleCodec,
  type ApprovalRequest,
  type ApprovalRequiredFlag,
  type ApprovalWhen,
  type RequireApprovalOptions,
  requireApproval,
} from './require-approval.js'
export { requireScopes } from './require-scopes.js'
