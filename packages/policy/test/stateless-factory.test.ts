/**
 * Stateful guards built INSIDE the per-request server factory of a stateless server, over real
 * HTTP on 127.0.0.1: SDK 1.x stateless Streamable HTTP (`sessionIdGenerator: undefined`, a new
 * McpServer and transport per request) and SDK 2.x `createMcpHandler`. The default state of
 * `rateLimit`, `flowPolicy` and `requireApproval` is per process and keyed by the guard's
 * configuration, so the limit limits, the taint persists and approvals hold across requests.
 */
import { randomUUID } from 'node:crypto'
import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import {
  createHandleCodec,
  denialCodeOf,
  type Middleware,
  PRINCIPAL_AUTH_EXTRA_KEY,
  type Principal,
  SECURITY_EVENT_CHANNEL,
} from '@mcp-warden/core'
import { secure as secureV1 } from '@mcp-warden/core/sdk-v1'
import { secure as secureV2 } from '@mcp-warden/core/sdk-v2'
import { Client as ClientV2, StreamableHTTPClientTransport as HttpClientV2 } from '@modelcontextprotocol/client'
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport as HttpClientV1 } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { McpServer as ServerV1 } from '@modelcontextprotocol/sdk/server/mcp.js'
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js'
import { createMcpHandler, McpServer as ServerV2 } from '@modelcontextprotocol/server'
import { afterEach, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { APPROVAL_INPUT_KEY, flowPolicy, rateLimit, requireApproval } from '../src/index.js'

const principalOf = (user: string): Principal => ({
  id: `https://issuer.test#${user}`,
  issuer: 'https://issuer.test',
  subject: user,
  scopes: [],
  claims: {},
})
const authInfoOf = (user: string) => ({
  token: 'opaque',
  clientId: 'test-client',
  scopes: [],
  extra: { [PRINCIPAL_AUTH_EXTRA_KEY]: principalOf(user) },
})

/** Builds the global guards of one request's server: called once per HTTP request. */
type GuardFactory = () => Middleware[]

interface Served {
  readonly url: URL
  readonly ran: string[]
  /** How many servers the factory built. */
  readonly builds: () => number
  close(): Promise<void>
}

type Tools = { register(name: string, annotations: Record<string, boolean>, handler: () => void): void }

/** The tools of every server: an untrusted fetch, an outward send. */
function registerTools(tools: Tools, ran: string[]): void {
  tools.register('fetch_page', { readOnlyHint: true, openWorldHint: true }, () => ran.push('fetch_page'))
  tools.register('send_email', { openWorldHint: true, destructiveHint: false }, () => ran.push('send_email'))
  tools.register('lookup', { readOnlyHint: true, openWorldHint: false }, () => ran.push('lookup'))
}

async function listen(
  handler: (req: IncomingMessage, body: Buffer, res: import('node:http').ServerResponse) => Promise<void>,
) {
  const http: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    try {
      await handler(req, Buffer.concat(chunks), res)
    } catch (err) {
      if (!res.headersSent) res.writeHead(500)
      res.end(String(err))
    }
  })
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
  const { port } = http.address() as AddressInfo
  return {
    url: new URL(`http://127.0.0.1:${port}/mcp`),
    close: async () => {
      http.closeAllConnections()
      await new Promise<void>((resolve) => http.close(() => resolve()))
    },
  }
}

/** SDK 1.x stateless: a new McpServer and transport for every request, guards built inside. */
async function serveV1(guards: GuardFactory): Promise<Served> {
  const ran: string[] = []
  let builds = 0
  const listening = await listen(async (req, body, res) => {
    builds++
    const server = secureV1(new ServerV1({ name: 'stateless-v1', version: '1.0.0' }), { use: guards() })
    registerTools(
      {
        register: (name, annotations, run) =>
          server.registerTool(name, { inputSchema: { to: z.string().optional() }, annotations }, async () => {
            run()
            return { content: [{ type: 'text', text: `${name} done` }] }
          }),
      },
      ran,
    )
    // Stateless: no session id generator (the SDK's documented `sessionIdGenerator: undefined`).
    const transport = new StreamableHTTPServerTransport({})
    res.on('close', () => {
      void transport.close()
      void server.close()
    })
    await server.connect(transport)
    const user = req.headers['x-user']
    if (typeof user === 'string') (req as IncomingMessage & { auth?: unknown }).auth = authInfoOf(user)
    await transport.handleRequest(req, res, body.length === 0 ? undefined : JSON.parse(body.toString('utf8')))
  })
  return { url: listening.url, ran, builds: () => builds, close: listening.close }
}

