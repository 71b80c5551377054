/**
 * Every key the session manager writes to Redis expires: many sessions opened, used, ended and
 * revoked over real HTTP on 127.0.0.1 leave only keys with a TTL (`PTTL` never -1), and nothing at
 * all once the absolute lifetime has passed.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { createRedisStore } from '@mcp-warden/core/redis'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { keysWithTtl, type RedisProcess, redisAvailable, startRedis } from '../../../test-support/redis.js'
import { createSessionManager } from '../src/session-manager.js'
import { buildServer, connect, listen, principalFor } from './session-fixture.js'

describe.skipIf(!redisAvailable)('createSessionManager (Redis keys expire)', () => {
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

  it('writes only keys that expire, through opening, use, rotation, revocation and logout', async () => {
    const LIFETIME_MS = 4000
    const manager = createSessionManager({
      createServer: buildServer,
      store: createRedisStore({ client, prefix: 'ttl:' }),
      idleTimeoutMs: 3000,
      absoluteLifetimeMs: LIFETIME_MS,
      rotateAfterMs: 3500,
    })
    const instance = await listen(manager)
    try {
      const sessions = []
      for (let round = 0; round < 3; round++) {
        const opened = await Promise.all(Array.from({ length: 8 }, (_, i) => connect(instance.url, `u${round}-${i}`)))
        for (const session of opened) await session.whoami()
        sessions.push(...opened)
        await manager.revoke(opened[0]?.sessionId ?? '')
        await manager.revokePrincipal(principalFor(`u${round}-1`).id)
        await opened[2]?.close()
        const keys = await keysWithTtl(client)
        expect(keys.size).toBeGreaterThan(0)
        for (const [key, ttl] of keys) {
          expect(ttl, `${key} has no expiry`).not.toBe(-1)
          if (ttl !== -2) expect(ttl, key).toBeLessThanOrEqual(LIFETIME_MS)
        }
      }
      for (const session of sessions) await session.close()
      await sleep(LIFETIME_MS + 100)
      expect([...(await keysWithTtl(client))]).toEqual([])
      expect(await client.dbsize()).toBe(0)
    } finally {
      await manager.close()
      await instance.close()
    }
  })
})
