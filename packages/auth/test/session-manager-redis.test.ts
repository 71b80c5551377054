import { createRedisStore } from '@mcp-warden/core/redis'
import { Redis } from 'ioredis'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { type RedisProcess, redisAvailable, startRedis } from '../../../test-support/redis.js'
import { createSessionManager, type SessionManager } from '../src/session-manager.js'
import { buildServer, connect, type Instance, listen, principalFor, raw, recordEvents } from './session-fixture.js'

describe.skipIf(!redisAvailable)('createSessionManager (two instances, one Redis)', () => {
  let redis: RedisProcess
  const clients: Redis[] = []
  const cleanup: (() => Promise<void> | void)[] = []
  let n = 0

  beforeAll(async () => {
    redis = await startRedis()
  })
  afterEach(async () => {
    for (const fn of cleanup.splice(0).reverse()) await fn()
    redis.resume()
    await redis.start()
  })
  afterAll(async () => {
    for (const c of clients) c.disconnect()
    await redis.stop()
  })

  /** Two instances, each with its own ioredis client, sharing one Redis and one key prefix. */
  async function twoInstances(): Promise<{ one: Instance; two: Instance; managers: SessionManager[] }> {
    const prefix = `sessions${++n}:`
    const instances: Instance[] = []
    const managers: SessionManager[] = []
    for (let i = 0; i < 2; i++) {
      const client = new Redis(redis.url, { maxRetriesPerRequest: 1, retryStrategy: () => 50 })
      client.on('error', () => {})
      clients.push(client)
      const manager = createSessionManager({
        createServer: buildServer,
        store: createRedisStore({ client, prefix, commandTimeoutMs: 300 }),
      })
      const instance = await listen(manager)
      cleanup.push(
        () => manager.close(),
        () => instance.close(),
      )
      instances.push(instance)
      managers.push(manager)
    }
    const [one, two] = instances as [Instance, Instance]
    return { one, two, managers }
  }

  it('honours on instance 2 a session opened on instance 1, with the client’s initialize restored', async () => {
    const { one, two, managers } = await twoInstances()
    const route = { target: one.url }
    const alice = await connect(one.url, 'alice', route)
    cleanup.push(() => alice.close())
    const onOne = await alice.whoami()
    route.target = two.url
    const onTwo = await alice.whoami()
    expect(onTwo).toEqual(onOne)
    expect(onTwo).toMatchObject({
      principal: principalFor('alice').id,
      session: alice.sessionId,
      clientInfo: { name: 'client-alice', version: '2.0.0' },
      capabilities: { elicitation: { form: {} } },
    })
    expect(managers[1]?.localSessions).toBe(1)
    // Back and forth: both instances keep serving it.
    route.target = one.url
    expect((await alice.whoami()).session).toBe(alice.sessionId)
  })

  it('refuses the session on instance 2 for another principal and keeps it for its owner', async () => {
    const { one, two, managers } = await twoInstances()
    const alice = await connect(one.url, 'alice')
    cleanup.push(() => alice.close())
    const recorder = recordEvents()
    cleanup.push(() => recorder.stop())
    const stolen = await raw(two.url, { user: 'bob', sessionId: alice.sessionId ?? '' })
    expect(stolen.status).toBe(404)
    expect(recorder.events.some((event) => event.type === 'session.hijack_attempt')).toBe(true)
    expect(managers[1]?.localSessions).toBe(0)
    expect((await alice.whoami()).principal).toBe(principalFor('alice').id)
  })

  it('adopts a session once under a concurrent burst on instance 2', async () => {
    const { one, two, managers } = await twoInstances()
    const route = { target: one.url }
    const alice = await connect(one.url, 'alice', route)
    cleanup.push(() => alice.close())
    route.target = two.url
    const results = await Promise.all(Array.from({ length: 20 }, () => alice.whoami()))
    expect(results.every((seen) => seen.session === alice.sessionId)).toBe(true)
    expect(managers[1]?.localSessions).toBe(1)
  })

  it('revokes on every instance when one instance revokes the principal', async () => {
    const { one, two, managers } = await twoInstances()
    const route = { target: one.url }
    const alice = await connect(one.url, 'alice', route)
    cleanup.push(() => alice.close())
    route.target = two.url
    await alice.whoami()
    await new Promise((resolve) => setTimeout(resolve, 2))
    await managers[0]?.revokePrincipal(principalFor('alice').id)
    expect((await raw(two.url, { user: 'alice', sessionId: alice.sessionId ?? '' })).status).toBe(404)
    expect((await raw(one.url, { user: 'alice', sessionId: alice.sessionId ?? '' })).status).toBe(404)
    // Both instances dropped their transport for it.
    expect(managers.map((manager) => manager.localSessions)).toEqual([0, 0])
  })

  it('drops a stale local transport when another instance revoked the session', async () => {
    const { one, two, managers } = await twoInstances()
    const route = { target: one.url }
    const alice = await connect(one.url, 'alice', route)
    cleanup.push(() => alice.close())
    route.target = two.url
    await alice.whoami()
    expect(managers.map((manager) => manager.localSessions)).toEqual([1, 1])
    expect(await managers[1]?.revoke(alice.sessionId ?? '')).toBe(true)
    expect((await raw(one.url, { user: 'alice', sessionId: alice.sessionId ?? '' })).status).toBe(404)
    expect(managers.map((manager) => manager.localSessions)).toEqual([0, 0])
  })

  it('denies requests with 503 while Redis is frozen and serves the same session when it thaws', async () => {
    const { one, two } = await twoInstances()
    const alice = await connect(one.url, 'alice')
    cleanup.push(() => alice.close())
    const id = alice.sessionId ?? ''
    redis.pause()
    for (const url of [one.url, two.url]) {
      expect((await raw(url, { user: 'alice', sessionId: id })).status).toBe(503)
      expect((await raw(url, { user: 'bob', sessionId: id })).status).toBe(503)
    }
    redis.resume()
    expect((await alice.whoami()).session).toBe(id)
  })

  it('denies requests while Redis is down, never allows them, and re-initializes when it returns empty', async () => {
    const { one, two } = await twoInstances()
    const alice = await connect(one.url, 'alice')
    cleanup.push(() => alice.close())
    const id = alice.sessionId ?? ''
    await redis.stop()
    for (const url of [one.url, two.url]) {
      const response = await raw(url, { user: 'alice', sessionId: id })
      expect([503, 404]).toContain(response.status)
    }
    // No new session either: opening one needs the store.
    const init = await raw(one.url, {
      user: 'alice',
      body: {
        jsonrpc: '2.0',
        id: 0,
        method: 'initialize',
        params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'x', version: '1' } },
      },
    })
    expect(init.status).toBe(503)
    await redis.start()
    // The restarted Redis is empty: the session is gone (404) and a new initialize works.
    let status = 0
    for (let attempt = 0; attempt < 50 && status !== 404; attempt++) {
      status = (await raw(two.url, { user: 'alice', sessionId: id })).status
      if (status !== 404) await new Promise((resolve) => setTimeout(resolve, 100))
    }
    expect(status).toBe(404)
    const again = await connect(two.url, 'alice')
    cleanup.push(() => again.close())
    expect((await again.whoami()).principal).toBe(principalFor('alice').id)
  })
})
