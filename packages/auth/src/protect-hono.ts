import type { McpAuthInfo, ProtectedResource } from './types.js'

/** Name of the Hono context variable holding the SDK `AuthInfo`: `c.get('auth')`. */
export const HONO_AUTH_VARIABLE = 'auth'

/** The Hono environment the middleware sets: `new Hono<HonoAuthEnv>()`. */
export interface HonoAuthEnv {
  Variables: { auth: McpAuthInfo }
}

/** The parts of a Hono context the middleware uses. */
export interface HonoContextLike {
  readonly req: { readonly raw: Request }
  set(key: 'auth', value: McpAuthInfo): void
}

/** A Hono middleware, structurally (no runtime dependency on Hono). */
export type HonoMiddlewareLike = (c: HonoContextLike, next: () => Promise<void>) => Promise<Response | undefined>

/**
 * Hono middleware for `resource`'s protection: serves the RFC 9728 metadata at the well-known
 * paths, returns denials as `Response`s with their challenges, and sets `c.get('auth')` (the SDK's
 * `AuthInfo`, with the principal) for the rest. Pass it to the SDK's Web Standard transport:
 * `transport.handleRequest(c.req.raw, { authInfo: c.get('auth') })`.
 *
 * @example
 * ```ts
 * const app = new Hono<HonoAuthEnv>()
 * app.use('*', protectHono(protectedResource))
 * app.all('/mcp', (c) => transport.handleRequest(c.req.raw, { authInfo: c.get('auth') }))
 * ```
 */
export function protectHono(resource: ProtectedResource): HonoMiddlewareLike {
  if (typeof resource?.authenticate !== 'function') {
    throw new TypeError('protectHono: expected a createProtectedResource() result')
  }
  return async function protectHonoMiddleware(c, next) {
    const metadata = resource.metadataResponse(c.req.raw)
    if (metadata !== undefined) return metadata
    const answer = await resource.authenticate(c.req.raw)
    if (answer instanceof Response) return answer
    c.set(HONO_AUTH_VARIABLE, resource.authInfo(answer))
    await next()
    return undefined
  }
}
