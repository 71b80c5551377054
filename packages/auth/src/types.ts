import type { PrimitiveKind, Principal, Store } from '@mcp-warden/core'

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

/**
 * Scopes a tool requires, as a middleware declares them in `describe.scopes`: every scope of
 * `all`, and at least one of `any` when present.
 */
export interface ScopeRequirement {
  readonly all?: readonly string[]
  readonly any?: readonly string[]
  /**
   * Decides whether granted scopes meet this requirement (for a declaring middleware's scope
   * hierarchy); without it, `all` and `any` are matched exactly.
   */
  readonly satisfiedBy?: (granted: readonly string[]) => boolean
}

/**
 * Where the HTTP layer learns each tool's required scopes for step-up: from the secured server
 * (the `describe.scopes` of the tool's middlewares, as `getSecuredItems` lists them, so the scopes
 * are declared once and checked both before dispatch and in-process), or from a function.
 */
export type StepUpSource =
  | {
      /** A server returned by `secure()` (`@mcp-warden/core/sdk-v1` or `/sdk-v2`). */
      readonly server: object
      readonly scopesFor?: never
    }
  | {
      /**
       * The scopes primitive `name` requires, or `undefined` for none. `kind` is `'tool'` for
       * `tools/call`, `'prompt'` for `prompts/get`, `'resource'` (and `name` the URI) for `resources/read`.
       */
      readonly scopesFor: (name: string, kind: PrimitiveKind) => ScopeRequirement | undefined
      readonly server?: never
    }

/** Options of `createProtectedResource`. */
export interface ProtectedResourceOptions {
  /**
   * This MCP endpoint's canonical resource URI (required), exactly as clients send it in the
   * `resource` parameter (RFC 8707) and as the authorization server puts it in `aud`: for example
   * `https://mcp.example.com/mcp`. `https:`, or `http:` on loopback.
   */
  readonly resource: string
  /** The token verifier (required); its `audience` must include `resource`. */
  readonly verifier: TokenVerifier
  /** Issuer identifiers of the authorization servers clients may use (required, non-empty). RFC 9728 §2. */
  readonly authorizationServers: readonly string[]
  /** Scopes advertised in the metadata (`scopes_supported`) and, without `requiredScopes`, in the 401 challenge. */
  readonly scopesSupported?: readonly string[]
  /** Scopes every request needs, whatever it does. Default: none. */
  readonly requiredScopes?: readonly string[]
  /** Per-tool scopes checked before dispatch (step-up authorization). Default: none. */
  readonly stepUp?: StepUpSource
  /**
   * Origins allowed in the `Origin` header; a request whose `Origin` is present and not listed gets
   * 403 (DNS rebinding, cross-site requests). Default: the origin of `resource` only.
   */
  readonly allowedOrigins?: readonly string[]
  /**
   * Host names allowed in the `Host` header (port ignored). Default: no check, except when
   * `resource` is on a loopback host or the connection arrived on a loopback address: then only
   * `localhost`, `127.0.0.1`, `[::1]`, other loopback names and the host of `resource`.
   */
  readonly allowedHosts?: readonly string[]
  /** Human-readable name in the metadata (`resource_name`). */
  readonly resourceName?: string
  /** URL of documentation for developers (`resource_documentation`). */
  readonly resourceDocumentation?: string
  /** Largest JSON-RPC body read for step-up, in bytes. Default 4194304 (4 MiB, as the SDK). Larger bodies get 413. */
  readonly maxBodyBytes?: number
}

/** The RFC 9728 protected resource metadata document. */
export interface ProtectedResourceMetadata {
  readonly resource: string
  readonly authorization_servers: readonly string[]
  readonly scopes_supported?: readonly string[]
  readonly bearer_methods_supported: readonly ['header']
  readonly resource_name?: string
  readonly resource_documentation?: string
}

/** Per-request hints to `authenticate`. */
export interface AuthenticateOptions {
  /** The JSON body when the framework already parsed it; otherwise a clone of the request is read when step-up needs it. */
  readonly parsedBody?: unknown
  /** Local address of the connection (`req.socket.localAddress`), for the loopback `Host` check. */
  readonly localAddress?: string
}

/**
 * The SDK's `AuthInfo` shape (`@modelcontextprotocol/sdk/server/auth/types.js`), as the
 * Streamable HTTP transport passes it to handlers. `extra["mcp-warden/principal"]` carries the
 * principal, which `secure()` turns into `ctx.principal`.
 */
export interface McpAuthInfo {
  /**
   * A placeholder (`[withheld by mcp-warden]`), so that no handler can pass the token through to
   * another API; the raw token only when the verifier was created with `exposeToken: true`.
   */
  token: string
  clientId: string
  scopes: string[]
  expiresAt?: number
  resource?: URL
  /** Always set by `authInfo()`; optional in the type so the SDK's own `AuthInfo` fits it. */
  extra?: Record<string, unknown>
}

/** The HTTP protection of one MCP endpoint. */
export interface ProtectedResource {
  /** The canonical resource URI. */
  readonly resource: string
  /** URL of the metadata document, as put in `resource_metadata` of challenges. */
  readonly metadataUrl: string
  /** Paths at which `metadataResponse` answers: path-based, then root. */
  readonly metadataPaths: readonly string[]
  readonly metadata: ProtectedResourceMetadata
  /**
   * Checks a request before it reaches the MCP transport. Resolves the principal, or the `Response`
   * to send instead (400, 401, 403, 413 or 503 with the RFC 6750 challenge).
   *
   * @throws only what is not a `WardenError` (a bug): every denial is a `Response`.
   */
  authenticate(request: Request, options?: AuthenticateOptions): Promise<Principal | Response>
  /** The metadata `Response` when `request` targets a metadata path (GET, HEAD, OPTIONS; 405 otherwise), else `undefined`. */
  metadataResponse(request: Request): Response | undefined
  /** The SDK `AuthInfo` for a principal: what adapters put in `req.auth`. */
  authInfo(principal: Principal): McpAuthInfo
}
