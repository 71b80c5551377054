import { hash } from 'node:crypto'
import { createMemoryStore, type Principal, publishSecurityEvent, type Store } from '@mcp-warden/core'
import { AUTH_ERROR_CODES, AuthError } from './errors.js'
import { discoverIssuer, type IssuerMetadata } from './internal/discovery.js'
import { introspect } from './internal/introspect.js'
import { checkKeySet } from './internal/key-set.js'
import { isCachedPrincipal, principalFromClaims } from './internal/principal.js'
import { exposedTokens } from './internal/token-registry.js'
import { looksLikeJws } from './internal/token-shape.js'
import { parseEndpoint } from './internal/urls.js'
import { createJwtStep, normalizeType } from './internal/verify-jwt.js'
import type {
  AccessTokenAlgorithm,
  IntrospectionVerification,
  JwtVerification,
  PublicJwkSet,
  TokenVerifier,
  TokenVerifierOptions,
} from './types.js'

const KNOWN_OPTIONS = new Set([
  'issuer',
  'audience',
  'clockToleranceSec',
  'maxTokenBytes',
  'timeoutMs',
  'cache',
  'exposeToken',
  'jwt',
  'introspection',
])
const KNOWN_JWT = new Set(['algorithms', 'allowedTypes', 'jwksUri', 'keys', 'jwksCacheMaxAgeMs', 'jwksCooldownMs'])
const KNOWN_INTROSPECTION = new Set(['endpoint', 'clientId', 'clientSecret', 'clientAuth', 'cacheTtlSec'])
const KNOWN_CACHE = new Set(['store', 'maxEntries', 'maxTtlSec'])
const ALGORITHMS: ReadonlySet<string> = new Set<AccessTokenAlgorithm>([
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
])
/** Visible ASCII: what may travel as a bearer token at all (RFC 6750 §2.1 is stricter). */
const TOKEN_CHARS = /^[\x21-\x7E]+$/
const LABEL = 'createTokenVerifier'

/**
 * Creates the access-token verifier of one resource server (this MCP server), for one issuer.
 *
 * - **JWT access tokens** (RFC 9068) are checked before any cryptography for shape (canonical
 *   base64url), `alg` (in `jwt.algorithms`; `none` never), `typ` (`at+jwt` unless relaxed), and key
 *   references (`jku`, `x5u`, `jwk`, `x5c` in the header are refused: keys come from the issuer's
 *   JWKS or the static set only); then jose verifies the signature, `iss`, `aud` (this server's
 *   resource URI, RFC 8707), `exp` (required), `nbf`, within `clockToleranceSec`.
 * - **Opaque tokens** go to RFC 7662 introspection with client authentication; `active` must be
 *   exactly `true`, and `aud`, `exp`, `nbf` and `iss` are still checked here.
 * - With neither `jwt.jwksUri`, `jwt.keys` nor `introspection.endpoint`, the endpoints are
 *   discovered from the issuer's metadata (RFC 8414, then OpenID Connect Discovery), whose
 *   `issuer` must equal `issuer` exactly.
 * - Verified principals are cached by the SHA-256 digest of the token (never the token) in a
 *   `Store`, until the token's `exp` and at most `cache.maxTtlSec`; concurrent verifications of one
 *   token share one check. A cached verification costs a few microseconds.
 *
 * The principal is `{ id: "<iss>#<sub>", issuer, subject, clientId, scopes, expiresAt, claims }`;
 * `scopes` merges `scope` (space-separated) and `scp` (array). It never carries the raw token
 * (see `exposeToken` and `accessTokenOf`).
 *
 * @throws TypeError at creation on unknown or invalid options: a missing `issuer`, `audience` or
 * `jwt.algorithms`, `none` or `HS*` in the algorithms, a non-https endpoint off loopback, a
 * private or symmetric key in `jwt.keys`, both `jwt.jwksUri` and `jwt.keys`, neither `jwt` nor
 * `introspection`.
 * @see RFC 9068 §4, RFC 8725 §3, RFC 7662 §2, RFC 8707 §2, RFC 8414 §3
 *
 * @example
 * ```ts
 * const verifier = createTokenVerifier({
 *   issuer: 'https://auth.example.com',
 *   audience: 'https://mcp.example.com/mcp',
 *   jwt: { algorithms: ['ES256', 'RS256'] }, // keys from the issuer's discovered jwks_uri
 * })
 * const principal = await verifier.verify(token) // throws AuthError with a code
 * ```
 */
