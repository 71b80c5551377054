/**
 * Verification against a real authorization server (oidc-provider): JWT access tokens for a
 * resource indicator with the issuer's discovered JWKS, key rotation, opaque tokens through
 * introspection, and a real MCP client that obtains its own token.
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { WardenError } from '@mcp-warden/core'
import { ClientCredentialsProvider } from '@modelcontextprotocol/sdk/client/auth-extensions.js'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { decodeProtectedHeader, type JWK } from 'jose'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createProtectedResource, createTokenVerifier, protectNodeHandler } from '../src/index.js'
import { sessionRouter } from './support/mcp-server.js'
import { CLIENT, newSigningKey, type OidcServer, RESOURCE_SERVER, startOidc } from './support/oidc.js'

const RESOURCE = 'https://mcp.example.com/mcp'
let k1: JWK
let k2: JWK
let oidc: OidcServer
const cleanups: (() => Promise<void>)[] = []

beforeAll(async () => {
  k1 = await newSigningKey('k1')
  k2 = await newSigningKey('k2')
  oidc = await startOidc([k1])
})
afterEach(async () => {
  oidc.use([k1])
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})
afterAll(async () => {
  await oidc.close()
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

describe('createTokenVerifier with oidc-provider', () => {
  it('verifies a JWT access token issued for this resource, keys discovered from the issuer', async () => {
    const verifier = createTokenVerifier({ issuer: oidc.issuer, audience: RESOURCE, jwt: { algorithms: ['ES256'] } })
    const token = await oidc.token(RESOURCE, 'tickets:read')
    expect(decodeProtectedHeader(token).typ).toBe('at+jwt')
    const principal = await verifier.verify(token)
    expect(principal).toMatchObject({ issuer: oidc.issuer, clientId: CLIENT.id, scopes: ['tickets:read'] })
    expect(principal.id).toBe(`${oidc.issuer}#${principal.subject}`)
  })

  it('refuses a token the same issuer minted for another resource', async () => {
    const verifier = createTokenVerifier({ issuer: oidc.issuer, audience: RESOURCE, jwt: { algorithms: ['ES256'] } })
    const token = await oidc.token('https://other.example.com/api')
    await expect(codeOf(verifier.verify(token))).resolves.toBe('ERR_AUTH_WRONG_AUDIENCE')
  })

  it('follows key rotation: a new key is fetched on sight, a removed key stops verifying', async () => {
    const verifier = createTokenVerifier({
      issuer: oidc.issuer,
      audience: RESOURCE,
      jwt: { algorithms: ['ES256'], jwksCooldownMs: 0, jwksCacheMaxAgeMs: 200 },
      cache: false,
    })
    const oldToken = await oidc.token(RESOURCE)
    const oldUnseen = await oidc.token(RESOURCE)
    await expect(verifier.verify(oldToken)).resolves.toBeDefined()

    oidc.use([k2, k1]) // k2 appears and signs from now on
    const newToken = await oidc.token(RESOURCE)
    expect(decodeProtectedHeader(newToken).kid).toBe('k2')
    await expect(verifier.verify(newToken)).resolves.toBeDefined()

    oidc.use([k2]) // k1 removed
    await new Promise((resolve) => setTimeout(resolve, 300))
    await expect(codeOf(verifier.verify(oldUnseen))).resolves.toBe('ERR_AUTH_UNKNOWN_KEY')
    await expect(verifier.verify(await oidc.token(RESOURCE))).resolves.toBeDefined()
  })

  it('verifies opaque tokens by introspection, checks the audience locally and caches the answer', async () => {
    const opaqueResource = `${RESOURCE}/opaque`
    const verifier = createTokenVerifier({
      issuer: oidc.issuer,
      audience: opaqueResource,
      introspection: { clientId: RESOURCE_SERVER.id, clientSecret: RESOURCE_SERVER.secret },
    })
    const token = await oidc.token(opaqueResource, 'tickets:write')
    expect(token.split('.')).toHaveLength(1)
    const principal = await verifier.verify(token)
    expect(principal).toMatchObject({ issuer: oidc.issuer, clientId: CLIENT.id, scopes: ['tickets:write'] })
    oidc.use([k1]) // a fresh provider instance has no record of the token: only the cache can answer
    await expect(verifier.verify(token)).resolves.toEqual(principal)

    const otherAudience = createTokenVerifier({
      issuer: oidc.issuer,
      audience: RESOURCE,
      introspection: {
        clientId: RESOURCE_SERVER.id,
        clientSecret: RESOURCE_SERVER.secret,
        clientAuth: 'client_secret_post',
      },
    })
    const fresh = await oidc.token(opaqueResource)
    await expect(codeOf(otherAudience.verify(fresh))).resolves.toBe('ERR_AUTH_WRONG_AUDIENCE')
    await expect(codeOf(otherAudience.verify('unknown-opaque-token'))).resolves.toBe('ERR_AUTH_TOKEN_INACTIVE')
  })

  it('refuses introspection with wrong client credentials as a failure, not as inactive', async () => {
    const verifier = createTokenVerifier({
      issuer: oidc.issuer,
      audience: `${RESOURCE}/opaque`,
      introspection: { clientId: RESOURCE_SERVER.id, clientSecret: 'wrong-secret' },
    })
    const token = await oidc.token(`${RESOURCE}/opaque`)
    await expect(codeOf(verifier.verify(token))).resolves.toBe('ERR_AUTH_INTROSPECTION_FAILED')
  })
})

describe('protectNodeHandler with oidc-provider', () => {
  async function start() {
    const router = sessionRouter()
    let handler: ReturnType<typeof protectNodeHandler> | undefined
    const http: Server = createServer((req, res) => void handler?.(req, res))
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
    cleanups.push(async () => {
      http.closeAllConnections()
      await new Promise<void>((resolve) => http.close(() => resolve()))
      await router.close()
    })
    const resource = `http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp`
    const protection = createProtectedResource({
      resource,
      verifier: createTokenVerifier({ issuer: oidc.issuer, audience: resource, jwt: { algorithms: ['ES256'] } }),
      authorizationServers: [oidc.issuer],
      scopesSupported: ['tickets:read', 'tickets:write'],
      stepUp: { server: router.template },
    })
    handler = protectNodeHandler(protection, router.node)
    return { resource, calls: router.calls }
  }

  async function machineClient(resource: string, scope: string) {
    const client = new Client({ name: 'machine-client', version: '1.0.0' })
    const authProvider = new ClientCredentialsProvider({
      clientId: CLIENT.id,
      clientSecret: CLIENT.secret,
      expectedIssuer: oidc.issuer,
      scope,
    })
    await client.connect(new StreamableHTTPClientTransport(new URL(resource), { authProvider }))
    cleanups.push(() => client.close())
    return { client, authProvider }
  }

  it('lets a real MCP client discover the server, obtain a token for it and call tools', async () => {
    const { resource, calls } = await start()
    const { client, authProvider } = await machineClient(resource, 'tickets:read tickets:write')
    const who = await client.callTool({ name: 'whoami', arguments: {} })
    expect(JSON.parse((who.content as { text: string }[])[0]?.text ?? '{}').id).toMatch(new RegExp(`^${oidc.issuer}#`))
    const deleted = await client.callTool({ name: 'delete_ticket', arguments: { id: '42' } })
    expect((deleted.content as { text: string }[])[0]?.text).toBe('deleted 42')
    // The token the client obtained names this server as its audience (RFC 8707 resource).
    const token = authProvider.tokens()?.access_token ?? ''
    expect(JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()).aud).toBe(resource)
    expect(calls).toEqual({ whoami: 1, deleteTicket: 1 })
  })

  it('answers a read-only client with insufficient_scope before the tool runs', async () => {
    const { resource, calls } = await start()
    const { client } = await machineClient(resource, 'tickets:read')
    await expect(client.callTool({ name: 'whoami', arguments: {} })).resolves.toBeDefined()
    // The SDK recognizes the step-up challenge and re-authorizes; its client-credentials provider
    // asks again for its configured scope, so the retry is refused too and the tool never runs.
    await expect(client.callTool({ name: 'delete_ticket', arguments: { id: '1' } })).rejects.toThrow(
      /403 after trying upscoping/,
    )
    expect(calls).toEqual({ whoami: 1, deleteTicket: 0 })
  })

  it('refuses a client whose token was issued for another resource', async () => {
    const { resource, calls } = await start()
    const token = await oidc.token('https://other.example.com/mcp')
    const client = new Client({ name: 'confused-deputy', version: '1.0.0' })
    const transport = new StreamableHTTPClientTransport(new URL(resource), {
      requestInit: { headers: { Authorization: `Bearer ${token}` } },
    })
    await expect(client.connect(transport)).rejects.toThrow()
    expect(calls.whoami).toBe(0)
  })
})
