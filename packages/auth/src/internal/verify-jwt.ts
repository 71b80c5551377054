import {
  type CryptoKey,
  createLocalJWKSet,
  createRemoteJWKSet,
  type JWTPayload,
  type JWTVerifyGetKey,
  jwtVerify,
} from 'jose'
import { AUTH_ERROR_CODES, AuthError } from '../errors.js'
import type { AccessTokenAlgorithm, PublicJwkSet } from '../types.js'
import { decodeHeader, isCompactJws } from './token-shape.js'

/** Header parameters that point at a key chosen by the token's author: never honoured, always refused. */
const FOREIGN_KEY_HEADERS = ['jku', 'x5u', 'jwk', 'x5c'] as const

/** Resolved settings of JWT verification. */
export interface JwtSettings {
  readonly issuer: string
  readonly audiences: readonly string[]
  readonly algorithms: readonly AccessTokenAlgorithm[]
  /** Normalized (lower case, no `application/`) accepted types; `null` accepts a missing `typ`. */
  readonly types: readonly (string | null)[]
  readonly clockToleranceSec: number
  readonly timeoutMs: number
  readonly jwksCacheMaxAgeMs: number
  readonly jwksCooldownMs: number
}

/** Normalizes a `typ` value for comparison (RFC 7515 §4.1.9: `application/` may be omitted). */
export function normalizeType(value: string): string {
  const lower = value.toLowerCase()
  return lower.startsWith('application/') ? lower.slice('application/'.length) : lower
}

/**
 * Creates the JWT step of a verifier: header checks (shape, `alg`, `typ`, foreign key references)
 * before any cryptography, then jose's signature and claim checks with the issuer's keys.
 *
 * @param keys - the key source: a static set, a JWKS URL, or a function resolving the URL lazily
 * (discovery).
 */
export function createJwtStep(
  settings: JwtSettings,
  keys: PublicJwkSet | URL | (() => Promise<URL>),
): (token: string) => Promise<JWTPayload> {
  let getKey: JWTVerifyGetKey
  if (keys instanceof URL) {
    getKey = remoteResolver(keys, settings)
  } else if (typeof keys === 'function') {
    let resolver: Promise<JWTVerifyGetKey> | undefined
    getKey = async (header, token) => {
      resolver ??= keys().then(
        (url) => remoteResolver(url, settings),
        (error: unknown) => {
          // Let the next call try discovery again.
          resolver = undefined
          throw error
        },
      )
      return (await resolver)(header, token)
    }
  } else {
    getKey = createLocalJWKSet({ keys: keys.keys as never })
  }
  const options = {
    issuer: settings.issuer,
    audience: [...settings.audiences],
    algorithms: [...settings.algorithms],
    clockTolerance: settings.clockToleranceSec,
    requiredClaims: ['exp', 'iss', 'aud', 'sub'],
  }

  return async function verifyJwt(token: string): Promise<JWTPayload> {
    if (!isCompactJws(token)) {
      throw new AuthError(AUTH_ERROR_CODES.ERR_AUTH_TOKEN_MALFORMED, 'Access token is not a well-formed JWT')
    }
    checkHeader(decodeHeader(token), settings)
    try {
      return (await jwtVerify(token, getKey, options)).payload
    } catch (error) {
      if (isMultipleKeys(error)) return verifyWithEach(token, error, options)
      throw toAuthError(error)
    }
  }
}

function remoteResolver(url: URL, settings: JwtSettings): JWTVerifyGetKey {
  const remote = createRemoteJWKSet(url, {
    timeoutDuration: settings.timeoutMs,
    cooldownDuration: settings.jwksCooldownMs,
    cacheMaxAge: settings.jwksCacheMaxAgeMs,
  })
  return async (header, token) => {
    try {
      return await remote(header, token)
    } catch (error) {
      const code = codeOf(error)
      if (code === 'ERR_JWKS_NO_MATCHING_KEY' || code === 'ERR_JWKS_MULTIPLE_MATCHING_KEYS') throw error
      if (code === 'ERR_JOSE_NOT_SUPPORTED') throw error
      throw new AuthError(AUTH_ERROR_CODES.ERR_AUTH_KEYSET_UNAVAILABLE, 'Issuer key set unavailable', {
        cause: error,
      })
    }
  }
}

