/**
 * Requests per second (autocannon, 16 connections, bounded runs) of one MCP tool over Streamable
 * HTTP on 127.0.0.1, stateless (a fresh McpServer and transport per request, as the SDK documents
 * it), each request a `tools/call` of `echo` with a 2 KB argument:
 *
 * (a) bare: no authentication, bare McpServer;
 * (b) the SDK's own `requireBearerAuth` with a plain jose `jwtVerify` verifier on Express, bare
 *     McpServer behind it;
 * (c) mcp-warden: `protectNodeHandler` (token verification cached by the verifier) in front of a
 *     `secure()`d server with the full stack of `stack.ts`.
 *
 * The arms are measured in interleaved rounds (order rotating each round): each arm's figure is
 * its median run, each ratio the median of the rounds' own ratios (which cancels the machine's
 * slower and faster spells); CPU time of this process per request (server and load generator
 * together) is reported alongside. Every arm is probed before measuring; a non-2xx answer or an error fails
 * the run.
 *
 * Run: `node --expose-gc --import tsx examples/bench/http.bench.ts` (BENCH_SECONDS per run,
 * default 1; BENCH_ROUNDS, default 9).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { cpus, loadavg } from 'node:os'
import { createProtectedResource, createTokenVerifier, protectNodeHandler } from '@mcp-warden/auth'
import { requireBearerAuth } from '@modelcontextprotocol/sdk/server/auth/middleware/bearerAuth.js'
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js'
import autocannon from 'autocannon'
import express from 'express'
import { createLocalJWKSet, exportJWK, generateKeyPair, jwtVerify, SignJWT } from 'jose'
import { median, pairedRatio, recordSummary, type SummaryRow } from '../../packages/core/bench/util.js'
import { createFullStack, PAYLOAD, registerBareEcho } from './stack.js'

const ISSUER = 'https://auth.example.com'
const SECONDS = Number(process.env.BENCH_SECONDS ?? 1)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 9)
const CONNECTIONS = 16

// --- keys and tokens ----------------------------------------------------------------------------
const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true })
const publicJwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' }
const jwks = createLocalJWKSet({ keys: [publicJwk] })

async function tokenFor(audience: string, scope = 'tickets:read'): Promise<string> {
  return new SignJWT({ scope, client_id: 'bench' })
    .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: 'k1' })
    .setIssuer(ISSUER)
    .setAudience(audience)
    .setSubject('user-1')
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(privateKey)
}

// --- the servers ----------------------------------------------------------------------------------
/** Stateless Streamable HTTP: a fresh server and transport per request, closed with the response. */
function statelessHandler(build: () => McpServer) {
  return async (req: IncomingMessage, res: ServerResponse, body: unknown): Promise<void> => {
    const server = build()
    // No `sessionIdGenerator`: stateless (the SDK's `sessionIdGenerator: undefined`, which
    // exactOptionalPropertyTypes does not accept spelled out).
    const transport = new StreamableHTTPServerTransport({ enableJsonResponse: true })
    res.on('close', () => {
      void transport.close()
      void server.close()
    })
    await server.connect(transport)
    await transport.handleRequest(req, res, body)
  }
}
const bareMcp = statelessHandler(() => registerBareEcho(new McpServer({ name: 'bench', version: '1.0.0' })))
const fullStack = createFullStack()
const guardedMcp = statelessHandler(() => fullStack(new McpServer({ name: 'bench', version: '1.0.0' })))

const servers: Server[] = []
async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  const server = createServer(handler)
  servers.push(server)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return JSON.parse(Buffer.concat(chunks).toString('utf8'))
}

const fail = (res: ServerResponse) => (error: unknown) => {
  console.error(error)
  if (!res.headersSent) res.writeHead(500)
  res.end()
}

// (a) bare
const bareUrl = await listen((req, res) => {
  readJson(req)
    .then((body) => bareMcp(req, res, body))
    .catch(fail(res))
})

