/**
 * The verifier's network paths against a local authorization server that fails the ways real ones
 * do: key sets that are down, slow, junk or redirected; discovery that names another issuer;
 * introspection answers that are not a clean `active: true`.
 */
import { WardenError } from '@mcp-warden/core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createTokenVerifier } from '../src/index.js'
import { AUDIENCE, type JwksMode, type LocalIssuer, startLocalIssuer } from './support/local-issuer.js'

let as: LocalIssuer
const extra: LocalIssuer[] = []
beforeAll(async () => {
  as = await startLocalIssuer()
})
afterEach(() => {
  as.jwksMode = 'ok'
  as.introspection = () => ({ status: 200, body: JSON.stringify({ active: false }) })
})
afterAll(async () => {
  await as.close()
  for (const issuer of extra) await issuer.close()
})

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise
  } catch (error) {
    if (!WardenError.isInstance(error)) throw error
    return error.code
  }
  throw new Error('expected a denial, the token was accepted')
}

const nowSec = () => Math.floor(Date.now() / 1000)
const remote = (options: { timeoutMs?: number; jwksCooldownMs?: number } = {}) =>
  createTokenVerifier({
    issuer: as.issuer,
    audience: AUDIENCE,
    jwt: { algorithms: ['ES256'], jwksUri: as.jwksUri, jwksCooldownMs: options.jwksCooldownMs ?? 30_000 },
    timeoutMs: options.timeoutMs ?? 1_000,
  })

