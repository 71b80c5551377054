import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import { PRINCIPAL_AUTH_EXTRA_KEY, SECURITY_EVENT_CHANNEL } from '@mcp-warden/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AUDIENCE, type LocalIssuer, startLocalIssuer } from '../test/support/local-issuer.js'
import { createProtectedResource, WITHHELD_TOKEN } from './create-protected-resource.js'
import { createTokenVerifier } from './create-token-verifier.js'
import type { ProtectedResourceOptions, TokenVerifier } from './types.js'

let as: LocalIssuer
let verifier: TokenVerifier
beforeAll(async () => {
  as = await startLocalIssuer()
  verifier = createTokenVerifier({
    issuer: as.issuer,
    audience: AUDIENCE,
    jwt: { algorithms: ['ES256'], keys: { keys: [as.publicJwk as never] } },
  })
})
afterAll(async () => {
  await as.close()
})

const METADATA_URL = 'https://mcp.example.com/.well-known/oauth-protected-resource/mcp'

function protect(extra: Partial<ProtectedResourceOptions> = {}) {
  return createProtectedResource({
    resource: AUDIENCE,
    verifier,
    authorizationServers: [as.issuer],
    scopesSupported: ['tools:read', 'admin'],
    ...extra,
  })
}

function post(body: unknown, headers: Record<string, string> = {}, url = AUDIENCE): Request {
  return new Request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })
}

const call = (name: string, id = 1) => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: {} } })

