/**
 * Every key the stateful guards write to Redis expires: a soak on a real redis-server drives many
 * callers and conversations through `rateLimit`, `flowPolicy` (taints, anomaly counters, lockouts)
 * and `requireApproval` (used 2026-07-28 nonces, remembered approvals), and checks after every
 * round that no key lacks a TTL (`PTTL` never -1), that the key count stays within what the TTLs
 * allow (it stops growing while new callers keep coming), and that everything is gone once the
 * longest TTL has passed.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { createHandleCodec, type GuardContext, type Principal } from '@mcp-warden/core'
import { createRedisStore } from '@mcp-warden/core/redis'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { keysWithTtl, type RedisProcess, redisAvailable, startRedis } from '../../../test-support/redis.js'
import { APPROVAL_INPUT_KEY, flowPolicy, rateLimit, requireApproval } from '../src/index.js'
import { context, run } from './helpers.js'

const principal = (id: string): Principal => ({ id, issuer: 'https://idp.test', subject: id, scopes: [], claims: {} })

describe.skipIf(!redisAvailable)('stateful guards on Redis (soak)', () => {
  let redis: RedisProcess
  let client: Redis
  beforeAll(async () => {
    redis = await startRedis()
    client = new Redis(redis.url, { maxRetriesPerRequest: 1 })
  })
  afterAll(async () => {
    client?.disconnect()
    await redis?.stop()
  })

  it('writes only keys that expire, and their count stops growing under a stream of new callers', async () => {
    const store = createRedisStore({ client, prefix: 'soak:' })
    const MAX_TTL_MS = 600
    const limit = rateLimit({ name: 'soak', limit: 3, windowMs: 300, store })
    const flow = flowPolicy({
      store,
      stateTtlMs: MAX_TTL_MS,
      afterUntrusted: 'deny',
      anomaly: { windowMs: 300, maxDenials: 1, maxDistinctTools: 1, newToolAfterCalls: 0, lockoutMs: 200 },
    })
    const codec = createHandleCodec({ keys: { current: { id: 'k1', secret: 'k'.repeat(32) } } })
    const gate = requireApproval({ store, codec, timeoutMs: 300, remember: { ttlMs: 300 } })
    const bridge = (extra: object): GuardContext['client'] => ({
      capabilities: undefined,
      canElicit: true,
      elicit: () => Promise.reject(new Error('not on 2026-07-28')),
      ...extra,
    })

    /** One caller's session: limited calls, a tainting fetch and a held send, an approved retry. */
    const session = async (id: string): Promise<void> => {
      const who = principal(id)
      const base = { principal: who, sessionId: `session-${id}` }
      for (let i = 0; i < 4; i++) await run(limit, context({ ...base, name: 'lookup' })).catch(() => undefined)
      await run(flow, context({ ...base, name: 'fetch', metadata: { annotations: { readOnlyHint: true } } }))
      for (let i = 0; i < 3; i++) await run(flow, context({ ...base, name: `send${i}` })).catch(() => undefined)
      const modern = { ...base, name: 'delete', arguments: { id }, protocolVersion: '2026-07-28' }
      const first = await run(gate, context({ ...modern, client: bridge({}) }))
      const request = (first.result.inputRequests as Record<string, { params: { requestedSchema: unknown } }>)[
        APPROVAL_INPUT_KEY
      ]
      const nonce = (
        request?.params.requestedSchema as { properties: { confirmation: { enum: string[] } } } | undefined
      )?.properties.confirmation?.enum[0]
      const answer = { action: 'accept', content: { confirmation: nonce, remember: true } }
      const retry = context({
        ...modern,
        client: bridge({ requestState: first.result.requestState, inputResponses: { [APPROVAL_INPUT_KEY]: answer } }),
      })
      expect((await run(gate, retry)).reached).toBe(true)
    }

    const ROUNDS = 24
    const ROUND_MS = 100
    const PER_ROUND = 15
    /** Per round: when it ended, and how many live keys (SCAN skips expired ones) were there then. */
    const samples: { endedAt: number; live: number }[] = []
    const started = Date.now()
    for (let round = 0; round < ROUNDS; round++) {
      const due = started + round * ROUND_MS
      if (Date.now() < due) await sleep(due - Date.now())
      await Promise.all(Array.from({ length: PER_ROUND }, (_, i) => session(`r${round}-u${i}`)))
      const keys = await keysWithTtl(client)
      for (const [key, ttl] of keys) {
        expect(ttl, `${key} has no expiry`).not.toBe(-1)
        if (ttl !== -2) expect(ttl, key).toBeLessThanOrEqual(MAX_TTL_MS)
      }
      samples.push({ endedAt: Date.now(), live: [...keys.values()].filter((ttl) => ttl >= 0).length })
    }
    // Every guard wrote: limits, taints, anomaly counters and lockouts, nonces and remembered approvals.
    const families = new Set([...(await keysWithTtl(client)).keys()].map((key) => key.split(':')[1]))
    for (const family of ['rl', 'flow', 'approval', 'approval-used']) expect(families).toContain(family)
    // Bounded in count: a key lives at most MAX_TTL_MS, so the keys live at the end of a round are
    // at most those of the rounds that ran within MAX_TTL_MS before it, however many callers came
    // before. Round 0 ran alone on an empty server: its count is the keys of one round.
    const perRound = (samples[0] as (typeof samples)[0]).live
    expect(perRound).toBeGreaterThan(0)
    samples.forEach(({ endedAt, live }, index) => {
      const recent = samples.filter((s, i) => i <= index && s.endedAt >= endedAt - MAX_TTL_MS - 50).length + 1
      expect(live, `round ${index}`).toBeLessThanOrEqual(perRound * recent)
    })
    // And it does stop growing: the last rounds hold far fewer keys than all rounds wrote.
    expect(Math.max(...samples.slice(-4).map((s) => s.live))).toBeLessThan(perRound * (ROUNDS / 2))
    // Bounded in time: once the longest TTL has passed, nothing is left.
    await sleep(MAX_TTL_MS + 100)
    // SCAN reaches every key (expiring the logically expired ones, which DBSIZE would still count).
    expect([...(await keysWithTtl(client))]).toEqual([])
    expect(await client.dbsize()).toBe(0)
  })
})
