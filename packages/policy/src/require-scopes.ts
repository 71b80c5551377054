import {
  type GuardContext,
  type ListContext,
  type Middleware,
  markMiddlewareFactory,
  type PrimitiveResult,
} from '@mcp-warden/core'
import { POLICY_ERROR_CODES, PolicyError } from './errors.js'
import { DEFAULT_SCOPE_HIERARCHY, isScopeToken, type ScopeHierarchy } from './scope-hierarchy.js'

/** Options of `requireScopes.with()`. */
export interface RequireScopesOptions {
  /**
   * Decides which granted scope covers which required one (`tickets:*` covers `tickets:write`).
   * Default `DEFAULT_SCOPE_HIERARCHY`.
   */
  readonly hierarchy?: ScopeHierarchy
  /**
   * Hide the primitive from `tools/list` (and the other lists) for callers lacking the scopes; a
   * call to it is then answered like a call to an unknown tool. `false` keeps it listed, so a
   * call is refused with `ERR_POLICY_INSUFFICIENT_SCOPE` naming the missing scopes, which lets a
   * client step up. Default `true`.
   */
  readonly hideFromLists?: boolean
}

/** `requireScopes` and its variants. */
export interface RequireScopes {
  /** Requires every one of `scopes`. */
  (...scopes: string[]): Middleware
  /** Requires at least one of `scopes`. */
  any(...scopes: string[]): Middleware
  /** A `requireScopes` with other options (a scope hierarchy). */
  with(options: RequireScopesOptions): RequireScopes
}

const KNOWN = new Set(['hierarchy', 'hideFromLists'])
const PRINCIPAL = Object.freeze(['principal'] as const)

function validated(where: string, scopes: readonly unknown[]): readonly string[] {
  if (scopes.length === 0) throw new TypeError(`${where}: at least one scope is required`)
  for (const scope of scopes) {
    if (!isScopeToken(scope)) throw new TypeError(`${where}: invalid scope ${JSON.stringify(scope)}`)
  }
  return Object.freeze([...new Set(scopes as string[])])
}

function noPrincipal(): PolicyError {
  return new PolicyError(POLICY_ERROR_CODES.ERR_POLICY_NO_PRINCIPAL, 'Authentication required', { status: 401 })
}

function build(hierarchy: ScopeHierarchy, hide: boolean): RequireScopes {
  const all = (...scopes: string[]): Middleware => {
    const required = validated('requireScopes', scopes)
    const requireScopesMiddleware = async (ctx: GuardContext, next: () => Promise<PrimitiveResult>) => {
      if (ctx.principal === undefined) throw noPrincipal()
      const missing = hierarchy.missing(ctx.principal.scopes, required)
      if (missing.length > 0) {
        throw new PolicyError(POLICY_ERROR_CODES.ERR_POLICY_INSUFFICIENT_SCOPE, `Missing scope: ${missing.join(' ')}`, {
          details: { missing, required },
        })
      }
      return next()
    }
    const describe = {
      name: 'requireScopes',
      requires: PRINCIPAL,
      scopes: { all: required },
      hierarchy: hierarchy.description,
      satisfiedBy: (granted: readonly string[]) => hierarchy.missing(granted, required).length === 0,
    }
    if (!hide) return Object.assign(requireScopesMiddleware, { describe })
    return Object.assign(requireScopesMiddleware, {
      describe,
      visibility: (ctx: ListContext) =>
        ctx.principal !== undefined && hierarchy.missing(ctx.principal.scopes, required).length === 0,
    })
  }
  const any = (...scopes: string[]): Middleware => {
    const required = validated('requireScopes.any', scopes)
    const holdsOne = (granted: readonly string[] | undefined): boolean =>
      hierarchy.missing(granted, required).length < required.length
    const requireAnyScopeMiddleware = async (ctx: GuardContext, next: () => Promise<PrimitiveResult>) => {
      if (ctx.principal === undefined) throw noPrincipal()
      if (!holdsOne(ctx.principal.scopes)) {
        throw new PolicyError(
          POLICY_ERROR_CODES.ERR_POLICY_INSUFFICIENT_SCOPE,
          `Missing scope: one of ${required.join(' ')}`,
          { details: { missing: required, anyOf: required } },
        )
      }
      return next()
    }
    const describe = {
      name: 'requireScopes',
      requires: PRINCIPAL,
      scopes: { any: required },
      hierarchy: hierarchy.description,
      satisfiedBy: holdsOne,
    }
    if (!hide) return Object.assign(requireAnyScopeMiddleware, { describe })
    return Object.assign(requireAnyScopeMiddleware, {
      describe,
      visibility: (ctx: ListContext) => ctx.principal !== undefined && holdsOne(ctx.principal.scopes),
    })
  }
  const withOptions = (options: RequireScopesOptions): RequireScopes => {
    if (typeof options !== 'object' || options === null)
      throw new TypeError('requireScopes.with: options must be an object')
    for (const key of Object.keys(options)) {
      if (!KNOWN.has(key)) throw new TypeError(`requireScopes.with: unknown option "${key}"`)
    }
    const next = options.hierarchy ?? DEFAULT_SCOPE_HIERARCHY
    if (typeof next?.missing !== 'function' || typeof next.covers !== 'function') {
      throw new TypeError('requireScopes.with: `hierarchy` must come from createScopeHierarchy()')
    }
    const hideFromLists = options.hideFromLists ?? true
    if (typeof hideFromLists !== 'boolean') throw new TypeError('requireScopes.with: `hideFromLists` must be a boolean')
    return build(next, hideFromLists)
  }
  markMiddlewareFactory(any, 'requireScopes.any')
  markMiddlewareFactory(withOptions, 'requireScopes.with', 'requireScopes.with(options)(...scopes)')
  return markMiddlewareFactory(Object.assign(all, { any, with: withOptions }), 'requireScopes')
}

/**
 * Requires every one of `scopes` (RFC 6749 scope tokens) from the caller's principal; callers
 * lacking one do not see the primitive in lists either. `requireScopes.any(...)` requires at
 * least one. Granted scopes satisfy required ones through the scope hierarchy (`tickets:*`
 * covers `tickets:write`); `requireScopes.with({ hierarchy, hideFromLists })` configures it.
 *
 * The scopes are declared once: the in-process guard checks them, list filtering hides the tool,
 * and the HTTP layer of `@mcp-warden/auth` reads `describe.scopes` for its step-up challenge;
 * `describe.hierarchy` (JSON: separator, wildcard, implications) tells it how granted scopes
 * cover required ones.
 *
 * @throws TypeError at creation when no scope is given or one is not a valid scope token.
 * @throws PolicyError `ERR_POLICY_NO_PRINCIPAL` (status 401) when no principal is known;
 * `ERR_POLICY_INSUFFICIENT_SCOPE` with `details.missing` naming exactly the missing scopes.
 * @see RFC 6749 §3.3, RFC 6750 §3.1 (`insufficient_scope`), MCP authorization, scope challenge handling
 * @example
 * ```ts
 * server.registerTool('delete_ticket', { inputSchema },
 *   server.guard(requireScopes('tickets:write', 'tickets:delete')).wrap(handler))
 * server.registerTool('search', { inputSchema },
 *   server.guard(requireScopes.any('tickets:read', 'tickets:admin')).wrap(handler))
 * ```
 */
export const requireScopes: RequireScopes = build(DEFAULT_SCOPE_HIERARCHY, true)
