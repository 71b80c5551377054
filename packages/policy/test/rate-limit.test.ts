/**
 * rateLimit and limitPayload on a real McpServer with a real Client (SDK 1.x and 2.x), and a
 * shared limit across two server instances on a real Redis.
 */
import { denialCodeOf, type Middleware, type Store } from '@mcp-warden/core'
import { createRedisStore } from '@mcp-warden/core/redis'
import { secure as secureV1 } from '@mcp-warden/core/sdk-v1'
import { secure as secureV2 } from '@mcp-warden/core/sdk-v2'
import { Client as ClientV2, InMemoryTransport as MemoryV2 } from '@modelcontextprotocol/client'
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js'
import { InMemoryTransport as MemoryV1 } from '@modelcontextprotocol/sdk/inMemory.js'
import { McpServer as ServerV1 } from '@modelcontextprotocol/sdk/server/mcp.js'
import { McpServer as ServerV2 } from '@modelcontextprotocol/server'
import { Redis } from 'ioredis'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { type RedisProcess, redisAvailable, startRedis } from '../../../test-support/redis.js'
import { defaultRateLimitKey, limitPayload, rateLimit } from '../src/index.js'

interface Connected {
  call(name: string, args?: Record<string, unknown>): Promise<Record<string, unknown>>
  readonly ran: string[]
  close(): Promise<void>
}

/** A secured server with global guards `use` and tools `echo` and `other`, connected to a client. */
const SDKS = [
  {
    name: 'sdk-v1',
    async connect(use: unknown[], perTool: Middleware[] = []): Promise<Connected> {
      const ran: string[] = []
      const server = secureV1(new ServerV1({ name: 'limits', version: '1.0.0' }), { use })
      for (const name of ['echo', 'other']) {
        server.registerTool(
          name,
          { inputSchema: { text: z.string().optional() } },
          server.guard(...perTool).wrap(async ({ text }: { text?: string | undefined }) => {
            ran.push(name)
            return { content: [{ type: 'text' as const, text: text ?? '' }] }
          }),
        )
      }
      const client = new ClientV1({ name: 'c', version: '1.0.0' })
      const [a, b] = MemoryV1.createLinkedPair()
      await server.connect(a)
      await client.connect(b)
      return {
        call: (name, args = {}) => client.callTool({ name, arguments: args }) as Promise<Record<string, unknown>>,
        ran,
        close: async () => {
          await client.close()
          await server.close()
        },
      }
    },
  },
  {
    name: 'sdk-v2',
    async connect(use: unknown[], perTool: Middleware[] = []): Promise<Connected> {
      const ran: string[] = []
      const server = secureV2(new ServerV2({ name: 'limits', version: '1.0.0' }), { use })
      for (const name of ['echo', 'other']) {
        server.registerTool(
          name,
          { inputSchema: z.object({ text: z.string().optional() }) },
          server.guard(...perTool).wrap(async ({ text }: { text?: string | undefined }) => {
            ran.push(name)
            return { content: [{ type: 'text' as const, text: text ?? '' }] }
          }),
        )
      }
      const client = new ClientV2({ name: 'c', version: '1.0.0' })
      const [a, b] = MemoryV2.createLinkedPair()
      await server.connect(a)
      await client.connect(b)
      return {
        call: (name, args = {}) => client.callTool({ name, arguments: args }) as Promise<Record<string, unknown>>,
        ran,
        close: async () => {
          await client.close()
          await server.close()
        },
      }
    },
  },
] as const

