import { createHmac, generateKeyPairSync, type KeyObject, randomBytes } from 'node:crypto'
import { WardenError } from '@mcp-warden/core'
import { CompactSign, type CryptoKey, importJWK, type JWK } from 'jose'
import { beforeAll, describe, expect, it } from 'vitest'
import { verifyCompactJws } from './verify-jws.js'

/**
 * Vectors made here, the way Wycheproof's JOSE vectors are made: one valid JWS per algorithm, then
 * the same JWS with its signature modified, its encoding modified (padding, stray characters,
 * non-canonical trailing bits), its algorithm swapped for `none` or for another primitive, or given
 * in JSON serialization. The Wycheproof vectors themselves run in `pnpm eval` (test/corpora.ts).
 */
const ALGORITHMS = [
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
  'HS256',
  'HS384',
  'HS512',
] as const
type Alg = (typeof ALGORITHMS)[number]

interface Keys {
  readonly sign: CryptoKey | Uint8Array
  readonly verify: CryptoKey | Uint8Array
  /** A key of the same type that did not sign. */
  readonly other: CryptoKey | Uint8Array
  /** The public key as a JWK, to forge HMAC signatures with its bytes. */
  readonly publicJwk?: JWK
  /** The private key as a JWK, to sign under another algorithm of the same key type. */
  readonly privateJwk?: JWK
}

const PAYLOAD = new TextEncoder().encode('{"iss":"https://as.example","sub":"alice"}')
const b64 = (bytes: Uint8Array | string): string => Buffer.from(bytes).toString('base64url')

/** Two RSA pairs shared by the six RS and PS algorithms (a key per algorithm would only slow the test). */
const RSA = [0, 1].map(() => generateKeyPairSync('rsa', { modulusLength: 2048 }))
let rsaTurn = 0

function keyPair(alg: Alg): { privateKey: KeyObject; publicKey: KeyObject } {
  if (alg.startsWith('RS') || alg.startsWith('PS')) return RSA[rsaTurn++ % 2] as (typeof RSA)[number]
  if (alg === 'EdDSA') return generateKeyPairSync('ed25519')
  const namedCurve = { ES256: 'P-256', ES384: 'P-384', ES512: 'P-521' }[alg as 'ES256' | 'ES384' | 'ES512']
  return generateKeyPairSync('ec', { namedCurve })
}

async function keysFor(alg: Alg): Promise<Keys> {
  if (alg.startsWith('HS')) return { sign: randomBytes(64), verify: randomBytes(64), other: randomBytes(64) }
  const pair = keyPair(alg)
  const pub = pair.publicKey.export({ format: 'jwk' }) as JWK
  const priv = pair.privateKey.export({ format: 'jwk' }) as JWK
  const sign = (await importJWK(priv, alg)) as CryptoKey
  const verify = (await importJWK(pub, alg)) as CryptoKey
  const other = (await importJWK(keyPair(alg).publicKey.export({ format: 'jwk' }) as JWK, alg)) as CryptoKey
  return { sign, verify, other, publicJwk: pub, privateJwk: priv }
}

const keys = new Map<Alg, Keys>()
const valid = new Map<Alg, string>()

beforeAll(async () => {
  for (const alg of ALGORITHMS) {
    const k = await keysFor(alg)
    // HMAC: the verifier holds the signing secret.
    const verify = alg.startsWith('HS') ? k.sign : k.verify
    keys.set(alg, { ...k, verify })
    valid.set(alg, await new CompactSign(PAYLOAD).setProtectedHeader({ alg }).sign(k.sign))
  }
}, 60_000)

const at = <T>(map: Map<Alg, T>, alg: Alg): T => map.get(alg) as T

/** The AuthError code `verifyCompactJws` throws, or 'accepted'. */
async function outcome(jws: string, key: CryptoKey | Uint8Array, algorithms: readonly string[]): Promise<string> {
  try {
    await verifyCompactJws(jws, key, algorithms)
    return 'accepted'
  } catch (error) {
    expect(WardenError.isInstance(error), String(error)).toBe(true)
    return (error as WardenError).code
  }
}

function parts(jws: string): [string, string, string] {
  const [h = '', p = '', s = ''] = jws.split('.')
  return [h, p, s]
}

