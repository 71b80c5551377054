import { type CompactVerifyResult, type CryptoKey, compactVerify } from 'jose'
import { AUTH_ERROR_CODES, AuthError } from '../errors.js'
import { decodeHeader, isCompactJws } from './token-shape.js'
import { toAuthError } from './verify-jwt.js'

/**
 * The signature stage of token verification, on its own: a canonical compact JWS, an `alg` from
 * `algorithms` (never from the token alone), and jose's signature check with `key`. The JWT step
 * runs the same checks before validating claims.
 *
 * @throws AuthError `ERR_AUTH_TOKEN_MALFORMED`, `ERR_AUTH_ALGORITHM_NOT_ALLOWED` or
 * `ERR_AUTH_BAD_SIGNATURE`.
 */
export async function verifyCompactJws(
  jws: string,
  key: CryptoKey | Uint8Array,
  algorithms: readonly string[],
): Promise<CompactVerifyResult> {
  if (typeof jws !== 'string' || !isCompactJws(jws)) {
    throw new AuthError(AUTH_ERROR_CODES.ERR_AUTH_TOKEN_MALFORMED, 'Not a well-formed compact JWS')
  }
  const alg = decodeHeader(jws)?.alg
  if (typeof alg !== 'string' || !algorithms.includes(alg)) {
    throw new AuthError(AUTH_ERROR_CODES.ERR_AUTH_ALGORITHM_NOT_ALLOWED, 'Algorithm not allowed')
  }
  try {
    return await compactVerify(jws, key, { algorithms: [...algorithms] })
  } catch (error) {
    throw toAuthError(error)
  }
}
