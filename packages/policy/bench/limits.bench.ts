/**
 * Cost of a rate-limit decision.
 *
 * In memory: `Store.hit` (the decision itself) and the `rateLimit` middleware around a trivial
 * `next`, each awaited in a tight loop, against an awaited no-op async call (the floor any async
 * decision pays). Rounds alternate between variants; the median round is reported.
 *
 * On Redis (a private redis-server on 127.0.0.1, when installed): per-decision latency of one
 * `hit` (one EVALSHA of the sliding-window script), p50 and p99 of sequential calls, against a
 * PING on the same connection.
 *
 * Every loop is bounded in count and in time.
 */
import { createMemoryStore, type GuardContext, type PrimitiveResult } from '@mcp-warden/core'
import { createRedisStore } from '@mcp-warden/core/redis'
import { Redis } from 'ioredis'
import { redisAvailable, startRedis } from '../../../test-support/redis.js'
import { recordSummary } from '../../core/bench/util.js'
import { rateLimit } from '../src/rate-limit.js'
import { context } from '../test/context.js'

const TIME_CAP_MS = 20_000
const started = Date.now()
const inTime = () => Date.now() - started < TIME_CAP_MS

interface Variant {
  readonly name: string
  readonly call: (i: number) => Promise<unknown>
}

async function medianPerCallUs(
  variants: readonly Variant[],
  perRound: number,
  rounds: number,
): Promise<Map<string, number>> {
  for (const v of variants) for (let i = 0; i < perRound; i++) await v.call(i)
  const samples = new Map<string, number[]>(variants.map((v) => [v.name, []]))
  for (let round = 0; round < rounds && inTime(); round++) {
    for (const v of round % 2 === 0 ? variants : [...variants].reverse()) {
      const t0 = process.hrtime.bigint()
      for (let i = 0; i < perRound; i++) await v.call(i)
      samples.get(v.name)?.push(Number(process.hrtime.bigint() - t0) / 1000 / perRound)
    }
  }
  return new Map([...samples].map(([name, values]) => [name, percentile(values, 0.5)]))
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? Number.NaN
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ')
  console.log(line(header))
  console.log(widths.map((w) => '-'.repeat(w)).join('  '))
  for (const row of rows) console.log(line(row))
}

async function memory(): Promise<void> {
  const KEYS = 1000
  const keys = Array.from({ length: KEYS }, (_, i) => `caller-${i}`)
  const allowStore = createMemoryStore({ max: 10_000 })
  const denyStore = createMemoryStore({ max: 10_000 })
  const allow = { limit: 1_000_000_000, windowMs: 60_000 }
  const deny = { limit: 1, windowMs: 3_600_000 }
  const hitAllow = allowStore.hit?.bind(allowStore)
  const hitDeny = denyStore.hit?.bind(denyStore)
  if (hitAllow === undefined || hitDeny === undefined) throw new Error('memory store without hit')
  const noop = async (_i: number) => undefined
  const guard = rateLimit({ limit: 1_000_000_000, windowMs: 60_000, maxKeys: 10_000 })
  const pass = async (_ctx: GuardContext, next: () => Promise<PrimitiveResult>) => next()
  const contexts = keys.map((sessionId) => context({ sessionId }))
  const done = async (): Promise<PrimitiveResult> => ({})
  const medians = await medianPerCallUs(
    [
      { name: 'noop', call: noop },
      { name: 'hit allowed', call: (i) => hitAllow(keys[i % KEYS] as string, allow) },
      { name: 'hit refused', call: (i) => hitDeny(keys[i % KEYS] as string, deny) },
      { name: 'pass-through middleware', call: (i) => pass(contexts[i % KEYS] as GuardContext, done) },
      { name: 'rateLimit middleware', call: (i) => guard(contexts[i % KEYS] as GuardContext, done) },
    ],
    50_000,
    9,
  )
  const us = (name: string) => medians.get(name) ?? Number.NaN
  console.log(`in-memory decision (${KEYS} keys, median of rounds of 50 000 awaited calls)\n`)
  table(
    ['scenario', 'baseline', 'baseline µs', 'µs/call', 'ratio'],
    [
      ['Store.hit, admitted', 'awaited no-op', us('noop'), us('hit allowed')],
      ['Store.hit, refused', 'awaited no-op', us('noop'), us('hit refused')],
      ['rateLimit() middleware', 'pass-through middleware', us('pass-through middleware'), us('rateLimit middleware')],
    ].map(([scenario, base, b, v]) => [
      String(scenario),
      String(base),
      (b as number).toFixed(3),
      (v as number).toFixed(3),
      `${((v as number) / (b as number)).toFixed(2)}x`,
    ]),
  )
  recordSummary('limits-memory', [
    {
      scenario: 'rateLimit() middleware, memory store',
      bare: us('pass-through middleware'),
      guarded: us('rateLimit middleware'),
      unit: 'µs/call',
      bareLabel: 'pass-through',
    },
  ])
  console.log(
    `\ndecision cost above the await floor: admitted ${(us('hit allowed') - us('noop')).toFixed(3)} µs, refused ${(us('hit refused') - us('noop')).toFixed(3)} µs`,
  )
}

async function redis(): Promise<void> {
  if (!redisAvailable) {
    console.log('\nredis-server not installed: Redis decision not measured')
    return
  }
  const server = await startRedis()
  const client = new Redis(server.url, { maxRetriesPerRequest: 1 })
  client.on('error', () => {})
  try {
    const store = createRedisStore({ client, prefix: 'bench:' })
    const hit = store.hit?.bind(store)
    if (hit === undefined) throw new Error('redis store without hit')
    const options = { limit: 1_000_000_000, windowMs: 60_000 }
    const N = 20_000
    const measure = async (call: (i: number) => Promise<unknown>): Promise<number[]> => {
      for (let i = 0; i < 2000; i++) await call(i)
      const out: number[] = []
      for (let i = 0; i < N && inTime(); i++) {
        const t0 = process.hrtime.bigint()
        await call(i)
        out.push(Number(process.hrtime.bigint() - t0) / 1000)
      }
      return out
    }
    const ping = await measure(() => client.ping())
    const decisions = await measure((i) => hit(`caller-${i % 1000}`, options))
    const windowed = await measure((i) => hit(`small-${i % 1000}`, { limit: 10, windowMs: 60_000 }))
    console.log(`\nRedis decision on loopback (sequential, ${decisions.length} calls each)\n`)
    const row = (name: string, values: number[]) => [
      name,
      percentile(values, 0.5).toFixed(1),
      percentile(values, 0.99).toFixed(1),
      `${(percentile(values, 0.5) / percentile(ping, 0.5)).toFixed(2)}x`,
    ]
    table(
      ['scenario', 'p50 µs', 'p99 µs', 'p50 vs PING'],
      [
        row('PING (baseline)', ping),
        row('Store.hit, admitted', decisions),
        row('Store.hit, mostly refused (limit 10)', windowed),
      ],
    )
    recordSummary('limits-redis', [
      {
        scenario: 'rate-limit decision on Redis (loopback), p50',
        bare: percentile(ping, 0.5),
        guarded: percentile(decisions, 0.5),
        unit: 'µs',
        bareLabel: 'PING',
      },
    ])
  } finally {
    client.disconnect()
    await server.stop()
  }
}

console.log(`node ${process.version}, ${process.platform}/${process.arch}\n`)
await memory()
await redis()
