/**
 * Heap held by live Streamable HTTP sessions (SDK 1.x, stateful), in one process and one run:
 *
 * (a) bare: the SDK's documented stateful pattern, a `Map` of session id → transport filled in
 *     `onsessioninitialized`, one McpServer per session, requests routed by `mcp-session-id`;
 * (b) mcp-warden: `createSessionManager` (memory store, sessions bound to the principal) creating
 *     the same McpServer per session, `secure()`d with the full stack of `stack.ts`.
 *
 * Each session is opened with a real `initialize` POST over HTTP on 127.0.0.1 (16 at a time) and
 * kept live while the heap is measured (`global.gc()` before and after, `heapUsed` delta; the rss
 * delta is printed for information). The two servers are measured one after the other, behind the
 * same listening socket so the client's connections are the same for both.
 *
 * Run: `node --expose-gc --import tsx examples/bench/sessions-memory.bench.ts` (BENCH_SESSIONS,
 * default 10000). The whole run is limited to 120 s.
 */
import { randomUUID } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createSessionManager } from '@mcp-warden/auth'
import type { Principal } from '@mcp-warden/core'
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js'
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js'
import { recordSummary } from '../../packages/core/bench/util.js'
import { createFullStack, PAYLOAD, registerBareEcho } from './stack.js'

const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 10_000)
const CONCURRENCY = 16
const TIME_LIMIT_MS = 120_000
const deadline = Date.now() + TIME_LIMIT_MS

const gc = (globalThis as { gc?: () => void }).gc
if (gc === undefined) throw new Error('run with node --expose-gc')
const collect = (): void => {
  gc()
  gc()
}

const principal: Principal = {
  id: 'https://auth.example.com#user-1',
  issuer: 'https://auth.example.com',
  subject: 'user-1',
  clientId: 'bench',
  scopes: ['tickets:read'],
  claims: {},
}

type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void>

interface Arm {
  readonly handle: Handler
  /** Sessions live on this server. */
  readonly live: () => number
  readonly close: () => Promise<void>
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return chunks.length === 0 ? undefined : JSON.parse(Buffer.concat(chunks).toString('utf8'))
}

/** (a) The SDK's stateful pattern, as its documentation writes it. */
function bareArm(): Arm {
  const transports = new Map<string, StreamableHTTPServerTransport>()
  return {
    async handle(req, res) {
      const body = req.method === 'POST' ? await readJson(req) : undefined
      const sessionId = req.headers['mcp-session-id']
      let transport = typeof sessionId === 'string' ? transports.get(sessionId) : undefined
      if (transport === undefined) {
        if (sessionId !== undefined || !isInitializeRequest(body)) {
          res.writeHead(400, { 'content-type': 'application/json' })
          res.end(
            '{"jsonrpc":"2.0","error":{"code":-32000,"message":"Bad Request: No valid session ID provided"},"id":null}',
          )
          return
        }
        const created = new StreamableHTTPServerTransport({
          sessionIdGenerator: () => randomUUID(),
          enableJsonResponse: true,
          onsessioninitialized: (id) => {
            transports.set(id, created)
          },
        })
        created.onclose = () => {
          if (created.sessionId !== undefined) transports.delete(created.sessionId)
        }
        const server = registerBareEcho(new McpServer({ name: 'bench', version: '1.0.0' }))
        await server.connect(created)
        transport = created
      }
      await transport.handleRequest(req, res, body)
    },
    live: () => transports.size,
    async close() {
      await Promise.all([...transports.values()].map((transport) => transport.close()))
    },
  }
}

/** (b) mcp-warden's session manager, the full stack on every session's server. */
function wardenArm(): Arm {
  // The principal the HTTP layer would have verified; `localPrincipal` lets a probe call the tool
  // without the HTTP layer in front.
  const fullStack = createFullStack({ localPrincipal: principal })
  const sessions = createSessionManager({
    createServer: () => fullStack(new McpServer({ name: 'bench', version: '1.0.0' })),
    maxSessions: 20_000,
    principalOf: () => principal,
    transportOptions: { enableJsonResponse: true },
  })
  return {
    handle: (req, res) => sessions.handle(req, res),
    live: () => sessions.localSessions,
    close: () => sessions.close(),
  }
}

