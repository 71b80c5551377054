import { AUTH_ERROR_CODES, AuthError } from './errors.js'
import { fetchJsonObject } from './internal/http-json.js'
import { parseEndpoint } from './internal/urls.js'
import type { IntrospectionClientAuth } from './types.js'

/** Options of `createTokenClient`. */
export interface TokenClientOptions {
  /** The authorization server's token endpoint (required; `https:`, or `http:` on loopback). */
  readonly tokenEndpoint: string
  /** This server's client id at the authorization server (required). */
  readonly clientId: string
  /** Its client secret (required). */
  readonly clientSecret: string
  /** Client authentication method. Default `'client_secret_basic'`. */
  readonly clientAuth?: IntrospectionClientAuth
  /** Timeout of each token request, in milliseconds. Default 5000. */
  readonly timeoutMs?: number
}

/** A token obtained for a downstream API. */
export interface DownstreamToken {
  readonly accessToken: string
  readonly tokenType: string
  /** Lifetime in seconds, when the server said. */
  readonly expiresIn?: number
  readonly scope?: string
  /** RFC 8693 `issued_token_type`, for exchanges. */
  readonly issuedTokenType?: string
}

/** What to ask for: the downstream API (RFC 8707 `resource` and/or `audience`) and scopes. */
export interface DownstreamTarget {
  /** The downstream API's resource URI (RFC 8707). */
  readonly resource?: string
  /** Logical audience name, for servers that use it (RFC 8693 §2.1). */
  readonly audience?: string
  /** Space-separated scopes. */
  readonly scope?: string
}

/** Parameters of an RFC 8693 token exchange. */
export interface TokenExchangeRequest extends DownstreamTarget {
  /** The token representing the caller (for example `accessTokenOf(ctx.principal)`). */
  readonly subjectToken: string
  /** Its type. Default `urn:ietf:params:oauth:token-type:access_token`. */
  readonly subjectTokenType?: string
  /** The type wanted. Default: the server's choice. */
  readonly requestedTokenType?: string
}

/** Obtains tokens for downstream APIs. */
export interface TokenClient {
  /**
   * A client-credentials token for the downstream API: the server acting as itself. Reused until
   * 30 seconds before it expires (per target).
   */
  clientCredentials(target?: DownstreamTarget): Promise<DownstreamToken>
  /** An RFC 8693 token exchange: a token for the downstream API, on behalf of the caller. */
  exchange(request: TokenExchangeRequest): Promise<DownstreamToken>
}

const EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange'
const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token'
const MAX_CACHED = 100

/**
 * Creates a client for the token endpoint, to call downstream APIs the right way: with a token
 * issued for them, never by passing through the token a client sent to this server (whose audience
 * is this server; the MCP security best practices forbid forwarding it).
 *
 * - `clientCredentials({ resource, scope })` when the server calls the API as itself;
 * - `exchange({ subjectToken, resource, scope })` (RFC 8693) when the API must know the user:
 *   the authorization server issues a new token for the API, bound to the same subject.
 *
 * @throws TypeError at creation on invalid options.
 * @throws AuthError `ERR_AUTH_TOKEN_REQUEST_FAILED` (502) when the token endpoint refuses or fails;
 * the message names the OAuth `error` code only, never a token or secret.
 * @see RFC 6749 §4.4, RFC 8693 §2, RFC 8707 §2
 *
 * @example
 * ```ts
 * const tokens = createTokenClient({ tokenEndpoint: 'https://auth.example.com/token', clientId, clientSecret })
 * const { accessToken } = await tokens.clientCredentials({ resource: 'https://api.example.com', scope: 'read' })
 * await fetch('https://api.example.com/items', { headers: { authorization: `Bearer ${accessToken}` } })
 * ```
 */
