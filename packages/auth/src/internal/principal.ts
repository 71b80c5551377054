import type { Principal } from '@mcp-warden/core'
import { AUTH_ERROR_CODES, AuthError } from '../errors.js'

/** A scope token (RFC 6749 §3.3): printable ASCII except space, `"` and `\`. */
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/

/**
 * The scopes of a claims set or introspection answer: `scope` (space-separated string, RFC 9068
 * §2.2.3, RFC 7662 §2.2) and `scp` (array, or string, as some servers send it), de-duplicated.
 * Entries that are not valid scope tokens are dropped, so a scope can never smuggle a quote or a
 * line break into a challenge header.
 */
export function scopesOf(claims: Readonly<Record<string, unknown>>): readonly string[] {
  const found = new Set<string>()
  const addAll = (value: unknown): void => {
    if (typeof value === 'string') {
      for (const part of value.split(' ')) if (SCOPE_TOKEN.test(part)) found.add(part)
    } else if (Array.isArray(value)) {
      for (const part of value) if (typeof part === 'string' && SCOPE_TOKEN.test(part)) found.add(part)
    }
  }
  addAll(claims.scope)
  addAll(claims.scp)
  return Object.freeze([...found])
}

/** Whether `value` is a valid scope token. */
export function isScopeToken(value: unknown): value is string {
  return typeof value === 'string' && SCOPE_TOKEN.test(value)
}

/**
 * Builds the principal of verified claims: `<iss>#<sub>` as id, `client_id` (or `azp`) as client.
 *
 * @throws AuthError `ERR_AUTH_TOKEN_CLAIM_INVALID` when `sub` is missing or empty.
 */
export function principalFromClaims(claims: Readonly<Record<string, unknown>>, issuer: string): Principal {
  const subject = claims.sub
  if (typeof subject !== 'string' || subject.length === 0) {
    throw new AuthError(AUTH_ERROR_CODES.ERR_AUTH_TOKEN_CLAIM_INVALID, 'Access token has no subject')
  }
  const clientId =
    typeof claims.client_id === 'string' ? claims.client_id : typeof claims.azp === 'string' ? claims.azp : undefined
  const exp = claims.exp
  return Object.freeze({
    id: `${issuer}#${subject}`,
    issuer,
    subject,
    ...(clientId === undefined ? {} : { clientId }),
    scopes: scopesOf(claims),
    ...(typeof exp === 'number' && Number.isFinite(exp) ? { expiresAt: exp } : {}),
    claims: Object.freeze({ ...claims }),
  })
}

/** Whether a value read back from the cache store still has the shape of a principal. */
export function isCachedPrincipal(value: unknown): value is Principal & { readonly expiresAt: number } {
  if (typeof value !== 'object' || value === null) return false
  const p = value as Record<string, unknown>
  return (
    typeof p.id === 'string' &&
    typeof p.issuer === 'string' &&
    typeof p.subject === 'string' &&
    Array.isArray(p.scopes) &&
    typeof p.expiresAt === 'number' &&
    typeof p.claims === 'object' &&
    p.claims !== null
  )
}
