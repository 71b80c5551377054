/**
 * Cost of auditSpans per call. Run with `npx tsx packages/audit/bench/audit.bench.ts`.
 *
 * 1. The middleware alone in a tight loop, no OpenTelemetry SDK registered, against a bare
 *    pass-through middleware (target: under 0.5 µs added per call).
 * 2. A real McpServer and Client over InMemoryTransport: a bare server, secure() without audit,
 *    auditSpans without SDK, and auditSpans with the real SDK and a BatchSpanProcessor (target:
 *    under 15 % over the bare call).
 *
 * Every scenario runs in bounded rounds (count and time); the median round is reported.
 */

import { type GuardContext, type Middleware, type PrimitiveResult, WardenError } from '@mcp-warden/core'
import { secure } from '@mcp-warden/core/sdk-v1'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js'
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { context } from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import { ExportResultCode } from '@opentelemetry/core'
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  type ReadableSpan,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base'
import { z } from 'zod'
import { recordSummary } from '../../core/bench/util.js'
import { auditSpans } from '../src/index.js'

const ROUNDS = 7
const ROUND_BUDGET_MS = 150

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] as number
}

/** One round: `fn` up to `count` times or until the time budget is spent; returns µs per call. */
async function round(count: number, fn: () => Promise<unknown>): Promise<number> {
  const started = performance.now()
  let done = 0
  while (done < count) {
    await fn()
    done += 1
    if ((done & 511) === 0) {
      // Let timers run (the batch span processor exports on them), as a real server's loop would.
      await new Promise((resolve) => setImmediate(resolve))
      if (performance.now() - started > ROUND_BUDGET_MS) break
    }
  }
  return ((performance.now() - started) * 1000) / done
}

/**
 * Runs the scenarios' rounds interleaved (A B C A B C ...), so load from other processes on the
 * machine hits them alike, and returns each scenario's median µs per call.
 */
async function compare(count: number, scenarios: readonly (() => Promise<unknown>)[]): Promise<number[]> {
  for (const fn of scenarios) await round(Math.min(count, 2000), fn)
  const samples = scenarios.map((): number[] => [])
  for (let r = 0; r < ROUNDS; r += 1) {
    for (const [i, fn] of scenarios.entries()) samples[i]?.push(await round(count, fn))
  }
  return samples.map(median)
}

// ---- 1. the middleware alone --------------------------------------------------------------

const result: PrimitiveResult = { content: [{ type: 'text', text: 'ok' }] }
const resolved = Promise.resolve(result)
const next = (): Promise<PrimitiveResult> => resolved
const ctx = {
  kind: 'tool',
  name: 'echo',
  uri: undefined,
  metadata: {},
  arguments: { text: 'hi' },
  requestId: 1,
  meta: undefined,
  sessionId: undefined,
  auth: undefined,
  principal: undefined,
  correlationId: '4bf92f3577b34da6a3ce929d0e0e4736',
  signal: new AbortController().signal,
  protocolVersion: '2025-06-18',
  client: { capabilities: undefined, canElicit: false, elicit: () => Promise.reject(new WardenError('X', 'x')) },
} satisfies GuardContext
// The cheapest possible middleware: hands back next()'s promise.
const bare: Middleware = (_ctx, n) => (n as () => Promise<PrimitiveResult>)()
const call = (m: Middleware) => () => m(ctx, next as never)

/** An exporter that drops what it gets: measures the SDK's cost, not an exporter's I/O. */
class DiscardingExporter implements SpanExporter {
  exported = 0
  export(spans: ReadableSpan[], done: (result: { code: ExportResultCode }) => void): void {
    this.exported += spans.length
    done({ code: ExportResultCode.SUCCESS })
  }
  async shutdown(): Promise<void> {}
}
const exporter = new DiscardingExporter()
const provider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(exporter, { maxQueueSize: 8192 })] })

const [bareNs, noSdkNs, sdkNs] = (
  await compare(200_000, [call(bare), call(auditSpans()), call(auditSpans({ tracerProvider: provider }))])
).map((us) => us * 1000) as [number, number, number]

// ---- 2. a real server ---------------------------------------------------------------------

interface Scenario {
  readonly run: () => Promise<unknown>
  close(): Promise<void>
}

