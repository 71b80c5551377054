export { POLICY_ERROR_CODES, PolicyError, type PolicyErrorCode } from './errors.js'
export { requireScopes } from './require-scopes.js'
