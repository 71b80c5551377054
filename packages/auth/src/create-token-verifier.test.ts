import { createHmac, generateKeyPairSync } from 'node:crypto'
import { createMemoryStore, type JsonValue, type Store, StoreUnavailableError, WardenError } from '@mcp-warden/core'
import { exportJWK, generateKeyPair, SignJWT } from 'jose'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { AUDIENCE, type LocalIssuer, startLocalIssuer } from '../test/support/local-issuer.js'
import { accessTokenOf } from './access-token-of.js'
import { createTokenVerifier } from './create-token-verifier.js'
import type { AuthErrorCode } from './errors.js'
import type { TokenVerifierOptions } from './types.js'

let as: LocalIssuer
beforeAll(async () => {
  as = await startLocalIssuer()
})
afterAll(async () => {
  await as.close()
})
afterEach(() => {
  vi.useRealTimers()
  as.jwksMode = 'ok'
})

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url')
/** A loopback issuer for option checks that never reach the network. */
const ISS = 'http://127.0.0.1:9'
const nowSec = (): number => Math.floor(Date.now() / 1000)

function staticVerifier(extra: Partial<TokenVerifierOptions> = {}) {
  return createTokenVerifier({
    issuer: as.issuer,
    audience: AUDIENCE,
    jwt: { algorithms: ['ES256', 'RS256'], keys: { keys: [as.publicJwk as never, as.rsaPublicJwk as never] } },
    ...extra,
  } as TokenVerifierOptions)
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise
  } catch (error) {
    if (!WardenError.isInstance(error)) throw error
    return error.code
  }
  throw new Error('expected a denial, the token was accepted')
}

