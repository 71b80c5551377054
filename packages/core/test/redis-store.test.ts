import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import { setTimeout as sleep } from 'node:timers/promises'
import { Redis } from 'ioredis'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { type RedisProcess, redisAvailable, startRedis } from '../../../test-support/redis.js'
import { SECURITY_EVENT_CHANNEL } from '../src/events.js'
import { createMemoryStore } from '../src/memory-store.js'
import { createRedisStore } from '../src/redis/index.js'

describe.skipIf(!redisAvailable)('createRedisStore', () => {
  let redis: RedisProcess
  const clients: Redis[] = []
  const client = () => {
    const c = new Redis(redis.url, { maxRetriesPerRequest: 1, retryStrategy: () => 50 })
    // ioredis reports connection loss as 'error' events; the store reports it per operation.
    c.on('error', () => {})
    clients.push(c)
    return c
  }
  let n = 0
  const prefix = () => `test${++n}:`

  beforeAll(async () => {
    redis = await startRedis()
  })
  afterEach(async () => {
    redis.resume()
    await redis.start()
  })
  afterAll(async () => {
    for (const c of clients) c.disconnect()
    await redis.stop()
  })

  it('round-trips JSON values as deep-frozen copies under the prefix', async () => {
    const c = client()
    const p = prefix()
    const store = createRedisStore({ client: c, prefix: p })
    await store.set('k', { b: [1, 2], a: 'ü🔑' })
    const value = (await store.get('k')) as { b: number[] }
    expect(value).toEqual({ a: 'ü🔑', b: [1, 2] })
    expect(Object.isFrozen(value.b)).toBe(true)
    expect(await c.get(`${p}k`)).toBe('{"a":"ü🔑","b":[1,2]}')
    expect(await store.delete('k')).toBe(true)
    expect(await store.delete('k')).toBe(false)
    expect(await store.get('k')).toBeUndefined()
  })

  it('expires values after their ttl', async () => {
    const store = createRedisStore({ client: client(), prefix: prefix() })
    await store.set('k', 1, { ttlMs: 80 })
    expect(await store.get('k')).toBe(1)
    await sleep(150)
    expect(await store.get('k')).toBeUndefined()
  })

  it('increments atomically across two instances and sets the expiry only on creation', async () => {
    const p = prefix()
    const one = createRedisStore({ client: client(), prefix: p })
    const two = createRedisStore({ client: client(), prefix: p })
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) => (i % 2 === 0 ? one : two).increment('hits', { ttlMs: 60_000 })),
    )
    expect([...results].sort((a, b) => a - b)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1))
    const raw = client()
    const ttl = await raw.pttl(`${p}hits`)
    expect(ttl).toBeGreaterThan(0)
    expect(ttl).toBeLessThanOrEqual(60_000)
    await one.increment('hits', { ttlMs: 999_999 })
    expect(await raw.pttl(`${p}hits`)).toBeLessThanOrEqual(60_000)
  })

  it('lets exactly one of many concurrent compare-and-sets from two instances win', async () => {
    const p = prefix()
    const one = createRedisStore({ client: client(), prefix: p })
    const two = createRedisStore({ client: client(), prefix: p })
    await one.set('nonce', { state: 'fresh' })
    const wins = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        (i % 2 === 0 ? one : two).compareAndSet('nonce', { state: 'fresh' }, { state: `used-${i}` }),
      ),
    )
    expect(wins.filter(Boolean)).toHaveLength(1)
    expect(await one.compareAndSet('absent', undefined, 'created', { ttlMs: 10_000 })).toBe(true)
    expect(await one.compareAndSet('absent', undefined, 'again')).toBe(false)
    expect(await two.compareAndSet('absent', 'created', undefined)).toBe(true)
    expect(await two.get('absent')).toBeUndefined()
  })

  it('reports values that are not what the store wrote', async () => {
    const c = client()
    const p = prefix()
    const store = createRedisStore({ client: c, prefix: p })
    await c.set(`${p}text`, 'not json{')
    await expect(store.get('text')).rejects.toMatchObject({ code: 'ERR_STORE_INVALID_VALUE' })
    await store.set('word', 'abc')
    await expect(store.increment('word')).rejects.toMatchObject({ code: 'ERR_STORE_INVALID_VALUE' })
  })

  it('denies with ERR_STORE_UNAVAILABLE while Redis is down, publishes an event, and recovers', async () => {
    const events: unknown[] = []
    const listener = (event: unknown) => events.push(event)
    subscribe(SECURITY_EVENT_CHANNEL, listener)
    try {
      const store = createRedisStore({ client: client(), prefix: prefix(), commandTimeoutMs: 300 })
      await store.set('k', 'v')
      await redis.stop()
      await sleep(50)
      for (const operation of [
        store.get('k'),
        store.set('k', 'w'),
        store.increment('n'),
        store.compareAndSet('k', 'v', 'w'),
        store.delete('k'),
      ]) {
        await expect(operation).rejects.toMatchObject({ code: 'ERR_STORE_UNAVAILABLE', status: 503 })
      }
      expect(events).toContainEqual(
        expect.objectContaining({ type: 'store.unavailable', code: 'ERR_STORE_UNAVAILABLE' }),
      )
      await redis.start()
      const deadline = Date.now() + 5_000
      let value: unknown
      while (Date.now() < deadline) {
        try {
          await store.set('k', 'back')
          value = await store.get('k')
          break
        } catch {
          await sleep(50)
        }
      }
      expect(value).toBe('back')
    } finally {
      unsubscribe(SECURITY_EVENT_CHANNEL, listener)
    }
  })

  it('gives up after commandTimeoutMs when Redis stops answering', async () => {
    const store = createRedisStore({ client: client(), prefix: prefix(), commandTimeoutMs: 200 })
    await store.set('k', 'v')
    redis.pause()
    const started = Date.now()
    await expect(store.get('k')).rejects.toMatchObject({ code: 'ERR_STORE_UNAVAILABLE' })
    expect(Date.now() - started).toBeLessThan(2_000)
    redis.resume()
  })

  it('serves from the fallback store when one is configured and Redis is down', async () => {
    const fallback = createMemoryStore({ max: 100 })
    const store = createRedisStore({
      client: client(),
      prefix: prefix(),
      commandTimeoutMs: 300,
      whenUnavailable: fallback,
    })
    await redis.stop()
    await sleep(50)
    await store.set('k', 'local')
    expect(await store.get('k')).toBe('local')
    expect(await store.increment('n')).toBe(1)
  })

  it('throws TypeError on bad options and bad arguments', async () => {
    expect(() => createRedisStore(undefined as never)).toThrow(TypeError)
    expect(() => createRedisStore({} as never)).toThrow(/ioredis client/)
    expect(() => createRedisStore({ client: client(), port: 1 } as never)).toThrow(/unknown option "port"/)
    expect(() => createRedisStore({ client: client(), commandTimeoutMs: 0 })).toThrow(TypeError)
    expect(() => createRedisStore({ client: client(), whenUnavailable: 'allow' as never })).toThrow(TypeError)
    const store = createRedisStore({ client: client(), prefix: prefix() })
    await expect(store.get('')).rejects.toThrow(TypeError)
    await expect(store.set('k', 1, { ttlMs: -5 })).rejects.toThrow(TypeError)
    await expect(store.increment('k', { by: 1.5 })).rejects.toThrow(TypeError)
    const cyclic: Record<string, unknown> = {}
    cyclic.self = cyclic
    await expect(store.set('k', cyclic as never)).rejects.toMatchObject({ code: 'ERR_STORE_INVALID_VALUE' })
  })
})
