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
export { requireScopes } from './require-scopes.js'
