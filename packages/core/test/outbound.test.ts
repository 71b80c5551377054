import { afterEach, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { DENIED_JSONRPC_CODE, denialCodeOf } from '../src/boundary.js'
import { WardenError } from '../src/errors.js'
import type { GuardContext, Middleware, OutboundMessage, PrimitiveResult } from '../src/types.js'
import { rejection, SDKS, type TestClient } from './harness.js'

type Loose = Record<string, unknown>

/** A pass-through middleware with an `outbound` filter that upper-cases every string and records what it saw. */
function shouting(seen: OutboundMessage[] = []): Middleware {
  const upper = (value: unknown): unknown => {
    if (typeof value === 'string') return value.toUpperCase()
    if (Array.isArray(value)) return value.map(upper)
    if (typeof value === 'object' && value !== null) {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, upper(v)]))
    }
    return value
  }
  return Object.assign(async (_ctx: GuardContext, next: () => Promise<PrimitiveResult>) => next(), {
    outbound: (message: OutboundMessage, ctx: GuardContext) => {
      seen.push(message)
      expect(ctx.name).toBeTypeOf('string')
      return { ...message, method: 'ignored/by-the-pipeline', params: upper(message.params) as Loose }
    },
  })
}

const clients: TestClient[] = []
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()))
})

describe.each(SDKS)('Middleware.outbound ($name)', (sdk) => {
  const connect = async (server: ReturnType<typeof sdk.secured>) => {
    const client = await sdk.connect(server)
    clients.push(client)
    return client
  }

  it('filters what a tool throws, keeping the class, the code and the SDK wording', async () => {
    const seen: OutboundMessage[] = []
    const server = sdk.secured({ use: [shouting(seen)] })
    server.registerTool('t', { inputSchema: {} }, () => {
      throw new RangeError('quiet failure')
    })
    const client = await connect(server)
    const result = await client.callTool({ name: 't', arguments: {} })
    expect(result).toMatchObject({ isError: true, content: [{ type: 'text', text: 'QUIET FAILURE' }] })
    expect(seen).toEqual([{ kind: 'error', method: 'tools/call', params: { message: 'quiet failure' } }])
  })

  it('leaves the original error to every middleware and filters only what leaves the pipeline', async () => {
    let caught: unknown
    const outer = async (_ctx: GuardContext, next: () => Promise<PrimitiveResult>) => {
      try {
        return await next()
      } catch (err) {
        caught = err
        throw err
      }
    }
    const original = new RangeError('quiet')
    const server = sdk.secured({ use: [outer] })
    server.registerTool(
      't',
      { inputSchema: {} },
      server.guard(shouting()).wrap((() => {
        throw original
      }) as never),
    )
    const client = await connect(server)
    await client.callTool({ name: 't', arguments: {} })
    // The copy is made by the pipeline, past every middleware: outer ones see the original.
    expect(caught).toBe(original)
  })

  it('filters the message and data of a protocol error from a resource, a prompt and a completion', async () => {
    const server = sdk.secured({ use: [shouting()] })
    const boom = Object.assign(new Error('no such row'), { code: -32010, data: { hint: 'check id', n: 1 } })
    server.registerResource('r', 'file:///r', {}, () => {
      throw boom
    })
    server.registerPrompt('p', { argsSchema: { q: sdk.completable(z.string(), () => ['alpha', 'beta']) } }, () => {
      throw boom
    })
    const client = await connect(server)
    const read = await rejection(client.readResource({ uri: 'file:///r' }))
    const got = await rejection(client.getPrompt({ name: 'p', arguments: { q: 'x' } }))
    // The SDK 1.x client prefixes the message with `MCP error <code>: `.
    for (const err of [read, got]) {
      expect(err).toMatchObject({ code: -32010, data: { hint: 'CHECK ID', n: 1 } })
      expect(err.message).toMatch(/NO SUCH ROW$/)
    }

    const completion = await client.complete({
      ref: { type: 'ref/prompt', name: 'p' },
      argument: { name: 'q', value: '' },
    })
    expect((completion.completion as { values: string[] }).values).toEqual(['ALPHA', 'BETA'])
  })

  it('answers a WardenError from a filter as a denial, for every kind', async () => {
    const refusing = Object.assign(async (_ctx: GuardContext, next: () => Promise<PrimitiveResult>) => next(), {
      outbound: () => {
        throw new WardenError('ERR_TEST_REFUSED', 'Refused by test filter')
      },
    })
    const server = sdk.secured({ use: [refusing] })
    server.registerTool('t', { inputSchema: {} }, () => {
      throw new Error('x')
    })
    server.registerResource('r', 'file:///r', {}, () => {
      throw new Error('x')
    })
    const client = await connect(server)
    expect(denialCodeOf(await client.callTool({ name: 't', arguments: {} }))).toBe('ERR_TEST_REFUSED')
    const read = await rejection(client.readResource({ uri: 'file:///r' }))
    expect(read.code).toBe(DENIED_JSONRPC_CODE)
    expect(denialCodeOf(read)).toBe('ERR_TEST_REFUSED')
  })

  it('withholds the error with ERR_CORE_OUTBOUND_FAILED when a filter fails or the error cannot be read', async () => {
    const failing = Object.assign(async (_ctx: GuardContext, next: () => Promise<PrimitiveResult>) => next(), {
      outbound: () => {
        throw new TypeError('filter bug: secret text')
      },
    })
    const server = sdk.secured({ use: [failing] })
    server.registerTool('t', { inputSchema: {} }, () => {
      throw new Error('secret text')
    })
    const unreadable = sdk.secured({ use: [shouting()] })
    unreadable.registerTool('t', { inputSchema: {} }, () => {
      throw Object.defineProperty(new Error(), 'message', {
        get() {
          throw new Error('getter')
        },
      })
    })
    for (const target of [server, unreadable]) {
      const client = await connect(target)
      const result = await client.callTool({ name: 't', arguments: {} })
      expect(denialCodeOf(result)).toBe('ERR_CORE_OUTBOUND_FAILED')
      expect(JSON.stringify(result)).not.toContain('secret text')
    }
  })

  it('passes WardenErrors (denials) to the boundary without filtering them', async () => {
    const seen: OutboundMessage[] = []
    const server = sdk.secured({
      use: [
        shouting(seen),
        async () => {
          throw new WardenError('ERR_TEST_DENIED', 'Denied here')
        },
      ],
    })
    server.registerTool('t', { inputSchema: {} }, () => ({ content: [] }))
    const client = await connect(server)
    expect(denialCodeOf(await client.callTool({ name: 't', arguments: {} }))).toBe('ERR_TEST_DENIED')
    expect(seen).toEqual([])
  })
})
