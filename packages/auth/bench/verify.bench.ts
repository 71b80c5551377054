/**
 * Benchmark of @mcp-warden/auth, run with `npx tsx packages/auth/bench/verify.bench.ts`.
 *
 * 1. Token verification per call: jose's `jwtVerify` alone, the mcp-warden verifier without its
 *    cache (every check), and the mcp-warden verifier answering from its cache, against a bare
 *    async call in the same run.
 * 2. Requests per second (autocannon, bounded duration) of one Streamable HTTP MCP server calling a
 *    tool: unprotected, behind the SDK's own `requireBearerAuth` with a plain jose verifier
 *    (Express), and behind mcp-warden (node:http adapter, and Express adapter).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { cpus, loadavg } from 'node:os'
import { requireBearerAuth } from '@modelcontextprotocol/sdk/server/auth/middleware/bearerAuth.js'
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js'
import autocannon from 'autocannon'
import express from 'express'
import { createLocalJWKSet, exportJWK, generateKeyPair, jwtVerify, SignJWT } from 'jose'
import { recordSummary } from '../../core/bench/util.js'
import { createProtectedResource, createTokenVerifier, protectExpress, protectNodeHandler } from '../src/index.js'

const ISSUER = 'https://auth.example.com'
/** Seconds per measurement of one HTTP arm; arms are measured in interleaved rounds (median kept). */
const RPS_SECONDS = Number(process.env.BENCH_SECONDS ?? 1)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5)
const MICRO_MS = 1_500

// --- keys and a token -------------------------------------------------------------------------
const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true })
const publicJwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' }
const jwks = createLocalJWKSet({ keys: [publicJwk] })

async function tokenFor(audience: string): Promise<string> {
  return new SignJWT({ scope: 'tickets:read tickets:write', client_id: 'bench' })
    .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: 'k1' })
    .setIssuer(ISSUER)
    .setAudience(audience)
    .setSubject('user-1')
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(privateKey)
}

// --- micro benchmarks --------------------------------------------------------------------------
interface Row {
  readonly name: string
  readonly value: number
  readonly unit: string
  readonly baseline: string
  readonly ratio: string
}
const rows: Row[] = []

/** Runs `fn` sequentially for about `ms` milliseconds and returns microseconds per call. */
async function perCall(fn: () => Promise<unknown>, ms = MICRO_MS): Promise<number> {
  for (let i = 0; i < 200; i++) await fn() // warm-up
  let count = 0
  const started = performance.now()
  const deadline = started + ms
  while (performance.now() < deadline) {
    for (let i = 0; i < 100; i++) await fn()
    count += 100
  }
  return ((performance.now() - started) * 1000) / count
}

const audience = 'https://mcp.example.com/mcp'
const token = await tokenFor(audience)
const joseOptions = { issuer: ISSUER, audience, algorithms: ['ES256'], requiredClaims: ['exp', 'sub'] }
const jwtOptions = { algorithms: ['ES256' as const], keys: { keys: [publicJwk as never] } }
const uncached = createTokenVerifier({ issuer: ISSUER, audience, jwt: jwtOptions, cache: false })
const cached = createTokenVerifier({ issuer: ISSUER, audience, jwt: jwtOptions })
await cached.verify(token)
const principal = await cached.verify(token)
const bare = async () => principal

const bareUs = await perCall(bare)
const joseUs = await perCall(() => jwtVerify(token, jwks, joseOptions))
const fullUs = await perCall(() => uncached.verify(token))
const cachedUs = await perCall(() => cached.verify(token))
// The whole HTTP check of one request (header parse, cached verify, step-up body scan), Web API path.
const checkResource = createProtectedResource({
  resource: audience,
  verifier: cached,
  authorizationServers: [ISSUER],
  requiredScopes: ['tickets:read'],
  stepUp: { scopesFor: (name) => (name === 'echo' ? { all: ['tickets:read'] } : undefined) },
})
const parsedBody = { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'echo', arguments: {} } }
const request = new Request(audience, {
  method: 'POST',
  headers: { authorization: `Bearer ${token}`, host: 'mcp.example.com' },
})
const checkUs = await perCall(() => checkResource.authenticate(request, { parsedBody }))
const fmt = (n: number, digits = 2) => n.toFixed(digits)
rows.push(
  { name: 'bare async call', value: bareUs, unit: 'µs/call', baseline: '-', ratio: '1.00x' },
  { name: 'jose jwtVerify', value: joseUs, unit: 'µs/call', baseline: 'bare', ratio: `${fmt(joseUs / bareUs, 1)}x` },
  {
    name: 'mcp-warden verify, no cache',
    value: fullUs,
    unit: 'µs/call',
    baseline: 'jose',
    ratio: `${fmt(fullUs / joseUs)}x`,
  },
  {
    name: 'mcp-warden verify, cached',
    value: cachedUs,
    unit: 'µs/call',
    baseline: 'jose',
    ratio: `${fmt(cachedUs / joseUs, 4)}x (${fmt(joseUs / cachedUs, 0)}x faster)`,
  },
  {
    name: 'mcp-warden authenticate(Request), cached',
    value: checkUs,
    unit: 'µs/call',
    baseline: 'jose',
    ratio: `${fmt(checkUs / joseUs, 4)}x`,
  },
)

