import { AUTH_ERROR_CODES, AuthError } from '../errors.js'
import { fetchJsonObject } from './http-json.js'
import { parseEndpoint } from './urls.js'

/** What the verifier needs from the issuer's metadata. */
export interface IssuerMetadata {
  readonly jwksUri: URL | undefined
  readonly introspectionEndpoint: URL | undefined
}

/**
 * The metadata URLs of `issuer`, in the order they are tried: RFC 8414 (well-known segment inserted
 * before the issuer's path), then OpenID Connect Discovery (appended to the issuer).
 *
 * @see RFC 8414 §3.1, OpenID Connect Discovery 1.0 §4
 */
export function metadataUrls(issuer: URL): readonly URL[] {
  const path = issuer.pathname === '/' ? '' : issuer.pathname.replace(/\/$/, '')
  return [
    new URL(`/.well-known/oauth-authorization-server${path}`, issuer.origin),
    new URL(`${path}/.well-known/openid-configuration`, issuer.origin),
  ]
}

/**
 * Fetches the issuer's metadata and checks that it names the same issuer (mix-up protection).
 *
 * @throws AuthError `ERR_AUTH_DISCOVERY_FAILED` when no metadata document could be used.
 */
export async function discoverIssuer(issuer: string, timeoutMs: number): Promise<IssuerMetadata> {
  let lastCause: unknown
  for (const url of metadataUrls(new URL(issuer))) {
    try {
      const metadata = await fetchJsonObject(url, { method: 'GET' }, { timeoutMs, maxBytes: 256 * 1024 })
      if (metadata.issuer !== issuer) {
        lastCause = new Error(`metadata at ${url.href} names another issuer`)
        continue
      }
      const jwks = metadata.jwks_uri === undefined ? undefined : parseEndpoint(metadata.jwks_uri)
      const introspection =
        metadata.introspection_endpoint === undefined ? undefined : parseEndpoint(metadata.introspection_endpoint)
      if (typeof jwks === 'string' || typeof introspection === 'string') {
        lastCause = new Error(`metadata at ${url.href} has an unusable endpoint`)
        continue
      }
      return { jwksUri: jwks, introspectionEndpoint: introspection }
    } catch (cause) {
      lastCause = cause
    }
  }
  throw new AuthError(AUTH_ERROR_CODES.ERR_AUTH_DISCOVERY_FAILED, 'Authorization server metadata unavailable', {
    cause: lastCause,
  })
}