/** Every way of changing a segment's encoding without changing its bytes, or of adding a stray character. */
function encodingVariants(segment: string): string[] {
  const out = [
    `${segment}=`,
    `${segment}==`,
    ` ${segment}`,
    `${segment} `,
    `${segment.slice(0, 4)}\n${segment.slice(4)}`,
    `${segment.slice(0, 4)}+${segment.slice(4)}`,
    `${segment.slice(0, 4)}/${segment.slice(4)}`,
    `${segment.slice(0, 4)}!${segment.slice(4)}`,
    `${segment.slice(0, 4)}=${segment.slice(4)}`,
    segment.replace(/-/g, '+').replace(/_/g, '/'),
  ]
  // Non-canonical trailing bits: the last character of a segment whose length is not a multiple
  // of 4 carries unused bits; changing them decodes to the same bytes.
  if (segment.length % 4 !== 0) {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
    const last = alphabet.indexOf(segment.charAt(segment.length - 1))
    const unused = segment.length % 4 === 2 ? 0b1111 : 0b11
    for (let bits = 1; bits <= unused; bits++) {
      out.push(segment.slice(0, -1) + alphabet.charAt((last & ~unused) | bits))
    }
  }
  return out.filter((v) => v !== segment)
}

describe('verifyCompactJws', () => {
  it('accepts a valid signature of every algorithm when the algorithm is pinned', async () => {
    for (const alg of ALGORITHMS) {
      expect(await outcome(at(valid, alg), at(keys, alg).verify, [alg]), alg).toBe('accepted')
    }
  })

  it('refuses a valid signature under a key that did not sign it with ERR_AUTH_BAD_SIGNATURE', async () => {
    for (const alg of ALGORITHMS) {
      expect(await outcome(at(valid, alg), at(keys, alg).other, [alg]), alg).toBe('ERR_AUTH_BAD_SIGNATURE')
    }
  })

  it('refuses every modified signature: bit flips, truncation, extension, zeros and another token', async () => {
    for (const alg of ALGORITHMS) {
      const [h, p, s] = parts(at(valid, alg))
      const sig = Buffer.from(s, 'base64url')
      const variants: Buffer[] = []
      for (const i of [0, 1, Math.floor(sig.length / 2), sig.length - 2, sig.length - 1]) {
        for (const mask of [0x01, 0x80]) {
          const flipped = Buffer.from(sig)
          flipped[i] = (flipped[i] ?? 0) ^ mask
          variants.push(flipped)
        }
      }
      variants.push(sig.subarray(0, sig.length - 1), sig.subarray(1), Buffer.concat([sig, Buffer.from([0])]))
      variants.push(Buffer.alloc(sig.length), Buffer.concat([Buffer.from([0]), sig]))
      variants.push(Buffer.from(parts(at(valid, alg === 'HS256' ? 'HS384' : 'HS256'))[2], 'base64url'))
      for (const variant of variants) {
        const code = await outcome(`${h}.${p}.${b64(variant)}`, at(keys, alg).verify, [alg])
        expect(['ERR_AUTH_BAD_SIGNATURE', 'ERR_AUTH_TOKEN_MALFORMED'], `${alg} ${variant.toString('hex')}`).toContain(
          code,
        )
      }
      // The payload changed under the original signature.
      const tampered = b64('{"iss":"https://as.example","sub":"admin"}')
      expect(await outcome(`${h}.${tampered}.${s}`, at(keys, alg).verify, [alg])).toBe('ERR_AUTH_BAD_SIGNATURE')
    }
  })

  it('refuses every modified encoding of header, payload or signature before any cryptography', async () => {
    for (const alg of ['ES256', 'HS256', 'PS256', 'EdDSA'] as const) {
      const [h, p, s] = parts(at(valid, alg))
      const tokens = [
        ...encodingVariants(h).map((v) => `${v}.${p}.${s}`),
        ...encodingVariants(p).map((v) => `${h}.${v}.${s}`),
        ...encodingVariants(s).map((v) => `${h}.${p}.${v}`),
        `${h}.${p}.${s}.`,
        `${h}.${p}`,
        `.${p}.${s}`,
        `${h}.${p}.`,
        '',
        '..',
      ]
      for (const token of tokens) {
        expect(await outcome(token, at(keys, alg).verify, [alg]), `${alg} ${JSON.stringify(token)}`).toBe(
          'ERR_AUTH_TOKEN_MALFORMED',
        )
      }
      // An empty payload is well-formed JWS; the signature does not cover it.
      expect(await outcome(`${h}..${s}`, at(keys, alg).verify, [alg])).toBe('ERR_AUTH_BAD_SIGNATURE')
    }
  })

  it('refuses the JSON serialization of a valid JWS', async () => {
    const [h, p, s] = parts(at(valid, 'ES256'))
    const flattened = JSON.stringify({ protected: h, payload: p, signature: s })
    const general = JSON.stringify({ payload: p, signatures: [{ protected: h, signature: s }] })
    for (const token of [flattened, general]) {
      expect(await outcome(token, at(keys, 'ES256').verify, ['ES256'])).toBe('ERR_AUTH_TOKEN_MALFORMED')
    }
  })

  it('refuses alg "none", with or without a signature, in any spelling', async () => {
    const p = b64(PAYLOAD)
    const [, , s] = parts(at(valid, 'RS256'))
    for (const alg of ['none', 'None', 'NONE', 'nOnE']) {
      const h = b64(JSON.stringify({ alg }))
      for (const token of [`${h}.${p}.${s}`, `${h}.${p}.`]) {
        expect(['ERR_AUTH_ALGORITHM_NOT_ALLOWED', 'ERR_AUTH_TOKEN_MALFORMED']).toContain(
          await outcome(token, at(keys, 'RS256').verify, ['RS256']),
        )
      }
    }
  })

  it('refuses a header whose algorithm is not the pinned one, even when the signature matches it', async () => {
    // RFC 7520 Figure 20's case: signed with PS384 by the key pinned to PS256. A verifier taking
    // the algorithm from the token would accept it; the signature itself is valid.
    const ps = at(keys, 'PS256')
    const ps384 = await new CompactSign(PAYLOAD)
      .setProtectedHeader({ alg: 'PS384' })
      .sign((await importJWK(ps.privateJwk as JWK, 'PS384')) as CryptoKey)
    expect(await outcome(ps384, ps.verify, ['PS256'])).toBe('ERR_AUTH_ALGORITHM_NOT_ALLOWED')
    expect(await outcome(ps384, (await importJWK(ps.publicJwk as JWK, 'PS384')) as CryptoKey, ['PS384'])).toBe(
      'accepted',
    )
    for (const [pinned, header] of [
      ['PS256', 'PS384'],
      ['RS256', 'PS256'],
      ['ES256', 'ES384'],
      ['HS256', 'HS512'],
    ] as const) {
      const h = b64(JSON.stringify({ alg: header }))
      const [, p, s] = parts(at(valid, pinned))
      expect(await outcome(`${h}.${p}.${s}`, at(keys, pinned).verify, [pinned]), `${header} for ${pinned}`).toBe(
        'ERR_AUTH_ALGORITHM_NOT_ALLOWED',
      )
    }
  })

  it('refuses a token signed with another primitive: HMAC over the public key, ECDSA for RSA', async () => {
    for (const alg of ['RS256', 'ES256', 'EdDSA'] as const) {
      const publicJwk = at(keys, alg).publicJwk as JWK
      const p = b64(PAYLOAD)
      // The classic key confusion: HS256 keyed with the public key's bytes.
      for (const secret of [JSON.stringify(publicJwk), publicJwk.n ?? publicJwk.x ?? '']) {
        const h = b64(JSON.stringify({ alg: 'HS256' }))
        const mac = createHmac('sha256', secret).update(`${h}.${p}`).digest()
        expect(await outcome(`${h}.${p}.${b64(mac)}`, at(keys, alg).verify, [alg]), alg).toBe(
          'ERR_AUTH_ALGORITHM_NOT_ALLOWED',
        )
        // The same forgery with the pinned algorithm in the header: the MAC is not a signature.
        const pinnedHeader = b64(JSON.stringify({ alg }))
        const mac2 = createHmac('sha256', secret).update(`${pinnedHeader}.${p}`).digest()
        expect(await outcome(`${pinnedHeader}.${p}.${b64(mac2)}`, at(keys, alg).verify, [alg]), alg).toBe(
          'ERR_AUTH_BAD_SIGNATURE',
        )
      }
    }
    // An ES256 signature presented as RS256 for the RSA key.
    const [, p, s] = parts(at(valid, 'ES256'))
    const h = b64(JSON.stringify({ alg: 'RS256' }))
    expect(await outcome(`${h}.${p}.${s}`, at(keys, 'RS256').verify, ['RS256'])).toBe('ERR_AUTH_BAD_SIGNATURE')
  })

  it('refuses a header that is not a JSON object, or that marks an unknown extension critical', async () => {
    const [, p, s] = parts(at(valid, 'ES256'))
    for (const header of ['[]', '"ES256"', 'null', '{"alg":"ES256"', '{"alg":["ES256"]}', '{}']) {
      const code = await outcome(`${b64(header)}.${p}.${s}`, at(keys, 'ES256').verify, ['ES256'])
      expect(['ERR_AUTH_TOKEN_MALFORMED', 'ERR_AUTH_ALGORITHM_NOT_ALLOWED'], header).toContain(code)
    }
    // A valid HMAC over a header whose critical extension the verifier does not understand.
    const secret = at(keys, 'HS256').verify as Uint8Array
    const h = b64(JSON.stringify({ alg: 'HS256', crit: ['urn:example:unknown'], 'urn:example:unknown': true }))
    const mac = createHmac('sha256', secret).update(`${h}.${p}`).digest()
    expect(await outcome(`${h}.${p}.${b64(mac)}`, secret, ['HS256'])).not.toBe('accepted')
    const plain = b64(JSON.stringify({ alg: 'HS256' }))
    const plainMac = createHmac('sha256', secret).update(`${plain}.${p}`).digest()
    expect(await outcome(`${plain}.${p}.${b64(plainMac)}`, secret, ['HS256'])).toBe('accepted')
  })
})
