import type { AuthenticatedContext, GuardContext, ListContext, Middleware, Principal } from '@mcp-warden/core'
import { AUTH_ERROR_CODES, AuthError } from './errors.js'

/** Options of `requireAuth`. */
export interface RequireAuthOptions {
  /**
   * Identity to use when the transport carries none (stdio: the local user who started the
   * server; see `createLocalPrincipal`). Omitted: a call without a verified principal is denied.
   * A principal established by the HTTP layer always takes precedence.
   */
  readonly localPrincipal?: Principal
  /**
   * Allowed clock skew when checking the principal's `expiresAt`, in seconds, from 0 to 300.
   * Default 30.
   */
  readonly clockToleranceSec?: number
}

const KNOWN = new Set(['localPrincipal', 'clockToleranceSec'])
const PRINCIPAL = Object.freeze(['principal'] as const)

/**
 * Requires a verified principal and adds it to the context (`ctx.principal` becomes `Principal`),
 * so that later guards and the handler can rely on it. The principal comes from the HTTP layer
 * (`protectNodeHandler`, `protectExpress`, `protectHono` put it in the SDK's `authInfo`), or from
 * `localPrincipal` where the transport has no authentication (stdio).
 *
 * A principal whose token has expired since the HTTP layer checked it (a long-lived stream) is
 * refused. Callers without a principal do not see the primitive in lists.
 *
 * @throws TypeError at creation on unknown options, a malformed `localPrincipal` or a bad tolerance.
 * @throws AuthError `ERR_AUTH_REQUIRED` at call time when no principal is known;
 * `ERR_AUTH_TOKEN_EXPIRED` when the principal's `expiresAt` has passed.
 *
 * @example
 * ```ts
 * server.registerTool('whoami', {}, server.guard(requireAuth()).wrap(async (_args, ctx) => ({
 *   content: [{ type: 'text', text: ctx.principal.id }],
 * })))
 * ```
 */
export function requireAuth(
  options: RequireAuthOptions = {},
): Middleware<GuardContext, { readonly principal: Principal }> {
  if (typeof options !== 'object' || options === null) throw new TypeError('requireAuth: options must be an object')
  for (const key of Object.keys(options)) {
    if (!KNOWN.has(key)) throw new TypeError(`requireAuth: unknown option "${key}"`)
  }
  const local = options.localPrincipal
  if (local !== undefined && !isPrincipal(local)) {
    throw new TypeError('requireAuth: `localPrincipal` must be a Principal (id, issuer, subject, scopes, claims)')
  }
  const tolerance = options.clockToleranceSec ?? 30
  if (!Number.isSafeInteger(tolerance) || tolerance < 0 || tolerance > 300) {
    throw new TypeError('requireAuth: `clockToleranceSec` must be an integer from 0 to 300')
  }
  const requireAuthMiddleware = async (
    ctx: GuardContext,
    next: (add: { readonly principal: Principal }) => ReturnType<Middleware>,
  ) => {
    const principal = ctx.principal ?? local
    if (principal === undefined) throw new AuthError(AUTH_ERROR_CODES.ERR_AUTH_REQUIRED, 'Authentication required')
    if (principal.expiresAt !== undefined && principal.expiresAt <= Date.now() / 1000 - tolerance) {
      throw new AuthError(AUTH_ERROR_CODES.ERR_AUTH_TOKEN_EXPIRED, 'Access token expired')
    }
    return next({ principal })
  }
  return Object.assign(requireAuthMiddleware, {
    describe: {
      name: 'requireAuth',
      provides: PRINCIPAL,
      ...(local === undefined ? {} : { localPrincipal: local.id }),
    },
    visibility: (ctx: ListContext): boolean | { principal: Principal } | undefined => {
      if (ctx.principal !== undefined) return undefined
      return local === undefined ? false : { principal: local }
    },
  })
}

function isPrincipal(value: unknown): value is Principal {
  if (typeof value !== 'object' || value === null) return false
  const p = value as Record<string, unknown>
  return (
    typeof p.id === 'string' &&
    p.id.length > 0 &&
    typeof p.issuer === 'string' &&
    typeof p.subject === 'string' &&
    Array.isArray(p.scopes) &&
    p.scopes.every((scope) => typeof scope === 'string') &&
    typeof p.claims === 'object' &&
    p.claims !== null
  )
}

export type { AuthenticatedContext }
