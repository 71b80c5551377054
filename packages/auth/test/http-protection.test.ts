/**
 * The HTTP protection end to end: a real secured McpServer behind the node:http, Express and Hono
 * adapters, a real SDK Client over Streamable HTTP with a bearer token, tokens from a real JWKS.
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { denialCodeOf } from '@mcp-warden/core'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import express from 'express'
import { Hono } from 'hono'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import {
  createProtectedResource,
  createTokenVerifier,
  type HonoAuthEnv,
  protectExpress,
  protectHono,
  protectNodeHandler,
  WITHHELD_TOKEN,
} from '../src/index.js'
import { type LocalIssuer, startLocalIssuer } from './support/local-issuer.js'
import { sessionRouter } from './support/mcp-server.js'

let as: LocalIssuer
const cleanups: (() => Promise<void>)[] = []
beforeAll(async () => {
  as = await startLocalIssuer()
})
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})
afterAll(async () => {
  await as.close()
})

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  )
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

function protectionFor(resource: string, mcpServer: object) {
  const verifier = createTokenVerifier({
    issuer: as.issuer,
    audience: resource,
    jwt: { algorithms: ['ES256'], jwksUri: as.jwksUri },
  })
  return createProtectedResource({
    resource,
    verifier,
    authorizationServers: [as.issuer],
    scopesSupported: ['tickets:read', 'tickets:write'],
    stepUp: { server: mcpServer },
  })
}

/** Secured servers (one per session) behind protectNodeHandler, on 127.0.0.1. */
async function startNode() {
  const router = sessionRouter()
  cleanups.push(() => router.close())
  let handler: ReturnType<typeof protectNodeHandler> | undefined
  const http = createServer((req, res) => void handler?.(req, res))
  const base = await listen(http)
  const resource = `${base}/mcp`
  const protection = protectionFor(resource, router.template)
  handler = protectNodeHandler(protection, router.node)
  return { base, resource, protection, calls: router.calls }
}

async function connect(url: string, token: string | undefined, fetchImpl?: typeof fetch) {
  const client = new Client({ name: 'test-client', version: '1.0.0' })
  const transport = new StreamableHTTPClientTransport(new URL(url), {
    requestInit: token === undefined ? {} : { headers: { Authorization: `Bearer ${token}` } },
    ...(fetchImpl === undefined ? {} : { fetch: fetchImpl }),
  })
  await client.connect(transport)
  cleanups.push(() => client.close())
  return client
}

const textOf = (result: unknown): string =>
  ((result as { content: { type: string; text: string }[] }).content[0] as { text: string }).text

