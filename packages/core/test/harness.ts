/**
 * Drives both SDK majors through one interface so every integration test runs on each.
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Client as ClientV2, StreamableHTTPClientTransport as HttpClientV2 } from '@modelcontextprotocol/client'
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport as HttpClientV1 } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { InMemoryTransport as MemoryV1 } from '@modelcontextprotocol/sdk/inMemory.js'
import { completable as completableV1 } from '@modelcontextprotocol/sdk/server/completable.js'
import { McpServer as ServerV1, ResourceTemplate as TemplateV1 } from '@modelcontextprotocol/sdk/server/mcp.js'
import { StreamableHTTPServerTransport as HttpServerV1 } from '@modelcontextprotocol/sdk/server/streamableHttp.js'
import {
  completable as completableV2,
  WebStandardStreamableHTTPServerTransport as HttpServerV2,
  InMemoryTransport as MemoryV2,
  McpServer as ServerV2,
  ResourceTemplate as TemplateV2,
} from '@modelcontextprotocol/server'
import type { z } from 'zod'
import { secure as secureV1 } from '../src/sdk-v1/index.js'
import { secure as secureV2 } from '../src/sdk-v2/index.js'

/** A secured server as the tests use it, whichever SDK is underneath. */
export interface TestServer {
  registerTool(name: string, config: Record<string, unknown>, cb: (...args: never[]) => unknown): RegisteredLike
  registerPrompt(name: string, config: Record<string, unknown>, cb: (...args: never[]) => unknown): RegisteredLike
  registerResource(
    name: string,
    uriOrTemplate: unknown,
    config: Record<string, unknown>,
    cb: (...args: never[]) => unknown,
  ): RegisteredLike
  guard(...middlewares: unknown[]): { wrap(handler: (...args: never[]) => unknown): (...args: never[]) => unknown }
  connect(transport: unknown): Promise<void>
  close(): Promise<void>
}

export interface RegisteredLike {
  update(updates: Record<string, unknown>): void
  disable(): void
  remove(): void
}

/** The client calls the tests make; both SDK clients have these. */
export interface TestClient {
  callTool(params: {
    name: string
    arguments?: Record<string, unknown>
    _meta?: Record<string, unknown>
  }): Promise<Record<string, unknown>>
  listTools(): Promise<{ tools: { name: string }[] }>
  listPrompts(): Promise<{ prompts: { name: string }[] }>
  listResources(): Promise<{ resources: { uri: string }[] }>
  listResourceTemplates(): Promise<{ resourceTemplates: { name: string }[] }>
  getPrompt(params: { name: string; arguments?: Record<string, string> }): Promise<Record<string, unknown>>
  readResource(params: { uri: string }): Promise<Record<string, unknown>>
  complete(params: {
    ref: { type: 'ref/prompt'; name: string } | { type: 'ref/resource'; uri: string }
    argument: { name: string; value: string }
  }): Promise<Record<string, unknown>>
  close(): Promise<void>
}

export interface Sdk {
  readonly name: 'sdk-v1' | 'sdk-v2'
  /** A bare server (not secured). */
  bare(): TestServer
  /** `secure(bare(), options)`. */
  secured(options?: unknown): TestServer
  secure(server: TestServer, options?: unknown): TestServer
  /** A resource template; `complete` gives completions per variable. */
  template(uriTemplate: string, complete?: Record<string, (value: string) => string[]>): unknown
  /** A zod schema whose values complete with `complete`. */
  completable(schema: z.ZodString, complete: (value: string) => string[]): unknown
  /** Connects a client over InMemoryTransport. */
  connect(server: TestServer): Promise<TestClient>
  /** Serves `factory()` (one server per session) over Streamable HTTP on 127.0.0.1; `authInfo` is attached to every request. */
  serveHttp(
    factory: () => TestServer,
    authInfo?: Record<string, unknown>,
  ): Promise<{ url: URL; close(): Promise<void> }>
  connectHttp(url: URL): Promise<TestClient>
}

type Loose = Record<string, unknown>