describe('createProtectedResource', () => {
  describe('options', () => {
    const verifierStub = { issuer: 'https://as', audiences: [AUDIENCE], verify: async () => ({}) as never }
    const base = { resource: AUDIENCE, verifier: verifierStub, authorizationServers: ['https://as.example.com'] }
    it.each([
      ['no options', undefined],
      ['an unknown option', { ...base, requiredScope: ['a'] }],
      ['a relative resource', { ...base, resource: '/mcp' }],
      ['an http resource off loopback', { ...base, resource: 'http://mcp.example.com/mcp' }],
      ['a resource with a fragment', { ...base, resource: `${AUDIENCE}#x` }],
      ['a resource with a query', { ...base, resource: `${AUDIENCE}?x=1` }],
      ['a verifier for another audience', { ...base, resource: 'https://other.example.com/mcp' }],
      ['no verifier', { ...base, verifier: undefined }],
      ['no authorization servers', { ...base, authorizationServers: [] }],
      ['an invalid scope', { ...base, requiredScopes: ['a b'] }],
      ['a quote in a scope', { ...base, scopesSupported: ['a"b'] }],
      ['both stepUp sources', { ...base, stepUp: { server: {}, scopesFor: () => undefined } }],
      ['a server that was not secured', { ...base, stepUp: { server: {} } }],
      ['a zero body bound', { ...base, maxBodyBytes: 0 }],
    ])('throws TypeError when given %s', (_label, options) => {
      expect(() => createProtectedResource(options as never)).toThrow(TypeError)
    })
  })

  describe('metadata', () => {
    it('serves the RFC 9728 document at the path-based and root well-known URLs', async () => {
      const resource = protect({ resourceName: 'Tickets' })
      expect(resource.metadataUrl).toBe(METADATA_URL)
      expect(resource.metadataPaths).toEqual([
        '/.well-known/oauth-protected-resource/mcp',
        '/.well-known/oauth-protected-resource',
      ])
      for (const url of [METADATA_URL, 'https://mcp.example.com/.well-known/oauth-protected-resource']) {
        const response = resource.metadataResponse(new Request(url))
        expect(response?.status).toBe(200)
        expect(response?.headers.get('access-control-allow-origin')).toBe('*')
        expect(await response?.json()).toEqual({
          resource: AUDIENCE,
          authorization_servers: [as.issuer],
          scopes_supported: ['tools:read', 'admin'],
          bearer_methods_supported: ['header'],
          resource_name: 'Tickets',
        })
      }
    })

    it('answers HEAD, OPTIONS and other methods, and ignores other paths', () => {
      const resource = protect()
      expect(resource.metadataResponse(new Request(METADATA_URL, { method: 'HEAD' }))?.status).toBe(200)
      expect(resource.metadataResponse(new Request(METADATA_URL, { method: 'OPTIONS' }))?.status).toBe(204)
      expect(resource.metadataResponse(new Request(METADATA_URL, { method: 'POST' }))?.status).toBe(405)
      expect(resource.metadataResponse(new Request(AUDIENCE))).toBeUndefined()
      expect(resource.metadataResponse(new Request(`${METADATA_URL}/x`))).toBeUndefined()
    })

    it('serves the root path only once when the resource is the origin', () => {
      const resource = createProtectedResource({
        resource: 'https://mcp.example.com/',
        verifier: createTokenVerifier({
          issuer: as.issuer,
          audience: 'https://mcp.example.com/',
          jwt: { algorithms: ['ES256'], keys: { keys: [as.publicJwk as never] } },
        }),
        authorizationServers: [as.issuer],
      })
      expect(resource.metadataPaths).toEqual(['/.well-known/oauth-protected-resource'])
    })
  })

  describe('authenticate', () => {
    it('resolves the principal when the token is valid', async () => {
      const token = await as.sign({ scope: 'tools:read' })
      const answer = await protect().authenticate(post(call('echo'), { authorization: `Bearer ${token}` }))
      expect(answer).not.toBeInstanceOf(Response)
      expect(answer).toMatchObject({ subject: 'user-1', scopes: ['tools:read'] })
    })

    it('answers 401 without an error code when there are no credentials', async () => {
      const response = (await protect({ requiredScopes: ['tools:read'] }).authenticate(post(call('echo')))) as Response
      expect(response.status).toBe(401)
      expect(response.headers.get('www-authenticate')).toBe(
        `Bearer resource_metadata="${METADATA_URL}", scope="tools:read"`,
      )
      const bare = createProtectedResource({ resource: AUDIENCE, verifier, authorizationServers: [as.issuer] })
      const noScopes = (await bare.authenticate(post(call('echo')))) as Response
      expect(noScopes.headers.get('www-authenticate')).toBe(`Bearer resource_metadata="${METADATA_URL}"`)
    })

    it('ignores tokens in the query string and in a form body', async () => {
      const token = await as.sign()
      const inQuery = await protect().authenticate(post(call('echo'), {}, `${AUDIENCE}?access_token=${token}`))
      expect((inQuery as Response).status).toBe(401)
      const inBody = await protect().authenticate(
        new Request(AUDIENCE, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: `access_token=${token}`,
        }),
      )
      expect((inBody as Response).status).toBe(401)
      expect((inBody as Response).headers.get('www-authenticate')).not.toContain('error=')
    })

    it.each(['Bearer', 'Bearer a b', 'Bearer a"b', 'Bearer a, Bearer b'])(
      'answers 400 invalid_request when the header is %j',
      async (header) => {
        const response = (await protect().authenticate(post(call('echo'), { authorization: header }))) as Response
        expect(response.status).toBe(400)
        expect(response.headers.get('www-authenticate')).toContain('error="invalid_request"')
      },
    )

    it('answers 401 invalid_token without echoing the token when it is refused', async () => {
      const token = await as.sign({ aud: 'https://other.example.com/mcp' })
      const response = (await protect().authenticate(
        post(call('echo'), { authorization: `Bearer ${token}` }),
      )) as Response
      expect(response.status).toBe(401)
      expect(response.headers.get('www-authenticate')).toBe(
        `Bearer resource_metadata="${METADATA_URL}", error="invalid_token", error_description="Access token issued for another resource"`,
      )
      const text = await response.text()
      expect(text).not.toContain(token.split('.')[1])
    })

    it('answers 503 when the key set is unreachable (fail closed)', async () => {
      const offline = createTokenVerifier({
        issuer: as.issuer,
        audience: AUDIENCE,
        jwt: { algorithms: ['ES256'], jwksUri: 'http://127.0.0.1:9/jwks' },
        timeoutMs: 500,
      })
      const token = await as.sign()
      const response = (await protect({ verifier: offline }).authenticate(
        post(call('echo'), { authorization: `Bearer ${token}` }),
      )) as Response
      expect(response.status).toBe(503)
      expect(response.headers.get('retry-after')).toBe('5')
    })

    it('answers 403 insufficient_scope when requiredScopes are missing', async () => {
      const token = await as.sign({ scope: 'other' })
      const response = (await protect({ requiredScopes: ['tools:read'] }).authenticate(
        post({ jsonrpc: '2.0', id: 1, method: 'tools/list' }, { authorization: `Bearer ${token}` }),
      )) as Response
      expect(response.status).toBe(403)
      expect(response.headers.get('www-authenticate')).toBe(
        `Bearer resource_metadata="${METADATA_URL}", scope="tools:read", error="insufficient_scope", error_description="Insufficient scope"`,
      )
    })
  })

  describe('step-up', () => {
    const scopesFor = (name: string) =>
      name === 'delete_ticket'
        ? { all: ['tickets:write', 'tickets:read'] }
        : name === 'report'
          ? { any: ['reports:read', 'admin'] }
          : undefined
    const stepUp = () => protect({ stepUp: { scopesFor } })
    const bearer = async (scope: string) => ({ authorization: `Bearer ${await as.sign({ scope })}` })

    it('answers 403 naming exactly the scopes the called tool needs', async () => {
      const response = (await stepUp().authenticate(
        post(call('delete_ticket'), await bearer('tickets:read')),
      )) as Response
      expect(response.status).toBe(403)
      expect(response.headers.get('www-authenticate')).toBe(
        `Bearer resource_metadata="${METADATA_URL}", scope="tickets:write tickets:read", error="insufficient_scope", error_description="Insufficient scope"`,
      )
    })

    it('lets the call through when the token has the scopes', async () => {
      const answer = await stepUp().authenticate(
        post(call('delete_ticket'), await bearer('tickets:read tickets:write')),
      )
      expect(answer).not.toBeInstanceOf(Response)
    })

    it('lets the declaring middleware judge scopes by its own hierarchy', async () => {
      const coversWildcard = (granted: readonly string[]) =>
        granted.includes('tickets:*') || (granted.includes('tickets:write') && granted.includes('tickets:read'))
      const judged = protect({
        stepUp: {
          scopesFor: (name) =>
            name === 'delete_ticket'
              ? { all: ['tickets:write', 'tickets:read'], satisfiedBy: coversWildcard }
              : undefined,
        },
      })
      expect(await judged.authenticate(post(call('delete_ticket'), await bearer('tickets:*')))).not.toBeInstanceOf(
        Response,
      )
      const denied = (await judged.authenticate(post(call('delete_ticket'), await bearer('tickets:read')))) as Response
      expect(denied.status).toBe(403)
      expect(denied.headers.get('www-authenticate')).toContain('scope="tickets:write tickets:read"')
    })

    it('checks "any" requirements and names the first alternative', async () => {
      const denied = (await stepUp().authenticate(post(call('report'), await bearer('x')))) as Response
      expect(denied.headers.get('www-authenticate')).toContain('scope="reports:read"')
      expect(await stepUp().authenticate(post(call('report'), await bearer('admin')))).not.toBeInstanceOf(Response)
    })

    it('lets non-tool methods, unknown tools and notifications through', async () => {
      const headers = await bearer('none')
      for (const body of [
        { jsonrpc: '2.0', id: 1, method: 'tools/list' },
        { jsonrpc: '2.0', method: 'notifications/initialized' },
        call('unknown_tool'),
        { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 42 } },
        { jsonrpc: '2.0', id: 1, method: 'tools/call' },
        'not json {',
        '',
      ]) {
        expect(await stepUp().authenticate(post(body, headers))).not.toBeInstanceOf(Response)
      }
    })

    it('checks prompts/get and resources/read by kind', async () => {
      const resource = protect({
        stepUp: {
          scopesFor: (name, kind) =>
            kind === 'prompt' && name === 'secret'
              ? { all: ['prompts:secret'] }
              : kind === 'resource' && name === 'file:///secret.txt'
                ? { all: ['files:secret'] }
                : undefined,
        },
      })
      const headers = await bearer('none')
      const ask = (method: string, params: Record<string, unknown>) =>
        resource.authenticate(post({ jsonrpc: '2.0', id: 1, method, params }, headers))
      const prompt = (await ask('prompts/get', { name: 'secret' })) as Response
      expect(prompt.headers.get('www-authenticate')).toContain('scope="prompts:secret"')
      const read = (await ask('resources/read', { uri: 'file:///secret.txt' })) as Response
      expect(read.headers.get('www-authenticate')).toContain('scope="files:secret"')
      // A tool of the same name is another primitive.
      expect(await ask('tools/call', { name: 'secret' })).not.toBeInstanceOf(Response)
      expect(await ask('resources/read', { uri: 'file:///public.txt' })).not.toBeInstanceOf(Response)
      expect(await ask('__proto__', { name: 'secret' })).not.toBeInstanceOf(Response)
    })

    it('checks every call of a batch', async () => {
      const headers = await bearer('tickets:read')
      const batch = [
        { jsonrpc: '2.0', id: 1, method: 'tools/list' },
        call('echo', 2),
        call('delete_ticket', 3),
        null,
        7,
      ]
      const response = (await stepUp().authenticate(post(batch, headers))) as Response
      expect(response.status).toBe(403)
      expect(response.headers.get('www-authenticate')).toContain('scope="tickets:write tickets:read"')
    })

    it('uses a body the framework already parsed', async () => {
      const request = new Request(AUDIENCE, { method: 'POST', headers: await bearer('none') })
      const response = await stepUp().authenticate(request, { parsedBody: call('delete_ticket') })
      expect((response as Response).status).toBe(403)
    })

    it('answers 413 when the body exceeds the bound', async () => {
      const resource = protect({ stepUp: { scopesFor }, maxBodyBytes: 1024 })
      const response = await resource.authenticate(
        post({ ...call('echo'), pad: 'x'.repeat(5_000) }, await bearer('tickets:read')),
      )
      expect((response as Response).status).toBe(413)
    })

    it('answers 413 when a streamed body without a length exceeds the bound', async () => {
      const resource = protect({ stepUp: { scopesFor }, maxBodyBytes: 1024 })
      const chunk = new TextEncoder().encode('x'.repeat(600))
      let pulls = 0
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          pulls++
          if (pulls > 100) controller.close()
          else controller.enqueue(chunk)
        },
      })
      const request = new Request(AUDIENCE, {
        method: 'POST',
        headers: await bearer('tickets:read'),
        body,
        duplex: 'half',
      } as RequestInit)
      expect(((await resource.authenticate(request)) as Response).status).toBe(413)
      expect(pulls).toBeLessThan(10)
    })

    it('handles many concurrent requests independently', async () => {
      const allowed = await bearer('tickets:read tickets:write')
      const denied = await bearer('tickets:read')
      const resource = stepUp()
      const answers = await Promise.all(
        Array.from({ length: 100 }, (_, i) =>
          resource.authenticate(post(call('delete_ticket', i), i % 2 ? allowed : denied)),
        ),
      )
      answers.forEach((answer, i) => {
        expect(answer instanceof Response).toBe(i % 2 === 0)
      })
    })
  })

  describe('origin and host', () => {
    it('answers 403 to a present Origin that is not allowed', async () => {
      const token = await as.sign()
      for (const origin of ['https://evil.example.com', 'null', 'https://mcp.example.com.evil.example']) {
        const response = await protect().authenticate(post(call('echo'), { origin, authorization: `Bearer ${token}` }))
        expect((response as Response).status).toBe(403)
      }
      expect(
        await protect().authenticate(
          post(call('echo'), { origin: 'https://mcp.example.com', authorization: `Bearer ${token}` }),
        ),
      ).not.toBeInstanceOf(Response)
      expect(
        await protect({ allowedOrigins: ['https://app.example.com'] }).authenticate(
          post(call('echo'), { origin: 'https://app.example.com', authorization: `Bearer ${token}` }),
        ),
      ).not.toBeInstanceOf(Response)
    })

    it('accepts only loopback Host names when the connection is on loopback', async () => {
      const token = await as.sign()
      const resource = protect()
      const ask = (host: string) =>
        resource.authenticate(post(call('echo'), { host, authorization: `Bearer ${token}` }), {
          localAddress: '127.0.0.1',
        })
      expect(((await ask('attacker.example.com')) as Response).status).toBe(403)
      expect(((await ask('127.0.0.1.nip.io:3000')) as Response).status).toBe(403)
      expect(await ask('localhost:3000')).not.toBeInstanceOf(Response)
      expect(await ask('127.0.0.1:3000')).not.toBeInstanceOf(Response)
      expect(await ask('[::1]:3000')).not.toBeInstanceOf(Response)
      expect(await ask('mcp.example.com')).not.toBeInstanceOf(Response)
      // Off loopback and without allowedHosts, Host is not restricted.
      expect(
        await resource.authenticate(
          post(call('echo'), { host: 'anything.example', authorization: `Bearer ${token}` }),
          {
            localAddress: '10.0.0.5',
          },
        ),
      ).not.toBeInstanceOf(Response)
    })

    it('applies allowedHosts when given', async () => {
      const token = await as.sign()
      const resource = protect({ allowedHosts: ['mcp.example.com'] })
      const denied = await resource.authenticate(
        post(call('echo'), { host: 'localhost', authorization: `Bearer ${token}` }),
      )
      expect((denied as Response).status).toBe(403)
    })
  })

  describe('security events', () => {
    it('publishes rejections without the token', async () => {
      const events: Record<string, unknown>[] = []
      const listener = (message: unknown) => {
        events.push(message as Record<string, unknown>)
      }
      subscribe(SECURITY_EVENT_CHANNEL, listener)
      try {
        const resource = protect({ stepUp: { scopesFor: () => ({ all: ['admin'] }) } })
        const wrong = await as.sign({ aud: 'https://other.example.com/mcp' })
        const weak = await as.sign({ scope: 'tools:read' })
        await resource.authenticate(post(call('x'), { authorization: `Bearer ${wrong}` }))
        await resource.authenticate(post(call('x'), { authorization: `Bearer ${weak}` }))
        await resource.authenticate(
          post(call('x'), { origin: 'https://evil.example', authorization: `Bearer ${weak}` }),
        )
        expect(events.map((event) => [event.type, event.code])).toEqual([
          ['auth.token_rejected', 'ERR_AUTH_WRONG_AUDIENCE'],
          ['auth.insufficient_scope', 'ERR_AUTH_INSUFFICIENT_SCOPE'],
          ['auth.origin_rejected', 'ERR_AUTH_ORIGIN_NOT_ALLOWED'],
        ])
        const serialized = JSON.stringify(events)
        expect(serialized).not.toContain(wrong.split('.')[2])
        expect(serialized).not.toContain(weak.split('.')[2])
      } finally {
        unsubscribe(SECURITY_EVENT_CHANNEL, listener)
      }
    })
  })

  describe('authInfo', () => {
    it('carries the principal and withholds the token', async () => {
      const token = await as.sign({ scope: 'tools:read', client_id: 'app' })
      const principal = await verifier.verify(token)
      const info = protect().authInfo(principal)
      expect(info).toMatchObject({ token: WITHHELD_TOKEN, clientId: 'app', scopes: ['tools:read'] })
      expect(info.resource?.href).toBe(AUDIENCE)
      expect(info.extra?.[PRINCIPAL_AUTH_EXTRA_KEY]).toBe(principal)
      expect(JSON.stringify(info)).not.toContain(token)
    })
  })
})