export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  if (typeof options !== 'object' || options === null) throw new TypeError(`${LABEL}: options are required`)
  checkKnown(options, KNOWN_OPTIONS, LABEL)
  const issuerUrl = parseEndpoint(options.issuer)
  if (typeof issuerUrl === 'string') throw new TypeError(`${LABEL}: \`issuer\` ${issuerUrl}`)
  const issuer = options.issuer
  const audiences = audiencesOf(options.audience)
  const clockToleranceSec = integerOption(options.clockToleranceSec, 'clockToleranceSec', 30, 0, 300)
  const maxTokenBytes = integerOption(options.maxTokenBytes, 'maxTokenBytes', 16_384, 64, 1_048_576)
  const timeoutMs = integerOption(options.timeoutMs, 'timeoutMs', 5_000, 1, 120_000)
  if (options.exposeToken !== undefined && typeof options.exposeToken !== 'boolean') {
    throw new TypeError(`${LABEL}: \`exposeToken\` must be a boolean`)
  }
  const exposeToken = options.exposeToken === true
  if (options.jwt === undefined && options.introspection === undefined) {
    throw new TypeError(`${LABEL}: \`jwt\`, \`introspection\` or both are required`)
  }

  // Discovery runs once, on first need, and again after a failure.
  let discovered: Promise<IssuerMetadata> | undefined
  const discover = (): Promise<IssuerMetadata> => {
    discovered ??= discoverIssuer(issuer, timeoutMs).catch((error: unknown) => {
      discovered = undefined
      throw error
    })
    return discovered
  }

  const jwt = options.jwt === undefined ? undefined : jwtStepOf(options.jwt)
  function jwtStepOf(config: JwtVerification) {
    if (typeof config !== 'object' || config === null) throw new TypeError(`${LABEL}: \`jwt\` must be an object`)
    checkKnown(config, KNOWN_JWT, `${LABEL}: jwt`)
    const algorithms = config.algorithms as readonly unknown[] | undefined
    if (!Array.isArray(algorithms) || algorithms.length === 0) {
      throw new TypeError(`${LABEL}: \`jwt.algorithms\` must be a non-empty array`)
    }
    for (const alg of algorithms) {
      if (typeof alg !== 'string' || !ALGORITHMS.has(alg)) {
        throw new TypeError(
          `${LABEL}: algorithm ${JSON.stringify(alg)} not allowed (asymmetric JWS algorithms only: ${[...ALGORITHMS].join(', ')})`,
        )
      }
    }
    const types = config.allowedTypes ?? ['at+jwt']
    if (!Array.isArray(types) || types.length === 0) {
      throw new TypeError(`${LABEL}: \`jwt.allowedTypes\` must be a non-empty array`)
    }
    for (const type of types) {
      if (type !== null && (typeof type !== 'string' || type.length === 0)) {
        throw new TypeError(`${LABEL}: \`jwt.allowedTypes\` entries must be non-empty strings or null`)
      }
    }
    if (config.jwksUri !== undefined && config.keys !== undefined) {
      throw new TypeError(`${LABEL}: \`jwt.jwksUri\` and \`jwt.keys\` are mutually exclusive`)
    }
    let keys: PublicJwkSet | URL | (() => Promise<URL>)
    if (config.keys !== undefined) {
      keys = checkKeySet(config.keys, `${LABEL}: \`jwt.keys\``)
    } else if (config.jwksUri !== undefined) {
      const url = parseEndpoint(config.jwksUri)
      if (typeof url === 'string') throw new TypeError(`${LABEL}: \`jwt.jwksUri\` ${url}`)
      keys = url
    } else {
      keys = async () => {
        const metadata = await discover()
        if (metadata.jwksUri === undefined) {
          throw new AuthError(AUTH_ERROR_CODES.ERR_AUTH_DISCOVERY_FAILED, 'Authorization server publishes no jwks_uri')
        }
        return metadata.jwksUri
      }
    }
    return createJwtStep(
      {
        issuer,
        audiences,
        algorithms: [...algorithms] as AccessTokenAlgorithm[],
        types: types.map((type) => (type === null ? null : normalizeType(type))),
        clockToleranceSec,
        timeoutMs,
        jwksCacheMaxAgeMs: integerOption(config.jwksCacheMaxAgeMs, 'jwt.jwksCacheMaxAgeMs', 600_000, 0, 86_400_000),
        jwksCooldownMs: integerOption(config.jwksCooldownMs, 'jwt.jwksCooldownMs', 30_000, 0, 3_600_000),
      },
      keys,
    )
  }

  const introspection = options.introspection === undefined ? undefined : introspectionOf(options.introspection)
  function introspectionOf(config: IntrospectionVerification) {
    if (typeof config !== 'object' || config === null) {
      throw new TypeError(`${LABEL}: \`introspection\` must be an object`)
    }
    checkKnown(config, KNOWN_INTROSPECTION, `${LABEL}: introspection`)
    if (typeof config.clientId !== 'string' || config.clientId.length === 0) {
      throw new TypeError(`${LABEL}: \`introspection.clientId\` must be a non-empty string`)
    }
    if (typeof config.clientSecret !== 'string' || config.clientSecret.length === 0) {
      throw new TypeError(`${LABEL}: \`introspection.clientSecret\` must be a non-empty string`)
    }
    const clientAuth = config.clientAuth ?? 'client_secret_basic'
    if (clientAuth !== 'client_secret_basic' && clientAuth !== 'client_secret_post') {
      throw new TypeError(`${LABEL}: \`introspection.clientAuth\` must be client_secret_basic or client_secret_post`)
    }
    let endpoint: URL | undefined
    if (config.endpoint !== undefined) {
      const url = parseEndpoint(config.endpoint)
      if (typeof url === 'string') throw new TypeError(`${LABEL}: \`introspection.endpoint\` ${url}`)
      endpoint = url
    }
    const settings = { clientId: config.clientId, clientSecret: config.clientSecret, clientAuth, timeoutMs }
    const cacheTtlSec = integerOption(config.cacheTtlSec, 'introspection.cacheTtlSec', 60, 1, 86_400)
    return {
      cacheTtlSec,
      async run(token: string): Promise<Principal> {
        let url = endpoint
        if (url === undefined) {
          url = (await discover()).introspectionEndpoint
          if (url === undefined) {
            throw new AuthError(
              AUTH_ERROR_CODES.ERR_AUTH_DISCOVERY_FAILED,
              'Authorization server publishes no introspection_endpoint',
            )
          }
        }
        return principalOfIntrospection(await introspect(token, url, settings))
      },
    }
  }

  function principalOfIntrospection(answer: Record<string, unknown>): Principal {
    if (answer.iss !== undefined && answer.iss !== issuer) {
      throw new AuthError(AUTH_ERROR_CODES.ERR_AUTH_WRONG_ISSUER, 'Access token from another issuer')
    }
    const aud = answer.aud
    const tokenAudiences = typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud : []
    if (!tokenAudiences.some((entry) => typeof entry === 'string' && audiences.includes(entry))) {
      throw new AuthError(AUTH_ERROR_CODES.ERR_AUTH_WRONG_AUDIENCE, 'Access token issued for another resource')
    }
    const now = Math.floor(Date.now() / 1000)
    if (typeof answer.exp !== 'number' || !Number.isFinite(answer.exp)) {
      throw new AuthError(AUTH_ERROR_CODES.ERR_AUTH_TOKEN_CLAIM_INVALID, 'Access token lacks "exp"')
    }
    if (answer.exp <= now - clockToleranceSec) {
      throw new AuthError(AUTH_ERROR_CODES.ERR_AUTH_TOKEN_EXPIRED, 'Access token expired')
    }
    if (typeof answer.nbf === 'number' && answer.nbf > now + clockToleranceSec) {
      throw new AuthError(AUTH_ERROR_CODES.ERR_AUTH_TOKEN_NOT_YET_VALID, 'Access token not yet valid')
    }
    if (answer.token_type !== undefined && String(answer.token_type).toLowerCase() !== 'bearer') {
      throw new AuthError(AUTH_ERROR_CODES.ERR_AUTH_WRONG_TYPE, 'Token is not a bearer access token')
    }
    refuseSenderConstrained(answer)
    // A client-credentials token has no end user: the client is the subject (as RFC 9068 §2.2 says for JWTs).
    const sub = typeof answer.sub === 'string' && answer.sub.length > 0 ? answer.sub : answer.client_id
    return principalFromClaims({ ...answer, sub }, issuer)
  }

  const cacheOptions = options.cache ?? {}
  let store: Store | undefined
  let maxTtlSec = 0
  if (cacheOptions !== false) {
    if (typeof cacheOptions !== 'object' || cacheOptions === null) {
      throw new TypeError(`${LABEL}: \`cache\` must be an object or false`)
    }
    checkKnown(cacheOptions, KNOWN_CACHE, `${LABEL}: cache`)
    maxTtlSec = integerOption(cacheOptions.maxTtlSec, 'cache.maxTtlSec', 300, 1, 86_400)
    if (cacheOptions.store !== undefined) {
      const candidate = cacheOptions.store as Partial<Store> | null
      if (typeof candidate?.get !== 'function' || typeof candidate.set !== 'function') {
        throw new TypeError(`${LABEL}: \`cache.store\` must be a Store`)
      }
      store = cacheOptions.store
    } else {
      // A cache: a forgotten entry only means verifying the token again.
      store = createMemoryStore({
        max: integerOption(cacheOptions.maxEntries, 'cache.maxEntries', 10_000, 1, 1e8),
        whenFull: 'evict',
      })
    }
  }
  // Principals verified under another configuration (issuer, audience, ...) must never be found.
  const keyPrefix = `mcp-warden:auth:token:${hash(
    'sha256',
    JSON.stringify([
      issuer,
      audiences,
      options.jwt?.algorithms,
      options.jwt?.allowedTypes,
      options.introspection?.clientId,
    ]),
    'base64url',
  ).slice(0, 16)}:`
  const inflight = new Map<string, Promise<Principal>>()

  async function verifyUncached(token: string): Promise<Principal> {
    if (jwt !== undefined && looksLikeJws(token)) {
      const payload = await jwt(token)
      refuseSenderConstrained(payload)
      return principalFromClaims(payload, issuer)
    }
    if (introspection !== undefined) return introspection.run(token)
    throw new AuthError(AUTH_ERROR_CODES.ERR_AUTH_TOKEN_MALFORMED, 'Access token is not a well-formed JWT')
  }

  async function verifyAndCache(token: string, key: string | undefined): Promise<Principal> {
    const principal = await verifyUncached(token)
    if (store !== undefined && key !== undefined && principal.expiresAt !== undefined) {
      const lifetimeSec = principal.expiresAt - Math.floor(Date.now() / 1000)
      const bound = introspection !== undefined && !looksLikeJws(token) ? introspection.cacheTtlSec : maxTtlSec
      const ttlMs = Math.min(lifetimeSec, bound) * 1000
      // Principals are built from JSON (claims or an introspection answer), so they are JSON values.
      if (ttlMs > 0) await store.set(key, principal as never, { ttlMs })
    }
    return principal
  }

  function reject(error: unknown): never {
    if (AuthError.isInstance(error)) publishSecurityEvent({ type: 'auth.token_rejected', code: error.code })
    throw error
  }

  async function verify(token: string): Promise<Principal> {
    if (typeof token !== 'string' || token.length === 0) {
      reject(new AuthError(AUTH_ERROR_CODES.ERR_AUTH_TOKEN_MISSING, 'Access token required'))
    }
    if (token.length > maxTokenBytes || !TOKEN_CHARS.test(token)) {
      reject(new AuthError(AUTH_ERROR_CODES.ERR_AUTH_TOKEN_MALFORMED, 'Access token malformed'))
    }
    let key: string | undefined
    if (store !== undefined) {
      key = keyPrefix + hash('sha256', token, 'base64url')
      const cached = await store.get(key)
      if (isCachedPrincipal(cached) && cached.expiresAt > Date.now() / 1000 - clockToleranceSec) {
        if (exposeToken) exposedTokens.set(cached, token)
        return cached
      }
      const pending = inflight.get(key)
      if (pending !== undefined) return pending
    }
    const running = verifyAndCache(token, key)
    if (key !== undefined) {
      const shared = key
      inflight.set(shared, running)
      running.then(
        () => inflight.delete(shared),
        () => inflight.delete(shared),
      )
    }
    try {
      const principal = await running
      if (exposeToken) exposedTokens.set(principal, token)
      return principal
    } catch (error) {
      return reject(error)
    }
  }

  return Object.freeze({ issuer, audiences, verify })
}

