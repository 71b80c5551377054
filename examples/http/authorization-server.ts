/**
 * The example's authorization server: a real OAuth 2.1 / OpenID provider (oidc-provider) on
 * 127.0.0.1 that issues client-credentials access tokens as signed JWTs (RFC 9068) for a resource
 * indicator (RFC 8707). The MCP server verifies them against the keys this server publishes at its
 * `jwks_uri`.
 *
 * Two confidential clients hold different scopes: `ticket-reader` may ask for `tickets:read`,
 * `ticket-operator` for `tickets:read tickets:write`. JWT access tokens are issued only for the
 * resources registered with `allowResource`, and carry that resource as their audience.
 */
import { generateKeyPairSync } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import Provider, { errors } from 'oidc-provider'

/** A confidential client of the example (the secrets are for this local example only). */
export interface ExampleClient {
  readonly id: string
  readonly secret: string
  /** The scopes this client may ask for. */
  readonly scope: string
}

export const READER: ExampleClient = {
  id: 'ticket-reader',
  secret: 'reader-secret-change-me-0123456789',
  scope: 'tickets:read',
}
export const OPERATOR: ExampleClient = {
  id: 'ticket-operator',
  secret: 'operator-secret-change-me-0123456789',
  scope: 'tickets:read tickets:write',
}
export const CLIENTS: readonly ExampleClient[] = [READER, OPERATOR]

/** Options of `startAuthorizationServer`. */
export interface AuthorizationServerOptions {
  /** TCP port on 127.0.0.1; `0` (the default) picks a free one. */
  readonly port?: number
  /** Lifetime of issued access tokens, in seconds. Default 600. */
  readonly accessTokenTtlSec?: number
}

/** A running authorization server. */
export interface AuthorizationServer {
  /** The issuer, `http://127.0.0.1:<port>`: also the base of its metadata and token endpoint. */
  readonly issuer: string
  /** `<issuer>/token`. */
  readonly tokenEndpoint: string
  /** Lets clients ask tokens for `resource` (an absolute URI, the audience of the tokens), with at most `scope`. */
  allowResource(resource: string, scope: string): void
  close(): Promise<void>
}

/** Starts the authorization server on 127.0.0.1. */
export async function startAuthorizationServer(options: AuthorizationServerOptions = {}): Promise<AuthorizationServer> {
  const ttl = options.accessTokenTtlSec ?? 600
  const resources = new Map<string, string>()
  // A fresh signing key per run: tokens of a previous run never verify.
  const signingKey = {
    ...generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' }),
    kid: `example-${Date.now().toString(36)}`,
    alg: 'ES256',
    use: 'sig',
  }

  let handler: ((req: IncomingMessage, res: ServerResponse) => void) | undefined
  const server = createServer((req, res) => {
    if (handler === undefined) {
      res.writeHead(503).end()
      return
    }
    handler(req, res)
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve())
  })
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`

  const provider = new Provider(issuer, {
    clients: CLIENTS.map((client) => ({
      client_id: client.id,
      client_secret: client.secret,
      grant_types: ['client_credentials'],
      redirect_uris: [],
      response_types: [],
      id_token_signed_response_alg: 'ES256',
      scope: client.scope,
    })),
    jwks: { keys: [signingKey] },
    scopes: ['tickets:read', 'tickets:write'],
    ttl: { ClientCredentials: ttl },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        // No default: a request without `resource` gets an opaque token for the provider's own
        // UserInfo endpoint, which the MCP server (JWTs with its URI as audience only) refuses.
        defaultResource: () => undefined,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, resourceIndicator) => {
          const scope = resources.get(resourceIndicator)
          if (scope === undefined) throw new errors.InvalidTarget(`unknown resource ${resourceIndicator}`)
          return {
            scope,
            audience: resourceIndicator,
            accessTokenTTL: ttl,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: 'ES256' } },
          }
        },
      },
    },
  })
  // oidc-provider reports refused requests as events; the example prints its own account instead.
  provider.on('server_error', () => undefined)
  const callback = provider.callback()
  handler = (req, res) => void callback(req, res)

  return {
    issuer,
    tokenEndpoint: `${issuer}/token`,
    allowResource(resource, scope) {
      resources.set(resource, scope)
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/** Asks the authorization server for a client-credentials token for `resource` (RFC 8707). */
export async function requestToken(
  tokenEndpoint: string,
  client: ExampleClient,
  resource: string,
  scope: string = client.scope,
): Promise<string> {
  const response = await fetch(tokenEndpoint, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${client.id}:${client.secret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope, resource }).toString(),
    signal: AbortSignal.timeout(10_000),
  })
  const body = (await response.json()) as { access_token?: unknown; error?: unknown; error_description?: unknown }
  if (typeof body.access_token !== 'string') {
    throw new Error(`token request refused: ${String(body.error)} ${String(body.error_description ?? '')}`.trim())
  }
  return body.access_token
}
