import type { Principal } from '@mcp-warden/core'
import { exposedTokens } from './internal/token-registry.js'

/**
 * The raw access token a principal was verified from, when its verifier was created with
 * `exposeToken: true`; otherwise `undefined`.
 *
 * The token was issued for this server (its audience): forwarding it to another API is the token
 * passthrough the MCP security best practices forbid. To call a downstream API, get a token for
 * that API instead (`createTokenClient`: client credentials, or RFC 8693 token exchange using this
 * token as the subject token, which is the one legitimate use of it).
 *
 * @see https://modelcontextprotocol.io/specification/2025-11-25/basic/security_best_practices#token-passthrough
 * @example
 * ```ts
 * const verifier = createTokenVerifier({ issuer, audience, jwt: { algorithms: ['ES256'] }, exposeToken: true })
 * // in a handler:
 * const subjectToken = accessTokenOf(ctx.principal)
 * const downstream = await tokens.exchange({ subjectToken, resource: 'https://api.example.com' })
 * ```
 */
export function accessTokenOf(principal: Principal): string | undefined {
  return typeof principal === 'object' && principal !== null ? exposedTokens.get(principal) : undefined
}