describe('protectNodeHandler', () => {
  it('lets a real client with a valid token call a tool, with the principal and no token in the handler', async () => {
    const { resource, calls } = await startNode()
    const token = await as.sign({ aud: resource, scope: 'tickets:read' })
    const client = await connect(resource, token)
    const result = await client.callTool({ name: 'whoami', arguments: {} })
    expect(JSON.parse(textOf(result))).toEqual({ id: `${as.issuer}#user-1`, token: WITHHELD_TOKEN })
    expect(calls.whoami).toBe(1)
  })

  it('refuses a token issued for another audience before the server sees the message', async () => {
    const { resource, calls } = await startNode()
    const token = await as.sign({ aud: 'https://other.example.com/mcp' })
    await expect(connect(resource, token)).rejects.toThrow(/401|invalid_token|Unauthorized/i)
    expect(calls.whoami).toBe(0)
  })

  it('answers 403 insufficient_scope before the tool runs (step-up) and lets it run with the scope', async () => {
    const { resource, calls } = await startNode()
    const readOnly = await connect(resource, await as.sign({ aud: resource, scope: 'tickets:read' }))
    await expect(readOnly.callTool({ name: 'delete_ticket', arguments: { id: '7' } })).rejects.toMatchObject({
      code: 403,
    })
    expect(calls.deleteTicket).toBe(0)
    const writer = await connect(resource, await as.sign({ aud: resource, sub: 'user-2', scope: 'tickets:write' }))
    expect(textOf(await writer.callTool({ name: 'delete_ticket', arguments: { id: '7' } }))).toBe('deleted 7')
    expect(calls.deleteTicket).toBe(1)
  })

  it('leaves the in-process guard as the check when step-up is not configured (defence in depth)', async () => {
    const router = sessionRouter()
    cleanups.push(() => router.close())
    let handler: ReturnType<typeof protectNodeHandler> | undefined
    const base = await listen(createServer((req, res) => void handler?.(req, res)))
    const resource = `${base}/mcp`
    handler = protectNodeHandler(
      createProtectedResource({
        resource,
        verifier: createTokenVerifier({
          issuer: as.issuer,
          audience: resource,
          jwt: { algorithms: ['ES256'], jwksUri: as.jwksUri },
        }),
        authorizationServers: [as.issuer],
      }),
      router.node,
    )
    const reader = await connect(resource, await as.sign({ aud: resource, scope: 'tickets:read' }))
    const result = await reader.callTool({ name: 'delete_ticket', arguments: { id: '5' } })
    expect(result.isError).toBe(true)
    expect(denialCodeOf(result)).toBe('ERR_TEST_INSUFFICIENT_SCOPE')
    expect(router.calls.deleteTicket).toBe(0)
  })

  it('steps up prompts/get and resources/read declared on the server', async () => {
    const { resource } = await startNode()
    const ask = async (method: string, params: Record<string, unknown>, scope: string) =>
      fetch(resource, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${await as.sign({ aud: resource, scope })}`,
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
        },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
      })
    const prompt = await ask('prompts/get', { name: 'secret_prompt' }, 'tickets:read')
    expect(prompt.status).toBe(403)
    expect(prompt.headers.get('www-authenticate')).toContain('scope="prompts:secret"')
    const read = await ask('resources/read', { uri: 'file:///secret.txt' }, 'tickets:read')
    expect(read.headers.get('www-authenticate')).toContain('scope="files:secret"')
    const client = await connect(resource, await as.sign({ aud: resource, scope: 'files:secret' }))
    const contents = await client.readResource({ uri: 'file:///secret.txt' })
    expect(contents.contents[0]).toMatchObject({ text: 'secret' })
  })

  it('names exactly the tool scopes in the 403 challenge', async () => {
    const { resource, protection } = await startNode()
    const response = await fetch(resource, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${await as.sign({ aud: resource, scope: 'tickets:read' })}`,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'tools/call',
        params: { name: 'delete_ticket', arguments: {} },
      }),
    })
    expect(response.status).toBe(403)
    expect(response.headers.get('www-authenticate')).toBe(
      `Bearer resource_metadata="${protection.metadataUrl}", scope="tickets:write", error="insufficient_scope", error_description="Insufficient scope"`,
    )
  })

  it('answers 401 with resource_metadata to a client without a token, and serves the metadata', async () => {
    const { base, resource, protection } = await startNode()
    const response = await fetch(resource, {
      method: 'POST',
      body: '{}',
      headers: { 'content-type': 'application/json' },
    })
    expect(response.status).toBe(401)
    expect(response.headers.get('www-authenticate')).toBe(
      `Bearer resource_metadata="${base}/.well-known/oauth-protected-resource/mcp", scope="tickets:read tickets:write"`,
    )
    const metadata = await (await fetch(protection.metadataUrl)).json()
    expect(metadata).toEqual({
      resource,
      authorization_servers: [as.issuer],
      scopes_supported: ['tickets:read', 'tickets:write'],
      bearer_methods_supported: ['header'],
    })
    expect((await fetch(`${base}/.well-known/oauth-protected-resource`)).status).toBe(200)
  })

  it('answers 403 to a DNS-rebinding Host and a foreign Origin on a loopback server', async () => {
    const { resource } = await startNode()
    const { request } = await import('node:http')
    const token = await as.sign({ aud: resource })
    const status = (headers: Record<string, string>) =>
      new Promise<number>((resolve, reject) => {
        const req = request(
          resource,
          { method: 'POST', headers: { authorization: `Bearer ${token}`, ...headers } },
          (res) => {
            res.resume()
            resolve(res.statusCode ?? 0)
          },
        )
        req.on('error', reject)
        req.end('{}')
      })
    expect(await status({ host: 'attacker.example.com' })).toBe(403)
    expect(await status({ origin: 'https://attacker.example.com' })).toBe(403)
  })

  it('answers a body that is not JSON with a parse error when it had to read it', async () => {
    const { resource } = await startNode()
    const response = await fetch(resource, {
      method: 'POST',
      headers: { authorization: `Bearer ${await as.sign({ aud: resource })}`, 'content-type': 'application/json' },
      body: '{not json',
    })
    expect(response.status).toBe(400)
    expect(await response.json()).toMatchObject({ error: { code: -32700 } })
  })
  it('hands the handler the parsed POST body without step-up and answers 413 past the bound', async () => {
    const seen: unknown[] = []
    let handler: ReturnType<typeof protectNodeHandler> | undefined
    const http = createServer((req, res) => void handler?.(req, res))
    const base = await listen(http)
    const resource = `${base}/mcp`
    const protection = createProtectedResource({
      resource,
      verifier: createTokenVerifier({
        issuer: as.issuer,
        audience: resource,
        jwt: { algorithms: ['ES256'], jwksUri: as.jwksUri },
      }),
      authorizationServers: [as.issuer],
    })
    handler = protectNodeHandler(
      protection,
      (_req, res, body) => {
        seen.push(body)
        res.writeHead(204)
        res.end()
      },
      { maxBodyBytes: 1_000 },
    )
    const headers = { authorization: `Bearer ${await as.sign({ aud: resource })}`, 'content-type': 'application/json' }
    const ok = await fetch(resource, { method: 'POST', headers, body: '{"jsonrpc":"2.0","id":1,"method":"ping"}' })
    expect(ok.status).toBe(204)
    expect(seen).toEqual([{ jsonrpc: '2.0', id: 1, method: 'ping' }])
    const big = await fetch(resource, { method: 'POST', headers, body: JSON.stringify({ pad: 'x'.repeat(5_000) }) })
    expect(big.status).toBe(413)
    const get = await fetch(resource, { headers })
    expect(get.status).toBe(204)
    expect(seen).toEqual([{ jsonrpc: '2.0', id: 1, method: 'ping' }, undefined])
  })
})

