/**
 * Cost of the flow check per call: the flowPolicy middleware invoked directly with a pass-through
 * `next`, with the memory store and with Redis on loopback, against the same `next` alone.
 */
import { createMemoryStore, type GuardContext, type PrimitiveResult, type Store } from '@mcp-warden/core'
import { createRedisStore } from '@mcp-warden/core/redis'
import { Redis } from 'ioredis'
import { redisAvailable, startRedis } from '../../../test-support/redis.js'
import { recordSummary } from '../../core/bench/util.js'
import { flowPolicy } from '../src/flow-policy.js'

const result: PrimitiveResult = { content: [{ type: 'text', text: 'ok' }] }
const next = async () => result

function context(i: number): GuardContext {
  return {
    kind: 'tool',
    name: i % 2 === 0 ? 'read_inbox' : 'send_email',
    uri: undefined,
    metadata: {},
    arguments: {},
    requestId: i,
    meta: undefined,
    sessionId: 'session-1',
    auth: undefined,
    principal: { id: 'idp#alice', issuer: 'idp', subject: 'alice', scopes: [], claims: {} },
    correlationId: 'c',
    signal: new AbortController().signal,
    protocolVersion: '2025-11-25',
    client: { capabilities: undefined, canElicit: false, elicit: async () => ({ action: 'cancel' }) },
  }
}

async function perCall(
  store: Store,
  calls: number,
  anomaly: boolean,
): Promise<{ meanUs: number; p50Us: number; p99Us: number }> {
  const flow = flowPolicy({
    store,
    labels: { read_inbox: ['private-data'], send_email: ['external-action'] },
    ...(anomaly ? {} : { anomaly: false as const }),
  })
  const contexts = Array.from({ length: 64 }, (_, i) => context(i))
  const samples: number[] = []
  for (let i = 0; i < calls; i++) {
    const start = process.hrtime.bigint()
    await flow(contexts[i % 64] as GuardContext, next)
    samples.push(Number(process.hrtime.bigint() - start) / 1_000)
  }
  samples.sort((a, b) => a - b)
  const mean = samples.reduce((a, b) => a + b, 0) / samples.length
  return {
    meanUs: mean,
    p50Us: samples[Math.floor(samples.length / 2)] as number,
    p99Us: samples[Math.floor(samples.length * 0.99)] as number,
  }
}

async function bare(calls: number): Promise<number> {
  const start = process.hrtime.bigint()
  for (let i = 0; i < calls; i++) await next()
  return Number(process.hrtime.bigint() - start) / 1_000 / calls
}

const rows: string[][] = [['scenario', 'mean µs', 'p50 µs', 'p99 µs']]
await perCall(createMemoryStore({ max: 1000 }), 20_000, false)
const baseline = await bare(200_000)
rows.push(['bare next() (baseline)', baseline.toFixed(3), '', ''])
for (const anomaly of [false, true]) {
  const r = await perCall(createMemoryStore({ max: 10_000 }), 100_000, anomaly)
  if (!anomaly) {
    recordSummary('flow', [
      {
        scenario: 'flowPolicy check, memory store, mean',
        bare: baseline,
        guarded: r.meanUs,
        unit: 'µs',
        bareLabel: 'next()',
      },
    ])
  }
  rows.push([
    `flow check, memory store${anomaly ? ', anomaly signals on' : ''}`,
    r.meanUs.toFixed(3),
    r.p50Us.toFixed(3),
    r.p99Us.toFixed(3),
  ])
}
if (redisAvailable) {
  const redis = await startRedis()
  const client = new Redis(redis.url)
  client.on('error', () => {})
  const r = await perCall(createRedisStore({ client, prefix: 'bench:' }), 5_000, false)
  rows.push(['flow check, Redis on loopback', r.meanUs.toFixed(1), r.p50Us.toFixed(1), r.p99Us.toFixed(1)])
  client.disconnect()
  await redis.stop()
}
const widths = rows[0]?.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length))) ?? []
for (const row of rows)
  console.log(row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  '))
