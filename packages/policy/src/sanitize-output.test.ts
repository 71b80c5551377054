import type { GuardContext, PrimitiveResult } from '@mcp-warden/core'
import { describe, expect, it } from 'vitest'
import { sanitizeOutput } from './sanitize-output.js'

const ctx = { kind: 'tool', name: 't', arguments: {}, correlationId: 'c' } as unknown as GuardContext
const run = (middleware: ReturnType<typeof sanitizeOutput>, result: PrimitiveResult) =>
  middleware(ctx, (async () => result) as never)

describe('sanitizeOutput', () => {
  it('returns the same result object when nothing changes', async () => {
    const result = { content: [{ type: 'text', text: 'fine' }], structuredContent: { n: 1, s: 'ok' } }
    expect(await run(sanitizeOutput(), result)).toBe(result)
  })

  it('redacts embedded resource text and structured strings deep inside', async () => {
    const result = {
      content: [{ type: 'resource', resource: { uri: 'x://1', text: 'key AKIAIOSFODNN7SECRETS' } }],
      structuredContent: { a: [{ b: 'mail ann@example.org token ghp_abcdefghijklmnopqrstuvwxyz0123456789' }] },
    }
    const cleaned = await run(sanitizeOutput(), result)
    expect(cleaned.content?.[0]).toEqual({
      type: 'resource',
      resource: { uri: 'x://1', text: 'key [REDACTED:aws-access-key]' },
    })
    expect(cleaned.structuredContent).toEqual({ a: [{ b: 'mail ann@example.org token [REDACTED:github-token]' }] })
    expect(result.content[0]?.resource.text).toBe('key AKIAIOSFODNN7SECRETS')
  })

  it('redacts PII when asked to', async () => {
    const cleaned = await run(sanitizeOutput({ modes: { pii: 'strip' } }), {
      content: [{ type: 'text', text: 'ann@example.org' }],
    })
    expect(cleaned.content?.[0]).toEqual({ type: 'text', text: '[REDACTED:email]' })
  })

  it('refuses cyclic or too deep structured content instead of hanging', async () => {
    const cyclic: Record<string, unknown> = {}
    cyclic.self = cyclic
    await expect(run(sanitizeOutput(), { structuredContent: cyclic })).rejects.toMatchObject({
      code: 'ERR_CONTENT_TOO_COMPLEX',
    })
  })

  it('runs asynchronous detectors on every text of the result, and refuses on their findings', async () => {
    const seen: string[] = []
    const model = async (text: string) => {
      seen.push(text)
      return text.includes('evil')
        ? [{ category: 'prompt-injection' as const, detector: 'model', start: 0, end: 4, score: 0.9, message: 'm' }]
        : []
    }
    const guard = sanitizeOutput({ asyncDetectors: [model], modes: { 'prompt-injection': 'refuse' } })
    const fine = { content: [{ type: 'text', text: 'one' }], structuredContent: { a: 'two' } }
    expect(await run(guard, fine)).toBe(fine)
    expect(seen).toEqual(['one', 'two'])
    await expect(
      run(guard, {
        content: [
          { type: 'text', text: 'fine' },
          { type: 'text', text: 'evil plan' },
        ],
      }),
    ).rejects.toMatchObject({
      code: 'ERR_CONTENT_REFUSED_OUTPUT',
      details: { category: 'prompt-injection', detector: 'model', path: '/content/1/text' },
    })
  })

  it('fails closed when an asynchronous detector rejects or next() throws', async () => {
    const broken = sanitizeOutput({
      asyncDetectors: [
        async () => {
          throw new Error('classifier down')
        },
      ],
    })
    await expect(run(broken, { content: [{ type: 'text', text: 'x' }] })).rejects.toThrow('classifier down')
    const throwing = sanitizeOutput()(ctx, (() => {
      throw new Error('handler broke')
    }) as never)
    expect(throwing).toBeInstanceOf(Promise)
    await expect(throwing).rejects.toThrow('handler broke')
  })

  it('ignores malformed content entries', async () => {
    const result = { content: [null, 'text', { type: 'text', text: 42 }] } as unknown as PrimitiveResult
    expect(await run(sanitizeOutput(), result)).toBe(result)
  })

  it('throws TypeError at creation on bad options', () => {
    expect(() => sanitizeOutput({ keys: true } as never)).toThrow(/unknown option "keys"/)
    expect(() => sanitizeOutput({ thresholds: { secret: -1 } })).toThrow(TypeError)
    expect(() => sanitizeOutput({ maxEvents: 1.5 })).toThrow(TypeError)
  })
})
