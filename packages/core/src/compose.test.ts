import { describe, expect, it } from 'vitest'
import { type AnyMiddleware, compose } from './compose.js'
import { WardenError } from './errors.js'
import type { GuardContext, PrimitiveResult } from './types.js'

const ctx = { kind: 'tool', name: 't', arguments: {} } as unknown as GuardContext
const ok: PrimitiveResult = { content: [] }

describe('compose', () => {
  it('returns the terminal itself when the chain is empty', () => {
    const terminal = async () => ok
    expect(compose([], terminal)).toBe(terminal)
  })

  it('runs middlewares in order around the terminal', async () => {
    const order: string[] = []
    const mw =
      (name: string): AnyMiddleware =>
      async (_c, next) => {
        order.push(`${name}>`)
        const result = await next()
        order.push(`<${name}`)
        return result
      }
    const run = compose([mw('a'), mw('b')], async () => {
      order.push('terminal')
      return ok
    })
    expect(await run(ctx)).toBe(ok)
    expect(order).toEqual(['a>', 'b>', 'terminal', '<b', '<a'])
  })

  it('hands the data beside the context to the terminal only', async () => {
    const seen: unknown[] = []
    const data = { call: 1 }
    const run = compose<{ call: number }>(
      [
        async (c, next) => {
          seen.push(Object.getOwnPropertySymbols(c).length, Object.keys(c))
          return next({ tenant: 'acme' })
        },
      ],
      async (c, d) => {
        seen.push(d, (c as GuardContext & { tenant?: string }).tenant)
        return ok
      },
    )
    await run(ctx, data)
    expect(seen).toEqual([0, ['kind', 'name', 'arguments'], data, 'acme'])
    // Two calls of one chain keep their own data.
    const both = await Promise.all([run(ctx, { call: 2 }), run(ctx, { call: 3 })])
    expect(both).toEqual([ok, ok])
    expect(seen.slice(4).filter((v) => typeof v === 'object' && !Array.isArray(v))).toEqual([{ call: 2 }, { call: 3 }])
  })

  it('merges additions into a new context without touching the previous one', async () => {
    let inner: GuardContext | undefined
    const run = compose([async (_c, next) => next({ tenant: 'acme' })], async (c) => {
      inner = c
      return ok
    })
    await run(ctx)
    expect(inner).toMatchObject({ name: 't', tenant: 'acme' })
    expect(ctx).not.toHaveProperty('tenant')
  })

  it('rejects a second next() with ERR_CORE_NEXT_CALLED_TWICE', async () => {
    const run = compose(
      [
        async function twice(_c, next) {
          await next()
          return next()
        },
      ],
      async () => ok,
    )
    await expect(run(ctx)).rejects.toMatchObject({ code: 'ERR_CORE_NEXT_CALLED_TWICE' })
  })

  it('turns a synchronous throw into a rejection', async () => {
    const run = compose(
      [
        (() => {
          throw new WardenError('ERR_X_Y', 'sync')
        }) as unknown as AnyMiddleware,
      ],
      async () => ok,
    )
    await expect(run(ctx)).rejects.toMatchObject({ code: 'ERR_X_Y' })
  })

  it('lets a middleware answer without calling next', async () => {
    let reached = false
    const cached: PrimitiveResult = { content: [{ type: 'text', text: 'cached' }] }
    const run = compose([async () => cached], async () => {
      reached = true
      return ok
    })
    expect(await run(ctx)).toBe(cached)
    expect(reached).toBe(false)
  })

  it('keeps separate state for concurrent runs of one chain', async () => {
    const run = compose([async (c, next) => next({ seen: c.arguments.i })], async (c) => ({
      content: [{ type: 'text', text: String((c as GuardContext & { seen: unknown }).seen) }],
    }))
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) => run({ ...ctx, arguments: { i } } as GuardContext)),
    )
    expect(results.map((r) => r.content?.[0]?.text)).toEqual(Array.from({ length: 100 }, (_, i) => String(i)))
  })
})
