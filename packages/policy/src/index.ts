// Content protection: sanitizers, quarantine and tool-definition integrity.
export { CONTENT_ERROR_CODES, ContentError, type ContentErrorCode } from './content-error.js'
export type { ContentGuardOptions } from './content-guard-options.js'
export type { Definition, DefinitionKind } from './definition.js'
export { POLICY_ERROR_CODES, PolicyError, type PolicyErrorCode } from './errors.js'
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
export { requireScopes } from './require-scopes.js'
export { type SanitizeInputOptions, sanitizeInput } from './sanitize-input.js'
export { type SanitizeOutputOptions, sanitizeOutput } from './sanitize-output.js'