/** SDK 2.x `createMcpHandler`: its factory runs per request, guards built inside. */
async function serveV2(guards: GuardFactory): Promise<Served> {
  const ran: string[] = []
  let builds = 0
  const handler = createMcpHandler(() => {
    builds++
    const server = secureV2(new ServerV2({ name: 'stateless-v2', version: '1.0.0' }), { use: guards() })
    registerTools(
      {
        register: (name, annotations, run) =>
          server.registerTool(name, { inputSchema: z.object({ to: z.string().optional() }), annotations }, async () => {
            run()
            return { content: [{ type: 'text' as const, text: `${name} done` }] }
          }),
      },
      ran,
    )
    return server
  })
  const listening = await listen(async (req, body, res) => {
    const headers = new Headers()
    for (const [name, value] of Object.entries(req.headers)) if (typeof value === 'string') headers.set(name, value)
    const user = headers.get('x-user')
    const response = await handler.fetch(
      new Request(`http://127.0.0.1${req.url ?? '/'}`, {
        method: req.method ?? 'GET',
        headers,
        ...(req.method === 'POST' ? { body } : {}),
      }),
      user === null ? {} : { authInfo: authInfoOf(user) },
    )
    res.writeHead(response.status, Object.fromEntries(response.headers))
    res.end(Buffer.from(await response.arrayBuffer()))
  })
  return {
    url: listening.url,
    ran,
    builds: () => builds,
    close: async () => {
      await handler.close()
      await listening.close()
    },
  }
}

interface Connected {
  call(name: string, args?: Record<string, unknown>): Promise<Record<string, unknown>>
}

const SDKS = [
  {
    name: 'sdk-v1',
    serve: serveV1,
    async connect(url: URL, user: string, cleanup: (() => Promise<void>)[]): Promise<Connected> {
      const client = new ClientV1({ name: 'stateless-client', version: '1.0.0' })
      await client.connect(new HttpClientV1(url, { requestInit: { headers: { 'x-user': user } } }))
      cleanup.push(() => client.close())
      return {
        call: async (name, args = {}) =>
          (await client.callTool({ name, arguments: args })) as unknown as Record<string, unknown>,
      }
    },
  },
  {
    name: 'sdk-v2',
    serve: serveV2,
    async connect(url: URL, user: string, cleanup: (() => Promise<void>)[]): Promise<Connected> {
      const client = new ClientV2({ name: 'stateless-client', version: '1.0.0' })
      await client.connect(new HttpClientV2(url, { requestInit: { headers: { 'x-user': user } } }))
      cleanup.push(() => client.close())
      return {
        call: async (name, args = {}) =>
          (await client.callTool({ name, arguments: args })) as unknown as Record<string, unknown>,
      }
    },
  },
] as const

