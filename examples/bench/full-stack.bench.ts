/**
 * The guarded server against the bare SDK, in one process and one run: the same tool called over
 * InMemoryTransport through (a) a bare McpServer and secure() with no guards, (b) the full stack
 * (principal, scopes, three rules, a rate limit, input and output sanitizers on a 2 KB payload,
 * audit spans with no OpenTelemetry SDK), (c) the full stack with the real OpenTelemetry SDK and a
 * batch span processor. Rounds alternate between the servers; the tables show each server's median
 * round and, as the ratio, the median of the round-by-round ratios to the bare server.
 *
 * Writes the rows to `.bench/full-stack.json` (with the machine description) and prints a table.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, totalmem } from 'node:os'
import { createMemoryStore, type Principal } from '@mcp-warden/core'
import { secure } from '@mcp-warden/core/sdk-v1'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js'
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  type ReadableSpan,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base'
import {
  median,
  pairedRatio,
  printTable,
  type Row,
  recordSummary,
  sampleRounds,
} from '../../packages/core/bench/util.js'
import { createFullStack, PAYLOAD, registerBareEcho } from './stack.js'

const alice: Principal = { id: 'idp#alice', issuer: 'idp', subject: 'alice', scopes: ['tickets:read'], claims: {} }

/** An exporter that accepts and forgets spans: the SDK does all its work, nothing is kept. */
const discard: SpanExporter = {
  export: (_spans: ReadableSpan[], done) => done({ code: 0 }),
  shutdown: async () => {},
}

type Variant = 'bare' | 'empty' | 'guards' | 'full' | 'full+otel'

async function connect(variant: Variant): Promise<{ call: () => Promise<unknown>; close: () => Promise<void> }> {
  const provider =
    variant === 'full+otel' ? new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(discard)] }) : undefined
  const server =
    variant === 'bare'
      ? registerBareEcho(new McpServer({ name: 'bench', version: '1.0.0' }))
      : variant === 'empty'
        ? registerBareEcho(secure(new McpServer({ name: 'bench', version: '1.0.0' }), { use: [] }))
        : createFullStack({
            localPrincipal: alice,
            ...(provider === undefined ? {} : { tracerProvider: provider }),
            sanitizers: variant !== 'guards',
          })(new McpServer({ name: 'bench', version: '1.0.0' }))
  const [a, b] = InMemoryTransport.createLinkedPair()
  await server.connect(a)
  const client = new Client({ name: 'bench', version: '1.0.0' })
  await client.connect(b)
  const params = { name: 'echo', arguments: { text: PAYLOAD } }
  return {
    call: () => client.callTool(params),
    close: async () => {
      await client.close()
      await provider?.shutdown()
    },
  }
}

/** Heap held by `count` session bindings (principal, client, times) in the memory store. */
async function sessionMemory(count: number): Promise<number> {
  const gc = (globalThis as { gc?: () => void }).gc
  gc?.()
  const before = process.memoryUsage().heapUsed
  const store = createMemoryStore({ max: count })
  for (let i = 0; i < count; i++) {
    await store.set(`session:${i.toString(36).padStart(43, 'x')}`, {
      principalId: `https://idp.example.com#user-${i % 500}`,
      clientId: 'claude-desktop',
      createdAt: 1_700_000_000_000 + i,
      lastUsedAt: 1_700_000_000_000 + i,
    })
  }
  gc?.()
  const used = process.memoryUsage().heapUsed - before
  await store.close?.()
  return used
}

const variants: Variant[] = ['bare', 'empty', 'guards', 'full', 'full+otel']
const connected = await Promise.all(variants.map(async (name) => ({ name, ...(await connect(name)) })))
const samples = await sampleRounds(connected, {
  warmup: Number(process.env.BENCH_WARMUP ?? 1_000),
  perRound: Number(process.env.BENCH_PER_ROUND ?? 500),
  rounds: Number(process.env.BENCH_ROUNDS ?? 25),
})
await Promise.all(connected.map((c) => c.close()))
const medians = new Map([...samples].map(([name, values]) => [name, median(values)]))
const ratioOf = (name: Variant): number => pairedRatio(samples.get(name) ?? [], samples.get('bare') ?? [])
const bare = medians.get('bare') as number
const label: Record<Variant, string> = {
  bare: 'in-process tools/call, bare McpServer',
  empty: '(a) secure(), no guards',
  guards: '(b-) full stack without the content sanitizers',
  full: '(b) full stack, audit spans without an SDK',
  'full+otel': '(c) full stack, OpenTelemetry SDK + batch processor',
}
const rows: Row[] = variants.map((name) => {
  const value = medians.get(name) as number
  return { scenario: label[name], baselineUs: bare, valueUs: value, ratio: ratioOf(name) }
})
printTable(rows)
recordSummary(
  'full-stack',
  variants
    .filter((name) => name !== 'bare')
    .map((name) => ({
      scenario: `in-process tools/call over InMemoryTransport: ${label[name]}`,
      bare,
      guarded: medians.get(name) as number,
      ratio: ratioOf(name),
      unit: 'µs/call',
      ...(name === 'full' || name === 'full+otel' ? { target: '< 1.15x' } : {}),
    })),
)
const bytes = await sessionMemory(10_000)
console.log(`\nmemory of 10,000 session bindings in the memory store: ${(bytes / 1024 / 1024).toFixed(1)} MB`)

const machine = {
  node: process.version,
  cpus: cpus().length,
  cpu: cpus()[0]?.model ?? 'unknown',
  memoryGb: Math.round(totalmem() / 1024 ** 3),
  loadAverage1m: Number(loadavg()[0]?.toFixed(2)),
}
mkdirSync('.bench', { recursive: true })
writeFileSync(
  '.bench/full-stack.json',
  `${JSON.stringify({ date: new Date().toISOString(), machine, rows, sessionBindings10kBytes: bytes }, null, 2)}\n`,
)
console.log(`\n${JSON.stringify(machine)}; written to .bench/full-stack.json`)
