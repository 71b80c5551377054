import { markMiddlewareFactory } from '@mcp-warden/core'
import { cedarPolicy } from './cedar-policy.js'

export { type CedarPolicyOptions, cedarPolicy } from './cedar-policy.js'

// A factory passed uncalled (`use: [cedarPolicy]`) is refused at start-up (core's markMiddlewareFactory).
markMiddlewareFactory(cedarPolicy, 'cedarPolicy')
