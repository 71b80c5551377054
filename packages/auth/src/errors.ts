import { WardenError, type WardenErrorOptions } from '@mcp-warden/core'

/**
 * Error codes of `@mcp-warden/auth`, one per reason. Narrow with `switch (err.code)`.
 *
 * Token failures (status 401, answered over HTTP with `error="invalid_token"`), request failures
 * (400 `invalid_request`, 403 `insufficient_scope`, 403 for Origin/Host) and infrastructure failures
 * (503: the key set, discovery or introspection could not be reached; the request is denied, never
 * allowed).
 */
export const AUTH_ERROR_CODES = {
  /** No verified principal: the request carried no credentials, or none were accepted. */
  ERR_AUTH_REQUIRED: 'ERR_AUTH_REQUIRED',
  /** `verify()` was given no token (empty or not a string). */
  ERR_AUTH_TOKEN_MISSING: 'ERR_AUTH_TOKEN_MISSING',
  /** The token is not a well-formed access token (syntax, encoding, size, header). */
  ERR_AUTH_TOKEN_MALFORMED: 'ERR_AUTH_TOKEN_MALFORMED',
  /** `exp` is in the past (beyond the clock tolerance). */
  ERR_AUTH_TOKEN_EXPIRED: 'ERR_AUTH_TOKEN_EXPIRED',
  /** `nbf` (or `iat`) is in the future (beyond the clock tolerance). */
  ERR_AUTH_TOKEN_NOT_YET_VALID: 'ERR_AUTH_TOKEN_NOT_YET_VALID',
  /** A required claim is missing or has the wrong type (`exp`, `sub`, `iss`, ...). */
  ERR_AUTH_TOKEN_CLAIM_INVALID: 'ERR_AUTH_TOKEN_CLAIM_INVALID',
  /** `iss` is not the configured issuer. */
  ERR_AUTH_WRONG_ISSUER: 'ERR_AUTH_WRONG_ISSUER',
  /** `aud` does not contain this server's resource URI. */
  ERR_AUTH_WRONG_AUDIENCE: 'ERR_AUTH_WRONG_AUDIENCE',
  /** The JWT `typ` header is not an access token type (`at+jwt`): an ID token or another JWT. */
  ERR_AUTH_WRONG_TYPE: 'ERR_AUTH_WRONG_TYPE',
  /** The JWS `alg` is `none` or outside the configured list. */
  ERR_AUTH_ALGORITHM_NOT_ALLOWED: 'ERR_AUTH_ALGORITHM_NOT_ALLOWED',
  /** The signature does not verify with the issuer's key. */
  ERR_AUTH_BAD_SIGNATURE: 'ERR_AUTH_BAD_SIGNATURE',
  /** No key of the issuer's key set matches the token, or the token names a key source of its own. */
  ERR_AUTH_UNKNOWN_KEY: 'ERR_AUTH_UNKNOWN_KEY',
  /** The issuer's key set could not be fetched or is not a valid JWKS (status 503). */
  ERR_AUTH_KEYSET_UNAVAILABLE: 'ERR_AUTH_KEYSET_UNAVAILABLE',
  /** The issuer's metadata could not be fetched or does not match the issuer (status 503). */
  ERR_AUTH_DISCOVERY_FAILED: 'ERR_AUTH_DISCOVERY_FAILED',
  /** The introspection endpoint failed or answered something other than RFC 7662 JSON (status 503). */
  ERR_AUTH_INTROSPECTION_FAILED: 'ERR_AUTH_INTROSPECTION_FAILED',
  /** Introspection says the token is not active (revoked, expired, unknown). */
  ERR_AUTH_TOKEN_INACTIVE: 'ERR_AUTH_TOKEN_INACTIVE',
  /** The token lacks scopes the request needs (status 403). */
  ERR_AUTH_INSUFFICIENT_SCOPE: 'ERR_AUTH_INSUFFICIENT_SCOPE',
  /** The `Authorization` header is malformed (status 400, `invalid_request`). */
  ERR_AUTH_MALFORMED_REQUEST: 'ERR_AUTH_MALFORMED_REQUEST',
  /** The `Origin` header names an origin that is not allowed (status 403). */
  ERR_AUTH_ORIGIN_NOT_ALLOWED: 'ERR_AUTH_ORIGIN_NOT_ALLOWED',
  /** The `Host` header names a host that is not allowed (DNS rebinding, status 403). */
  ERR_AUTH_HOST_NOT_ALLOWED: 'ERR_AUTH_HOST_NOT_ALLOWED',
  /** A token request for a downstream API (client credentials, token exchange) failed (status 502). */
  ERR_AUTH_TOKEN_REQUEST_FAILED: 'ERR_AUTH_TOKEN_REQUEST_FAILED',
} as const

export type AuthErrorCode = (typeof AUTH_ERROR_CODES)[keyof typeof AUTH_ERROR_CODES]

/** Default HTTP status of each code. */
const STATUS: Readonly<Partial<Record<AuthErrorCode, number>>> = {
  ERR_AUTH_KEYSET_UNAVAILABLE: 503,
  ERR_AUTH_DISCOVERY_FAILED: 503,
  ERR_AUTH_INTROSPECTION_FAILED: 503,
  ERR_AUTH_INSUFFICIENT_SCOPE: 403,
  ERR_AUTH_MALFORMED_REQUEST: 400,
  ERR_AUTH_ORIGIN_NOT_ALLOWED: 403,
  ERR_AUTH_HOST_NOT_ALLOWED: 403,
  ERR_AUTH_TOKEN_REQUEST_FAILED: 502,
}

/**
 * A denial by `@mcp-warden/auth`. The status follows the code (401 for token failures, 400, 403 or
 * 503 as documented on `AUTH_ERROR_CODES`) unless given. Messages are safe to show: they never
 * contain the token; the underlying library error stays in `cause`, server-side.
 */
export class AuthError extends WardenError {
  declare readonly code: AuthErrorCode
  constructor(code: AuthErrorCode, message: string, options: WardenErrorOptions = {}) {
    super(code, message, { status: STATUS[code] ?? 401, ...options })
    this.name = 'AuthError'
  }
}
