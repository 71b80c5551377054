import { AUTH_ERROR_CODES, AuthError } from '../errors.js'
import type { IntrospectionClientAuth } from '../types.js'
import { fetchJsonObject } from './http-json.js'

/** Resolved settings of introspection. */
export interface IntrospectionSettings {
  readonly clientId: string
  readonly clientSecret: string
  readonly clientAuth: IntrospectionClientAuth
  readonly timeoutMs: number
}

/** RFC 6749 §2.3.1: client credentials are form-urlencoded before Basic encoding. */
function formEncode(value: string): string {
  return encodeURIComponent(value).replace(/%20/g, '+')
}

/**
 * Asks the introspection endpoint about `token` and resolves the answer when, and only when,
 * `active` is exactly `true`.
 *
 * @throws AuthError `ERR_AUTH_TOKEN_INACTIVE` when the answer is not `active: true`;
 * `ERR_AUTH_INTROSPECTION_FAILED` when the endpoint fails or answers something else than JSON.
 * @see RFC 7662 §2.1, §2.2
 */
export async function introspect(
  token: string,
  endpoint: URL,
  settings: IntrospectionSettings,
): Promise<Record<string, unknown>> {
  const body = new URLSearchParams({ token, token_type_hint: 'access_token' })
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' }
  if (settings.clientAuth === 'client_secret_post') {
    body.set('client_id', settings.clientId)
    body.set('client_secret', settings.clientSecret)
  } else {
    const pair = `${formEncode(settings.clientId)}:${formEncode(settings.clientSecret)}`
    headers.authorization = `Basic ${Buffer.from(pair, 'utf8').toString('base64')}`
  }
  let answer: Record<string, unknown>
  try {
    answer = await fetchJsonObject(
      endpoint,
      { method: 'POST', headers, body: body.toString() },
      { timeoutMs: settings.timeoutMs, maxBytes: 64 * 1024 },
    )
  } catch (cause) {
    throw new AuthError(AUTH_ERROR_CODES.ERR_AUTH_INTROSPECTION_FAILED, 'Token introspection failed', { cause })
  }
  // Anything but the boolean true (a string "true", 1, a missing field) is inactive.
  if (answer.active !== true) {
    throw new AuthError(AUTH_ERROR_CODES.ERR_AUTH_TOKEN_INACTIVE, 'Access token is not active')
  }
  return answer
}
