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
    // Keys of structuredContent are scanned too.
    expect(seen).toEqual(['one', 'a', 'two'])
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

  it('scans values as they serialize when they have toJSON or are boxed strings', async () => {
    const token = ['ghp', 'abcdefghijklmnopqrstuvwxyz0123456789'].join('_')
    const url = new URL(`https://example.org/?t=${token}`)
    const cleaned = await run(sanitizeOutput(), {
      structuredContent: { url, boxed: new String(`x ${token}`) as unknown as string, when: new Date(0) },
    })
    expect(cleaned.structuredContent).toEqual({
      url: 'https://example.org/?t=[REDACTED:github-token]',
      boxed: 'x [REDACTED:github-token]',
      when: new Date(0),
    })
    const self = { toJSON: () => ({ content: [{ type: 'text', text: token }] }) }
    expect(await run(sanitizeOutput(), self as never)).toEqual({
      content: [{ type: 'text', text: '[REDACTED:github-token]' }],
    })
  })

  it('scans strings wherever they sit in a result, except base64 binary and protocol words', async () => {
    const result = {
      content: ['raw\u200Bstring', { type: 'resource_link', uri: 'file:///a\u200Bb', name: 'n\u202Ea' }],
      contents: [{ uri: 'file:///x', blob: 'AA\u200B==' }],
      messages: [{ role: 'user', content: [{ type: 'image', data: 'AA\u200B==', mimeType: 'image/png' }] }],
      _meta: { note: 'm\u200Be' },
    } as unknown as PrimitiveResult
    expect(await run(sanitizeOutput(), result)).toEqual({
      content: ['rawstring', { type: 'resource_link', uri: 'file:///ab', name: 'na' }],
      contents: [{ uri: 'file:///x', blob: 'AA\u200B==' }],
      messages: [{ role: 'user', content: [{ type: 'image', data: 'AA\u200B==', mimeType: 'image/png' }] }],
      _meta: { note: 'me' },
    })
  })

  it('exposes an outbound filter that cleans keys and values and keeps a progress token', async () => {
    const guard = sanitizeOutput()
    const filter = guard.outbound
    if (filter === undefined) throw new Error('sanitizeOutput has no outbound filter')
    const cleaned = await filter(
      {
        kind: 'notification',
        method: 'notifications/progress',
        params: { progressToken: 't\u200B1', progress: 1, message: 'm\u001b[2J', extra: { 'k\u200Bey': 'v' } },
      },
      ctx,
    )
    expect(cleaned).toEqual({
      kind: 'notification',
      method: 'notifications/progress',
      params: { progressToken: 't\u200B1', progress: 1, message: 'm', extra: { key: 'v' } },
    })
    const untouched = { kind: 'error' as const, method: 'tools/call', params: { message: 'fine' } }
    expect(await filter(untouched, ctx)).toBe(untouched)
    const refusing = sanitizeOutput({ modes: { 'terminal-escape': 'refuse' } }).outbound
    let refused: unknown
    try {
      await refusing?.({ kind: 'request', method: 'elicitation/create', params: { message: 'a\u001b[2J' } }, ctx)
    } catch (err) {
      refused = err
    }
    expect(refused).toMatchObject({ code: 'ERR_CONTENT_REFUSED_OUTPUT', details: { path: '/request/message' } })
  })

  it('cleans object keys, and names a flagged key `*` in a denial and in events', async () => {
    const token = ['ghp', 'abcdefghijklmnopqrstuvwxyz0123456789'].join('_')
    const cleaned = await run(sanitizeOutput(), { structuredContent: { [token]: 1, 'k\u200Bey': { x: 'y' } } })
    expect(cleaned.structuredContent).toEqual({ '[REDACTED:github-token]': 1, key: { x: 'y' } })
    const refusing = sanitizeOutput({ modes: { secret: 'refuse' } })
    let refused: unknown
    try {
      await run(refusing, { structuredContent: { [token]: { note: `again ${token}` } } })
    } catch (err) {
      refused = err
    }
    expect(refused).toMatchObject({ code: 'ERR_CONTENT_REFUSED_OUTPUT', details: { path: '/structuredContent/*' } })
    expect(JSON.stringify(refused)).not.toContain(token)
    expect(String((refused as Error).message)).not.toContain(token)
    await expect(run(sanitizeOutput(), { structuredContent: { a: 1, 'a\u200B': 2 } })).rejects.toMatchObject({
      details: { reason: 'key-collision', path: '/structuredContent/*' },
    })
  })

  it('scans a flagged key on every call, while a clean key is scanned once', async () => {
    const token = ['ghp', 'abcdefghijklmnopqrstuvwxyz0123456789'].join('_')
    const guard = sanitizeOutput()
    for (let i = 0; i < 3; i++) {
      const cleaned = await run(guard, { structuredContent: { city: 'Paris', [token]: i } })
      expect(cleaned.structuredContent).toEqual({ city: 'Paris', '[REDACTED:github-token]': i })
    }
    const seen: string[] = []
    const watched = sanitizeOutput({
      asyncDetectors: [
        async (text: string) => {
          seen.push(text)
          return []
        },
      ],
    })
    await run(watched, { structuredContent: { city: 'x' } })
    await run(watched, { structuredContent: { city: 'x' } })
    // Asynchronous detectors still see every key, cached or not.
    expect(seen).toEqual(['city', 'x', 'city', 'x'])
  })

  it('throws TypeError at creation on bad options', () => {
    expect(() => sanitizeOutput({ keys: true } as never)).toThrow(/unknown option "keys"/)
    expect(() => sanitizeOutput({ thresholds: { secret: -1 } })).toThrow(TypeError)
    expect(() => sanitizeOutput({ maxEvents: 1.5 })).toThrow(TypeError)
  })
})