// One listening socket for both arms: the client's connection pool is the same for both.
let route: Handler | undefined
const http = createServer((req, res) => {
  const handle = route
  if (handle === undefined) {
    res.writeHead(503).end()
    return
  }
  handle(req, res).catch((error: unknown) => {
    console.error(error)
    if (!res.headersSent) res.writeHead(500)
    res.end()
  })
})
await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp`

const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }
const initialize = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'bench', version: '1.0.0' } },
})

const remaining = (): number => {
  const left = deadline - Date.now()
  if (left <= 0) throw new Error(`time limit of ${TIME_LIMIT_MS / 1000} s reached`)
  return left
}

/** Opens `count` sessions, `CONCURRENCY` at a time; returns their ids. Throws on any failure. */
async function openSessions(count: number): Promise<string[]> {
  const ids: string[] = []
  const failures: string[] = []
  let next = 0
  const worker = async () => {
    while (next < count && failures.length === 0) {
      next++
      try {
        const response = await fetch(url, {
          method: 'POST',
          headers,
          body: initialize,
          signal: AbortSignal.timeout(remaining()),
        })
        const text = await response.text()
        const id = response.headers.get('mcp-session-id')
        if (response.status !== 200 || id === null || !text.includes('"protocolVersion"')) {
          failures.push(`${response.status} ${id ?? '(no session id)'} ${text.slice(0, 200)}`)
        } else {
          ids.push(id)
        }
      } catch (error) {
        failures.push(String(error))
      }
    }
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, worker))
  if (failures.length > 0) throw new Error(`${failures.length} initialize requests failed; first: ${failures[0]}`)
  return ids
}

/** Calls the tool on one open session: the session is live and serves requests. */
async function probe(name: string, sessionId: string): Promise<void> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { ...headers, 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-06-18' },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 2,
      method: 'tools/call',
      params: { name: 'echo', arguments: { text: PAYLOAD } },
    }),
    signal: AbortSignal.timeout(remaining()),
  })
  const text = await response.text()
  const reply = response.status === 200 ? (JSON.parse(text) as { result?: { content?: { text?: string }[] } }) : {}
  if (reply.result?.content?.[0]?.text !== PAYLOAD) {
    throw new Error(`${name}: a call on an open session answered ${response.status}: ${text.slice(0, 300)}`)
  }
}

interface Measured {
  readonly heapBytes: number
  readonly rssBytes: number
  readonly seconds: number
}

async function measure(name: string, build: () => Arm, count: number): Promise<Measured> {
  collect()
  const heapBefore = process.memoryUsage().heapUsed
  const rssBefore = process.memoryUsage().rss
  const started = performance.now()
  const arm = build()
  route = arm.handle
  const ids = await openSessions(count)
  const seconds = (performance.now() - started) / 1000
  await probe(name, ids[0] as string)
  if (arm.live() !== count) throw new Error(`${name}: ${arm.live()} live sessions, expected ${count}`)
  collect()
  const heapBytes = process.memoryUsage().heapUsed - heapBefore
  const rssBytes = process.memoryUsage().rss - rssBefore
  // The arm and its sessions stay reachable until here.
  route = undefined
  await arm.close()
  if (arm.live() !== 0) throw new Error(`${name}: ${arm.live()} sessions still live after close()`)
  return { heapBytes, rssBytes, seconds }
}

const hardStop = setTimeout(() => {
  console.error(`sessions-memory: time limit of ${TIME_LIMIT_MS / 1000} s reached`)
  process.exit(1)
}, TIME_LIMIT_MS + 5_000)
hardStop.unref()

// Warm-up: both code paths once, on a few sessions, so lazy initialisation is not measured.
await measure('bare (warm-up)', bareArm, 200)
await measure('mcp-warden (warm-up)', wardenArm, 200)
const bare = await measure('bare', bareArm, SESSIONS)
const warden = await measure('mcp-warden', wardenArm, SESSIONS)
http.closeAllConnections()
http.close()

const mb = (bytes: number) => bytes / 1024 / 1024
const header = ['server', 'heap MB', 'KB/session', 'rss MB', 'open s']
const table = [
  ['(a) SDK stateful: Map of transports, one McpServer each', bare],
  ['(b) createSessionManager + secure() full stack', warden],
] as const
const body = table.map(([name, m]) => [
  name,
  mb(m.heapBytes).toFixed(1),
  (m.heapBytes / 1024 / SESSIONS).toFixed(1),
  mb(m.rssBytes).toFixed(1),
  m.seconds.toFixed(1),
])
const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => (row[i] as string).length)))
const line = (cells: readonly string[]) =>
  cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join('  ')
console.log(`${SESSIONS.toLocaleString('en-US')} live Streamable HTTP sessions (node ${process.version})\n`)
console.log(line(header))
console.log(widths.map((w) => '-'.repeat(w)).join('  '))
for (const row of body) console.log(line(row))
console.log(`\nheap ratio (b) / (a): ${(warden.heapBytes / bare.heapBytes).toFixed(2)}x`)

recordSummary('sessions-memory', [
  {
    scenario: 'heap per 10,000 sessions (SDK stateful vs createSessionManager)',
    bare: mb((bare.heapBytes * 10_000) / SESSIONS),
    guarded: mb((warden.heapBytes * 10_000) / SESSIONS),
    unit: 'MB',
  },
])