// --- requests per second -------------------------------------------------------------------------
/** The MCP server under test: stateless Streamable HTTP, a fresh server per request (SDK pattern). */
async function handleMcp(req: IncomingMessage, res: ServerResponse, body: unknown): Promise<void> {
  const server = new McpServer({ name: 'bench', version: '1.0.0' })
  server.registerTool('echo', { description: 'echo' }, async () => ({ content: [{ type: 'text', text: 'ok' }] }))
  const transport = new StreamableHTTPServerTransport({ enableJsonResponse: true }) // stateless: no session ids
  res.on('close', () => {
    void transport.close()
    void server.close()
  })
  await server.connect(transport)
  await transport.handleRequest(req, res, body)
}

const servers: Server[] = []
async function listen(handler: Parameters<typeof createServer>[1] | ReturnType<typeof express>): Promise<string> {
  const server = createServer(handler as Parameters<typeof createServer>[1])
  servers.push(server)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return JSON.parse(Buffer.concat(chunks).toString('utf8'))
}

// 1. unprotected
const bareUrl = await listen((req: IncomingMessage, res: ServerResponse) => {
  void readJson(req).then((body) => handleMcp(req, res, body))
})

// 2. the SDK's own bearer middleware with a plain jose verifier (Express, as the SDK documents it)
const sdkApp = express()
const sdkUrl = await listen(sdkApp)
const sdkResource = sdkUrl
sdkApp.post(
  '/mcp',
  express.json(),
  requireBearerAuth({
    verifier: {
      async verifyAccessToken(bearer) {
        const { payload } = await jwtVerify(bearer, jwks, { ...joseOptions, audience: sdkResource })
        return {
          token: bearer,
          clientId: String(payload.client_id),
          scopes: String(payload.scope ?? '').split(' '),
          ...(payload.exp === undefined ? {} : { expiresAt: payload.exp }),
        }
      },
    },
    requiredScopes: ['tickets:read'],
  }),
  (req, res) => void handleMcp(req, res, req.body),
)

// 3. mcp-warden, node:http adapter (step-up on, cached verification)
let wardenHandler: ((req: IncomingMessage, res: ServerResponse) => Promise<void>) | undefined
const wardenUrl = await listen((req: IncomingMessage, res: ServerResponse) => void wardenHandler?.(req, res))
const protectionFor = (resource: string) =>
  createProtectedResource({
    resource,
    verifier: createTokenVerifier({ issuer: ISSUER, audience: resource, jwt: jwtOptions }),
    authorizationServers: [ISSUER],
    requiredScopes: ['tickets:read'],
    stepUp: { scopesFor: (name) => (name === 'echo' ? { all: ['tickets:read'] } : undefined) },
  })
wardenHandler = protectNodeHandler(protectionFor(wardenUrl), handleMcp)

// 4. mcp-warden, Express adapter
const wardenApp = express()
const wardenExpressUrl = await listen(wardenApp)
wardenApp.post('/mcp', express.json(), protectExpress(protectionFor(wardenExpressUrl)), (req, res) => {
  void handleMcp(req, res, req.body)
})

const callBody = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'tools/call',
  params: { name: 'echo', arguments: {} },
})
interface Arm {
  readonly url: string
  readonly headers: Record<string, string>
  /** Requests per second (wall clock) of each run. */
  readonly samples: number[]
  /** CPU microseconds of this process per request (server and load generator together) of each run. */
  readonly cpu: number[]
}
async function arm(url: string, bearer: string | undefined): Promise<Arm> {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
  }
  if (bearer !== undefined) headers.authorization = `Bearer ${bearer}`
  // Check the arm answers the call before measuring it.
  const probe = await fetch(url, { method: 'POST', headers, body: callBody })
  const text = await probe.text()
  if (probe.status !== 200 || !text.includes('"ok"')) throw new Error(`${url} answered ${probe.status}: ${text}`)
  return { url, headers, samples: [], cpu: [] }
}
async function measure(target: Arm): Promise<void> {
  const { url, headers } = target
  const before = process.cpuUsage()
  const result = await autocannon({
    url,
    method: 'POST',
    headers,
    body: callBody,
    connections: 16,
    duration: RPS_SECONDS,
  })
  const used = process.cpuUsage(before)
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`${url}: ${result.non2xx} non-2xx answers, ${result.errors} errors`)
  }
  target.samples.push(result.requests.average)
  target.cpu.push((used.user + used.system) / Math.max(1, result.requests.total))
}
const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] ?? 0
}