async function serverScenario(use: readonly unknown[] | undefined): Promise<Scenario> {
  const raw = new McpServer({ name: 'bench', version: '1.0.0' })
  const server = use === undefined ? raw : secure(raw, { use })
  server.registerTool('echo', { inputSchema: { text: z.string() } }, async ({ text }) => ({
    content: [{ type: 'text', text }],
  }))
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair()
  const client = new Client({ name: 'bench-client', version: '1.0.0' })
  await server.connect(serverTransport)
  await client.connect(clientTransport)
  const args = { name: 'echo', arguments: { text: 'hello' } }
  return {
    run: () => client.callTool(args),
    close: async () => {
      await client.close()
      await server.close()
    },
  }
}

async function compareServers(uses: readonly (readonly unknown[] | undefined)[]): Promise<number[]> {
  const scenarios = await Promise.all(uses.map(serverScenario))
  try {
    return await compare(
      10_000,
      scenarios.map((s) => s.run),
    )
  } finally {
    for (const scenario of scenarios) await scenario.close()
  }
}

const [bareServer, securedServer, noSdkServer, sdkServer] = (await compareServers([
  undefined,
  [],
  [auditSpans()],
  [auditSpans({ tracerProvider: provider })],
])) as [number, number, number, number]

// With an AsyncLocalStorage context manager (what NodeSDK registers), every promise pays for
// context tracking; the handler then sees the span as active.
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable())
const [bareAls, securedAls, sdkAls] = (await compareServers([
  undefined,
  [],
  [auditSpans({ tracerProvider: provider })],
])) as [number, number, number]
context.disable()
await provider.shutdown()

const pad = (text: string, width: number) => text.padEnd(width)
const line = (name: string, value: number, base: number, digits: number) =>
  console.log(`${pad(name, 58)} ${pad(value.toFixed(digits), 10)} ${(value / base).toFixed(3)}`)

console.log('\nauditSpans middleware alone, tight loop (median of interleaved rounds)')
console.log(`${pad('scenario', 58)} ${pad('ns/call', 10)} ratio`)
line('bare pass-through middleware', bareNs, bareNs, 1)
line('auditSpans, no SDK registered', noSdkNs, bareNs, 1)
line('auditSpans, SDK + BatchSpanProcessor', sdkNs, bareNs, 1)
console.log(`added by auditSpans with no SDK: ${((noSdkNs - bareNs) / 1000).toFixed(3)} µs per call (target < 0.5 µs)`)

console.log('\nreal McpServer + Client over InMemoryTransport (median of interleaved rounds)')
console.log(`${pad('scenario', 58)} ${pad('µs/call', 10)} ratio`)
line('bare McpServer call', bareServer, bareServer, 2)
line('secure(), no middleware', securedServer, bareServer, 2)
line('secure() + auditSpans, no SDK', noSdkServer, bareServer, 2)
line('secure() + auditSpans, SDK + BatchSpanProcessor', sdkServer, bareServer, 2)
line('bare McpServer call, ALS context manager', bareAls, bareAls, 2)
line('secure(), no middleware, ALS context manager', securedAls, bareAls, 2)
line('secure() + auditSpans, SDK + batch, ALS context manager', sdkAls, bareAls, 2)
const pct = (a: number, b: number) => `${((a / b - 1) * 100).toFixed(1)} %`
console.log(
  `auditSpans with SDK + batch processor: ${pct(sdkServer, securedServer)} over the same secured call without it ` +
    `(${pct(sdkAls, securedAls)} with ALS); ${pct(sdkServer, bareServer)} over a bare McpServer call (target < 15 %).`,
)
console.log(`spans exported: ${exporter.exported}`)
recordSummary('audit', [
  {
    scenario: 'auditSpans middleware, no OpenTelemetry SDK (tight loop)',
    bare: bareNs / 1000,
    guarded: noSdkNs / 1000,
    unit: 'µs/call',
    bareLabel: 'pass-through',
  },
  {
    scenario: 'in-process tools/call: secure() + auditSpans, no SDK',
    bare: bareServer,
    guarded: noSdkServer,
    unit: 'µs/call',
  },
  {
    scenario: 'in-process tools/call: secure() + auditSpans, SDK + BatchSpanProcessor',
    bare: bareServer,
    guarded: sdkServer,
    unit: 'µs/call',
    target: '< 1.15x',
  },
])