function checkHeader(header: Record<string, unknown> | undefined, settings: JwtSettings): void {
  if (header === undefined) {
    throw new AuthError(AUTH_ERROR_CODES.ERR_AUTH_TOKEN_MALFORMED, 'Access token header is not a JSON object')
  }
  const alg = header.alg
  if (typeof alg !== 'string' || !(settings.algorithms as readonly string[]).includes(alg)) {
    throw new AuthError(AUTH_ERROR_CODES.ERR_AUTH_ALGORITHM_NOT_ALLOWED, 'Access token algorithm not allowed')
  }
  for (const name of FOREIGN_KEY_HEADERS) {
    if (Object.hasOwn(header, name)) {
      throw new AuthError(
        AUTH_ERROR_CODES.ERR_AUTH_UNKNOWN_KEY,
        'Access token names its own key; only the issuer key set is used',
      )
    }
  }
  const typ = header.typ
  const accepted =
    typ === undefined
      ? settings.types.includes(null)
      : typeof typ === 'string' && settings.types.includes(normalizeType(typ))
  if (!accepted) throw new AuthError(AUTH_ERROR_CODES.ERR_AUTH_WRONG_TYPE, 'Token is not an access token (typ)')
}

function codeOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined
  const code = (error as { code?: unknown }).code
  return typeof code === 'string' ? code : undefined
}

function isMultipleKeys(error: unknown): error is AsyncIterable<CryptoKey> {
  return codeOf(error) === 'ERR_JWKS_MULTIPLE_MATCHING_KEYS' && Symbol.asyncIterator in (error as object)
}

async function verifyWithEach(
  token: string,
  candidates: AsyncIterable<CryptoKey>,
  options: Parameters<typeof jwtVerify>[2],
): Promise<JWTPayload> {
  let last: unknown
  for await (const key of candidates) {
    try {
      return (await jwtVerify(token, key, options)).payload
    } catch (error) {
      last = error
      // Only a signature failure means "try the next key"; anything else is the token's fault.
      if (codeOf(error) !== 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED') break
    }
  }
  throw toAuthError(last ?? new Error('no usable key'))
}

/** Maps a jose (or key resolution) failure to the matching `AuthError`. */
export function toAuthError(error: unknown): AuthError {
  if (AuthError.isInstance(error)) return error as AuthError
  const code = codeOf(error)
  const claim = (error as { claim?: unknown } | null)?.claim
  const reason = (error as { reason?: unknown } | null)?.reason
  const options = { cause: error }
  switch (code) {
    case 'ERR_JWT_EXPIRED':
      return new AuthError(AUTH_ERROR_CODES.ERR_AUTH_TOKEN_EXPIRED, 'Access token expired', options)
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      if (reason === 'missing') {
        return new AuthError(
          AUTH_ERROR_CODES.ERR_AUTH_TOKEN_CLAIM_INVALID,
          `Access token lacks "${String(claim)}"`,
          options,
        )
      }
      switch (claim) {
        case 'iss':
          return new AuthError(AUTH_ERROR_CODES.ERR_AUTH_WRONG_ISSUER, 'Access token from another issuer', options)
        case 'aud':
          return new AuthError(
            AUTH_ERROR_CODES.ERR_AUTH_WRONG_AUDIENCE,
            'Access token issued for another resource',
            options,
          )
        case 'nbf':
        case 'iat':
          return new AuthError(AUTH_ERROR_CODES.ERR_AUTH_TOKEN_NOT_YET_VALID, 'Access token not yet valid', options)
        default:
          return new AuthError(AUTH_ERROR_CODES.ERR_AUTH_TOKEN_CLAIM_INVALID, 'Access token claims invalid', options)
      }
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return new AuthError(AUTH_ERROR_CODES.ERR_AUTH_BAD_SIGNATURE, 'Access token signature invalid', options)
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
      return new AuthError(
        AUTH_ERROR_CODES.ERR_AUTH_ALGORITHM_NOT_ALLOWED,
        'Access token algorithm not allowed',
        options,
      )
    case 'ERR_JWKS_NO_MATCHING_KEY':
    case 'ERR_JWKS_MULTIPLE_MATCHING_KEYS':
      return new AuthError(AUTH_ERROR_CODES.ERR_AUTH_UNKNOWN_KEY, 'Access token signed with an unknown key', options)
    case 'ERR_JWKS_TIMEOUT':
    case 'ERR_JWKS_INVALID':
      return new AuthError(AUTH_ERROR_CODES.ERR_AUTH_KEYSET_UNAVAILABLE, 'Issuer key set unavailable', options)
    default:
      return new AuthError(AUTH_ERROR_CODES.ERR_AUTH_TOKEN_MALFORMED, 'Access token malformed', options)
  }
}
