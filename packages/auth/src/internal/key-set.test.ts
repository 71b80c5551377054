import { generateKeyPairSync, type KeyObject } from 'node:crypto'
import { WardenError } from '@mcp-warden/core'
import { CompactSign, createLocalJWKSet, importJWK, type JWK } from 'jose'
import { describe, expect, it } from 'vitest'
import { checkKeySet } from './key-set.js'
import { verifyCompactJws } from './verify-jws.js'

/**
 * Key sets made here, the way Wycheproof's JWK vectors are made: public signature keys of every
 * type that must verify, and sets that must be refused (symmetric, private, encryption-only, weak
 * RSA, mismatched `alg`, duplicate `kid`). The Wycheproof vectors themselves run in `pnpm eval`.
 */
const jwk = (key: KeyObject): Record<string, unknown> => key.export({ format: 'jwk' }) as Record<string, unknown>

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 })
const p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' })
const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' })
const p521 = generateKeyPairSync('ec', { namedCurve: 'P-521' })
const ed = generateKeyPairSync('ed25519')

const PUBLIC_KEYS = [
  { pair: rsa, alg: 'RS256', kid: 'rsa' },
  { pair: rsa, alg: 'PS512', kid: 'rsa-pss' },
  { pair: p256, alg: 'ES256', kid: 'p256' },
  { pair: p384, alg: 'ES384', kid: 'p384' },
  { pair: p521, alg: 'ES512', kid: 'p521' },
  { pair: ed, alg: 'EdDSA', kid: 'ed' },
] as const

const PAYLOAD = new TextEncoder().encode('{"sub":"alice"}')

async function signWith(pair: { privateKey: KeyObject }, alg: string, kid: string): Promise<string> {
  const key = await importJWK(jwk(pair.privateKey) as JWK, alg)
  return new CompactSign(PAYLOAD).setProtectedHeader({ alg, kid }).sign(key)
}

async function verifiesThrough(set: { keys: Record<string, unknown>[] }, jws: string, algorithms: string[]) {
  try {
    await verifyCompactJws(jws, createLocalJWKSet(checkKeySet(set, 'keys') as never) as never, algorithms)
    return true
  } catch (error) {
    expect(WardenError.isInstance(error) || error instanceof Error, String(error)).toBe(true)
    return false
  }
}

describe('checkKeySet', () => {
  const publicSet = {
    keys: PUBLIC_KEYS.map(({ pair, alg, kid }) => ({ ...jwk(pair.publicKey), alg, kid, use: 'sig' })),
  }

  it('accepts public signature keys of every type and verifies tokens through them', async () => {
    const checked = checkKeySet(publicSet, 'keys')
    expect(checked.keys).toHaveLength(PUBLIC_KEYS.length)
    expect(Object.isFrozen(checked.keys[0])).toBe(true)
    for (const { pair, alg, kid } of PUBLIC_KEYS) {
      expect(await verifiesThrough(publicSet, await signWith(pair, alg, kid), [alg]), alg).toBe(true)
    }
  })

  it('accepts keys without alg, use or kid, and key_ops that include verify', () => {
    expect(() => checkKeySet({ keys: [jwk(p256.publicKey)] }, 'keys')).not.toThrow()
    expect(() => checkKeySet({ keys: [{ ...jwk(ed.publicKey), key_ops: ['verify'] }] }, 'keys')).not.toThrow()
  })

  it('refuses a token signed by a key that is not in the set, or by one under another kid', async () => {
    const stranger = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    expect(await verifiesThrough(publicSet, await signWith(stranger, 'ES256', 'p256'), ['ES256'])).toBe(false)
    expect(await verifiesThrough(publicSet, await signWith(stranger, 'ES256', 'nobody'), ['ES256'])).toBe(false)
    expect(await verifiesThrough(publicSet, await signWith(p384, 'ES384', 'p256'), ['ES384'])).toBe(false)
  })

  it('refuses every unsafe or malformed key set with a TypeError', () => {
    const rsaPublic = jwk(rsa.publicKey)
    const weakRsa = jwk(generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey)
    const bad: Record<string, unknown>[] = [
      { keys: [{ kty: 'oct', k: 'c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0', alg: 'HS256' }] },
      { keys: [jwk(rsa.privateKey)] },
      { keys: [jwk(p256.privateKey)] },
      { keys: [jwk(ed.privateKey)] },
      { keys: [{ ...jwk(p256.publicKey), use: 'enc' }] },
      { keys: [{ ...jwk(p256.publicKey), key_ops: ['encrypt'] }] },
      { keys: [{ ...jwk(p256.publicKey), key_ops: 'verify' }] },
      { keys: [weakRsa] },
      { keys: [{ ...rsaPublic, e: 'AQ' }] },
      { keys: [{ ...rsaPublic, e: '' }] },
      { keys: [{ ...rsaPublic, alg: 'ES256' }] },
      { keys: [{ ...rsaPublic, alg: 'HS256' }] },
      { keys: [{ ...jwk(p256.publicKey), alg: 'ES384' }] },
      { keys: [{ ...jwk(p521.publicKey), alg: 'ES256' }] },
      { keys: [{ ...jwk(ed.publicKey), alg: 'ES256' }] },
      { keys: [{ ...jwk(p256.publicKey), alg: 'none' }] },
      { keys: [{ ...jwk(p256.publicKey), kid: 1 }] },
      {
        keys: [
          { ...jwk(p256.publicKey), kid: 'a' },
          { ...jwk(p384.publicKey), kid: 'a' },
        ],
      },
      { keys: [{ kty: 'RSA-OAEP' }] },
      { keys: [null] },
      { keys: ['key'] },
      { keys: [] },
      { keys: {} },
      {},
    ]
    for (const set of bad) expect(() => checkKeySet(set, 'keys'), JSON.stringify(set).slice(0, 120)).toThrow(TypeError)
    expect(() => checkKeySet(null, 'keys')).toThrow(TypeError)
    expect(() => checkKeySet('{"keys":[]}', 'keys')).toThrow(TypeError)
  })

  it('refuses a set in which only one key is unsafe, naming it', () => {
    const set = { keys: [...publicSet.keys, { ...jwk(p256.privateKey), kid: 'leaked' }] }
    expect(() => checkKeySet(set, 'jwks')).toThrow(/jwks key 6 is a private key/)
  })
})
