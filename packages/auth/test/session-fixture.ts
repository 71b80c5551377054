/**
 * Real parts for the session tests: an SDK 1.x McpServer per session, a node:http server on
 * 127.0.0.1 with a small authentication stand-in (it sets `req.auth` as the HTTP auth layer does,
 * from an `x-test-user` header), and SDK 1.x clients over Streamable HTTP.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { PRINCIPAL_AUTH_EXTRA_KEY, type Principal, SECURITY_EVENT_CHANNEL, type SecurityEvent } from '@mcp-warden/core'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import type { SessionManager } from '../src/session-manager.js'

export const ISSUER = 'https://issuer.test'
export const principalFor = (subject: string, clientId = 'app'): Principal => ({
  id: `${ISSUER}#${subject}`,
  issuer: ISSUER,
  subject,
  clientId,
  scopes: ['mcp'],
  claims: { sub: subject },
})

let tokenCounter = 0

/** What the HTTP auth layer does: a verified principal in `req.auth.extra`, a fresh token each time. */
function authenticate(req: IncomingMessage): void {
  const user = req.headers['x-test-user']
  if (typeof user !== 'string') return
  const [subject = '', clientId = 'app'] = user.split('/')
  ;(req as IncomingMessage & { auth?: unknown }).auth = {
    token: `token-${++tokenCounter}`,
    clientId,
    scopes: ['mcp'],
    extra: { [PRINCIPAL_AUTH_EXTRA_KEY]: principalFor(subject, clientId) },
  }
}

/** A new McpServer with the tools the tests call. */
export function buildServer(): McpServer {
  const server = new McpServer({ name: 'sessions-test', version: '1.0.0' })
  server.registerTool('whoami', { description: 'who is calling, as the server sees it' }, async (extra) => {
    const principal = (extra.authInfo?.extra as Record<string, unknown> | undefined)?.[PRINCIPAL_AUTH_EXTRA_KEY] as
      | Principal
      | undefined
    const seen = {
      principal: principal?.id,
      session: extra.sessionId,
      clientInfo: server.server.getClientVersion(),
      capabilities: server.server.getClientCapabilities(),
    }
    return { content: [{ type: 'text', text: JSON.stringify(seen) }] }
  })
  return server
}

export interface Instance {
  readonly url: URL
  readonly http: Server
  close(): Promise<void>
}

export async function listen(manager: SessionManager): Promise<Instance> {
  const http = createServer((req, res) => {
    authenticate(req)
    void manager.handle(req, res)
  })
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
  const { port } = http.address() as AddressInfo
  return {
    url: new URL(`http://127.0.0.1:${port}/mcp`),
    http,
    close: async () => {
      http.closeAllConnections()
      await new Promise<void>((resolve) => http.close(() => resolve()))
    },
  }
}

export interface TestClient {
  readonly client: Client
  readonly transport: StreamableHTTPClientTransport
  readonly sessionId: string | undefined
  whoami(): Promise<Record<string, unknown>>
  close(): Promise<void>
}

/**
 * An SDK 1.x client for `user` (`subject` or `subject/clientId`). With `route`, every request goes
 * to `route.target` at the time it is sent: a load balancer in one line, to move a session
 * between instances.
 */
export async function connect(url: URL, user: string, route?: { target: URL }): Promise<TestClient> {
  const transport = new StreamableHTTPClientTransport(url, {
    requestInit: { headers: { 'x-test-user': user } },
    ...(route === undefined ? {} : { fetch: (_input: string | URL, init?: RequestInit) => fetch(route.target, init) }),
  })
  const client = new Client(
    { name: `client-${user}`, version: '2.0.0' },
    { capabilities: { elicitation: { form: {} } } },
  )
  await client.connect(transport)
  return {
    client,
    transport,
    get sessionId() {
      return transport.sessionId
    },
    whoami: async () => {
      const result = await client.callTool({ name: 'whoami', arguments: {} })
      const content = result.content as { text: string }[]
      return JSON.parse(content[0]?.text ?? '{}') as Record<string, unknown>
    },
    close: async () => {
      await client.close().catch(() => undefined)
    },
  }
}

/** A raw MCP request with explicit headers: what an attacker replaying a session id sends. */
export async function raw(
  url: URL,
  options: { method?: string; user?: string; sessionId?: string; body?: unknown; headers?: Record<string, string> },
): Promise<{ status: number; text: string; sessionId?: string }> {
  const headers: Record<string, string> = {
    accept: 'application/json, text/event-stream',
    'content-type': 'application/json',
    'mcp-protocol-version': '2025-06-18',
    ...(options.user === undefined ? {} : { 'x-test-user': options.user }),
    ...(options.sessionId === undefined ? {} : { 'mcp-session-id': options.sessionId }),
    ...options.headers,
  }
  const method = options.method ?? 'POST'
  const controller = new AbortController()
  const timer = setTimeout(() => controller.abort(), 5000)
  try {
    const response = await fetch(url, {
      method,
      headers,
      signal: controller.signal,
      ...(method === 'POST'
        ? {
            body: JSON.stringify(
              options.body ?? {
                jsonrpc: '2.0',
                id: 1,
                method: 'tools/call',
                params: { name: 'whoami', arguments: {} },
              },
            ),
          }
        : {}),
    })
    // SSE streams stay open: read only what a refusal would contain.
    const sessionId = response.headers.get('mcp-session-id')
    const extra = sessionId === null ? {} : { sessionId }
    if (response.headers.get('content-type')?.includes('text/event-stream')) {
      await response.body?.cancel()
      return { status: response.status, text: '', ...extra }
    }
    return { status: response.status, text: await response.text(), ...extra }
  } finally {
    clearTimeout(timer)
  }
}

export const INIT_BODY = {
  jsonrpc: '2.0',
  id: 0,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
}

/** Collects security events while `fn` runs. */
export function recordEvents(): { events: SecurityEvent[]; stop(): void } {
  const events: SecurityEvent[] = []
  const listener = (message: unknown) => events.push(message as SecurityEvent)
  subscribe(SECURITY_EVENT_CHANNEL, listener)
  return { events, stop: () => unsubscribe(SECURITY_EVENT_CHANNEL, listener) }
}

/** A clock the test moves by hand. */
export function manualClock(start = Date.now()): { now: () => number; advance(ms: number): void } {
  let time = start
  return { now: () => time, advance: (ms) => (time += ms) }
}