export function createTokenClient(options: TokenClientOptions): TokenClient {
  const label = 'createTokenClient'
  if (typeof options !== 'object' || options === null) throw new TypeError(`${label}: options are required`)
  for (const key of Object.keys(options)) {
    if (!['tokenEndpoint', 'clientId', 'clientSecret', 'clientAuth', 'timeoutMs'].includes(key)) {
      throw new TypeError(`${label}: unknown option "${key}"`)
    }
  }
  const endpoint = parseEndpoint(options.tokenEndpoint)
  if (typeof endpoint === 'string') throw new TypeError(`${label}: \`tokenEndpoint\` ${endpoint}`)
  for (const name of ['clientId', 'clientSecret'] as const) {
    if (typeof options[name] !== 'string' || options[name].length === 0) {
      throw new TypeError(`${label}: \`${name}\` must be a non-empty string`)
    }
  }
  const clientAuth = options.clientAuth ?? 'client_secret_basic'
  if (clientAuth !== 'client_secret_basic' && clientAuth !== 'client_secret_post') {
    throw new TypeError(`${label}: \`clientAuth\` must be client_secret_basic or client_secret_post`)
  }
  const timeoutMs = options.timeoutMs ?? 5_000
  if (!Number.isSafeInteger(timeoutMs) || timeoutMs <= 0)
    throw new TypeError(`${label}: \`timeoutMs\` must be a positive integer`)
  const form = (value: string) => encodeURIComponent(value).replace(/%20/g, '+')
  const cache = new Map<string, { token: DownstreamToken; until: number }>()

  async function request(params: URLSearchParams): Promise<DownstreamToken> {
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' }
    if (clientAuth === 'client_secret_post') {
      params.set('client_id', options.clientId)
      params.set('client_secret', options.clientSecret)
    } else {
      headers.authorization = `Basic ${Buffer.from(`${form(options.clientId)}:${form(options.clientSecret)}`).toString('base64')}`
    }
    let answer: Record<string, unknown>
    try {
      answer = await fetchJsonObject(
        endpoint as URL,
        { method: 'POST', headers, body: params.toString() },
        { timeoutMs, maxBytes: 64 * 1024 },
      )
    } catch (cause) {
      throw new AuthError(AUTH_ERROR_CODES.ERR_AUTH_TOKEN_REQUEST_FAILED, 'Token request failed', {
        cause,
        expose: false,
      })
    }
    if (typeof answer.access_token !== 'string' || answer.access_token.length === 0) {
      const error =
        typeof answer.error === 'string' ? answer.error.replace(/[^\w.-]/g, '').slice(0, 64) : 'no access_token'
      throw new AuthError(AUTH_ERROR_CODES.ERR_AUTH_TOKEN_REQUEST_FAILED, `Token request failed: ${error}`, {
        expose: false,
      })
    }
    return Object.freeze({
      accessToken: answer.access_token,
      tokenType: typeof answer.token_type === 'string' ? answer.token_type : 'Bearer',
      ...(typeof answer.expires_in === 'number' ? { expiresIn: answer.expires_in } : {}),
      ...(typeof answer.scope === 'string' ? { scope: answer.scope } : {}),
      ...(typeof answer.issued_token_type === 'string' ? { issuedTokenType: answer.issued_token_type } : {}),
    })
  }

  const targetParams = (params: URLSearchParams, target: DownstreamTarget) => {
    if (target.resource !== undefined) params.set('resource', target.resource)
    if (target.audience !== undefined) params.set('audience', target.audience)
    if (target.scope !== undefined) params.set('scope', target.scope)
    return params
  }

  return Object.freeze({
    async clientCredentials(target: DownstreamTarget = {}) {
      const key = JSON.stringify([target.resource, target.audience, target.scope])
      const hit = cache.get(key)
      if (hit !== undefined && hit.until > Date.now()) return hit.token
      const token = await request(targetParams(new URLSearchParams({ grant_type: 'client_credentials' }), target))
      if (token.expiresIn !== undefined && token.expiresIn > 60) {
        if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value as string)
        cache.set(key, { token, until: Date.now() + (token.expiresIn - 30) * 1000 })
      }
      return token
    },
    async exchange(exchangeRequest: TokenExchangeRequest) {
      if (typeof exchangeRequest?.subjectToken !== 'string' || exchangeRequest.subjectToken.length === 0) {
        throw new TypeError('TokenClient.exchange: `subjectToken` is required')
      }
      const params = new URLSearchParams({
        grant_type: EXCHANGE_GRANT,
        subject_token: exchangeRequest.subjectToken,
        subject_token_type: exchangeRequest.subjectTokenType ?? ACCESS_TOKEN_TYPE,
      })
      if (exchangeRequest.requestedTokenType !== undefined) {
        params.set('requested_token_type', exchangeRequest.requestedTokenType)
      }
      return request(targetParams(params, exchangeRequest))
    },
  })
}
