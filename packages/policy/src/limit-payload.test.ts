import { WardenError } from '@mcp-warden/core'
import { describe, expect, it, vi } from 'vitest'
import { context, next, OK } from '../test/context.js'
import { limitPayload } from './limit-payload.js'

async function denial(promise: Promise<unknown>): Promise<WardenError> {
  try {
    await promise
  } catch (err) {
    if (WardenError.isInstance(err)) return err
    throw err
  }
  throw new Error('expected a denial')
}

const nested = (depth: number): Record<string, unknown> => {
  let value: Record<string, unknown> = { leaf: true }
  for (let i = 1; i < depth; i++) value = { child: value }
  return value
}

describe('limitPayload', () => {
  it('passes arguments and output within every cap', async () => {
    const guard = limitPayload({ maxArgumentBytes: 100, maxDepth: 3, maxArrayLength: 3, maxOutputBytes: 1000 })
    expect(await guard(context({ arguments: { a: [1, 2, 3], b: { c: 'ü' } } }), next)).toBe(OK)
  })

  it('counts exactly the UTF-8 bytes of the JSON text when the arguments hold unicode', async () => {
    const args = { name: 'zoë 🔑', list: [1, true, null, 'x'], nested: { deep: -1.5 } }
    const bytes = Buffer.byteLength(JSON.stringify(args))
    const handler = vi.fn(next)
    expect(await limitPayload({ maxArgumentBytes: bytes })(context({ arguments: args }), handler)).toBe(OK)
    const err = await denial(limitPayload({ maxArgumentBytes: bytes - 1 })(context({ arguments: args }), handler))
    expect(err.code).toBe('ERR_PAYLOAD_TOO_LARGE')
    expect(err.status).toBe(413)
    expect(err.details).toEqual({ limit: bytes - 1 })
    expect(handler).toHaveBeenCalledTimes(1)
  })

  it('refuses a huge string quickly with ERR_PAYLOAD_TOO_LARGE before running the handler', async () => {
    const handler = vi.fn(next)
    const err = await denial(
      limitPayload({ maxArgumentBytes: 1024 })(context({ arguments: { blob: 'x'.repeat(20_000_000) } }), handler),
    )
    expect(err.code).toBe('ERR_PAYLOAD_TOO_LARGE')
    expect(handler).not.toHaveBeenCalled()
  })

  it('refuses with ERR_PAYLOAD_TOO_DEEP when nesting exceeds maxDepth, counting the arguments object as depth 1', async () => {
    const guard = limitPayload({ maxDepth: 4 })
    expect(await guard(context({ arguments: nested(4) }), next)).toBe(OK)
    const err = await denial(guard(context({ arguments: nested(5) }), next))
    expect(err.code).toBe('ERR_PAYLOAD_TOO_DEEP')
    expect(err.details).toEqual({ limit: 4 })
    expect((await denial(guard(context({ arguments: { a: [[[[1]]]] } }), next))).code).toBe('ERR_PAYLOAD_TOO_DEEP')
  })

  it('refuses deeply nested and cyclic arguments without overflowing the stack', async () => {
    const guard = limitPayload()
    expect((await denial(guard(context({ arguments: nested(100_000) }), next))).code).toBe('ERR_PAYLOAD_TOO_DEEP')
    const cyclic: Record<string, unknown> = {}
    cyclic.self = cyclic
    expect((await denial(guard(context({ arguments: cyclic }), next))).code).toBe('ERR_PAYLOAD_TOO_DEEP')
  })

  it('refuses with ERR_PAYLOAD_TOO_MANY_ITEMS when an array or object has more than maxArrayLength items', async () => {
    const guard = limitPayload({ maxArrayLength: 3 })
    expect(await guard(context({ arguments: { a: [1, 2, 3] } }), next)).toBe(OK)
    expect((await denial(guard(context({ arguments: { a: [1, 2, 3, 4] } }), next))).code).toBe(
      'ERR_PAYLOAD_TOO_MANY_ITEMS',
    )
    expect((await denial(guard(context({ arguments: { a: 1, b: 2, c: 3, d: 4 } }), next))).code).toBe(
      'ERR_PAYLOAD_TOO_MANY_ITEMS',
    )
    expect((await denial(guard(context({ arguments: { a: new Array(1_000_000).fill(0) } }), next))).code).toBe(
      'ERR_PAYLOAD_TOO_MANY_ITEMS',
    )
  })

  it('passes empty arguments and ignores undefined properties as JSON does', async () => {
    const guard = limitPayload({ maxArgumentBytes: 2, maxArrayLength: 1 })
    expect(await guard(context({ arguments: {} }), next)).toBe(OK)
    expect(await guard(context({ arguments: { a: undefined, b: undefined } }), next)).toBe(OK)
  })

  it('withholds the result with ERR_OUTPUT_TOO_LARGE when it exceeds maxOutputBytes', async () => {
    const big = async () => ({ content: [{ type: 'text', text: 'y'.repeat(5000) }] })
    const handler = vi.fn(big)
    const err = await denial(limitPayload({ maxOutputBytes: 4096 })(context(), handler))
    expect(handler).toHaveBeenCalledTimes(1)
    expect(err.code).toBe('ERR_OUTPUT_TOO_LARGE')
    expect(err.details).toEqual({ limit: 4096 })
    expect(err.publicMessage).not.toContain('yyyy')
    const small = await limitPayload({ maxOutputBytes: 4096 })(context(), async () => ({
      content: [{ type: 'text', text: 'small' }],
    }))
    expect(small.content).toEqual([{ type: 'text', text: 'small' }])
  })

  it('counts structured content, resource contents and prompt messages towards the output', async () => {
    const guard = limitPayload({ maxOutputBytes: 100 })
    const payloads = [
      { structuredContent: { rows: 'r'.repeat(200) } },
      { contents: [{ uri: 'file:///x', text: 't'.repeat(200) }] },
      { messages: [{ role: 'user', content: { type: 'text', text: 'm'.repeat(200) } }] },
    ]
    for (const payload of payloads) {
      expect((await denial(guard(context(), async () => payload))).code).toBe('ERR_OUTPUT_TOO_LARGE')
    }
  })

  it('switches a cap off when it is Infinity', async () => {
    const guard = limitPayload({ maxArgumentBytes: Number.POSITIVE_INFINITY, maxOutputBytes: Number.POSITIVE_INFINITY })
    expect(await guard(context({ arguments: { a: 'x'.repeat(2_000_000) } }), next)).toBe(OK)
    expect(guard.describe).toEqual({
      name: 'limitPayload',
      maxArgumentBytes: null,
      maxDepth: 32,
      maxArrayLength: 10_000,
      maxOutputBytes: null,
    })
  })

  it('decides each of many concurrent calls on its own arguments', async () => {
    const guard = limitPayload({ maxArgumentBytes: 50 })
    const outcomes = await Promise.allSettled(
      Array.from({ length: 100 }, (_, i) => guard(context({ arguments: { v: 'x'.repeat(i) } }), next)),
    )
    // {"v":"…"} is 8 bytes plus the string: strings up to 42 characters fit in 50 bytes.
    expect(outcomes.map((o) => o.status === 'fulfilled')).toEqual(Array.from({ length: 100 }, (_, i) => i <= 42))
  })

  it('throws TypeError at creation on unknown options or caps that are not positive integers', () => {
    expect(() => limitPayload({ maxBytes: 5 } as never)).toThrow(/unknown option "maxBytes"/)
    expect(() => limitPayload({ maxArgumentBytes: 0 })).toThrow(/maxArgumentBytes/)
    expect(() => limitPayload({ maxArgumentBytes: -1 })).toThrow(TypeError)
    expect(() => limitPayload({ maxArgumentBytes: '1kb' } as never)).toThrow(TypeError)
    expect(() => limitPayload({ maxOutputBytes: Number.NaN })).toThrow(/maxOutputBytes/)
    expect(() => limitPayload({ maxArrayLength: 1.5 })).toThrow(/maxArrayLength/)
    expect(() => limitPayload({ maxDepth: Number.POSITIVE_INFINITY })).toThrow(/maxDepth/)
    expect(() => limitPayload({ maxDepth: 1001 })).toThrow(/maxDepth/)
    expect(() => limitPayload(null as never)).toThrow(TypeError)
  })
})