describe('createTokenVerifier', () => {
  describe('remote key set', () => {
    it('verifies with the issuer JWKS and fetches it once for many tokens', async () => {
      const before = as.jwksHits
      const verifier = remote()
      await Promise.all(Array.from({ length: 20 }, async (_, i) => verifier.verify(await as.sign({ sub: `u${i}` }))))
      expect(as.jwksHits - before).toBe(1)
    })

    it.each<[JwksMode, number]>([
      ['down', 1_000],
      ['slow', 300],
      ['junk', 1_000],
      ['not-jwks', 1_000],
      ['error', 1_000],
      ['redirect', 1_000],
    ])('fails closed with ERR_AUTH_KEYSET_UNAVAILABLE when the JWKS is %s', async (mode, timeoutMs) => {
      as.jwksMode = mode
      const started = Date.now()
      await expect(codeOf(remote({ timeoutMs }).verify(await as.sign()))).resolves.toBe('ERR_AUTH_KEYSET_UNAVAILABLE')
      expect(Date.now() - started).toBeLessThan(2_500)
    })

    it('recovers once the JWKS is back', async () => {
      const verifier = remote({ jwksCooldownMs: 0 })
      as.jwksMode = 'error'
      await expect(codeOf(verifier.verify(await as.sign()))).resolves.toBe('ERR_AUTH_KEYSET_UNAVAILABLE')
      as.jwksMode = 'ok'
      await expect(verifier.verify(await as.sign())).resolves.toBeDefined()
    })

    it('refetches for unknown kids at most once per cooldown', async () => {
      const verifier = remote({ jwksCooldownMs: 60_000 })
      await verifier.verify(await as.sign())
      const before = as.jwksHits
      const forged = (kid: string) =>
        as.signRaw(
          { alg: 'ES256', typ: 'at+jwt', kid },
          { iss: as.issuer, aud: AUDIENCE, sub: 'x', exp: nowSec() + 60 },
        )
      for (let i = 0; i < 20; i++) {
        await expect(codeOf(verifier.verify(forged(`unknown-${i}`)))).resolves.toBe('ERR_AUTH_UNKNOWN_KEY')
      }
      expect(as.jwksHits - before).toBeLessThanOrEqual(1)
    })
  })

  describe('discovery', () => {
    it('finds the JWKS from RFC 8414 metadata of an issuer with a path', async () => {
      const tenant = await startLocalIssuer({ issuerPath: '/tenant-a' })
      extra.push(tenant)
      const verifier = createTokenVerifier({
        issuer: tenant.issuer,
        audience: AUDIENCE,
        jwt: { algorithms: ['ES256'] },
      })
      await expect(verifier.verify(await tenant.sign())).resolves.toMatchObject({ issuer: tenant.issuer })
    })

    it('refuses metadata that names another issuer (mix-up)', async () => {
      const mixed = await startLocalIssuer({ metadataIssuer: 'https://evil.example.com' })
      extra.push(mixed)
      const verifier = createTokenVerifier({ issuer: mixed.issuer, audience: AUDIENCE, jwt: { algorithms: ['ES256'] } })
      await expect(codeOf(verifier.verify(await mixed.sign()))).resolves.toBe('ERR_AUTH_DISCOVERY_FAILED')
    })

    it('fails closed when the issuer is unreachable', async () => {
      const verifier = createTokenVerifier({
        issuer: 'http://127.0.0.1:9',
        audience: AUDIENCE,
        jwt: { algorithms: ['ES256'] },
        timeoutMs: 500,
      })
      await expect(codeOf(verifier.verify(await as.sign()))).resolves.toBe('ERR_AUTH_DISCOVERY_FAILED')
    })
  })

  describe('introspection', () => {
    const introspector = (options: { clientAuth?: 'client_secret_basic' | 'client_secret_post' } = {}) =>
      createTokenVerifier({
        issuer: as.issuer,
        audience: AUDIENCE,
        introspection: {
          endpoint: as.introspectionEndpoint,
          clientId: 'rs id',
          clientSecret: 's3cr:et&',
          ...options,
        },
        timeoutMs: 1_000,
      })
    const active = (overrides: Record<string, unknown> = {}) =>
      JSON.stringify({
        active: true,
        iss: as.issuer,
        aud: AUDIENCE,
        sub: 'user-9',
        client_id: 'app',
        scope: 'a b',
        exp: nowSec() + 300,
        token_type: 'Bearer',
        ...overrides,
      })

    it('authenticates with client_secret_basic (form-encoded) and builds the principal', async () => {
      let seen: string | undefined
      as.introspection = (_token, request) => {
        seen = request.authorization
        return { status: 200, body: active() }
      }
      const principal = await introspector().verify('opaque-token-1')
      expect(principal).toMatchObject({ id: `${as.issuer}#user-9`, clientId: 'app', scopes: ['a', 'b'] })
      expect(seen).toBe(`Basic ${Buffer.from('rs+id:s3cr%3Aet%26').toString('base64')}`)
    })

    it('authenticates with client_secret_post', async () => {
      let body: URLSearchParams | undefined
      as.introspection = (_token, request) => {
        body = request.body
        return { status: 200, body: active() }
      }
      await introspector({ clientAuth: 'client_secret_post' }).verify('opaque-token-2')
      expect(body?.get('client_id')).toBe('rs id')
      expect(body?.get('token')).toBe('opaque-token-2')
      expect(body?.get('token_type_hint')).toBe('access_token')
    })

    it('caches a positive answer', async () => {
      as.introspection = () => ({ status: 200, body: active() })
      const verifier = introspector()
      const before = as.introspectionHits
      await verifier.verify('opaque-token-3')
      await verifier.verify('opaque-token-3')
      expect(as.introspectionHits - before).toBe(1)
    })

    it.each<[string, () => string, number, string]>([
      ['active false', () => JSON.stringify({ active: false }), 200, 'ERR_AUTH_TOKEN_INACTIVE'],
      ['active "true" as a string', () => active({ active: 'true' }), 200, 'ERR_AUTH_TOKEN_INACTIVE'],
      ['active 1', () => active({ active: 1 }), 200, 'ERR_AUTH_TOKEN_INACTIVE'],
      ['no active field', () => JSON.stringify({ sub: 'x' }), 200, 'ERR_AUTH_TOKEN_INACTIVE'],
      ['another audience', () => active({ aud: 'https://other.example.com' }), 200, 'ERR_AUTH_WRONG_AUDIENCE'],
      ['no audience', () => active({ aud: undefined }), 200, 'ERR_AUTH_WRONG_AUDIENCE'],
      ['another issuer', () => active({ iss: 'https://evil.example.com' }), 200, 'ERR_AUTH_WRONG_ISSUER'],
      ['an expired token', () => active({ exp: nowSec() - 3_600 }), 200, 'ERR_AUTH_TOKEN_EXPIRED'],
      ['no exp', () => active({ exp: undefined }), 200, 'ERR_AUTH_TOKEN_CLAIM_INVALID'],
      ['nbf in the future', () => active({ nbf: nowSec() + 3_600 }), 200, 'ERR_AUTH_TOKEN_NOT_YET_VALID'],
      ['a DPoP token type', () => active({ token_type: 'DPoP' }), 200, 'ERR_AUTH_WRONG_TYPE'],
      ['a certificate-bound token (cnf)', () => active({ cnf: { 'x5t#S256': 'abc' } }), 200, 'ERR_AUTH_WRONG_TYPE'],
      [
        'no subject nor client',
        () => active({ sub: undefined, client_id: undefined }),
        200,
        'ERR_AUTH_TOKEN_CLAIM_INVALID',
      ],
      ['HTTP 401', () => JSON.stringify({ error: 'invalid_client' }), 401, 'ERR_AUTH_INTROSPECTION_FAILED'],
      ['HTTP 500', () => 'oops', 500, 'ERR_AUTH_INTROSPECTION_FAILED'],
      ['junk', () => '<html>', 200, 'ERR_AUTH_INTROSPECTION_FAILED'],
      ['a JSON array', () => '[true]', 200, 'ERR_AUTH_INTROSPECTION_FAILED'],
      [
        'an oversized answer',
        () => JSON.stringify({ active: true, pad: 'x'.repeat(100_000) }),
        200,
        'ERR_AUTH_INTROSPECTION_FAILED',
      ],
    ])('refuses %s', async (_label, body, status, code) => {
      as.introspection = () => ({ status, body: body() })
      await expect(codeOf(introspector().verify(`opaque-${Math.random()}`))).resolves.toBe(code)
    })

    it('never sends a JWT-shaped token to introspection when JWT verification is configured', async () => {
      const before = as.introspectionHits
      as.introspection = () => ({ status: 200, body: active() })
      const both = createTokenVerifier({
        issuer: as.issuer,
        audience: AUDIENCE,
        jwt: { algorithms: ['ES256'], jwksUri: as.jwksUri },
        introspection: { endpoint: as.introspectionEndpoint, clientId: 'rs', clientSecret: 's' },
      })
      await expect(codeOf(both.verify('aaa.bbb.ccc'))).resolves.toBe('ERR_AUTH_TOKEN_MALFORMED')
      await expect(both.verify('opaque-token-4')).resolves.toMatchObject({ subject: 'user-9' })
      expect(as.introspectionHits - before).toBe(1)
    })
  })
})
