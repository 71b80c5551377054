import { markMiddlewareFactory } from '@mcp-warden/core'
import { combineRules } from './combine-rules.js'
import { flowPolicy } from './flow-policy.js'
import { limitPayload } from './limit-payload.js'
import { loadPolicy } from './load-policy.js'
import { quarantine } from './quarantine.js'
import { rateLimit } from './rate-limit.js'
import { requireApproval } from './require-approval.js'
import { rule } from './rule.js'
import { safePath } from './safe-path.js'
import { safeShellArg } from './safe-shell-arg.js'
import { safeUrl } from './safe-url.js'
import { sanitizeInput } from './sanitize-input.js'
import { sanitizeOutput } from './sanitize-output.js'
import { scopesFromAnnotations } from './scopes-from-annotations.js'

// rate limits and approvals
export { APPROVAL_ERROR_CODES, ApprovalError, type ApprovalErrorCode } from './approval-error.js'
export { combineRules } from './combine-rules.js'
// Content protection: sanitizers, quarantine and tool-definition integrity.
export { CONTENT_ERROR_CODES, ContentError, type ContentErrorCode } from './content-error.js'
export type { ContentGuardOptions } from './content-guard-options.js'
export type { Definition, DefinitionKind, LockedKind } from './definition.js'
export {
  describePolicy,
  formatPolicyTable,
  type PolicyReport,
  type PolicyReportEntry,
} from './describe-policy.js'
export { POLICY_ERROR_CODES, PolicyError, type PolicyErrorCode } from './errors.js'
// flow policy
export { FLOW_ERROR_CODES, FlowError, type FlowErrorCode } from './flow-error.js'
export {
  FLOW_LABELS_META_KEY,
  type FlowAction,
  type FlowAnomalyOptions,
  type FlowLabel,
  type FlowPolicy,
  type FlowPolicyOptions,
  type FlowTaint,
  flowPolicy,
} from './flow-policy.js'
export { LIMIT_ERROR_CODES, LimitError, type LimitErrorCode } from './limit-error.js'
export { type LimitPayloadOptions, limitPayload } from './limit-payload.js'
export { loadPolicy, type PolicyDocument } from './load-policy.js'
export {
  createLockFile,
  hashDefinition,
  LOCKFILE_NAME,
  type LockEntry,
  type LockFile,
  type LockIssue,
  type LockReport,
  type LockToolsOptions,
  lockTools,
} from './lock-tools.js'
export { type QuarantineOptions, quarantine } from './quarantine.js'
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
  type ApprovalHandleCodec,
  type ApprovalRequest,
  type ApprovalRequiredFlag,
  type ApprovalWhen,
  type ApproverDecision,
  type RequireApprovalOptions,
  requireApproval,
} from './require-approval.js'
export { type RequireScopes, type RequireScopesOptions, requireScopes } from './require-scopes.js'
export { allow, deny, needsApproval, type Rule, type RuleFunction, rule } from './rule.js'
export { DEFAULT_DENIED_PATH_NAMES, type SafePathOptions, safePath } from './safe-path.js'
export { type SafeShellArgOptions, safeShellArg } from './safe-shell-arg.js'
export {
  type CheckedUrl,
  type HostResolver,
  type SafeFetchInit,
  type SafeUrlGuard,
  type SafeUrlOptions,
  safeUrl,
} from './safe-url.js'
export { type SanitizeInputOptions, sanitizeInput } from './sanitize-input.js'
export { type SanitizeOutputOptions, sanitizeOutput } from './sanitize-output.js'
export {
  createScopeHierarchy,
  DEFAULT_SCOPE_HIERARCHY,
  isScopeToken,
  type ScopeHierarchy,
  type ScopeHierarchyOptions,
} from './scope-hierarchy.js'
export {
  type AnnotationScopeMapping,
  type ScopesFromAnnotationsOptions,
  scopesFromAnnotations,
} from './scopes-from-annotations.js'
export type {
  ApprovalDecision,
  ApprovalGate,
  ArgumentGuard,
  Decision,
  RefinementContext,
  Verdict,
} from './types.js'

// A factory passed uncalled (`use: [rateLimit]`) is refused at start-up (core's markMiddlewareFactory);
// `requireScopes` marks itself, and the variants `.with()` returns.
const factories = {
  combineRules,
  flowPolicy,
  limitPayload,
  loadPolicy,
  quarantine,
  rateLimit,
  requireApproval,
  rule,
  safePath,
  safeShellArg,
  safeUrl,
  sanitizeInput,
  sanitizeOutput,
  scopesFromAnnotations,
}
for (const [name, factory] of Object.entries(factories)) markMiddlewareFactory(factory, name)