// (b) the SDK's bearer middleware with a plain jose verifier, on Express as the SDK documents it
const sdkApp = express()
const sdkUrl = await listen(sdkApp)
sdkApp.post(
  '/mcp',
  express.json({ limit: '4mb' }),
  requireBearerAuth({
    verifier: {
      async verifyAccessToken(bearer) {
        const { payload } = await jwtVerify(bearer, jwks, {
          issuer: ISSUER,
          audience: sdkUrl,
          algorithms: ['ES256'],
          requiredClaims: ['exp', 'sub'],
        })
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
  (req, res) => {
    bareMcp(req, res, req.body).catch(fail(res))
  },
)

// (c) mcp-warden: HTTP protection, then the full stack inside the server
let wardenHandler: ((req: IncomingMessage, res: ServerResponse) => Promise<void>) | undefined
const wardenUrl = await listen((req, res) => {
  wardenHandler?.(req, res).catch(fail(res))
})
wardenHandler = protectNodeHandler(
  createProtectedResource({
    resource: wardenUrl,
    verifier: createTokenVerifier({
      issuer: ISSUER,
      audience: wardenUrl,
      jwt: { algorithms: ['ES256'], keys: { keys: [publicJwk as never] } },
    }),
    authorizationServers: [ISSUER],
    requiredScopes: ['tickets:read'],
  }),
  guardedMcp,
)

// --- probes ---------------------------------------------------------------------------------------
const callBody = (text: string) =>
  JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'echo', arguments: { text } } })
const baseHeaders = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }

interface ToolReply {
  readonly result?: { content?: { type: string; text?: string }[]; isError?: boolean; _meta?: Record<string, unknown> }
}

async function post(url: string, bearer: string | undefined, text: string): Promise<{ status: number; body: string }> {
  const headers: Record<string, string> = { ...baseHeaders }
  if (bearer !== undefined) headers.authorization = `Bearer ${bearer}`
  const response = await fetch(url, {
    method: 'POST',
    headers,
    body: callBody(text),
    signal: AbortSignal.timeout(10_000),
  })
  return { status: response.status, body: await response.text() }
}

/** Checks that the arm answers the call with the payload echoed back. */
async function probe(name: string, url: string, bearer: string | undefined): Promise<void> {
  const { status, body } = await post(url, bearer, PAYLOAD)
  const reply = status === 200 ? (JSON.parse(body) as ToolReply) : undefined
  if (reply?.result?.isError === true || reply?.result?.content?.[0]?.text !== PAYLOAD) {
    throw new Error(`${name}: the probe call answered ${status}: ${body.slice(0, 500)}`)
  }
}

const sdkToken = await tokenFor(sdkUrl)
const wardenToken = await tokenFor(wardenUrl)
await probe('bare', bareUrl, undefined)
await probe('SDK requireBearerAuth', sdkUrl, sdkToken)
await probe('mcp-warden', wardenUrl, wardenToken)
// The protected arm really runs its checks: no token, a token without the scope, and an argument
// one of the rules refuses.
{
  const anonymous = await post(wardenUrl, undefined, PAYLOAD)
  if (anonymous.status !== 401) throw new Error(`mcp-warden without a token answered ${anonymous.status}`)
  const unscoped = await post(wardenUrl, await tokenFor(wardenUrl, 'tickets:write'), PAYLOAD)
  if (unscoped.status !== 403) throw new Error(`mcp-warden with a token lacking the scope answered ${unscoped.status}`)
  const refused = await post(wardenUrl, wardenToken, '')
  const reply = refused.status === 200 ? (JSON.parse(refused.body) as ToolReply) : undefined
  if (reply?.result?.isError !== true || reply.result._meta?.['mcp-warden/error'] === undefined) {
    throw new Error(`mcp-warden let an empty argument through the rules: ${refused.status} ${refused.body}`)
  }
}

// --- load -----------------------------------------------------------------------------------------
interface Arm {
  readonly name: string
  readonly url: string
  readonly headers: Record<string, string>
  /** Requests per second of each run. */
  readonly rps: number[]
  /** CPU microseconds of this process per request of each run. */
  readonly cpu: number[]
}
const arm = (name: string, url: string, bearer: string | undefined): Arm => ({
  name,
  url,
  headers: bearer === undefined ? { ...baseHeaders } : { ...baseHeaders, authorization: `Bearer ${bearer}` },
  rps: [],
  cpu: [],
})
const arms = [
  arm('(a) bare: no authentication, bare McpServer', bareUrl, undefined),
  arm('(b) SDK requireBearerAuth + jose (Express), bare McpServer', sdkUrl, sdkToken),
  arm('(c) mcp-warden protectNodeHandler + full stack', wardenUrl, wardenToken),
]
const body = callBody(PAYLOAD)

