/**
 * A real authorization server for tests: oidc-provider on 127.0.0.1, issuing client-credentials
 * access tokens for a resource indicator (RFC 8707), as JWTs or opaque (introspected) tokens,
 * with a real JWKS. Providers can be swapped behind the same socket to rotate keys.
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { exportJWK, generateKeyPair, type JWK } from 'jose'
import type { Adapter, AdapterPayload, default as ProviderClass } from 'oidc-provider'

type Provider = ProviderClass

/**
 * oidc-provider, imported without its start-up warning about the Node version: it asks for Node 22
 * LTS, while the tests run on Node 20 (the library's minimum). It is only the tests' stand-in
 * authorization server, and every test that uses it passes on Node 20; no other warning is hidden.
 */
const { default: Provider } = await (async () => {
  const warn = console.warn
  console.warn = (...args: unknown[]) => {
    if (typeof args[0] === 'string' && args[0].startsWith('oidc-provider WARNING: Unsupported runtime')) return
    warn(...args)
  }
  try {
    return await import('oidc-provider')
  } finally {
    console.warn = warn
  }
})()

/**
 * Storage for the provider's grants and tokens in a Map, per test server (what oidc-provider's own
 * "development-only" adapter does, without its warning on every provider built).
 */
function mapAdapter(): new (name: string) => Adapter {
  const records = new Map<string, { payload: AdapterPayload; expiresAt: number }>()
  const live = (key: string): AdapterPayload | undefined => {
    const record = records.get(key)
    if (record === undefined) return undefined
    if (record.expiresAt <= Date.now()) {
      records.delete(key)
      return undefined
    }
    return record.payload
  }
  return class MapAdapter implements Adapter {
    constructor(private readonly name: string) {}
    private key(id: string): string {
      return `${this.name}:${id}`
    }
    async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
      const expiresAt = expiresIn === undefined ? Number.POSITIVE_INFINITY : Date.now() + expiresIn * 1000
      records.set(this.key(id), { payload, expiresAt })
    }
    async find(id: string): Promise<AdapterPayload | undefined> {
      return live(this.key(id))
    }
    async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
      return [...records.keys()].map(live).find((p) => p?.userCode === userCode)
    }
    async findByUid(uid: string): Promise<AdapterPayload | undefined> {
      return [...records.keys()].map(live).find((p) => p?.uid === uid)
    }
    async consume(id: string): Promise<void> {
      const payload = live(this.key(id))
      if (payload !== undefined) payload.consumed = Math.floor(Date.now() / 1000)
    }
    async destroy(id: string): Promise<void> {
      records.delete(this.key(id))
    }
    async revokeByGrantId(grantId: string): Promise<void> {
      for (const [key, record] of records) if (record.payload.grantId === grantId) records.delete(key)
    }
  }
}

export const CLIENT = { id: 'mcp-client', secret: 'mcp-client-secret-0123456789abcdef' }
export const RESOURCE_SERVER = { id: 'mcp-resource-server', secret: 'mcp-rs-secret-0123456789abcdef' }
export const SCOPES = 'tickets:read tickets:write'

export interface OidcServer {
  readonly issuer: string
  /** Ends with `/opaque` resources get opaque tokens; everything else a JWT. */
  use(keys: readonly JWK[]): void
  token(resource: string, scope?: string): Promise<string>
  close(): Promise<void>
}

export async function newSigningKey(kid: string): Promise<JWK> {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true })
  return { ...(await exportJWK(privateKey)), kid, alg: 'ES256', use: 'sig' }
}

export async function startOidc(initialKeys: readonly JWK[]): Promise<OidcServer> {
  let provider: Provider | undefined
  const server: Server = createServer((req, res) => {
    if (provider === undefined) {
      res.writeHead(503)
      res.end()
      return
    }
    provider.callback()(req, res)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`

  const build = (keys: readonly JWK[]): Provider => {
    const instance = new Provider(issuer, {
      adapter: mapAdapter(),
      ttl: { ClientCredentials: 600 },
      clients: [
        {
          client_id: CLIENT.id,
          client_secret: CLIENT.secret,
          grant_types: ['client_credentials'],
          redirect_uris: [],
          response_types: [],
          id_token_signed_response_alg: 'ES256',
          scope: SCOPES,
        },
        {
          client_id: RESOURCE_SERVER.id,
          client_secret: RESOURCE_SERVER.secret,
          grant_types: [],
          redirect_uris: [],
          response_types: [],
          id_token_signed_response_alg: 'ES256',
        },
      ],
      jwks: { keys: keys as never[] },
      scopes: ['openid', 'tickets:read', 'tickets:write'],
      features: {
        devInteractions: { enabled: false },
        clientCredentials: { enabled: true },
        introspection: { enabled: true, allowedPolicy: async () => true },
        resourceIndicators: {
          enabled: true,
          defaultResource: () => undefined as never,
          useGrantedResource: () => true,
          getResourceServerInfo: (_ctx, resourceIndicator) => ({
            scope: SCOPES,
            audience: resourceIndicator,
            accessTokenTTL: 600,
            accessTokenFormat: resourceIndicator.endsWith('/opaque') ? 'opaque' : 'jwt',
            jwt: { sign: { alg: 'ES256' } },
          }),
        },
      },
    })
    // Keep test output quiet: oidc-provider reports every failed request as an error event.
    instance.on('server_error', () => undefined)
    return instance
  }
  provider = build(initialKeys)

  return {
    issuer,
    use(keys) {
      provider = build(keys)
    },
    async token(resource, scope = SCOPES) {
      const response = await fetch(`${issuer}/token`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${CLIENT.id}:${CLIENT.secret}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({ grant_type: 'client_credentials', scope, resource }).toString(),
      })
      const body = (await response.json()) as { access_token?: string; error?: string; error_description?: string }
      if (body.access_token === undefined)
        throw new Error(`token request failed: ${body.error} ${body.error_description}`)
      return body.access_token
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