// Interleave the arms, rotating their order each round, so that load from elsewhere on the
// machine hits all of them alike; keep each arm's median.
const arms = [
  await arm(bareUrl, undefined),
  await arm(sdkUrl, await tokenFor(sdkUrl)),
  await arm(wardenUrl, await tokenFor(wardenUrl)),
  await arm(wardenExpressUrl, await tokenFor(wardenExpressUrl)),
]
for (let round = 0; round < ROUNDS; round++) {
  for (let i = 0; i < arms.length; i++) await measure(arms[(i + round) % arms.length] as Arm)
}
const [bareRps, sdkRps, wardenRps, wardenExpressRps] = arms.map((entry) => median(entry.samples)) as [
  number,
  number,
  number,
  number,
]
// CPU time per request is what the protection costs; it is far less sensitive than wall-clock
// throughput to other processes competing for the machine.
const [bareCpu, sdkCpu, wardenCpu, wardenExpressCpu] = arms.map((entry) => median(entry.cpu)) as [
  number,
  number,
  number,
  number,
]
rows.push(
  { name: 'HTTP: unprotected server', value: bareRps, unit: 'req/s', baseline: '-', ratio: '1.00x' },
  {
    name: 'HTTP: SDK requireBearerAuth + jose (Express)',
    value: sdkRps,
    unit: 'req/s',
    baseline: 'unprotected',
    ratio: `${fmt(sdkRps / bareRps)}x`,
  },
  {
    name: 'HTTP: mcp-warden protectNodeHandler',
    value: wardenRps,
    unit: 'req/s',
    baseline: 'SDK',
    ratio: `${fmt(wardenRps / sdkRps)}x`,
  },
  {
    name: 'HTTP: mcp-warden protectExpress',
    value: wardenExpressRps,
    unit: 'req/s',
    baseline: 'SDK',
    ratio: `${fmt(wardenExpressRps / sdkRps)}x`,
  },
)

rows.push(
  { name: 'CPU/request: unprotected server', value: bareCpu, unit: 'µs/req', baseline: '-', ratio: '1.00x' },
  {
    name: 'CPU/request: SDK requireBearerAuth + jose',
    value: sdkCpu,
    unit: 'µs/req',
    baseline: 'unprotected',
    ratio: `${fmt(sdkCpu / bareCpu)}x`,
  },
  {
    name: 'CPU/request: mcp-warden protectNodeHandler',
    value: wardenCpu,
    unit: 'µs/req',
    baseline: 'SDK',
    ratio: `${fmt(wardenCpu / sdkCpu)}x (${fmt(sdkCpu / wardenCpu)}x the SDK's req/s per core)`,
  },
  {
    name: 'CPU/request: mcp-warden protectExpress',
    value: wardenExpressCpu,
    unit: 'µs/req',
    baseline: 'SDK',
    ratio: `${fmt(wardenExpressCpu / sdkCpu)}x`,
  },
)

recordSummary('auth', [
  {
    scenario: 'token verification, cached',
    bare: joseUs,
    guarded: cachedUs,
    unit: 'µs/call',
    bareLabel: 'jose jwtVerify',
  },
  {
    scenario: 'Streamable HTTP req/s, tiny tool: protectNodeHandler vs SDK requireBearerAuth + jose',
    bare: sdkRps,
    guarded: wardenRps,
    unit: 'req/s',
    bareLabel: 'SDK requireBearerAuth',
    target: '>= 1.00x',
  },
  {
    scenario: 'Streamable HTTP req/s, tiny tool: protectNodeHandler vs unprotected',
    bare: bareRps,
    guarded: wardenRps,
    unit: 'req/s',
    target: '>= 0.90x',
  },
])

for (const server of servers) {
  server.closeAllConnections()
  server.close()
}

const widths = [46, 10, 8, 12, 40]
const line = (cells: string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i] ?? 10)).join(' | ')} |`
console.log(
  `\n@mcp-warden/auth benchmark (node ${process.version}; HTTP: median of ${ROUNDS} interleaved ${RPS_SECONDS}s runs per arm, 16 connections)\n`,
)
console.log(line(['case', 'value', 'unit', 'vs', 'ratio']))
console.log(line(widths.map((w) => '-'.repeat(w))))
for (const row of rows) {
  console.log(line([row.name, fmt(row.value, row.unit === 'µs/call' ? 2 : 0), row.unit, row.baseline, row.ratio]))
}
console.log(
  `\ncached verification: ${fmt(cachedUs)} µs (target < 5 µs): ${cachedUs < 5 ? 'met' : 'NOT met'}; ` +
    `mcp-warden vs SDK baseline: ${fmt(wardenRps / sdkRps)}x req/s, ${fmt(sdkCpu / wardenCpu)}x requests per CPU-second ` +
    `(target >= 1): ${wardenCpu <= sdkCpu ? 'met' : 'NOT met'} (load average ${loadavg()[0]?.toFixed(1)} on ${cpus().length} cores)`,
)