describe.each(SDKS)('rateLimit ($name)', (sdk) => {
  const open: Connected[] = []
  afterEach(async () => {
    for (const c of open.splice(0)) await c.close()
  })
  const connect = async (use: unknown[], perTool: Middleware[] = []) => {
    const c = await sdk.connect(use, perTool)
    open.push(c)
    return c
  }

  it('answers over the limit with a tool error carrying ERR_RATE_LIMITED and retryAfterMs', async () => {
    const c = await connect([rateLimit({ name: `${sdk.name}-2`, limit: 2, windowMs: 60_000 })])
    expect((await c.call('echo')).isError).not.toBe(true)
    expect((await c.call('other')).isError).not.toBe(true)
    const refused = await c.call('echo')
    expect(refused.isError).toBe(true)
    expect(denialCodeOf(refused)).toBe('ERR_RATE_LIMITED')
    const details = (refused._meta as Record<string, Record<string, unknown>>)['mcp-warden/error']
    expect(details).toMatchObject({ limit: 2, windowMs: 60_000 })
    expect(details?.retryAfterMs).toBeGreaterThan(0)
    expect(c.ran).toEqual(['echo', 'other'])
  })

  it('limits each tool separately when the key is per tool and caller', async () => {
    const perTool = rateLimit({
      name: `${sdk.name}-per-tool`,
      limit: 1,
      windowMs: 60_000,
      key: (ctx) => `${ctx.name}|${defaultRateLimitKey(ctx)}`,
    })
    const c = await connect([perTool])
    await c.call('echo')
    expect((await c.call('other')).isError).not.toBe(true)
    expect(denialCodeOf(await c.call('echo'))).toBe('ERR_RATE_LIMITED')
  })

  it('admits exactly the limit out of a concurrent burst', async () => {
    const c = await connect([rateLimit({ name: `${sdk.name}-7`, limit: 7, windowMs: 60_000 })])
    const results = await Promise.all(Array.from({ length: 30 }, () => c.call('echo')))
    expect(results.filter((r) => r.isError !== true)).toHaveLength(7)
    expect(c.ran).toHaveLength(7)
  })

  it('caps arguments before the handler and output after it', async () => {
    const c = await connect([limitPayload({ maxArgumentBytes: 64, maxOutputBytes: 200 })])
    expect((await c.call('echo', { text: 'short' })).isError).not.toBe(true)
    expect(denialCodeOf(await c.call('echo', { text: 'x'.repeat(100) }))).toBe('ERR_PAYLOAD_TOO_LARGE')
    expect(c.ran).toEqual(['echo'])
    const c2 = await connect([limitPayload({ maxOutputBytes: 200 })])
    const big = await c2.call('echo', { text: 'y'.repeat(500) })
    expect(denialCodeOf(big)).toBe('ERR_OUTPUT_TOO_LARGE')
    expect(JSON.stringify(big)).not.toContain('yyyy')
    expect(c2.ran).toEqual(['echo'])
  })
})

describe.skipIf(!redisAvailable)('rateLimit (Redis, two instances)', () => {
  let redis: RedisProcess
  const clients: Redis[] = []
  const open: Connected[] = []
  let n = 0
  const redisStore = (): Store => {
    const client = new Redis(redis.url, { maxRetriesPerRequest: 1, retryStrategy: () => 50 })
    client.on('error', () => {})
    clients.push(client)
    return createRedisStore({ client, prefix: `policy-test-${n}:`, commandTimeoutMs: 500 })
  }

  beforeAll(async () => {
    redis = await startRedis()
  })
  afterEach(async () => {
    for (const c of open.splice(0)) await c.close()
    await redis.start()
    n++
  })
  afterAll(async () => {
    for (const c of clients) c.disconnect()
    await redis.stop()
  })

  it('enforces one shared limit exactly across two server instances under a concurrent burst', async () => {
    const [v1, v2] = SDKS
    const one = await v1.connect([rateLimit({ limit: 40, windowMs: 60_000, store: redisStore() })])
    const two = await v2.connect([rateLimit({ limit: 40, windowMs: 60_000, store: redisStore() })])
    open.push(one, two)
    // Instance two spends 30 of the 40 calls; a burst on both instances then gets exactly the 10 left.
    for (let i = 0; i < 30; i++) expect((await two.call('echo')).isError).not.toBe(true)
    const results = await Promise.all(Array.from({ length: 120 }, (_, i) => (i % 2 === 0 ? one : two).call('echo')))
    expect(results.filter((r) => r.isError !== true)).toHaveLength(10)
    expect(results.filter((r) => denialCodeOf(r) === 'ERR_RATE_LIMITED')).toHaveLength(110)
    expect(one.ran.length + two.ran.length).toBe(40)
    expect(one.ran.length).toBeLessThanOrEqual(10)
  })

  it('refuses with ERR_STORE_UNAVAILABLE, without running the tool, when Redis is down', async () => {
    const [v1] = SDKS
    const c = await v1.connect([rateLimit({ limit: 10, windowMs: 60_000, store: redisStore() })])
    open.push(c)
    expect((await c.call('echo')).isError).not.toBe(true)
    await redis.stop()
    const refused = await c.call('echo')
    expect(denialCodeOf(refused)).toBe('ERR_STORE_UNAVAILABLE')
    expect(JSON.stringify(refused)).not.toMatch(/ECONNREFUSED|127\.0\.0\.1/)
    expect(c.ran).toEqual(['echo'])
  })
})
