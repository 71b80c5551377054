/**
 * The conformance example: the fixtures the official MCP conformance suite expects, on an SDK 1.x
 * `McpServer` secured with mcp-warden, served over Streamable HTTP on 127.0.0.1 (one server per
 * session).
 *
 * Guards on: a call log and `requireAuth` with a local identity on every call, `requireScopes` on
 * every fixture, and Host/Origin validation against DNS rebinding. No token is involved: the
 * conformance runner cannot send one.
 *
 * DNS rebinding: this token-free example has no `createProtectedResource` (which carries the same
 * Origin/Host check for protected servers), so it turns on the SDK transport's own check
 * (`enableDnsRebindingProtection` with `allowedHosts` / `allowedOrigins` limited to the loopback
 * names and the bound port).
 *
 *   PORT=3001 npx tsx examples/conformance/server.ts   # PORT unset or 0: a free port
 */
import { randomUUID } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { pathToFileURL } from 'node:url'
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js'
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js'
import { createBoundedEventStore } from './event-store.js'
import { type CallLog, createCallLog, createConformanceServer } from './fixtures.js'

/** Options of `startConformanceServer`. */
export interface ConformanceServerOptions {
  /** TCP port on 127.0.0.1; `0` picks a free one. Default: `0`. */
  readonly port?: number
  /** Most sessions kept at once; the oldest is closed past it. Default: `64`. */
  readonly maxSessions?: number
  /** Largest accepted POST body, in bytes. Default: `1_048_576`. */
  readonly maxBodyBytes?: number
}

/** A running conformance server. */
export interface ConformanceServer {
  /** The MCP endpoint, `http://127.0.0.1:<port>/mcp`. */
  readonly url: string
  /** The guarded calls seen so far. */
  readonly calls: CallLog
  /** Sessions currently open. */
  sessionCount(): number
  /** Closes every session and the listener. */
  close(): Promise<void>
}

interface Session {
  readonly transport: StreamableHTTPServerTransport
  readonly close: () => Promise<void>
}

/** Starts the conformance server on 127.0.0.1. */
export async function startConformanceServer(options: ConformanceServerOptions = {}): Promise<ConformanceServer> {
  const maxSessions = options.maxSessions ?? 64
  const maxBodyBytes = options.maxBodyBytes ?? 1_048_576
  const log = createCallLog(200)
  const sessions = new Map<string, Session>()
  let allowedHosts: string[] = []
  let allowedOrigins: string[] = []

  const newSession = async (): Promise<StreamableHTTPServerTransport> => {
    const server = createConformanceServer(log)
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      eventStore: createBoundedEventStore(1_000),
      retryInterval: 500,
      enableDnsRebindingProtection: true,
      allowedHosts,
      allowedOrigins,
      onsessioninitialized: (id) => {
        sessions.set(id, { transport, close: () => server.close() })
        if (sessions.size > maxSessions) {
          const [oldestId, oldest] = sessions.entries().next().value ?? []
          if (oldestId !== undefined && oldest !== undefined) {
            sessions.delete(oldestId)
            void oldest.close()
          }
        }
      },
      onsessionclosed: (id) => {
        sessions.delete(id)
      },
    })
    transport.onclose = () => {
      if (transport.sessionId !== undefined) sessions.delete(transport.sessionId)
    }
    await server.connect(transport)
    return transport
  }

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname
    if (path !== '/mcp') return reply(res, 404, 'Not found')
    const sessionId = header(req, 'mcp-session-id')
    if (req.method === 'POST') {
      const body = await readJson(req, maxBodyBytes)
      if (body === TOO_LARGE) return jsonRpcError(res, 413, -32600, 'Request body too large')
      if (body === INVALID) return jsonRpcError(res, 400, -32700, 'Parse error')
      if (sessionId === undefined) {
        if (!isInitializeRequest(body)) return jsonRpcError(res, 400, -32000, 'Bad Request: no session')
        const transport = await newSession()
        await transport.handleRequest(req, res, body)
        // Refused before initialization (bad Host or Origin, bad version): nothing to keep.
        if (transport.sessionId === undefined) await transport.close()
        return
      }
      const session = sessions.get(sessionId)
      if (session === undefined) return jsonRpcError(res, 404, -32001, 'Session not found')
      return session.transport.handleRequest(req, res, body)
    }
    if (req.method === 'GET' || req.method === 'DELETE') {
      const session = sessionId === undefined ? undefined : sessions.get(sessionId)
      if (session === undefined)
        return jsonRpcError(res, sessionId === undefined ? 400 : 404, -32001, 'Session not found')
      return session.transport.handleRequest(req, res)
    }
    res.setHeader('Allow', 'GET, POST, DELETE')
    return reply(res, 405, 'Method not allowed')
  }

  const http = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) jsonRpcError(res, 500, -32603, 'Internal server error')
      else res.end()
    })
  })
  // Loopback only: the server is reachable from this machine alone.
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject)
    http.listen(options.port ?? 0, '127.0.0.1', () => {
      http.off('error', reject)
      resolve()
    })
  })
  const { port } = http.address() as AddressInfo
  allowedHosts = [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]
  allowedOrigins = allowedHosts.map((host) => `http://${host}`)

  return {
    url: `http://127.0.0.1:${port}/mcp`,
    calls: log,
    sessionCount: () => sessions.size,
    async close() {
      const open = [...sessions.values()]
      sessions.clear()
      await Promise.allSettled(open.map((session) => session.close()))
      http.closeAllConnections()
      await new Promise<void>((resolve) => http.close(() => resolve()))
    },
  }
}

const TOO_LARGE = Symbol('too large')
const INVALID = Symbol('invalid')

function readJson(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > maxBytes) {
        resolve(TOO_LARGE)
        req.destroy()
        return
      }
      chunks.push(chunk)
    })
    req.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')))
      } catch {
        resolve(INVALID)
      }
    })
    req.on('error', () => resolve(INVALID))
  })
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name]
  return typeof value === 'string' ? value : undefined
}

function reply(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(message)
}

function jsonRpcError(res: ServerResponse, status: number, code: number, message: string): void {
  res
    .writeHead(status, { 'content-type': 'application/json' })
    .end(JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null }))
}

async function main(): Promise<void> {
  const port = Number(process.env.PORT ?? 0)
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new TypeError(`PORT must be a port number, got ${process.env.PORT}`)
  const server = await startConformanceServer({ port })
  console.log(`mcp-warden conformance server listening on ${server.url}`)
  const stop = (): void => {
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    )
  }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err: unknown) => {
    console.error(err)
    process.exit(1)
  })
}
