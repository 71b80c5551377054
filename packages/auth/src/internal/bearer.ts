import { AUTH_ERROR_CODES, AuthError } from '../errors.js'

/** RFC 6750 §2.1 `b64token`: the only characters a bearer credential may have. */
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/

/**
 * Reads the bearer token of an `Authorization` header value.
 *
 * - absent or empty header, or another scheme (`Basic ...`): `undefined` (no credentials, which
 *   earns a 401 challenge without an error code);
 * - `Bearer <b64token>` (scheme case-insensitive, one or more spaces): the token;
 * - anything else claiming to be Bearer (no token, two tokens, a list of credentials, characters
 *   outside b64token): `ERR_AUTH_MALFORMED_REQUEST` (400 `invalid_request`);
 * - a header longer than `maxBytes`: `ERR_AUTH_TOKEN_MALFORMED` (401 `invalid_token`), before any
 *   scan of its content.
 *
 * Several `Authorization` values (an array, or values joined with a comma) are malformed: a request
 * carries one credential. Runs in time linear in the header length.
 *
 * @see RFC 6750 §2.1, RFC 9110 §11.6.2
 */
export function parseBearer(header: string | readonly string[] | undefined, maxBytes: number): string | undefined {
  if (header === undefined) return undefined
  if (typeof header !== 'string') {
    if (header.length === 0) return undefined
    if (header.length > 1) throw malformed('Several Authorization headers')
    return parseBearer(header[0], maxBytes)
  }
  if (header.length > maxBytes + 16) {
    throw new AuthError(AUTH_ERROR_CODES.ERR_AUTH_TOKEN_MALFORMED, 'Access token too large')
  }
  const value = header.trim()
  if (value.length === 0) return undefined
  const space = value.indexOf(' ')
  const scheme = space === -1 ? value : value.slice(0, space)
  if (scheme.toLowerCase() !== 'bearer') return undefined
  if (space === -1) throw malformed('Bearer scheme without a token')
  let start = space
  while (value.charCodeAt(start) === 32) start++
  const token = value.slice(start)
  if (!B64TOKEN.test(token)) throw malformed('Malformed bearer token')
  return token
}

function malformed(message: string): AuthError {
  return new AuthError(AUTH_ERROR_CODES.ERR_AUTH_MALFORMED_REQUEST, message)
}