const v1: Sdk = {
  name: 'sdk-v1',
  bare: () => new ServerV1({ name: 'test', version: '1.0.0' }) as unknown as TestServer,
  secured: (options) => v1.secure(v1.bare(), options),
  secure: (server, options) => secureV1(server as unknown as ServerV1, options as never) as unknown as TestServer,
  template: (uriTemplate, complete) =>
    new TemplateV1(uriTemplate, { list: undefined, ...(complete === undefined ? {} : { complete }) }),
  completable: (schema, complete) => completableV1(schema, complete),
  async connect(server) {
    const [serverSide, clientSide] = MemoryV1.createLinkedPair()
    await server.connect(serverSide)
    const client = new ClientV1({ name: 'test-client', version: '1.0.0' })
    await client.connect(clientSide)
    return client as unknown as TestClient
  },
  async serveHttp(factory, authInfo) {
    const transports = new Map<string, HttpServerV1>()
    return listen(async (req, res, body) => {
      const sessionId = req.headers['mcp-session-id']
      let transport = typeof sessionId === 'string' ? transports.get(sessionId) : undefined
      if (transport === undefined) {
        transport = new HttpServerV1({
          sessionIdGenerator: () => crypto.randomUUID(),
          onsessioninitialized: (id) => {
            transports.set(id, transport as HttpServerV1)
          },
        })
        await factory().connect(transport)
      }
      if (authInfo !== undefined) (req as unknown as Loose).auth = authInfo
      await transport.handleRequest(req, res, body)
    })
  },
  async connectHttp(url) {
    const client = new ClientV1({ name: 'test-client', version: '1.0.0' })
    await client.connect(new HttpClientV1(url))
    return client as unknown as TestClient
  },
}

const v2: Sdk = {
  name: 'sdk-v2',
  bare: () => new ServerV2({ name: 'test', version: '1.0.0' }) as unknown as TestServer,
  secured: (options) => v2.secure(v2.bare(), options),
  secure: (server, options) => secureV2(server as unknown as ServerV2, options as never) as unknown as TestServer,
  template: (uriTemplate, complete) =>
    new TemplateV2(uriTemplate, { list: undefined, ...(complete === undefined ? {} : { complete }) }),
  completable: (schema, complete) => completableV2(schema, complete),
  async connect(server) {
    const [serverSide, clientSide] = MemoryV2.createLinkedPair()
    await server.connect(serverSide)
    const client = new ClientV2({ name: 'test-client', version: '1.0.0' })
    await client.connect(clientSide)
    return client as unknown as TestClient
  },
  async serveHttp(factory, authInfo) {
    const transports = new Map<string, HttpServerV2>()
    return listen(async (req, res, body) => {
      const sessionId = req.headers['mcp-session-id']
      let transport = typeof sessionId === 'string' ? transports.get(sessionId) : undefined
      if (transport === undefined) {
        transport = new HttpServerV2({
          sessionIdGenerator: () => crypto.randomUUID(),
          onsessioninitialized: (id) => {
            transports.set(id, transport as HttpServerV2)
          },
        })
        await factory().connect(transport)
      }
      const headers = new Headers()
      for (const [key, value] of Object.entries(req.headers)) {
        if (typeof value === 'string') headers.set(key, value)
      }
      const request = new Request(`http://127.0.0.1${req.url ?? '/'}`, {
        method: req.method ?? 'GET',
        headers,
        ...(req.method === 'POST' ? { body: JSON.stringify(body) } : {}),
      })
      const response = await transport.handleRequest(
        request,
        authInfo === undefined ? { parsedBody: body } : { parsedBody: body, authInfo: authInfo as never },
      )
      res.writeHead(response.status, Object.fromEntries(response.headers))
      if (response.body === null) {
        res.end()
        return
      }
      const reader = response.body.getReader()
      for (;;) {
        const chunk = await reader.read()
        if (chunk.done) break
        res.write(chunk.value)
      }
      res.end()
    })
  },
  async connectHttp(url) {
    const client = new ClientV2({ name: 'test-client', version: '1.0.0' })
    await client.connect(new HttpClientV2(url))
    return client as unknown as TestClient
  },
}

export const SDKS: readonly Sdk[] = [v1, v2]

type NodeHandler = (
  req: import('node:http').IncomingMessage,
  res: import('node:http').ServerResponse,
  body: unknown,
) => Promise<void>

async function listen(handler: NodeHandler): Promise<{ url: URL; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8')
      let body: unknown
      try {
        body = text.length > 0 ? JSON.parse(text) : undefined
      } catch {
        res.writeHead(400).end()
        return
      }
      handler(req, res, body).catch((err: unknown) => {
        if (!res.headersSent) res.writeHead(500)
        res.end(String(err))
      })
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: new URL(`http://127.0.0.1:${port}/mcp`),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/** The error a client call rejected with, as a plain object (code, message, data). */
export async function rejection(promise: Promise<unknown>): Promise<{ code: unknown; message: string; data: unknown }> {
  try {
    await promise
  } catch (err) {
    const e = err as Loose
    return { code: e.code, message: String(e.message), data: e.data }
  }
  throw new Error('expected the call to be rejected')
}