describe('createTokenVerifier', () => {
  describe('options', () => {
    const base = () => ({ issuer: ISS, audience: AUDIENCE, jwt: { algorithms: ['ES256'] } })
    it.each([
      ['no options', undefined],
      ['an unknown option', { ...base(), audiance: AUDIENCE }],
      ['no issuer', { ...base(), issuer: undefined }],
      ['an http issuer off loopback', { ...base(), issuer: 'http://auth.example.com' }],
      ['no audience', { ...base(), audience: undefined }],
      ['an empty audience list', { ...base(), audience: [] }],
      ['a relative audience', { ...base(), audience: '/mcp' }],
      ['neither jwt nor introspection', { issuer: ISS, audience: AUDIENCE }],
      ['no algorithms', { ...base(), jwt: { algorithms: [] } }],
      ['alg none', { ...base(), jwt: { algorithms: ['none'] } }],
      ['HS256', { ...base(), jwt: { algorithms: ['HS256'] } }],
      ['a lower-case algorithm', { ...base(), jwt: { algorithms: ['es256'] } }],
      ['an unknown jwt option', { ...base(), jwt: { algorithms: ['ES256'], jku: 'x' } }],
      [
        'both jwksUri and keys',
        { ...base(), jwt: { algorithms: ['ES256'], jwksUri: `${ISS}/jwks`, keys: { keys: [{ kty: 'EC' }] } } },
      ],
      [
        'an http jwksUri off loopback',
        { ...base(), jwt: { algorithms: ['ES256'], jwksUri: 'http://keys.example.com/jwks' } },
      ],
      ['empty allowedTypes', { ...base(), jwt: { algorithms: ['ES256'], allowedTypes: [] } }],
      ['a negative clock tolerance', { ...base(), clockToleranceSec: -1 }],
      ['an unbounded clock tolerance', { ...base(), clockToleranceSec: 3600 }],
      ['a cache that is not a store', { ...base(), cache: { store: {} } }],
      ['introspection without secret', { issuer: ISS, audience: AUDIENCE, introspection: { clientId: 'rs' } }],
      [
        'an unknown client auth',
        { issuer: ISS, audience: AUDIENCE, introspection: { clientId: 'rs', clientSecret: 's', clientAuth: 'none' } },
      ],
    ])('throws TypeError when given %s', (_label, options) => {
      expect(() => createTokenVerifier(options as never)).toThrow(TypeError)
    })

    it('throws TypeError when a static key is private, symmetric, weak or duplicated', async () => {
      const { privateKey } = await generateKeyPair('ES256', { extractable: true })
      const weak = generateKeyPairSync('rsa', { modulusLength: 1024 })
      const cases = [
        { ...(await exportJWK(privateKey)), kid: 'p' },
        { kty: 'oct', k: 'c2VjcmV0', kid: 'o' },
        { ...weak.publicKey.export({ format: 'jwk' }), kid: 'w' },
        { ...as.publicJwk, use: 'enc' },
      ]
      for (const key of cases) {
        expect(() =>
          createTokenVerifier({
            issuer: as.issuer,
            audience: AUDIENCE,
            jwt: { algorithms: ['ES256'], keys: { keys: [key] } },
          } as never),
        ).toThrow(TypeError)
      }
      expect(() =>
        createTokenVerifier({
          issuer: as.issuer,
          audience: AUDIENCE,
          jwt: { algorithms: ['ES256'], keys: { keys: [as.publicJwk, as.publicJwk] } },
        } as never),
      ).toThrow(/duplicate kid/)
    })

    it('does not mutate the options it is given', () => {
      const options = Object.freeze({
        issuer: as.issuer,
        audience: Object.freeze([AUDIENCE]),
        jwt: Object.freeze({
          algorithms: Object.freeze(['ES256'] as const),
          keys: Object.freeze({ keys: [as.publicJwk] }),
        }),
      })
      expect(() => createTokenVerifier(options as never)).not.toThrow()
    })
  })

  describe('JWT access tokens', () => {
    it('resolves the principal when the token is valid', async () => {
      const token = await as.sign({ scope: 'tools:read tools:write', scp: ['admin', 'tools:read'], client_id: 'app' })
      const principal = await staticVerifier().verify(token)
      expect(principal).toMatchObject({
        id: `${as.issuer}#user-1`,
        issuer: as.issuer,
        subject: 'user-1',
        clientId: 'app',
        scopes: ['tools:read', 'tools:write', 'admin'],
      })
      expect(principal.expiresAt).toBeGreaterThan(nowSec())
      expect(JSON.stringify(principal)).not.toContain(token)
    })

    it('accepts RS256 and application/at+jwt when both are configured', async () => {
      const token = await as.sign({}, { typ: 'application/at+jwt' }, 'rsa')
      await expect(staticVerifier().verify(token)).resolves.toMatchObject({ subject: 'user-1' })
    })

    it('accepts an audience array containing this resource', async () => {
      const token = await as.sign({ aud: ['https://other.example.com', AUDIENCE] })
      await expect(staticVerifier().verify(token)).resolves.toMatchObject({ subject: 'user-1' })
    })

    it('uses azp as client id when client_id is absent and drops invalid scope tokens', async () => {
      const token = await as.sign({ azp: 'spa', scope: 'ok  bad"quote tools:read', scp: 'x y' })
      const principal = await staticVerifier().verify(token)
      expect(principal.clientId).toBe('spa')
      expect(principal.scopes).toEqual(['ok', 'tools:read', 'x', 'y'])
    })

    it('accepts a token expired by less than the clock tolerance', async () => {
      const token = await as.sign({ exp: nowSec() - 10 })
      await expect(staticVerifier({ clockToleranceSec: 30 }).verify(token)).resolves.toBeDefined()
      await expect(codeOf(staticVerifier({ clockToleranceSec: 0 }).verify(token))).resolves.toBe(
        'ERR_AUTH_TOKEN_EXPIRED',
      )
    })

    it('accepts a token without typ only when the author relaxed allowedTypes', async () => {
      const token = await as.sign({}, { typ: undefined })
      const relaxed = createTokenVerifier({
        issuer: as.issuer,
        audience: AUDIENCE,
        jwt: { algorithms: ['ES256'], keys: { keys: [as.publicJwk as never] }, allowedTypes: ['at+jwt', null] },
      })
      await expect(relaxed.verify(token)).resolves.toBeDefined()
      await expect(codeOf(staticVerifier().verify(token))).resolves.toBe('ERR_AUTH_WRONG_TYPE')
    })
  })

  describe('attacks', () => {
    const payload = () => ({ iss: as.issuer, aud: AUDIENCE, sub: 'mallory', exp: nowSec() + 600 })

    it.each(['none', 'None', 'NONE', 'nOnE'])('refuses alg %s with or without a signature', async (alg) => {
      const unsigned = `${b64({ alg, typ: 'at+jwt' })}.${b64(payload())}.`
      const faked = `${b64({ alg, typ: 'at+jwt' })}.${b64(payload())}.AAAA`
      const verifier = staticVerifier()
      expect(['ERR_AUTH_TOKEN_MALFORMED', 'ERR_AUTH_ALGORITHM_NOT_ALLOWED']).toContain(
        await codeOf(verifier.verify(unsigned)),
      )
      await expect(codeOf(verifier.verify(faked))).resolves.toBe('ERR_AUTH_ALGORITHM_NOT_ALLOWED')
    })

    it('refuses HS256 signed with the RSA public key (key confusion)', async () => {
      const input = `${b64({ alg: 'HS256', kid: 'r1', typ: 'at+jwt' })}.${b64(payload())}`
      const signature = createHmac('sha256', as.rsaPublicPem).update(input).digest('base64url')
      await expect(codeOf(staticVerifier().verify(`${input}.${signature}`))).resolves.toBe(
        'ERR_AUTH_ALGORITHM_NOT_ALLOWED',
      )
    })

    it('refuses an algorithm allowed by the key set but not configured', async () => {
      const token = await as.sign({}, {}, 'rsa')
      const esOnly = createTokenVerifier({
        issuer: as.issuer,
        audience: AUDIENCE,
        jwt: { algorithms: ['ES256'], keys: { keys: [as.publicJwk as never, as.rsaPublicJwk as never] } },
      })
      await expect(codeOf(esOnly.verify(token))).resolves.toBe('ERR_AUTH_ALGORITHM_NOT_ALLOWED')
    })

    it('refuses a token carrying its own key (embedded jwk)', async () => {
      const attacker = await generateKeyPair('ES256', { extractable: true })
      const jwk = await exportJWK(attacker.publicKey)
      const token = await new SignJWT(payload())
        .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', jwk })
        .sign(attacker.privateKey)
      await expect(codeOf(staticVerifier().verify(token))).resolves.toBe('ERR_AUTH_UNKNOWN_KEY')
    })

    it.each([
      ['jku', { jku: 'https://attacker.example/jwks' }],
      ['x5u', { x5u: 'https://attacker.example/cert.pem' }],
      ['x5c', { x5c: ['MIIB'] }],
    ])('refuses a token naming a key source in %s', async (_name, header) => {
      const attacker = await generateKeyPair('ES256')
      const token = await new SignJWT(payload())
        .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: 'k1', ...header })
        .sign(attacker.privateKey)
      await expect(codeOf(staticVerifier().verify(token))).resolves.toBe('ERR_AUTH_UNKNOWN_KEY')
    })

    it.each(['../../../../dev/null', "' OR '1'='1", 'k1\u0000', 'x'.repeat(4096), 'kid-that-does-not-exist'])(
      'refuses kid injection %#',
      async (kid) => {
        const attacker = await generateKeyPair('ES256')
        const token = await new SignJWT(payload())
          .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid })
          .sign(attacker.privateKey)
        await expect(codeOf(staticVerifier().verify(token))).resolves.toBe('ERR_AUTH_UNKNOWN_KEY')
      },
    )

    it('refuses a token signed by another key under the issuer kid', async () => {
      const attacker = await generateKeyPair('ES256')
      const token = await new SignJWT(payload())
        .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: 'k1' })
        .sign(attacker.privateKey)
      await expect(codeOf(staticVerifier().verify(token))).resolves.toBe('ERR_AUTH_BAD_SIGNATURE')
    })

    it('refuses a token whose payload was altered after signing', async () => {
      const token = await as.sign({ scope: 'tools:read' })
      const [header, , signature] = token.split('.')
      const forged = `${header}.${b64({ ...payload(), scope: 'admin' })}.${signature}`
      await expect(codeOf(staticVerifier().verify(forged))).resolves.toBe('ERR_AUTH_BAD_SIGNATURE')
    })

    it.each<[string, Record<string, unknown>, Record<string, unknown>, AuthErrorCode]>([
      ['expired', { exp: nowSec() - 3600 }, {}, 'ERR_AUTH_TOKEN_EXPIRED'],
      ['nbf in the future', { nbf: nowSec() + 3600 }, {}, 'ERR_AUTH_TOKEN_NOT_YET_VALID'],
      ['missing exp', { exp: undefined }, {}, 'ERR_AUTH_TOKEN_CLAIM_INVALID'],
      ['exp as a string', { exp: String(nowSec() + 600) }, {}, 'ERR_AUTH_TOKEN_CLAIM_INVALID'],
      ['missing sub', { sub: undefined }, {}, 'ERR_AUTH_TOKEN_CLAIM_INVALID'],
      ['wrong iss', { iss: 'https://evil.example.com' }, {}, 'ERR_AUTH_WRONG_ISSUER'],
      ['missing iss', { iss: undefined }, {}, 'ERR_AUTH_TOKEN_CLAIM_INVALID'],
      ['wrong aud', { aud: 'https://other.example.com/mcp' }, {}, 'ERR_AUTH_WRONG_AUDIENCE'],
      ['aud with a trailing slash', { aud: `${AUDIENCE}/` }, {}, 'ERR_AUTH_WRONG_AUDIENCE'],
      [
        'aud array without ours',
        { aud: ['https://a.example.com', 'https://b.example.com'] },
        {},
        'ERR_AUTH_WRONG_AUDIENCE',
      ],
      ['missing aud', { aud: undefined }, {}, 'ERR_AUTH_TOKEN_CLAIM_INVALID'],
      ['typ JWT', {}, { typ: 'JWT' }, 'ERR_AUTH_WRONG_TYPE'],
      ['typ missing', {}, { typ: undefined }, 'ERR_AUTH_WRONG_TYPE'],
      ['typ logout+jwt', {}, { typ: 'logout+jwt' }, 'ERR_AUTH_WRONG_TYPE'],
      ['a DPoP binding (cnf) presented as bearer', { cnf: { jkt: 'abc' } }, {}, 'ERR_AUTH_WRONG_TYPE'],
    ])('refuses a token with %s', async (_label, claims, header, code) => {
      const token = await as.sign(claims, header)
      await expect(codeOf(staticVerifier({ clockToleranceSec: 0 }).verify(token))).resolves.toBe(code)
    })

    it('refuses a token with an unknown critical header', async () => {
      const token = as.signRaw({ alg: 'ES256', typ: 'at+jwt', kid: 'k1', crit: ['urn:x'], 'urn:x': 1 }, payload())
      await expect(codeOf(staticVerifier().verify(token))).resolves.toBe('ERR_AUTH_TOKEN_MALFORMED')
      const control = as.signRaw({ alg: 'ES256', typ: 'at+jwt', kid: 'k1' }, payload())
      await expect(staticVerifier().verify(control)).resolves.toMatchObject({ subject: 'mallory' })
    })

    it('refuses an ID token presented as an access token', async () => {
      const idToken = await as.sign(
        { aud: 'client-app', nonce: 'n-0S6_WzA2Mj', auth_time: nowSec(), azp: 'client-app' },
        { typ: 'JWT' },
      )
      await expect(codeOf(staticVerifier().verify(idToken))).resolves.toBe('ERR_AUTH_WRONG_TYPE')
      const relaxed = createTokenVerifier({
        issuer: as.issuer,
        audience: AUDIENCE,
        jwt: { algorithms: ['ES256'], keys: { keys: [as.publicJwk as never] }, allowedTypes: ['at+jwt', 'jwt', null] },
      })
      await expect(codeOf(relaxed.verify(idToken))).resolves.toBe('ERR_AUTH_WRONG_AUDIENCE')
    })

    it('refuses truncated, oversized, padded and garbage tokens', async () => {
      const token = await as.sign()
      const verifier = staticVerifier()
      const [h, p, s] = token.split('.') as [string, string, string]
      const malformed = [
        token.slice(0, -1),
        `${h}.${p}`,
        `${h}.${p}.`,
        `${h}..${s}`,
        `.${p}.${s}`,
        `${h}.${p}.${s}.${s}`,
        `${h}=.${p}.${s}`,
        `${h}.${p}.${s}==`,
        `${h}.${p} .${s}`,
        `${h}.${p}.${s.slice(0, -2)}+/`,
        'a.b.c',
        'x'.repeat(20_000),
        `${h}.${'A'.repeat(20_000)}.${s}`,
        'bm90IGEgand0.bm90IGEgand0.bm90IGEgand0',
        `${b64([1, 2, 3])}.${p}.${s}`,
        `${b64('string')}.${p}.${s}`,
        'ünïcødé.tøkén.☃',
        '\u202Eeyj.abc.def',
      ]
      for (const bad of malformed) {
        const code = await codeOf(verifier.verify(bad))
        expect(['ERR_AUTH_TOKEN_MALFORMED', 'ERR_AUTH_BAD_SIGNATURE', 'ERR_AUTH_ALGORITHM_NOT_ALLOWED']).toContain(code)
      }
    })

    it('refuses a deeply nested or huge payload without crashing', async () => {
      let nested: unknown = 'x'
      for (let i = 0; i < 2000; i++) nested = { a: nested }
      const deep = `${b64({ alg: 'ES256', typ: 'at+jwt', kid: 'k1' })}.${b64({ ...payload(), nested })}.AAAA`
      await expect(codeOf(staticVerifier().verify(deep))).resolves.toBe('ERR_AUTH_BAD_SIGNATURE')
      const huge = await as.sign({ blob: 'y'.repeat(40_000) })
      await expect(codeOf(staticVerifier().verify(huge))).resolves.toBe('ERR_AUTH_TOKEN_MALFORMED')
    })

    it.each([
      ['an empty string', '', 'ERR_AUTH_TOKEN_MISSING'],
      ['undefined', undefined, 'ERR_AUTH_TOKEN_MISSING'],
      ['a number', 42, 'ERR_AUTH_TOKEN_MISSING'],
      ['an object', { token: 'x' }, 'ERR_AUTH_TOKEN_MISSING'],
      ['an opaque string without introspection', 'opaque-token-123', 'ERR_AUTH_TOKEN_MALFORMED'],
    ])('refuses %s', async (_label, value, code) => {
      await expect(codeOf(staticVerifier().verify(value as never))).resolves.toBe(code)
    })

    it('never puts the token in an error message', async () => {
      const token = await as.sign({ aud: 'https://other.example.com' })
      try {
        await staticVerifier().verify(token)
        expect.unreachable()
      } catch (error) {
        expect(String((error as Error).message)).not.toContain(token.split('.')[1])
        expect(JSON.stringify(error)).not.toContain(token.split('.')[1])
      }
    })
  })

  describe('cache', () => {
    function countingStore(inner: Store = createMemoryStore({ max: 100 })) {
      const counts = { get: 0, set: 0, keys: [] as string[] }
      const store: Store = {
        kind: 'counting',
        get: (key) => {
          counts.get++
          return inner.get(key)
        },
        set: (key, value, options) => {
          counts.set++
          counts.keys.push(key)
          return inner.set(key, value, options)
        },
        delete: (key) => inner.delete(key),
        increment: (key, options) => inner.increment(key, options),
        compareAndSet: (key, expected, value, options) => inner.compareAndSet(key, expected, value, options),
      }
      return { store, counts }
    }

    it('verifies a token once and answers later calls from the cache by digest', async () => {
      const { store, counts } = countingStore()
      const verifier = staticVerifier({ cache: { store } })
      const token = await as.sign({ scope: 'a' })
      const first = await verifier.verify(token)
      const second = await verifier.verify(token)
      expect(second).toEqual(first)
      expect(counts.set).toBe(1)
      expect(counts.keys[0]).not.toContain(token)
      expect(counts.keys[0]).toMatch(/^mcp-warden:auth:token:[\w-]{16}:[\w-]{43}$/)
    })

    it('shares one verification between concurrent calls with the same token', async () => {
      const { store, counts } = countingStore()
      const verifier = staticVerifier({ cache: { store } })
      const token = await as.sign()
      const results = await Promise.all(Array.from({ length: 50 }, () => verifier.verify(token)))
      expect(new Set(results.map((p) => p.id)).size).toBe(1)
      expect(counts.set).toBe(1)
    })

    it('stops answering from the cache once the token expires', async () => {
      vi.useFakeTimers({ toFake: ['Date'] })
      vi.setSystemTime(new Date('2030-01-01T00:00:00Z'))
      const verifier = staticVerifier({ clockToleranceSec: 0 })
      const token = await as.sign({ exp: nowSec() + 60 })
      await expect(verifier.verify(token)).resolves.toBeDefined()
      vi.setSystemTime(new Date('2030-01-01T00:01:01Z'))
      await expect(codeOf(verifier.verify(token))).resolves.toBe('ERR_AUTH_TOKEN_EXPIRED')
    })

    it('does not share cached principals between verifiers of different audiences', async () => {
      const shared = createMemoryStore({ max: 100 })
      const ours = staticVerifier({ cache: { store: shared } })
      const theirs = staticVerifier({ audience: 'https://other.example.com/mcp', cache: { store: shared } })
      const token = await as.sign()
      await expect(ours.verify(token)).resolves.toBeDefined()
      await expect(codeOf(theirs.verify(token))).resolves.toBe('ERR_AUTH_WRONG_AUDIENCE')
    })

    it('ignores a tampered cache entry and verifies again', async () => {
      const inner = createMemoryStore({ max: 10 })
      const { store, counts } = countingStore(inner)
      const verifier = staticVerifier({ cache: { store } })
      const token = await as.sign()
      await verifier.verify(token)
      await inner.set(counts.keys[0] as string, { id: 42 } as unknown as JsonValue)
      await expect(verifier.verify(token)).resolves.toMatchObject({ subject: 'user-1' })
      expect(counts.set).toBe(2)
    })

    it('fails closed when the cache store is unavailable', async () => {
      const broken: Store = {
        kind: 'broken',
        get: () => Promise.reject(new StoreUnavailableError('down')),
        set: () => Promise.reject(new StoreUnavailableError('down')),
        delete: () => Promise.reject(new StoreUnavailableError('down')),
        increment: () => Promise.reject(new StoreUnavailableError('down')),
        compareAndSet: () => Promise.reject(new StoreUnavailableError('down')),
      }
      const token = await as.sign()
      await expect(codeOf(staticVerifier({ cache: { store: broken } }).verify(token))).resolves.toBe(
        'ERR_STORE_UNAVAILABLE',
      )
    })

    it('verifies every call when the cache is disabled', async () => {
      const verifier = staticVerifier({ cache: false })
      const token = await as.sign()
      await expect(verifier.verify(token)).resolves.toBeDefined()
      await expect(verifier.verify(token)).resolves.toBeDefined()
    })
  })

  describe('exposeToken', () => {
    it('keeps the raw token out of reach unless the author opted in', async () => {
      const token = await as.sign()
      const hidden = await staticVerifier().verify(token)
      expect(accessTokenOf(hidden)).toBeUndefined()
      expect(Object.values(hidden)).not.toContain(token)
      const exposing = staticVerifier({ exposeToken: true })
      const first = await exposing.verify(token)
      const cached = await exposing.verify(token)
      expect(accessTokenOf(first)).toBe(token)
      expect(accessTokenOf(cached)).toBe(token)
      expect(JSON.stringify(cached)).not.toContain(token)
    })
  })
})
