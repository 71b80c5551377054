import type { AuthenticatedContext, GuardContext, Middleware, Principal } from '@mcp-warden/core'
import { AUTH_ERROR_CODES, AuthError } from './errors.js'

/** Options of `requireAuth`. */
export interface RequireAuthOptions {
  /**
   * Identity to use when the transport carries none (stdio: the local user who started the
   * server). Omitted: a call without a verified principal is denied.
   */
  readonly localPrincipal?: Principal
}

const KNOWN = new Set(['localPrincipal'])

/**
 * Requires a verified principal and adds it to the context (`ctx.principal` becomes `Principal`).
 * The principal comes from the HTTP layer (`authInfo`), or from `localPrincipal` where the
 * transport has no authentication.
 *
 * @throws TypeError at creation on unknown options or a malformed `localPrincipal`.
 * @throws AuthError `ERR_AUTH_REQUIRED` at call time when no principal is known.
 */
export function requireAuth(
  options: RequireAuthOptions = {},
): Middleware<GuardContext, { readonly principal: Principal }> {
  for (const key of Object.keys(options)) {
    if (!KNOWN.has(key)) throw new TypeError(`requireAuth: unknown option "${key}"`)
  }
  const local = options.localPrincipal
  if (local !== undefined && (typeof local.id !== 'string' || !Array.isArray(local.scopes))) {
    throw new TypeError('requireAuth: `localPrincipal` must be a Principal')
  }
  const requireAuthMiddleware = async (
    ctx: GuardContext,
    next: (add: { readonly principal: Principal }) => ReturnType<Middleware>,
  ) => {
    const principal = ctx.principal ?? local
    if (principal === undefined) throw new AuthError(AUTH_ERROR_CODES.ERR_AUTH_REQUIRED, 'Authentication required')
    return next({ principal })
  }
  return Object.assign(requireAuthMiddleware, {
    visibility: (ctx: { principal: Principal | undefined }) =>
      ctx.principal === undefined && local !== undefined ? { principal: local } : undefined,
  })
}

export type { AuthenticatedContext }
