/**
 * Cost of the session binding check (`SessionManager.check`: read the binding and the principal's
 * revocation mark, compare, maybe touch), per request, with the memory store and with Redis on
 * loopback, against a bare store read as baseline; and the heap used by 100,000 live bindings in
 * the memory store. Bounded: a fixed number of calls per scenario and a 20 s cap on each.
 *
 * Run: `npx tsx packages/auth/bench/sessions.bench.ts` (Redis: REDIS_URL, or a private
 * redis-server when the binary is installed; skipped otherwise).
 */
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { createMemoryStore, type Principal, type Store } from '@mcp-warden/core'
import { createRedisStore } from '@mcp-warden/core/redis'
import { Redis } from 'ioredis'
import { type RedisProcess, redisAvailable, startRedis } from '../../../test-support/redis.js'
import { recordSummary } from '../../core/bench/util.js'
import { newSessionId, newSessionRecord, SESSION_KEY } from '../src/internal/session-record.js'
import { createSessionManager } from '../src/session-manager.js'

const principal: Principal = {
  id: 'https://issuer.example/#user-1234567890',
  issuer: 'https://issuer.example/',
  subject: 'user-1234567890',
  clientId: 'client-abc',
  scopes: ['mcp'],
  claims: {},
}
const noServer = async () => {
  throw new Error('not used: check() never builds a server')
}

interface Stats {
  readonly p50: number
  readonly p99: number
}

/** Times `batch` sequential calls `batches` times; per-call µs percentiles over the batches. */
async function measure(call: () => Promise<unknown>, batches: number, batch: number, capMs = 20_000): Promise<Stats> {
  for (let i = 0; i < Math.min(2000, batches * batch); i++) await call()
  const samples: number[] = []
  const deadline = Date.now() + capMs
  for (let b = 0; b < batches && Date.now() < deadline; b++) {
    const start = process.hrtime.bigint()
    for (let i = 0; i < batch; i++) await call()
    samples.push(Number(process.hrtime.bigint() - start) / 1000 / batch)
  }
  samples.sort((x, y) => x - y)
  const at = (q: number) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))] ?? Number.NaN
  return { p50: at(0.5), p99: at(0.99) }
}

async function checkCost(store: Store, batches: number, batch: number) {
  const manager = createSessionManager({ createServer: noServer, store })
  const id = newSessionId()
  await store.set(SESSION_KEY + id, newSessionRecord(principal, Date.now()), { ttlMs: 3_600_000 })
  const baseline = await measure(() => store.get(SESSION_KEY + id), batches, batch)
  const value = await measure(() => manager.check(id, principal), batches, batch)
  await manager.close()
  return { baseline, value }
}

function gcNow(): void {
  setFlagsFromString('--expose-gc')
  const gc = runInNewContext('gc') as () => void
  gc()
  gc()
}

async function memoryOf100k(): Promise<number> {
  const count = 100_000
  gcNow()
  const before = process.memoryUsage().heapUsed
  const store = createMemoryStore({ max: count + 1024 })
  const now = Date.now()
  for (let i = 0; i < count; i++) {
    const p: Principal = { ...principal, id: `https://issuer.example/#user-${i}`, subject: `user-${i}` }
    await store.set(SESSION_KEY + newSessionId(), newSessionRecord(p, now), { ttlMs: 1_800_000 })
  }
  gcNow()
  const used = process.memoryUsage().heapUsed - before
  // Keep the store reachable until after the measurement.
  if ((await store.get('absent')) !== undefined) throw new Error('unexpected')
  return used
}

const rows: [string, string, string, string, string][] = []
const fmt = (us: number) => us.toFixed(2)

const memory = await checkCost(createMemoryStore({ max: 10_000 }), 400, 500)
rows.push([
  'check, memory store',
  fmt(memory.baseline.p50),
  fmt(memory.value.p50),
  fmt(memory.value.p99),
  `${(memory.value.p50 / memory.baseline.p50).toFixed(2)}x`,
])

let redis: RedisProcess | undefined
if (process.env.REDIS_URL === undefined && redisAvailable) redis = await startRedis()
const url = process.env.REDIS_URL ?? redis?.url
if (url !== undefined) {
  const client = new Redis(url, { maxRetriesPerRequest: 1 })
  client.on('error', () => {})
  const result = await checkCost(createRedisStore({ client, prefix: `bench:${process.pid}:` }), 3000, 1)
  rows.push([
    'check, Redis on loopback',
    fmt(result.baseline.p50),
    fmt(result.value.p50),
    fmt(result.value.p99),
    `${(result.value.p50 / result.baseline.p50).toFixed(2)}x`,
  ])
  client.disconnect()
  await redis?.stop()
} else {
  console.log('(no Redis: set REDIS_URL or install redis-server for the Redis row)')
}

const header: [string, string, string, string, string] = [
  'scenario',
  'store.get p50 µs',
  'check p50 µs',
  'check p99 µs',
  'ratio p50',
]
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]?.length ?? 0)))
const line = (cells: readonly string[]) =>
  cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ')
console.log(line(header))
console.log(widths.map((w) => '-'.repeat(w)).join('  '))
for (const row of rows) console.log(line(row))

recordSummary('sessions', [
  {
    scenario: 'session binding check, memory store, p50',
    bare: memory.baseline.p50,
    guarded: memory.value.p50,
    unit: 'µs',
    bareLabel: 'store.get',
  },
])
const bytes = await memoryOf100k()
console.log(`\nheap used by 100,000 live bindings in the memory store: ${(bytes / 1024 / 1024).toFixed(1)} MB`)
console.log('targets: check < 2 µs in memory, < 1 ms p50 with Redis, 100k bindings < 64 MB')
