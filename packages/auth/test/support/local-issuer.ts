/**
 * A small authorization server for tests: real key pairs, a real JWKS, metadata and introspection
 * endpoints on 127.0.0.1, with switches to make them fail the ways real ones do.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { type CryptoKey, exportJWK, generateKeyPair, type JWK, type JWTPayload, SignJWT } from 'jose'

export type JwksMode = 'ok' | 'down' | 'slow' | 'junk' | 'not-jwks' | 'error' | 'redirect'

export interface LocalIssuer {
  readonly issuer: string
  readonly jwksUri: string
  readonly introspectionEndpoint: string
  /** Public JWK of the signing key (ES256, kid `k1`). */
  readonly publicJwk: JWK
  /** PEM of an RSA public key (for the HS256 confusion attack), with its JWK (kid `r1`). */
  readonly rsaPublicPem: string
  readonly rsaPublicJwk: JWK
  jwksMode: JwksMode
  /** Times the JWKS was served. */
  jwksHits: number
  introspectionHits: number
  /** What the token endpoint (`/token`) answers. */
  tokenEndpoint: (request: { authorization: string | undefined; body: URLSearchParams }) => {
    status: number
    body: string
  }
  /** What the introspection endpoint answers (status and body), per token. */
  introspection: (
    token: string,
    request: { authorization: string | undefined; body: URLSearchParams },
  ) => {
    status: number
    body: string
  }
  /** Signs claims with the ES256 key (defaults: iss, aud, sub, exp in 10 min, typ at+jwt). */
  sign(claims?: JWTPayload, header?: Record<string, unknown>, key?: 'es' | 'rsa'): Promise<string>
  /** Signs any header and payload with the ES256 key, bypassing jose's checks (for malformed headers). */
  signRaw(header: Record<string, unknown>, payload: Record<string, unknown>): string
  close(): Promise<void>
}

export const AUDIENCE = 'https://mcp.example.com/mcp'

export async function startLocalIssuer(options: { issuerPath?: string; metadataIssuer?: string } = {}) {
  const es = await generateKeyPair('ES256', { extractable: true })
  const rsa = await generateKeyPair('RS256', { extractable: true, modulusLength: 2048 })
  const publicJwk: JWK = { ...(await exportJWK(es.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' }
  const rsaPublicJwk: JWK = { ...(await exportJWK(rsa.publicKey)), kid: 'r1', alg: 'RS256', use: 'sig' }
  const { createPublicKey, createPrivateKey, sign: nodeSign } = await import('node:crypto')
  const esPrivate = createPrivateKey({ key: (await exportJWK(es.privateKey)) as never, format: 'jwk' })
  const rsaPublicPem = createPublicKey({ key: rsaPublicJwk as never, format: 'jwk' })
    .export({ type: 'spki', format: 'pem' })
    .toString()

  const server: Server = createServer((req, res) => void handle(req, res))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  const base = `http://127.0.0.1:${port}`
  const issuer = `${base}${options.issuerPath ?? ''}`

  const state: LocalIssuer = {
    issuer,
    jwksUri: `${base}/jwks`,
    introspectionEndpoint: `${base}/introspect`,
    publicJwk,
    rsaPublicPem,
    rsaPublicJwk,
    jwksMode: 'ok',
    jwksHits: 0,
    introspectionHits: 0,
    introspection: () => ({ status: 200, body: JSON.stringify({ active: false }) }),
    tokenEndpoint: () => ({ status: 400, body: JSON.stringify({ error: 'unsupported_grant_type' }) }),
    async sign(claims = {}, header = {}, key = 'es') {
      const now = Math.floor(Date.now() / 1000)
      const payload: JWTPayload = { iss: issuer, aud: AUDIENCE, sub: 'user-1', exp: now + 600, iat: now, ...claims }
      for (const [name, value] of Object.entries(payload)) if (value === undefined) delete payload[name]
      const signingKey: CryptoKey = key === 'es' ? es.privateKey : rsa.privateKey
      const protectedHeader = {
        alg: key === 'es' ? 'ES256' : 'RS256',
        kid: key === 'es' ? 'k1' : 'r1',
        typ: 'at+jwt',
        ...header,
      }
      for (const [name, value] of Object.entries(protectedHeader)) {
        if (value === undefined) delete (protectedHeader as Record<string, unknown>)[name]
      }
      return new SignJWT(payload).setProtectedHeader(protectedHeader as never).sign(signingKey)
    },
    signRaw(header, payload) {
      const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
      const input = `${b64(header)}.${b64(payload)}`
      const signature = nodeSign('sha256', Buffer.from(input), { key: esPrivate, dsaEncoding: 'ieee-p1363' })
      return `${input}.${signature.toString('base64url')}`
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', base)
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' })
      res.end(typeof body === 'string' ? body : JSON.stringify(body))
    }
    const path = options.issuerPath ?? ''
    if (
      url.pathname === `/.well-known/oauth-authorization-server${path}` ||
      url.pathname === `${path}/.well-known/openid-configuration`
    ) {
      return json(200, {
        issuer: options.metadataIssuer ?? issuer,
        jwks_uri: state.jwksUri,
        introspection_endpoint: state.introspectionEndpoint,
      })
    }
    if (url.pathname === '/jwks') {
      state.jwksHits++
      switch (state.jwksMode) {
        case 'down':
          req.socket.destroy()
          return
        case 'slow':
          await new Promise((resolve) => setTimeout(resolve, 3_000))
          return json(200, { keys: [publicJwk, rsaPublicJwk] })
        case 'junk':
          return json(200, '<html>not json')
        case 'not-jwks':
          return json(200, { keys: 'nope' })
        case 'error':
          return json(500, { error: 'server_error' })
        case 'redirect':
          res.writeHead(302, { location: 'https://attacker.example/jwks' })
          res.end()
          return
        default:
          return json(200, { keys: [publicJwk, rsaPublicJwk] })
      }
    }
    if (url.pathname === '/introspect' && req.method === 'POST') {
      state.introspectionHits++
      const chunks: Buffer[] = []
      for await (const chunk of req) chunks.push(chunk as Buffer)
      const body = new URLSearchParams(Buffer.concat(chunks).toString('utf8'))
      const answer = state.introspection(body.get('token') ?? '', { authorization: req.headers.authorization, body })
      return json(answer.status, answer.body)
    }
    if (url.pathname === '/token' && req.method === 'POST') {
      const chunks: Buffer[] = []
      for await (const chunk of req) chunks.push(chunk as Buffer)
      const body = new URLSearchParams(Buffer.concat(chunks).toString('utf8'))
      const answer = state.tokenEndpoint({ authorization: req.headers.authorization, body })
      return json(answer.status, answer.body)
    }
    json(404, { error: 'not_found' })
  }

  return state
}
