import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import { SECURITY_EVENT_CHANNEL } from '@mcp-warden/core'
import { describe, expect, it } from 'vitest'
import { countBuild, defaultStore, identityOf, REBUILT_AFTER } from './default-store.js'

describe('identityOf', () => {
  it('is the same for configurations rebuilt alike, functions compared by source', () => {
    const build = () => identityOf(['g', { b: 1, a: [1, 2] }, (x: number) => x + 1, undefined])
    expect(build()).toBe(build())
    expect(identityOf([{ a: 1, b: 2 }])).toBe(identityOf([{ b: 2, a: 1 }]))
  })

  it('differs when a value, a key or a function source differs', () => {
    const base = identityOf(['g', { a: 1 }, (x: number) => x])
    expect(identityOf(['g', { a: 2 }, (x: number) => x])).not.toBe(base)
    expect(identityOf(['g', { b: 1 }, (x: number) => x])).not.toBe(base)
    expect(identityOf(['g', { a: 1 }, (x: number) => -x])).not.toBe(base)
    expect(identityOf(['h', { a: 1 }, (x: number) => x])).not.toBe(base)
  })

  it('survives cycles and deep nesting', () => {
    const cyclic: Record<string, unknown> = { a: 1 }
    cyclic.self = cyclic
    let deep: unknown = 'leaf'
    for (let i = 0; i < 100; i++) deep = [deep]
    expect(typeof identityOf([cyclic, deep])).toBe('string')
  })
})

describe('defaultStore', () => {
  it('shares state between guards of one identity and keeps identities apart', async () => {
    const one = defaultStore('test-kind', 10, 'id-1')
    const again = defaultStore('test-kind', 10, 'id-1')
    const other = defaultStore('test-kind', 10, 'id-2')
    await one.set('k', 'v', { ttlMs: 60_000 })
    expect(await again.get('k')).toBe('v')
    expect(await other.get('k')).toBeUndefined()
    expect(again.hitNow?.('h', { limit: 1, windowMs: 60_000 }).allowed).toBe(true)
    expect(one.hitNow?.('h', { limit: 1, windowMs: 60_000 }).allowed).toBe(false)
  })

  it('refuses rather than forgets when full', async () => {
    const store = defaultStore('test-full', 2, 'id')
    await store.set('a', 1, { ttlMs: 60_000 })
    await store.set('b', 2, { ttlMs: 60_000 })
    await expect(store.set('c', 3, { ttlMs: 60_000 })).rejects.toMatchObject({ code: 'ERR_STORE_FULL' })
    expect(await store.get('a')).toBe(1)
  })

  it('throws TypeError beyond 64 distinct bounds', () => {
    const registry = (globalThis as Record<symbol, { stores: Map<string, unknown> }>)[
      Symbol.for('mcp-warden.policy.default-stores')
    ]
    try {
      expect(() => {
        for (let max = 1_000; max < 1_100; max++) defaultStore('test-bounds', max, 'id')
      }).toThrow(TypeError)
    } finally {
      // Leave room for the other tests of this process.
      for (const key of [...(registry?.stores.keys() ?? [])])
        if (key.startsWith('test-bounds:')) registry?.stores.delete(key)
    }
  })
})

describe('countBuild', () => {
  it('reports a rebuilt guard once, at the threshold', () => {
    const events: unknown[] = []
    const listener = (event: unknown) => events.push(event)
    subscribe(SECURITY_EVENT_CHANNEL, listener)
    const warnings: string[] = []
    const onWarning = (warning: Error & { code?: string }) => {
      if (warning.code === 'MCP_WARDEN_GUARD_REBUILT') warnings.push(warning.message)
    }
    process.on('warning', onWarning)
    try {
      for (let i = 0; i < REBUILT_AFTER * 3; i++) countBuild('testGuard', 'named', 'identity-x', 'memory')
    } finally {
      unsubscribe(SECURITY_EVENT_CHANNEL, listener)
    }
    return new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
      process.off('warning', onWarning)
      expect(events).toHaveLength(1)
      expect(events[0]).toMatchObject({
        type: 'guard.rebuilt',
        detail: { guard: 'testGuard', name: 'named', builds: REBUILT_AFTER, store: 'memory' },
      })
      expect(warnings).toHaveLength(1)
      expect(warnings[0]).toContain('memory store passed to it')
    })
  })
})
