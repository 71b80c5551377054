import type { Principal } from '@mcp-warden/core'

/**
 * Raw tokens of principals whose verifier was created with `exposeToken: true`. A WeakMap, so the
 * token is not a property of the principal: it is not serialized, logged or copied with it.
 */
export const exposedTokens = new WeakMap<Principal, string>()
