import { userInfo } from 'node:os'
import type { Principal } from '@mcp-warden/core'
import { isScopeToken } from './internal/principal.js'

/** Options of `createLocalPrincipal`. */
export interface LocalPrincipalOptions {
  /** Scopes granted to the local user (required, possibly empty): what the local server may do. */
  readonly scopes: readonly string[]
  /** Subject. Default: the operating-system user running the server (`os.userInfo().username`). */
  readonly subject?: string
  /** Issuer label. Default `'local'`; the principal id is `<issuer>#<subject>`. */
  readonly issuer?: string
}

/**
 * Builds the identity of the local user for a server without HTTP authentication (stdio), to pass
 * as `requireAuth({ localPrincipal })`. The principal is frozen and has no expiry.
 *
 * @throws TypeError when `scopes` is missing or holds an invalid scope token, or `subject` or
 * `issuer` is empty or contains `#`.
 *
 * @example
 * ```ts
 * const guard = requireAuth({ localPrincipal: createLocalPrincipal({ scopes: ['files:read'] }) })
 * ```
 */
export function createLocalPrincipal(options: LocalPrincipalOptions): Principal {
  if (typeof options !== 'object' || options === null || !Array.isArray(options.scopes)) {
    throw new TypeError('createLocalPrincipal: `scopes` is required')
  }
  for (const key of Object.keys(options)) {
    if (key !== 'scopes' && key !== 'subject' && key !== 'issuer') {
      throw new TypeError(`createLocalPrincipal: unknown option "${key}"`)
    }
  }
  for (const scope of options.scopes) {
    if (!isScopeToken(scope)) throw new TypeError(`createLocalPrincipal: invalid scope ${JSON.stringify(scope)}`)
  }
  const subject = options.subject ?? userInfo().username
  const issuer = options.issuer ?? 'local'
  for (const [name, value] of [
    ['subject', subject],
    ['issuer', issuer],
  ] as const) {
    if (typeof value !== 'string' || value.length === 0 || value.includes('#')) {
      throw new TypeError(`createLocalPrincipal: \`${name}\` must be a non-empty string without "#"`)
    }
  }
  return Object.freeze({
    id: `${issuer}#${subject}`,
    issuer,
    subject,
    scopes: Object.freeze([...new Set(options.scopes)]),
    claims: Object.freeze({ iss: issuer, sub: subject, scope: options.scopes.join(' ') }),
  })
}