/**
 * Refuses a sender-constrained token (`cnf`: DPoP, mTLS) presented as a bearer token: accepting it
 * without the proof would undo the binding that makes a stolen copy useless (RFC 9449 §7.1,
 * RFC 8705 §3).
 */
function refuseSenderConstrained(claims: Readonly<Record<string, unknown>>): void {
  if (claims.cnf !== undefined) {
    throw new AuthError(AUTH_ERROR_CODES.ERR_AUTH_WRONG_TYPE, 'Sender-constrained token presented as a bearer token')
  }
}

function checkKnown(object: object, known: ReadonlySet<string>, where: string): void {
  for (const key of Object.keys(object)) {
    if (!known.has(key)) throw new TypeError(`${where}: unknown option "${key}"`)
  }
}

function integerOption(value: unknown, name: string, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new TypeError(`${LABEL}: \`${name}\` must be an integer from ${min} to ${max}`)
  }
  return value
}

function audiencesOf(value: unknown): readonly string[] {
  const list = typeof value === 'string' ? [value] : Array.isArray(value) ? value : undefined
  if (list === undefined || list.length === 0) {
    throw new TypeError(`${LABEL}: \`audience\` (this server's resource URI) is required`)
  }
  for (const entry of list) {
    if (typeof entry !== 'string' || !URL.canParse(entry)) {
      throw new TypeError(`${LABEL}: \`audience\` entries must be absolute URIs`)
    }
  }
  return Object.freeze([...(list as string[])])
}