describe.each(SDKS)('stateful guards built in a per-request factory ($name)', (sdk) => {
  const cleanup: (() => Promise<void>)[] = []
  afterEach(async () => {
    for (const close of cleanup.splice(0).reverse()) await close()
  })
  const start = async (guards: GuardFactory) => {
    const served = await sdk.serve(guards)
    cleanup.push(() => served.close())
    return served
  }
  // A run id keeps the two SDK runs and the tests apart: guards of one name and configuration in a
  // process share their default state, which is the point of this file.
  const run = `${sdk.name}-${randomUUID()}`

  it('rateLimit limits across requests although each request builds a new limit', async () => {
    const served = await start(() => [rateLimit({ name: `${run}-limit`, limit: 3, windowMs: 60_000 })])
    const alice = await sdk.connect(served.url, 'alice', cleanup)
    const results = []
    for (let i = 0; i < 5; i++) results.push(await alice.call('lookup'))
    expect(results.map((r) => r.isError === true)).toEqual([false, false, false, true, true])
    expect(denialCodeOf(results[3] as Record<string, unknown>)).toBe('ERR_RATE_LIMITED')
    expect(served.ran).toEqual(['lookup', 'lookup', 'lookup'])
    // One budget per caller: another user still has all of theirs.
    const bob = await sdk.connect(served.url, 'bob', cleanup)
    expect((await bob.call('lookup')).isError).not.toBe(true)
    expect(served.builds()).toBeGreaterThanOrEqual(6)
  })

  it('flowPolicy keeps the taint of an earlier request, so the later outward call is held', async () => {
    const served = await start(() => [flowPolicy({ name: `${run}-flow`, afterUntrusted: 'deny' })])
    const alice = await sdk.connect(served.url, 'alice', cleanup)
    expect((await alice.call('send_email', { to: 'bob@corp.test' })).isError).not.toBe(true)
    expect((await alice.call('fetch_page')).isError).not.toBe(true)
    const held = await alice.call('send_email', { to: 'attacker@evil.test' })
    expect(denialCodeOf(held)).toBe('ERR_FLOW_UNTRUSTED_ACTION')
    expect(served.ran).toEqual(['send_email', 'fetch_page'])
    // The conversation is the principal's (no session on a stateless server): bob is clean.
    const bob = await sdk.connect(served.url, 'bob', cleanup)
    expect((await bob.call('send_email', { to: 'carol@corp.test' })).isError).not.toBe(true)
  })

  it('requireApproval remembers an approval across requests, and flowPolicy hands it the held call', async () => {
    const asked: string[] = []
    const served = await start(() => [
      flowPolicy({ name: `${run}-flow-approval` }),
      requireApproval({
        name: `${run}-gate`,
        when: () => false,
        remember: { ttlMs: 60_000 },
        approver: async (request) => {
          asked.push(`${request.name} ${request.argumentsDigest.slice(0, 8)}`)
          return { approved: true, remember: true }
        },
      }),
    ])
    const alice = await sdk.connect(served.url, 'alice', cleanup)
    await alice.call('fetch_page')
    expect((await alice.call('send_email', { to: 'x@corp.test' })).isError).not.toBe(true)
    expect((await alice.call('send_email', { to: 'x@corp.test' })).isError).not.toBe(true)
    // Asked once: the second request's gate (a new object) found the remembered approval.
    expect(asked).toHaveLength(1)
    expect((await alice.call('send_email', { to: 'y@corp.test' })).isError).not.toBe(true)
    expect(asked).toHaveLength(2)
    expect(served.ran).toEqual(['fetch_page', 'send_email', 'send_email', 'send_email'])
  })

  it('reports a guard rebuilt per request with a guard.rebuilt security event, once', async () => {
    const events: { type: string; detail?: Record<string, unknown> }[] = []
    const listener = (event: unknown) => events.push(event as (typeof events)[number])
    subscribe(SECURITY_EVENT_CHANNEL, listener)
    const warnings: string[] = []
    const onWarning = (warning: Error & { code?: string }) => {
      if (warning.code === 'MCP_WARDEN_GUARD_REBUILT') warnings.push(warning.message)
    }
    process.on('warning', onWarning)
    try {
      const served = await start(() => [rateLimit({ name: `${run}-rebuilt`, limit: 100, windowMs: 60_000 })])
      const alice = await sdk.connect(served.url, 'alice', cleanup)
      for (let i = 0; i < 12; i++) await alice.call('lookup')
      await new Promise((resolve) => setImmediate(resolve))
    } finally {
      unsubscribe(SECURITY_EVENT_CHANNEL, listener)
      process.off('warning', onWarning)
    }
    const rebuilt = events.filter((e) => e.type === 'guard.rebuilt' && e.detail?.name === `${run}-rebuilt`)
    expect(rebuilt).toHaveLength(1)
    expect(rebuilt[0]?.detail).toMatchObject({ guard: 'rateLimit', builds: 10, store: 'default' })
    expect(warnings.filter((w) => w.includes(`${run}-rebuilt`))).toHaveLength(1)
  })
})

describe('requireApproval built in a createMcpHandler factory (2026-07-28, input_required)', () => {
  const cleanup: (() => Promise<void>)[] = []
  afterEach(async () => {
    for (const close of cleanup.splice(0).reverse()) await close()
  })
  const run = `mrtr-${randomUUID()}`

  it('refuses a replayed approval although the replay reaches a gate built for another request', async () => {
    const served = await serveV2(() => [
      requireApproval({
        name: `${run}-gate`,
        codec: createHandleCodec({ keys: { current: { id: 'k1', secret: 's'.repeat(32) } } }),
      }),
    ])
    cleanup.push(() => served.close())
    const client = new ClientV2(
      { name: 'mrtr-client', version: '1.0.0' },
      {
        capabilities: { elicitation: {} },
        versionNegotiation: { mode: { pin: '2026-07-28' } },
        inputRequired: { autoFulfill: false },
      },
    )
    await client.connect(new HttpClientV2(served.url, { requestInit: { headers: { 'x-user': 'alice' } } }))
    cleanup.push(() => client.close())
    const first = (await client.callTool(
      { name: 'send_email', arguments: { to: 'x@corp.test' } },
      { allowInputRequired: true },
    )) as unknown as {
      resultType: string
      requestState: string
      inputRequests: Record<
        string,
        { params: { requestedSchema: { properties: { confirmation: { enum: string[] } } } } }
      >
    }
    expect(first.resultType).toBe('input_required')
    const nonce = first.inputRequests[APPROVAL_INPUT_KEY]?.params.requestedSchema.properties.confirmation.enum[0]
    const retry = () =>
      client.callTool({
        name: 'send_email',
        arguments: { to: 'x@corp.test' },
        inputResponses: { [APPROVAL_INPUT_KEY]: { action: 'accept', content: { confirmation: nonce } } },
        requestState: first.requestState,
      } as never) as Promise<Record<string, unknown>>
    expect((await retry()).isError).not.toBe(true)
    expect(served.ran).toEqual(['send_email'])
    const replayed = await retry()
    expect(denialCodeOf(replayed)).toBe('ERR_APPROVAL_MISMATCH')
    expect(JSON.stringify(replayed.content)).toContain('Approval already used')
    expect(served.ran).toEqual(['send_email'])
    expect(served.builds()).toBeGreaterThanOrEqual(3)
  })
})
