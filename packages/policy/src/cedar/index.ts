export { type CedarPolicyOptions, cedarPolicy } from './cedar-policy.js'
