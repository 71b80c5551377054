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
