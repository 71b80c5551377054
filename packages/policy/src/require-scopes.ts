import type { GuardContext, ListContext, Middleware } from '@mcp-warden/core'
import { POLICY_ERROR_CODES, PolicyError } from './errors.js'

const SCOPE = /^[\x21\x23-\x5B\x5D-\x7E]+$/

/**
 * Requires every one of `scopes` (RFC 6749 scope tokens) from the caller's principal. Callers
 * lacking one do not see the primitive in lists either.
 *
 * @throws TypeError at creation when no scope is given or one is not a valid scope token.
 * @throws PolicyError `ERR_POLICY_NO_PRINCIPAL` when no principal is known,
 * `ERR_POLICY_INSUFFICIENT_SCOPE` (details: `missing`) when scopes are missing.
 */
export function requireScopes(...scopes: string[]): Middleware {
  if (scopes.length === 0) throw new TypeError('requireScopes: at least one scope is required')
  for (const scope of scopes) {
    if (typeof scope !== 'string' || !SCOPE.test(scope)) {
      throw new TypeError(`requireScopes: invalid scope ${JSON.stringify(scope)}`)
    }
  }
  const required = Object.freeze([...new Set(scopes)])
  const missingFor = (granted: readonly string[] | undefined): string[] =>
    required.filter((scope) => granted === undefined || !granted.includes(scope))
  const requireScopesMiddleware = async (ctx: GuardContext, next: () => ReturnType<Middleware>) => {
    if (ctx.principal === undefined) {
      throw new PolicyError(POLICY_ERROR_CODES.ERR_POLICY_NO_PRINCIPAL, 'Authentication required', { status: 401 })
    }
    const missing = missingFor(ctx.principal.scopes)
    if (missing.length > 0) {
      throw new PolicyError(POLICY_ERROR_CODES.ERR_POLICY_INSUFFICIENT_SCOPE, `Missing scope: ${missing.join(' ')}`, {
        details: { missing, required },
      })
    }
    return next()
  }
  return Object.assign(requireScopesMiddleware, {
    describe: { name: 'requireScopes', scopes: { all: required } },
    visibility: (ctx: ListContext) => ctx.principal !== undefined && missingFor(ctx.principal.scopes).length === 0,
  })
}
