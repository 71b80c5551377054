import type { PublicJwkSet } from '../types.js'

/** Minimum RSA modulus size, in bits (RFC 8725 §3.5, NIST SP 800-131A). */
const MIN_RSA_BITS = 2048
/** The curve each EC algorithm needs (RFC 7518 §3.4). */
const EC_CURVES: Readonly<Record<string, string>> = { ES256: 'P-256', ES384: 'P-384', ES512: 'P-521' }
const RSA_ALGS = new Set(['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'])
const OKP_ALGS = new Set(['EdDSA', 'Ed25519'])

/**
 * Checks a static key set before use: public asymmetric signature keys only (no private, symmetric
 * or encryption keys), unique `kid`s, an `alg` (when present) that fits the key type and curve, RSA
 * of at least 2048 bits with an exponent of at least 3. Returns a frozen copy.
 *
 * @throws TypeError naming the first offending key.
 */
export function checkKeySet(value: unknown, where: string): PublicJwkSet {
  const keys = (value as { keys?: unknown } | null)?.keys
  if (!Array.isArray(keys) || keys.length === 0) throw new TypeError(`${where} must be a JWK Set with at least one key`)
  const kids = new Set<string>()
  keys.forEach((key: unknown, index) => {
    const at = `${where} key ${index}`
    if (typeof key !== 'object' || key === null) throw new TypeError(`${at} is not an object`)
    const jwk = key as Record<string, unknown>
    if (jwk.kty !== 'RSA' && jwk.kty !== 'EC' && jwk.kty !== 'OKP') {
      throw new TypeError(`${at}: kty must be RSA, EC or OKP (no symmetric keys)`)
    }
    for (const privateField of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k']) {
      if (privateField in jwk) throw new TypeError(`${at} is a private key; give the public key only`)
    }
    if (jwk.use !== undefined && jwk.use !== 'sig') throw new TypeError(`${at}: use must be "sig"`)
    if (jwk.key_ops !== undefined && !(Array.isArray(jwk.key_ops) && jwk.key_ops.includes('verify'))) {
      throw new TypeError(`${at}: key_ops must include "verify"`)
    }
    const alg = jwk.alg
    if (alg !== undefined) {
      const fits =
        (jwk.kty === 'RSA' && RSA_ALGS.has(String(alg))) ||
        (jwk.kty === 'EC' && EC_CURVES[String(alg)] !== undefined && EC_CURVES[String(alg)] === jwk.crv) ||
        (jwk.kty === 'OKP' && OKP_ALGS.has(String(alg)))
      if (!fits) throw new TypeError(`${at}: alg ${JSON.stringify(alg)} does not fit a ${String(jwk.kty)} key`)
    }
    if (jwk.kty === 'RSA') {
      const bits = typeof jwk.n === 'string' ? Buffer.from(jwk.n, 'base64url').length * 8 : 0
      if (bits < MIN_RSA_BITS) throw new TypeError(`${at}: RSA keys must have at least ${MIN_RSA_BITS} bits`)
      const e = typeof jwk.e === 'string' ? Buffer.from(jwk.e, 'base64url') : Buffer.alloc(0)
      if (e.length === 0 || (e.length === 1 && (e[0] ?? 0) < 3)) throw new TypeError(`${at}: RSA exponent too small`)
    }
    if (jwk.kid !== undefined) {
      if (typeof jwk.kid !== 'string') throw new TypeError(`${at}: kid must be a string`)
      if (kids.has(jwk.kid)) throw new TypeError(`${at}: duplicate kid ${JSON.stringify(jwk.kid)}`)
      kids.add(jwk.kid)
    }
  })
  return {
    keys: keys.map((key: Record<string, unknown>) => Object.freeze({ ...key })) as unknown as PublicJwkSet['keys'],
  }
}
