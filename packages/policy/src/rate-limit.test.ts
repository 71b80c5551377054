import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import { createMemoryStore, SECURITY_EVENT_CHANNEL, type Store, WardenError } from '@mcp-warden/core'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { context, next, OK, principal } from '../test/context.js'
import { defaultRateLimitKey, rateLimit } from './rate-limit.js'

const store = () => createMemoryStore({ max: 1000, now: () => Date.now() })

async function denial(promise: Promise<unknown>): Promise<WardenError> {
  try {
    await promise
  } catch (err) {
    if (WardenError.isInstance(err)) return err
    throw err
  }
  throw new Error('expected a denial')
}

describe('rateLimit', () => {
  beforeEach(() => {
    vi.useFakeTimers()
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('admits calls up to the limit and refuses the next with ERR_RATE_LIMITED, 429 and retryAfterMs when over it', async () => {
    const guard = rateLimit({ limit: 2, windowMs: 10_000, store: store() })
    const ctx = context({ principal: principal('alice') })
    expect(await guard(ctx, next)).toBe(OK)
    vi.advanceTimersByTime(4000)
    expect(await guard(ctx, next)).toBe(OK)
    const err = await denial(guard(ctx, next))
    expect(err.code).toBe('ERR_RATE_LIMITED')
    expect(err.status).toBe(429)
    expect(err.details).toEqual({ retryAfterMs: 6000, limit: 2, windowMs: 10_000, name: '2/10000ms' })
    expect(err.publicMessage).toBe('Rate limit exceeded; retry in 6 s')
  })

  it('admits again when the oldest call leaves the sliding window', async () => {
    const guard = rateLimit({ limit: 1, windowMs: 1000, store: store() })
    const ctx = context()
    await guard(ctx, next)
    vi.advanceTimersByTime(999)
    expect((await denial(guard(ctx, next))).details.retryAfterMs).toBe(1)
    vi.advanceTimersByTime(1)
    expect(await guard(ctx, next)).toBe(OK)
  })

  it('keys by principal, then client, then session, then anonymous when no key is given', () => {
    expect(defaultRateLimitKey(context({ principal: principal('a'), sessionId: 's' }))).toBe('p:https://issuer.test#a')
    expect(defaultRateLimitKey(context({ auth: { clientId: 'cli', scopes: [] }, sessionId: 's' }))).toBe('c:cli')
    expect(defaultRateLimitKey(context({ sessionId: 's' }))).toBe('s:s')
    expect(defaultRateLimitKey(context())).toBe('anonymous')
  })

  it('gives each principal its own budget when the default key is used', async () => {
    const guard = rateLimit({ limit: 1, windowMs: 1000, store: store() })
    await guard(context({ principal: principal('alice') }), next)
    expect(await guard(context({ principal: principal('bob') }), next)).toBe(OK)
    expect((await denial(guard(context({ principal: principal('alice') }), next))).code).toBe('ERR_RATE_LIMITED')
  })

  it('limits per tool when the key is the tool name', async () => {
    const guard = rateLimit({ limit: 1, windowMs: 1000, key: (ctx) => ctx.name, store: store() })
    await guard(context({ name: 'a', principal: principal('alice') }), next)
    expect(await guard(context({ name: 'b', principal: principal('alice') }), next)).toBe(OK)
    expect((await denial(guard(context({ name: 'a', principal: principal('bob') }), next))).code).toBe(
      'ERR_RATE_LIMITED',
    )
  })

  it('enforces burst and sustained limits independently when stacked on one store', async () => {
    const shared = store()
    const burst = rateLimit({ name: 'burst', limit: 2, windowMs: 1000, store: shared })
    const sustained = rateLimit({ name: 'sustained', limit: 3, windowMs: 60_000, store: shared })
    const both = (ctx = context()) => burst(ctx, () => sustained(ctx, next))
    await both()
    await both()
    expect((await denial(both())).details.name).toBe('burst')
    vi.advanceTimersByTime(1000)
    await both()
    const err = await denial(both())
    expect(err.details.name).toBe('sustained')
    expect(err.details.retryAfterMs).toBe(59_000)
  })

  it('never admits more than the limit when calls are concurrent', async () => {
    const guard = rateLimit({ limit: 25, windowMs: 60_000, store: store() })
    const outcomes = await Promise.allSettled(Array.from({ length: 200 }, () => guard(context(), next)))
    expect(outcomes.filter((o) => o.status === 'fulfilled').length).toBe(25)
  })

  it('does not run the handler when refused', async () => {
    const guard = rateLimit({ limit: 1, windowMs: 1000, store: store() })
    const handler = vi.fn(next)
    await guard(context(), handler)
    await denial(guard(context(), handler))
    expect(handler).toHaveBeenCalledTimes(1)
  })

  it('hashes huge and unicode keys into bounded store keys that still separate callers', async () => {
    const shared = store()
    const huge = 'ü🔑'.repeat(100_000)
    const guard = rateLimit({ limit: 1, windowMs: 1000, key: (ctx) => String(ctx.arguments.k), store: shared })
    await guard(context({ arguments: { k: huge } }), next)
    expect(await guard(context({ arguments: { k: `${huge}x` } }), next)).toBe(OK)
    expect(await guard(context({ arguments: { k: '‮évil' } }), next)).toBe(OK)
    expect((await denial(guard(context({ arguments: { k: huge } }), next))).code).toBe('ERR_RATE_LIMITED')
  })

  it('refuses with ERR_RATE_LIMIT_KEY_INVALID, hiding the cause, when the key function throws or returns a non-string', async () => {
    const secret = 'internal detail'
    const throwing = rateLimit({
      limit: 1,
      windowMs: 1000,
      key: () => {
        throw new Error(secret)
      },
    })
    const err = await denial(throwing(context(), next))
    expect(err.code).toBe('ERR_RATE_LIMIT_KEY_INVALID')
    expect(err.publicMessage).not.toContain(secret)
    for (const bad of ['', 42, undefined, null, {}]) {
      const guard = rateLimit({ limit: 1, windowMs: 1000, key: () => bad as string })
      expect((await denial(guard(context(), next))).code).toBe('ERR_RATE_LIMIT_KEY_INVALID')
    }
  })

  /** A store with `hit` replaced, without the synchronous `hitNow` (as a networked store). */
  const asyncStore = (kind: string, hit: NonNullable<Store['hit']>): Store => {
    const { hitNow: _inProcess, ...rest } = store()
    return { ...rest, kind, hit }
  }
  /** A store deciding in process through `hitNow` only. */
  const syncStore = (kind: string, hitNow: NonNullable<Store['hitNow']>): Store => {
    const { hit: _async, ...rest } = store()
    return { ...rest, kind, hit: async () => ({ allowed: true, remaining: 1, retryAfterMs: 0 }), hitNow }
  }

  it('refuses with ERR_STORE_UNAVAILABLE when the store cannot decide', async () => {
    const { StoreUnavailableError } = await import('@mcp-warden/core')
    const broken = asyncStore('broken', async () => {
      throw new StoreUnavailableError('down')
    })
    const brokenNow = syncStore('broken-now', () => {
      throw new StoreUnavailableError('down')
    })
    for (const given of [broken, brokenNow]) {
      const handler = vi.fn(next)
      const pending = rateLimit({ limit: 1, windowMs: 1000, store: given })(context(), handler)
      expect(pending).toBeInstanceOf(Promise)
      expect((await denial(pending)).code).toBe('ERR_STORE_UNAVAILABLE')
      expect(handler).not.toHaveBeenCalled()
    }
  })

  it('refuses, with the window as the delay, when a store answers with something unusable', async () => {
    for (const answer of [undefined, null, {}, { allowed: 'yes' }, { allowed: false, retryAfterMs: Number.NaN }]) {
      for (const odd of [asyncStore('odd', async () => answer as never), syncStore('odd-now', () => answer as never)]) {
        const handler = vi.fn(next)
        const err = await denial(rateLimit({ limit: 1, windowMs: 5000, store: odd })(context(), handler))
        expect(err.code).toBe('ERR_RATE_LIMITED')
        expect(err.details.retryAfterMs).toBe(5000)
        expect(handler).not.toHaveBeenCalled()
      }
    }
  })

  it('decides through hitNow when the store has it, and through hit otherwise', async () => {
    const calls: string[] = []
    const both: Store = {
      ...store(),
      kind: 'both',
      hit: async () => {
        calls.push('hit')
        return { allowed: true, remaining: 0, retryAfterMs: 0 }
      },
      hitNow: () => {
        calls.push('hitNow')
        return { allowed: true, remaining: 0, retryAfterMs: 0 }
      },
    }
    await rateLimit({ limit: 1, windowMs: 1000, store: both })(context(), next)
    await rateLimit({ limit: 1, windowMs: 1000, store: asyncStore('only-hit', both.hit as NonNullable<Store['hit']>) })(
      context(),
      next,
    )
    expect(calls).toEqual(['hitNow', 'hit'])
  })

  it('publishes a rate_limit.exceeded security event when refusing', async () => {
    const events: unknown[] = []
    const listener = (event: unknown) => events.push(event)
    subscribe(SECURITY_EVENT_CHANNEL, listener)
    try {
      const guard = rateLimit({ name: 'ev', limit: 1, windowMs: 1000, store: store() })
      await guard(context({ principal: principal('alice') }), next)
      await denial(guard(context({ principal: principal('alice') }), next))
    } finally {
      unsubscribe(SECURITY_EVENT_CHANNEL, listener)
    }
    expect(events).toEqual([
      expect.objectContaining({
        type: 'rate_limit.exceeded',
        code: 'ERR_RATE_LIMITED',
        principalId: 'https://issuer.test#alice',
        name: 'tool',
        detail: { limit: 1, windowMs: 1000, name: 'ev', retryAfterMs: 1000 },
      }),
    ])
  })

  it('describes itself for policy reports', () => {
    expect(rateLimit({ limit: 5, windowMs: 1000, name: 'x' }).describe).toEqual({
      name: 'rateLimit',
      id: 'x',
      limit: 5,
      windowMs: 1000,
      store: 'memory',
    })
  })

  it('throws TypeError at creation when options are missing, unknown, of the wrong type or contradictory', () => {
    expect(() => rateLimit(undefined as never)).toThrow(TypeError)
    expect(() => rateLimit({ windowMs: 1000 } as never)).toThrow(/limit/)
    expect(() => rateLimit({ limit: 0, windowMs: 1000 })).toThrow(/limit/)
    expect(() => rateLimit({ limit: '5', windowMs: 1000 } as never)).toThrow(/limit/)
    expect(() => rateLimit({ limit: 5, windowMs: 1.5 })).toThrow(/windowMs/)
    expect(() => rateLimit({ limit: 5, windowMs: Number.POSITIVE_INFINITY })).toThrow(/windowMs/)
    expect(() => rateLimit({ limit: 5, windowMs: 1000, per: 'tool' } as never)).toThrow(/unknown option "per"/)
    expect(() => rateLimit({ limit: 5, windowMs: 1000, key: 'name' } as never)).toThrow(/key/)
    expect(() => rateLimit({ limit: 5, windowMs: 1000, name: '' })).toThrow(/name/)
    expect(() => rateLimit({ limit: 5, windowMs: 1000, name: 'x'.repeat(101) })).toThrow(/name/)
    expect(() => rateLimit({ limit: 5, windowMs: 1000, maxKeys: 0 })).toThrow(/maxKeys/)
    expect(() => rateLimit({ limit: 5, windowMs: 1000, store: store(), maxKeys: 5 } as never)).toThrow(/exclusive/)
    const { hit: _hit, ...withoutHit } = store()
    expect(() => rateLimit({ limit: 5, windowMs: 1000, store: withoutHit })).toThrow(/hit/)
  })

  it('returns a named middleware function', () => {
    expect(rateLimit({ limit: 1, windowMs: 1 }).name).toBe('rateLimit')
  })
})
