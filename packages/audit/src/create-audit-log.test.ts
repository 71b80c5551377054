import { publishDecision, publishSecurityEvent } from '@mcp-warden/core'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { type AuditLog, createAuditLog } from './create-audit-log.js'
import type { AuditEvent, AuditSink } from './types.js'
import { verifyAuditChain } from './verify-audit-chain.js'

function memorySink(): AuditSink & { readonly events: AuditEvent[] } {
  const events: AuditEvent[] = []
  return { name: 'memory', events, write: (event) => void events.push(event) }
}

const decision = {
  decision: 'deny',
  code: 'ERR_POLICY_DENIED',
  correlationId: '4bf92f3577b34da6a3ce929d0e0e4736',
  kind: 'tool',
  name: 'delete',
  principalId: 'https://issuer.example#bob',
  clientId: 'cli',
  sessionId: 'sess',
  durationMs: 0.123456,
} as const

let log: AuditLog | undefined

afterEach(async () => {
  vi.useRealTimers()
  await log?.close()
  log = undefined
})

describe('createAuditLog', () => {
  it('turns a published decision into a call event with all its fields', async () => {
    const sink = memorySink()
    log = createAuditLog({ sinks: [sink] })
    publishDecision(decision)
    await log.flush()
    expect(sink.events).toHaveLength(1)
    const event = sink.events[0] as AuditEvent
    expect(event).toMatchObject({
      schema: 'mcp-warden.audit/1',
      type: 'call',
      decision: 'deny',
      code: 'ERR_POLICY_DENIED',
      correlationId: decision.correlationId,
      traceId: decision.correlationId,
      principal: decision.principalId,
      client: 'cli',
      sessionId: 'sess',
      kind: 'tool',
      name: 'delete',
      outcome: 'failure',
      durationMs: 0.123,
    })
    expect(event.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
    expect(event.id).toMatch(/^[\da-f-]{36}$/)
    expect(Object.isFrozen(event)).toBe(true)
  })

  it('hashes or omits identities when configured', async () => {
    const sink = memorySink()
    log = createAuditLog({ sinks: [sink], identity: 'hashed', identityHashKey: 'k' })
    publishDecision(decision)
    await log.close()
    expect(sink.events[0]?.principal).toMatch(/^[\da-f]{32}$/)
    expect(JSON.stringify(sink.events)).not.toContain('bob')
    const omitted = memorySink()
    log = createAuditLog({ sinks: [omitted], identity: 'omit' })
    publishDecision(decision)
    await log.flush()
    expect(omitted.events[0]?.principal).toBeUndefined()
    expect(omitted.events[0]?.client).toBeUndefined()
  })

  it('keeps security event details bounded and JSON-only when publishers send odd values', async () => {
    const sink = memorySink()
    log = createAuditLog({ sinks: [sink] })
    const cyclic: Record<string, unknown> = {}
    cyclic.self = cyclic
    let deep: Record<string, unknown> = { leaf: true }
    for (let i = 0; i < 40; i += 1) deep = { deep }
    publishSecurityEvent({ type: 'content.bidi', detail: { category: 'bidi', text: 'ünï ‮ 🔒' } })
    publishSecurityEvent({ type: 'x.cyclic', detail: cyclic })
    publishSecurityEvent({ type: 'x.deep', detail: deep })
    publishSecurityEvent({ type: 'x.huge', detail: { blob: 'x'.repeat(100_000) } })
    publishSecurityEvent({ type: 'x.array', detail: [1, 2] as unknown as Record<string, unknown> })
    publishSecurityEvent({ type: 'y'.repeat(5000) })
    publishSecurityEvent({ type: 42 } as unknown as { type: string })
    await log.flush()
    expect(sink.events.map((e) => e.detail)).toEqual([
      { category: 'bidi', text: 'ünï ‮ 🔒' },
      { unrepresentable: true },
      { unrepresentable: true },
      { truncated: true, size: expect.any(Number) },
      undefined,
      undefined,
    ])
    expect(sink.events[5]?.type).toHaveLength(1024)
  })

  it('redacts the strings of security event details when a redact function is given', async () => {
    const sink = memorySink()
    log = createAuditLog({ sinks: [sink], redact: (text) => text.replace(/AKIA[0-9A-Z]{16}/g, '[KEY]') })
    publishSecurityEvent({
      type: 'content.secret',
      detail: { category: 'secret', sample: 'key AKIAIOSFODNN7EXAMPLE', nested: ['AKIAIOSFODNN7EXAMPLE', 3] },
    })
    await log.flush()
    expect(sink.events[0]?.detail).toEqual({ category: 'secret', sample: 'key [KEY]', nested: ['[KEY]', 3] })
    await log.close()
    const failing = memorySink()
    log = createAuditLog({
      sinks: [failing],
      redact: () => {
        throw new Error('down')
      },
    })
    publishSecurityEvent({ type: 'content.secret', detail: { sample: 'AKIAIOSFODNN7EXAMPLE' } })
    await log.flush()
    expect(failing.events[0]?.detail).toEqual({ redactionFailed: true })
  })

  it('chains events by hash so the written sequence verifies', async () => {
    const sink = memorySink()
    log = createAuditLog({ sinks: [sink], hashChain: { key: new Uint8Array([1, 2, 3]) } })
    for (let i = 0; i < 20; i += 1) publishDecision({ ...decision, name: `tool-${i}` })
    await log.flush()
    const lines = sink.events.map((e) => JSON.stringify(e))
    expect(verifyAuditChain(lines, { key: new Uint8Array([1, 2, 3]) })).toEqual({ ok: true, events: 20, segments: 1 })
  })

  it('listens only to what it is asked to when decisions or securityEvents are off', async () => {
    const sink = memorySink()
    log = createAuditLog({ sinks: [sink], decisions: false })
    publishDecision(decision)
    publishSecurityEvent({ type: 'auth.token_invalid', code: 'ERR_AUTH_TOKEN_INVALID' })
    await log.close()
    expect(sink.events.map((e) => e.type)).toEqual(['auth.token_invalid'])
    const other = memorySink()
    log = createAuditLog({ sinks: [other], securityEvents: false })
    publishDecision(decision)
    publishSecurityEvent({ type: 'auth.token_invalid' })
    await log.flush()
    expect(other.events.map((e) => e.type)).toEqual(['call'])
  })

  it('counts a write as dropped when it outlasts writeTimeoutMs', async () => {
    vi.useFakeTimers()
    const reports: string[] = []
    const hanging: AuditSink = { name: 'hanging', write: () => new Promise<void>(() => {}) }
    log = createAuditLog({ sinks: [hanging], writeTimeoutMs: 1000, onDrop: (r) => reports.push(r.reason) })
    publishDecision(decision)
    publishDecision(decision)
    await vi.advanceTimersByTimeAsync(999)
    expect(log.stats().sinks[0]).toMatchObject({ written: 0, dropped: 0 })
    await vi.advanceTimersByTimeAsync(2000)
    expect(log.stats().sinks[0]).toMatchObject({ written: 0, dropped: 2, pending: 0 })
    expect(reports).toEqual(['write_failed', 'write_failed'])
    await expect(log.flush()).rejects.toThrow(
      /sink "hanging" dropped 2 event\(s\) \(audit sink timed out after 1000 ms\)/,
    )
  })

  it('keeps working when the onDrop listener throws', async () => {
    const broken: AuditSink = {
      name: 'broken',
      write: () => Promise.reject(new Error('x')),
    }
    log = createAuditLog({
      sinks: [broken],
      onDrop: () => {
        throw new Error('listener failed')
      },
    })
    publishDecision(decision)
    await expect(log.flush()).rejects.toMatchObject({ code: 'ERR_AUDIT_EVENTS_LOST' })
    expect(log.stats()).toMatchObject({ emitted: 1, dropped: 1 })
  })

  it('flushes and closes every sink on close and is idempotent', async () => {
    const calls: string[] = []
    const sink: AuditSink = {
      name: 's',
      write: () => void calls.push('write'),
      flush: async () => void calls.push('flush'),
      close: async () => void calls.push('close'),
    }
    log = createAuditLog({ sinks: [sink] })
    publishDecision(decision)
    const first = log.close()
    expect(log.close()).toBe(first)
    await first
    expect(calls).toEqual(['write', 'flush', 'close'])
  })

  it('throws TypeError at creation when options are wrong', () => {
    const sink = memorySink()
    const bad: unknown[] = [
      undefined,
      null,
      {},
      { sinks: [] },
      { sinks: [{}] },
      { sinks: [{ name: 'x' }] },
      { sinks: [sink], other: true },
      { sinks: [sink], hashChain: 'yes' },
      { sinks: [sink], hashChain: { key: '' } },
      { sinks: [sink], identity: 'masked' },
      { sinks: [sink], identityHashKey: 7 },
      { sinks: [sink], maxQueue: 0 },
      { sinks: [sink], maxQueue: 1.5 },
      { sinks: [sink], writeTimeoutMs: -1 },
      { sinks: [sink], onDrop: 'log' },
      { sinks: [sink], decisions: 1 },
      { sinks: [sink], securityEvents: 'no' },
      { sinks: [sink], redact: 'mask' },
    ]
    for (const options of bad) {
      expect(() => createAuditLog(options as never), JSON.stringify(options)).toThrow(TypeError)
    }
  })
})
