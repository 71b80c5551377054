import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import { type GuardContext, type PrimitiveResult, SECURITY_EVENT_CHANNEL } from '@mcp-warden/core'
import { describe, expect, it } from 'vitest'
import { sanitizeInput } from './sanitize-input.js'

const ctx = (args: Record<string, unknown>): GuardContext =>
  ({ kind: 'tool', name: 't', arguments: args, correlationId: 'c', principal: undefined }) as unknown as GuardContext

async function run(middleware: ReturnType<typeof sanitizeInput>, args: Record<string, unknown>): Promise<unknown> {
  let seen: unknown
  await middleware(ctx(args), (async (add: { arguments: unknown }) => {
    seen = add.arguments
    return {} as PrimitiveResult
  }) as never)
  return seen
}

describe('sanitizeInput', () => {
  it('passes the same arguments object on when nothing changes', async () => {
    const args = { a: 'plain', n: 1, list: ['x', { y: true }] }
    expect(await run(sanitizeInput(), args)).toBe(args)
  })

  it('cleans strings in arrays, nested objects and keys', async () => {
    expect(await run(sanitizeInput(), { 'a\u200B': [{ b: 'c\u001b[31m' }] })).toEqual({ a: [{ b: 'c' }] })
  })

  it('leaves keys alone when keys is false', async () => {
    expect(await run(sanitizeInput({ keys: false }), { 'a\u200B': 'x' })).toEqual({ 'a\u200B': 'x' })
  })

  it('refuses when two keys collide once cleaned', async () => {
    await expect(run(sanitizeInput(), { a: 1, 'a\u200B': 2 })).rejects.toMatchObject({
      code: 'ERR_CONTENT_REFUSED_INPUT',
    })
  })

  it('strips every hostile character and counts findings past maxFindings in the last event', async () => {
    const events: Array<{ detail?: Record<string, unknown> }> = []
    const listener = (event: unknown): void => void events.push(event as { detail?: Record<string, unknown> })
    subscribe(SECURITY_EVENT_CHANNEL, listener)
    try {
      const seen = await run(sanitizeInput({ maxFindings: 10, maxEvents: 4 }), { q: 'a\u200B'.repeat(100) })
      expect(seen).toEqual({ q: 'a'.repeat(100) })
    } finally {
      unsubscribe(SECURITY_EVENT_CHANNEL, listener)
    }
    expect(events).toHaveLength(4)
    // 100 findings: 4 published, 6 kept but unpublished, 90 left out by the engine.
    expect(events[3]?.detail?.moreFindings).toBe(96)
    expect(() => sanitizeInput({ maxFindings: 0 })).toThrow(/maxFindings/)
  })

  it('refuses more strings than maxStrings', async () => {
    await expect(run(sanitizeInput({ maxStrings: 3 }), { l: ['a', 'b', 'c', 'd'] })).rejects.toMatchObject({
      code: 'ERR_CONTENT_TOO_COMPLEX',
    })
  })

  it('refuses with the category and path of an asynchronous detector finding', async () => {
    const model = async (text: string) =>
      text.includes('evil')
        ? [
            {
              category: 'prompt-injection' as const,
              detector: 'model',
              start: 0,
              end: 4,
              score: 0.97,
              message: 'Classifier',
            },
          ]
        : []
    const middleware = sanitizeInput({ asyncDetectors: [model], modes: { 'prompt-injection': 'refuse' } })
    await expect(run(middleware, { q: 'fine' })).resolves.toEqual({ q: 'fine' })
    await expect(run(middleware, { q: { deep: 'evil plan' } })).rejects.toMatchObject({
      code: 'ERR_CONTENT_REFUSED_INPUT',
      details: { category: 'prompt-injection', detector: 'model', path: '/q/deep' },
    })
  })

  it('rejects, rather than throws, when the arguments are too complex or a detector rejects', async () => {
    let deep: unknown = 'x'
    for (let i = 0; i < 100; i++) deep = { d: deep }
    let called = false
    const next = (async () => {
      called = true
      return {} as PrimitiveResult
    }) as never
    const pending = sanitizeInput()(ctx({ deep }), next)
    expect(pending).toBeInstanceOf(Promise)
    await expect(pending).rejects.toMatchObject({ code: 'ERR_CONTENT_TOO_COMPLEX' })
    const broken = sanitizeInput({
      asyncDetectors: [
        async () => {
          throw new Error('classifier down')
        },
      ],
    })
    await expect(broken(ctx({ q: 'x' }), next)).rejects.toThrow('classifier down')
    expect(called).toBe(false)
  })

  it('handles huge and unicode arguments', async () => {
    const big = 'ok '.repeat(100_000)
    expect(await run(sanitizeInput(), { big, u: 'Καλημέρα 👋🏽 مرحبا' })).toEqual({ big, u: 'Καλημέρα 👋🏽 مرحبا' })
  })

  it('throws TypeError at creation on bad options', () => {
    expect(() => sanitizeInput({ bogus: 1 } as never)).toThrow(/unknown option "bogus"/)
    expect(() => sanitizeInput({ modes: { secret: 'delete' } } as never)).toThrow(TypeError)
    expect(() => sanitizeInput({ modes: { colour: 'strip' } } as never)).toThrow(/unknown category/)
    expect(() => sanitizeInput({ maxDepth: 0 })).toThrow(TypeError)
    expect(() => sanitizeInput({ keys: 'yes' } as never)).toThrow(TypeError)
    expect(() => sanitizeInput({ asyncDetectors: ['x'] } as never)).toThrow(TypeError)
    expect(() => sanitizeInput(null as never)).toThrow(TypeError)
  })

  it('describes itself with its modes', () => {
    expect(sanitizeInput().describe).toMatchObject({ name: 'sanitizeInput', modes: { invisible: 'strip' } })
    expect(sanitizeInput().name).toBe('sanitizeInputMiddleware')
  })
})