describe('protectExpress', () => {
  it('protects an Express 5 app with and without a body parser before it', async () => {
    for (const withParser of [true, false]) {
      const router = sessionRouter()
      cleanups.push(() => router.close())
      const { calls } = router
      const app = express()
      const http = createServer(app)
      const base = await listen(http)
      const resource = `${base}/mcp`
      if (withParser) app.use(express.json())
      app.use(protectExpress(protectionFor(resource, router.template)))
      app.all('/mcp', (req, res) => void router.node(req, res, req.body))
      const writer = await connect(resource, await as.sign({ aud: resource, scope: 'tickets:write' }))
      expect(textOf(await writer.callTool({ name: 'delete_ticket', arguments: { id: '1' } }))).toBe('deleted 1')
      const reader = await connect(resource, await as.sign({ aud: resource, sub: 'u2', scope: 'tickets:read' }))
      await expect(reader.callTool({ name: 'delete_ticket', arguments: { id: '2' } })).rejects.toMatchObject({
        code: 403,
      })
      expect(calls.deleteTicket).toBe(1)
      const metadata = await fetch(`${base}/.well-known/oauth-protected-resource/mcp`)
      expect(metadata.status).toBe(200)
      expect((await fetch(resource, { method: 'POST', body: '{}' })).status).toBe(401)
    }
  })
})

describe('protectHono', () => {
  it('protects a Hono app in front of the SDK Web Standard transport', async () => {
    const router = sessionRouter()
    cleanups.push(() => router.close())
    const { calls } = router
    const resource = 'http://localhost:8787/mcp'
    const app = new Hono<HonoAuthEnv>()
    app.use('*', protectHono(protectionFor(resource, router.template)))
    app.all('/mcp', (c) => router.web(c.req.raw, c.get('auth')))
    const honoFetch = ((input: string | URL | Request, init?: RequestInit) =>
      app.fetch(new Request(input, init))) as typeof fetch
    const writer = await connect(resource, await as.sign({ aud: resource, scope: 'tickets:write' }), honoFetch)
    const who = JSON.parse(textOf(await writer.callTool({ name: 'whoami', arguments: {} })))
    expect(who).toEqual({ id: `${as.issuer}#user-1`, token: WITHHELD_TOKEN })
    expect(textOf(await writer.callTool({ name: 'delete_ticket', arguments: { id: '3' } }))).toBe('deleted 3')
    const denied = await app.fetch(
      new Request(resource, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${await as.sign({ aud: resource, scope: 'x' })}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({
          jsonrpc: '2.0',
          id: 9,
          method: 'tools/call',
          params: { name: 'delete_ticket', arguments: { id: '4' } },
        }),
      }),
    )
    expect(denied.status).toBe(403)
    expect(calls.deleteTicket).toBe(1)
    const metadata = await app.fetch(new Request('http://localhost:8787/.well-known/oauth-protected-resource/mcp'))
    expect(await metadata.json()).toMatchObject({ resource })
    const rebinding = await app.fetch(
      new Request(resource, { method: 'POST', headers: { host: 'evil.example' }, body: '{}' }),
    )
    expect(rebinding.status).toBe(403)
  })
})