async function measure(target: Arm): Promise<void> {
  const before = process.cpuUsage()
  const result = await autocannon({
    url: target.url,
    method: 'POST',
    headers: target.headers,
    body,
    connections: CONNECTIONS,
    duration: SECONDS,
  })
  const used = process.cpuUsage(before)
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`${target.name}: ${result.non2xx} non-2xx answers, ${result.errors} errors`)
  }
  target.rps.push(result.requests.average)
  target.cpu.push((used.user + used.system) / Math.max(1, result.requests.total))
}

// A one-second warm-up run of each arm, then the rounds.
for (const target of arms) {
  await autocannon({
    url: target.url,
    method: 'POST',
    headers: target.headers,
    body,
    connections: CONNECTIONS,
    duration: 1,
  })
}
for (let round = 0; round < ROUNDS; round++) {
  for (let i = 0; i < arms.length; i++) await measure(arms[(i + round) % arms.length] as Arm)
}
for (const server of servers) {
  server.closeAllConnections()
  server.close()
}

// Round by round: each round measures every arm once, back to back.
const [bareArm, sdkArm, wardenArm] = arms as [Arm, Arm, Arm]
const paired = {
  vsBare: pairedRatio(wardenArm.rps, bareArm.rps),
  vsSdk: pairedRatio(wardenArm.rps, sdkArm.rps),
  cpuVsBare: pairedRatio(wardenArm.cpu, bareArm.cpu),
}
const [bare, sdk, warden] = arms.map((entry) => ({ rps: median(entry.rps), cpu: median(entry.cpu) })) as [
  { rps: number; cpu: number },
  { rps: number; cpu: number },
  { rps: number; cpu: number },
]

console.log(
  `Streamable HTTP, stateless, tools/call with a 2 KB argument (node ${process.version}, ${cpus().length} cores, ` +
    `load ${loadavg()[0]?.toFixed(1)}; median of ${ROUNDS} rounds of ${SECONDS}s runs, arms back to back in each, ${CONNECTIONS} connections)\n`,
)
const header = ['arm', 'req/s', 'vs bare', 'CPU µs/req', 'vs bare']
const table = arms.map((entry) => {
  const rps = median(entry.rps)
  const cpu = median(entry.cpu)
  return [
    entry.name,
    rps.toFixed(0),
    `${pairedRatio(entry.rps, bareArm.rps).toFixed(2)}x`,
    cpu.toFixed(0),
    `${pairedRatio(entry.cpu, bareArm.cpu).toFixed(2)}x`,
  ]
})
const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => (row[i] as string).length)))
const line = (cells: readonly string[]) =>
  cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join('  ')
console.log(line(header))
console.log(widths.map((w) => '-'.repeat(w)).join('  '))
for (const row of table) console.log(line(row))
console.log(
  `\nmcp-warden vs SDK requireBearerAuth: ${paired.vsSdk.toFixed(2)}x req/s, ` +
    `${pairedRatio(wardenArm.cpu, sdkArm.cpu).toFixed(2)}x CPU per request (ratios: median of the rounds' own ratios)`,
)

const rows: SummaryRow[] = [
  {
    scenario: 'Streamable HTTP req/s: protected (cached token + full stack) vs bare',
    bare: bare.rps,
    guarded: warden.rps,
    unit: 'req/s',
    target: '>= 0.90x',
    ratio: paired.vsBare,
  },
  {
    scenario: 'Streamable HTTP req/s: protected vs SDK requireBearerAuth + jose',
    bare: sdk.rps,
    guarded: warden.rps,
    unit: 'req/s',
    bareLabel: 'SDK requireBearerAuth',
    target: '>= 1.00x',
    ratio: paired.vsSdk,
  },
  {
    scenario: 'Streamable HTTP CPU per request: protected vs bare',
    bare: bare.cpu,
    guarded: warden.cpu,
    unit: 'µs/req',
    ratio: paired.cpuVsBare,
  },
]
recordSummary('http', rows)
