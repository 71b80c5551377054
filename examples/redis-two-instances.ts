/**
 * One MCP session served by two server instances that share a Redis store.
 *
 *   REDIS_URL=redis://127.0.0.1:6379 pnpm example:redis
 *
 * Starts two instances on 127.0.0.1 (random ports), each with its own Redis connection and its
 * own session manager. A client opens a session on instance 1, then its requests go to instance 2
 * (as a load balancer without sticky sessions would send them): instance 2 honours the session.
 * Another user replaying the session id gets a 404; revoking the user on one instance ends the
 * session on both.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createSessionManager, type SessionManager } from '@mcp-warden/auth'
import { PRINCIPAL_AUTH_EXTRA_KEY, type Principal } from '@mcp-warden/core'
import { createRedisStore } from '@mcp-warden/core/redis'
import { secure } from '@mcp-warden/core/sdk-v1'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { Redis } from 'ioredis'

const redisUrl = process.env.REDIS_URL
if (redisUrl === undefined) {
  console.error('Set REDIS_URL (for example redis://127.0.0.1:6379) to run this example.')
  process.exit(1)
}

/**
 * Stand-in for the HTTP authentication layer of @mcp-warden/auth, which verifies the bearer token
 * and puts the verified principal in req.auth. Here "Bearer demo-<user>" is accepted as <user>:
 * never do this outside a demo.
 */
function demoAuthenticate(req: IncomingMessage): void {
  const match = /^Bearer demo-([a-z]{1,32})$/.exec(req.headers.authorization ?? '')
  if (match === null) return
  const subject = match[1] ?? ''
  const principal: Principal = {
    id: `https://demo.example#${subject}`,
    issuer: 'https://demo.example',
    subject,
    clientId: 'demo-client',
    scopes: ['mcp'],
    claims: { sub: subject },
  }
  ;(req as IncomingMessage & { auth?: unknown }).auth = {
    token: '(verified)',
    clientId: 'demo-client',
    scopes: principal.scopes,
    extra: { [PRINCIPAL_AUTH_EXTRA_KEY]: principal },
  }
}

interface Instance {
  readonly name: string
  readonly url: URL
  readonly sessions: SessionManager
  readonly http: Server
  readonly redis: Redis
}

async function startInstance(name: string): Promise<Instance> {
  const redis = new Redis(redisUrl as string, { maxRetriesPerRequest: 1 })
  redis.on('error', (error: Error) => console.error(`[${name}] redis: ${error.message}`))
  const sessions = createSessionManager({
    store: createRedisStore({ client: redis, prefix: 'mcp-warden-example:' }),
    idleTimeoutMs: 10 * 60_000,
    rotateAfterMs: 60 * 60_000,
    createServer: () => {
      const server = secure(new McpServer({ name: `tickets-${name}`, version: '1.0.0' }))
      server.registerTool(
        'whoami',
        { description: 'Who is calling, and which instance answers' },
        server.guard().wrap(async (_args, ctx) => ({
          content: [{ type: 'text', text: `${ctx.principal?.subject ?? '?'} served by ${name}` }],
        })),
      )
      return server
    },
  })
  const http = createServer((req, res) => {
    demoAuthenticate(req)
    void sessions.handle(req, res)
  })
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
  const { port } = http.address() as AddressInfo
  return { name, url: new URL(`http://127.0.0.1:${port}/mcp`), sessions, http, redis }
}

const one = await startInstance('instance-1')
const two = await startInstance('instance-2')
const route = { target: one.url }

const transport = new StreamableHTTPClientTransport(one.url, {
  requestInit: { headers: { authorization: 'Bearer demo-alice' } },
  // A load balancer in one line: every request goes to route.target when it is sent.
  fetch: (_input: string | URL, init?: RequestInit) => fetch(route.target, init),
})
const client = new Client({ name: 'example-client', version: '1.0.0' })

const whoami = async (): Promise<string> => {
  const result = await client.callTool({ name: 'whoami', arguments: {} })
  return (result.content as { text: string }[])[0]?.text ?? ''
}

try {
  await client.connect(transport)
  const sessionId = transport.sessionId ?? ''
  console.log(`alice opened a session on instance-1 (id ${sessionId.slice(0, 6)}…, ${sessionId.length} chars)`)
  console.log(`  call → ${await whoami()}`)
  route.target = two.url
  console.log(`  call → ${await whoami()}   (same session, other instance)`)

  const stolen = await fetch(two.url, {
    method: 'POST',
    headers: {
      authorization: 'Bearer demo-mallory',
      'mcp-session-id': sessionId,
      'mcp-protocol-version': '2025-06-18',
      accept: 'application/json, text/event-stream',
      'content-type': 'application/json',
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'whoami', arguments: {} } }),
  })
  console.log(`mallory replays alice's session id on instance-2 → HTTP ${stolen.status} ${await stolen.text()}`)
  console.log(`  alice still → ${await whoami()}`)

  await one.sessions.revokePrincipal('https://demo.example#alice')
  console.log('instance-1 revokes every session of alice (logout)')
  await whoami().then(
    () => console.log('  unexpected: the revoked session still works'),
    (error: unknown) => console.log(`  alice's next call on instance-2 → ${(error as Error).message.slice(0, 60)}…`),
  )
} finally {
  await client.close().catch(() => undefined)
  for (const instance of [one, two]) {
    await instance.sessions.close()
    instance.http.closeAllConnections()
    await new Promise<void>((resolve) => instance.http.close(() => resolve()))
    instance.redis.disconnect()
  }
}
