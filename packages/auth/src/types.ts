import type { Principal, Store } from '@mcp-warden/core'

/**
 * Asymmetric JWS algorithms accepted for access tokens. Symmetric (`HS*`) algorithms and `none` are
 * not in the union: a resource server that shares a secret with its authorization server can forge
 * tokens, and `HS256` signed with an RSA public key is the classic key-confusion attack.
 *
 * @see RFC 8725 §3.1, §3.2 (JWT best current practices: algorithm verification)
 */
export type AccessTokenAlgorithm =
  | 'RS256'
  | 'RS384'
  | 'RS512'
  | 'PS256'
  | 'PS384'
  | 'PS512'
  | 'ES256'
  | 'ES384'
  | 'ES512'
  | 'EdDSA'
  | 'Ed25519'

/** One JSON Web Key (RFC 7517 §4), public parameters only. */
export interface PublicJwk {
  readonly kty: string
  readonly kid?: string
  readonly alg?: string
  readonly use?: string
  readonly key_ops?: readonly string[]
  readonly crv?: string
  readonly x?: string
  readonly y?: string
  readonly n?: string
  readonly e?: string
  readonly [parameter: string]: unknown
}

/** A JSON Web Key Set (RFC 7517 §5). */
export interface PublicJwkSet {
  readonly keys: readonly PublicJwk[]
}

/**
 * Where the verification keys come from: the issuer's JWKS URL, a static key set, or, when neither
 * is given, the `jwks_uri` of the issuer's discovered metadata. Never from the token itself.
 */
export type JwtKeySource =
  | {
      /** The issuer's JWKS URL (`https:`, or `http:` on a loopback host only). */
      readonly jwksUri: string
      readonly keys?: never
    }
  | {
      /** A static JWK Set of public keys. Private, symmetric and encryption keys are refused. */
      readonly keys: PublicJwkSet
      readonly jwksUri?: never
    }
  | { readonly jwksUri?: never; readonly keys?: never }

/**
 * How JWT access tokens (RFC 9068) are verified.
 *
 * @see RFC 9068 §4 (validating JWT access tokens), RFC 8725 (JWT best current practices)
 */
export type JwtVerification = JwtKeySource & {
  /**
   * Algorithms accepted (required, non-empty). The token header's `alg` must be one of these and
   * must match the key; `none` and `HS*` cannot be listed.
   */
  readonly algorithms: readonly AccessTokenAlgorithm[]
  /**
   * Accepted values of the `typ` header, compared case-insensitively with an optional
   * `application/` prefix (RFC 7515 §4.1.9); `null` accepts a token without `typ`. Default
   * `['at+jwt']`, which refuses ID tokens and other JWTs presented as access tokens (RFC 9068 §4).
   * Relax only for an authorization server that cannot type its tokens, and say so explicitly:
   * `['at+jwt', 'jwt', null]`.
   */
  readonly allowedTypes?: readonly (string | null)[]
  /**
   * How long a fetched key set is used before it is fetched again, in milliseconds. Default
   * 600000 (10 minutes). A key removed by the issuer stops verifying new tokens after this time.
   */
  readonly jwksCacheMaxAgeMs?: number
  /**
   * Minimum time between two fetches of the key set, in milliseconds: a token naming an unknown
   * `kid` triggers a refetch at most this often. Default 30000.
   */
  readonly jwksCooldownMs?: number
}

/** How the client authenticates to the introspection endpoint (RFC 7662 §2.1, RFC 6749 §2.3.1). */
export type IntrospectionClientAuth = 'client_secret_basic' | 'client_secret_post'

/**
 * How opaque tokens are verified: RFC 7662 token introspection by a client registered for this
 * resource server.
 *
 * @see RFC 7662 §2 (introspection endpoint)
 */
export interface IntrospectionVerification {
  /**
   * The introspection endpoint (`https:`, or `http:` on loopback). Default: the issuer metadata's
   * `introspection_endpoint`.
   */
  readonly endpoint?: string
  /** Client id of this resource server at the authorization server (required). */
  readonly clientId: string
  /** Its client secret (required). Never logged, never sent anywhere but the endpoint. */
  readonly clientSecret: string
  /** Client authentication method. Default `'client_secret_basic'`. */
  readonly clientAuth?: IntrospectionClientAuth
  /**
   * How long a positive introspection result is reused, in seconds, bounded by the token's `exp`:
   * a revoked token keeps working at most this long. Default 60.
   */
  readonly cacheTtlSec?: number
}

/** The cache of verified principals. */
export interface TokenCacheOptions {
  /**
   * Where principals are kept, keyed by the SHA-256 digest of the token (never the token).
   * Default: an in-memory store of `maxEntries` entries. Share a Redis store between instances to
   * verify each token once per cluster.
   */
  readonly store?: Store
  /** Size of the default in-memory store, in entries. Default 10000. Ignored with `store`. */
  readonly maxEntries?: number
  /**
   * Longest time a verified principal is reused, in seconds, whatever the token's `exp` says.
   * Default 300.
   */
  readonly maxTtlSec?: number
}

/** Options shared by every token verifier. */
interface TokenVerifierBaseOptions {
  /**
   * The authorization server's issuer identifier (required), compared exactly with `iss` and with
   * the `issuer` of its metadata (RFC 8414 §3.3).
   */
  readonly issuer: string
  /**
   * This server's canonical resource URI (required), or several: the token's `aud` must contain
   * one of them, compared exactly (RFC 8707 §2, RFC 9068 §4). This is what stops a token issued for
   * another API from being replayed here.
   */
  readonly audience: string | readonly string[]
  /**
   * Allowed clock skew when checking `exp`, `nbf` and `iat`, in seconds, from 0 to 300. Default 30.
   */
  readonly clockToleranceSec?: number
  /** Longest accepted token, in bytes. Default 16384. Longer tokens are refused before any parsing. */
  readonly maxTokenBytes?: number
  /** Timeout of each HTTP call (discovery, key set, introspection), in milliseconds. Default 5000. */
  readonly timeoutMs?: number
  /** The verified-principal cache, or `false` to verify every call. Default: enabled. */
  readonly cache?: TokenCacheOptions | false
  /**
   * Lets handlers read the raw token with `accessTokenOf(principal)`. Default `false`: the
   * principal does not expose it, so it cannot be passed through to another API by accident.
   * Prefer a separate token for downstream calls (`createTokenClient`).
   */
  readonly exposeToken?: boolean
}

/**
 * Options of `createTokenVerifier`: JWT access tokens, opaque tokens by introspection, or both (a
 * token shaped like a JWS goes to JWT verification when `jwt` is set, anything else to
 * introspection).
 */
export type TokenVerifierOptions = TokenVerifierBaseOptions &
  (
    | { readonly jwt: JwtVerification; readonly introspection?: IntrospectionVerification }
    | { readonly introspection: IntrospectionVerification; readonly jwt?: JwtVerification }
  )

/** Verifies access tokens for one resource server. */
export interface TokenVerifier {
  /** The configured issuer. */
  readonly issuer: string
  /** The accepted audiences (resource URIs). */
  readonly audiences: readonly string[]
  /**
   * Verifies `token` and resolves the caller's principal. A token seen before (same digest) is
   * answered from the cache until its expiry or the cache bound.
   *
   * @throws AuthError with a code of `AUTH_ERROR_CODES`; `StoreUnavailableError` when the cache
   * store fails (fail closed).
   */
  verify(token: string): Promise<Principal>
}
