/**
 * An audit event is never counted written unless it was written: real files in a temporary
 * directory (missing directory, a directory as path, no permission, the directory removed under
 * the sink) and real streams (erroring after open, hanging, slow), through a real audit log.
 */
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { publishDecision, type SecurityEvent } from '@mcp-warden/core'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import {
  AUDIT_ERROR_CODES,
  type AuditDropReport,
  AuditError,
  type AuditLog,
  type AuditSink,
  createAuditLog,
  jsonLinesSink,
  loggerSink,
  onSecurityEvent,
  otelLogSink,
} from '../src/index.js'

const root = mkdtempSync(join(tmpdir(), 'mcp-warden-sink-failures-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

let counter = 0
function freshDir(): string {
  counter += 1
  const dir = join(root, `d${counter}`)
  mkdirSync(dir)
  return dir
}

const decision = {
  decision: 'allow',
  correlationId: '4bf92f3577b34da6a3ce929d0e0e4736',
  kind: 'tool',
  name: 'echo',
  durationMs: 1,
} as const

/** Lines of a file, or none when it does not exist. */
function linesOf(path: string): string[] {
  try {
    return readFileSync(path, 'utf8').split('\n').filter(Boolean)
  } catch {
    return []
  }
}

let log: AuditLog | undefined
let stopListening: (() => void) | undefined
afterEach(async () => {
  await log?.close().catch(() => undefined)
  log = undefined
  stopListening?.()
  stopListening = undefined
})

/** An audit log over `sinks` that records drops and this log's security events about them. */
function observedLog(sinks: AuditSink[], extra: { writeTimeoutMs?: number; maxQueue?: number } = {}) {
  const drops: AuditDropReport[] = []
  const dropEvents: SecurityEvent[] = []
  stopListening = onSecurityEvent((event) => {
    if (event.type === 'audit.events_dropped') dropEvents.push(event)
  })
  log = createAuditLog({ sinks, securityEvents: false, onDrop: (r) => drops.push(r), ...extra })
  return { log, drops, dropEvents }
}

/** Every event produced while open is written, dropped or pending: never two, never none. */
function expectAccounted(current: AuditLog, emitted: number): void {
  for (const sink of current.stats().sinks) expect(sink.written + sink.dropped + sink.pending).toBe(emitted)
}

async function lostOf(pending: Promise<void>): Promise<AuditError> {
  const err = await pending.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(AuditError.isInstance(err), 'expected an AuditError').toBe(true)
  return err as AuditError
}

describe('jsonLinesSink (files)', () => {
  it('throws ERR_AUDIT_SINK_OPEN at creation when the directory does not exist', () => {
    const path = join(root, 'missing', 'audit.jsonl')
    let caught: unknown
    try {
      jsonLinesSink({ path })
    } catch (err) {
      caught = err
    }
    expect(AuditError.isInstance(caught)).toBe(true)
    expect(caught).toMatchObject({ code: AUDIT_ERROR_CODES.ERR_AUDIT_SINK_OPEN })
    expect(String((caught as Error).message)).toMatch(/cannot open ".*audit\.jsonl" for appending \(ENOENT\)/)
  })

  it('throws ERR_AUDIT_SINK_OPEN at creation when the path is a directory', () => {
    expect(() => jsonLinesSink({ path: freshDir() })).toThrow(/for appending \(EISDIR\)/)
  })

  it('throws ERR_AUDIT_SINK_OPEN at creation when the directory is not writable', () => {
    const dir = freshDir()
    chmodSync(dir, 0o500)
    // Root writes anywhere: drop the effective uid for the open, as a service account would run.
    const asRoot = process.geteuid?.() === 0
    if (asRoot) process.seteuid?.(65534)
    try {
      expect(() => jsonLinesSink({ path: join(dir, 'audit.jsonl') })).toThrow(/for appending \(EACCES\)/)
    } finally {
      if (asRoot) process.seteuid?.(0)
      chmodSync(dir, 0o700)
    }
  })

  it('counts events dropped, not written, once the directory was removed, and resumes when it is back', async () => {
    const dir = freshDir()
    const path = join(dir, 'audit.jsonl')
    const { log: current, drops, dropEvents } = observedLog([jsonLinesSink({ path, name: 'file' })])
    publishDecision(decision)
    await current.flush()
    expect(current.stats().sinks[0]).toMatchObject({ written: 1, dropped: 0 })

    rmSync(dir, { recursive: true })
    publishDecision(decision)
    publishDecision(decision)
    const lost = await lostOf(current.flush())
    expect(lost.code).toBe(AUDIT_ERROR_CODES.ERR_AUDIT_EVENTS_LOST)
    expect(lost.losses).toEqual([{ sink: 'file', dropped: 2, error: expect.stringMatching(/removed|ENOENT/) }])
    expect(current.stats().sinks[0]).toMatchObject({ written: 1, dropped: 2, pending: 0 })
    expect(drops.map((d) => [d.sink, d.reason, d.count])).toEqual([
      ['file', 'write_failed', 1],
      ['file', 'write_failed', 1],
    ])
    // One security event per failure episode, not one per event.
    expect(dropEvents).toHaveLength(1)
    expect(dropEvents[0]).toMatchObject({
      code: AUDIT_ERROR_CODES.ERR_AUDIT_EVENTS_LOST,
      detail: { sink: 'file', reason: 'write_failed' },
    })

    mkdirSync(dir)
    publishDecision(decision)
    await current.flush()
    expect(current.stats().sinks[0]).toMatchObject({ written: 2, dropped: 2, pending: 0 })
    expect(linesOf(path)).toHaveLength(1)
    expectAccounted(current, 4)
  })

  it('writes exactly the events it counts written, over many events', async () => {
    const path = join(freshDir(), 'audit.jsonl')
    const { log: current } = observedLog([jsonLinesSink({ path })])
    for (let i = 0; i < 300; i += 1) publishDecision({ ...decision, name: `t${i}` })
    expectAccounted(current, 300)
    await current.flush()
    expect(current.stats().sinks[0]).toMatchObject({ written: 300, dropped: 0, pending: 0 })
    const names = linesOf(path).map((line) => (JSON.parse(line) as { name: string }).name)
    expect(names).toEqual(Array.from({ length: 300 }, (_, i) => `t${i}`))
  })

  it('rejects writes after close and counts them dropped', async () => {
    const path = join(freshDir(), 'audit.jsonl')
    const sink = jsonLinesSink({ path })
    await sink.close?.()
    await expect(
      sink.write({ schema: 'mcp-warden.audit/1', id: 'x', time: 't', type: 'call', outcome: 'unknown' }),
    ).rejects.toMatchObject({
      code: AUDIT_ERROR_CODES.ERR_AUDIT_SINK_FAILED,
    })
  })
})

describe('jsonLinesSink (streams)', () => {
  it('counts an event dropped when the stream errors on its write (a full disk)', async () => {
    let accepted = 0
    let acceptedLines = 0
    const disk = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        if (accepted + chunk.length > 400) {
          const full = Object.assign(new Error('no space left on device'), { code: 'ENOSPC' })
          callback(full)
          return
        }
        accepted += chunk.length
        acceptedLines += 1
        callback()
      },
    })
    const { log: current, drops, dropEvents } = observedLog([jsonLinesSink({ stream: disk, name: 'disk' })])
    for (let i = 0; i < 5; i += 1) publishDecision(decision)
    const lost = await lostOf(current.flush())
    const stats = current.stats().sinks[0]
    expect(stats?.written).toBe(acceptedLines)
    expect(acceptedLines).toBeGreaterThan(0)
    expect((stats?.written ?? 0) + (stats?.dropped ?? 0)).toBe(5)
    expect(stats?.dropped).toBeGreaterThan(0)
    expect(lost.losses[0]).toMatchObject({ sink: 'disk', error: expect.stringMatching(/ENOSPC|unavailable/) })
    expect(drops.every((d) => d.reason === 'write_failed')).toBe(true)
    expect(dropEvents).toHaveLength(1)
    // The stream is failed: later events are dropped too, and the next flush says so.
    publishDecision(decision)
    await expect(current.flush()).rejects.toMatchObject({ code: AUDIT_ERROR_CODES.ERR_AUDIT_EVENTS_LOST })
    expectAccounted(current, 6)
  })

  it('counts an event dropped when the stream is destroyed while the write is under way', async () => {
    let started: () => void = () => undefined
    const begun = new Promise<void>((resolve) => {
      started = resolve
    })
    const socket = new Writable({
      write() {
        started()
        // Never calls back: the connection dies mid-write.
      },
    })
    const { log: current } = observedLog([jsonLinesSink({ stream: socket, name: 'socket' })])
    publishDecision(decision)
    await begun
    expect(current.stats().sinks[0]).toMatchObject({ written: 0, dropped: 0, pending: 1 })
    socket.destroy(Object.assign(new Error('reset'), { code: 'ECONNRESET' }))
    const lost = await lostOf(current.flush())
    expect(lost.losses).toEqual([{ sink: 'socket', dropped: 1, error: expect.stringMatching(/ECONNRESET/) }])
    expect(current.stats().sinks[0]).toMatchObject({ written: 0, dropped: 1, pending: 0 })
  })

  it('counts an event dropped when the stream hangs past writeTimeoutMs', async () => {
    const hung = new Writable({ write() {} })
    const { log: current } = observedLog([jsonLinesSink({ stream: hung, name: 'hung' })], { writeTimeoutMs: 50 })
    publishDecision(decision)
    const lost = await lostOf(current.flush())
    expect(lost.message).toMatch(/sink "hung" dropped 1 event\(s\) \(audit sink timed out after 50 ms/)
    // Its flush waits behind the hung write: that is reported too.
    expect(lost.losses[0]?.error).toMatch(/flush failed: audit sink timed out/)
    expect(current.stats().sinks[0]).toMatchObject({ written: 0, dropped: 1 })
  })

  it('waits on a slow stream (backpressure) and counts each event once it was written', async () => {
    const chunks: string[] = []
    const slow = new Writable({
      highWaterMark: 16,
      write(chunk: Buffer, _encoding, callback) {
        setTimeout(() => {
          chunks.push(chunk.toString())
          callback()
        }, 1)
      },
    })
    const { log: current } = observedLog([jsonLinesSink({ stream: slow, name: 'slow' })])
    for (let i = 0; i < 20; i += 1) publishDecision(decision)
    for (let round = 0; round < 5; round += 1) {
      await new Promise((resolve) => setTimeout(resolve, 2))
      const stats = current.stats().sinks[0]
      expect(stats?.written).toBe(chunks.length)
      expectAccounted(current, 20)
    }
    await current.flush()
    expect(current.stats().sinks[0]).toMatchObject({ written: 20, dropped: 0, pending: 0 })
    expect(chunks.join('').split('\n').filter(Boolean)).toHaveLength(20)
  })
})

describe('createAuditLog (sink failures)', () => {
  it('reports a sink that throws synchronously, through stats, onDrop, a security event and flush', async () => {
    const logger = {
      info: () => {
        throw new Error('logger closed')
      },
      warn: () => undefined,
    }
    const { log: current, drops, dropEvents } = observedLog([loggerSink(logger)])
    publishDecision(decision)
    publishDecision(decision)
    const lost = await lostOf(current.flush())
    expect(lost.losses).toEqual([{ sink: 'logger', dropped: 2, error: 'logger closed' }])
    expect(current.stats()).toMatchObject({ emitted: 2, dropped: 2, sinks: [{ written: 0, dropped: 2 }] })
    expect(drops).toEqual([
      { sink: 'logger', reason: 'write_failed', count: 1, error: 'logger closed' },
      { sink: 'logger', reason: 'write_failed', count: 1, error: 'logger closed' },
    ])
    expect(dropEvents).toHaveLength(1)
    // Reported once: the next flush, with nothing lost since, resolves.
    await current.flush()
  })

  it('reports a logger whose flush fails (a buffered destination that could not write)', async () => {
    const logged: unknown[] = []
    const logger = {
      info: (object: Record<string, unknown>) => void logged.push(object),
      warn: (object: Record<string, unknown>) => void logged.push(object),
      flush: (callback: (err?: Error | null) => void) => setImmediate(() => callback(new Error('EBADF'))),
    }
    const { log: current } = observedLog([loggerSink(logger)])
    publishDecision(decision)
    const lost = await lostOf(current.flush())
    expect(lost.losses).toEqual([{ sink: 'logger', dropped: 0, error: 'flush failed: EBADF' }])
    expect(logged).toHaveLength(1)
  })

  it('reports an OpenTelemetry logger whose emit throws', async () => {
    const otel = otelLogSink({
      logger: {
        emit: () => {
          throw new Error('exporter shut down')
        },
      },
    })
    const { log: current } = observedLog([otel])
    publishDecision(decision)
    await expect(current.flush()).rejects.toThrow(/sink "otel-logs" dropped 1 event\(s\) \(exporter shut down\)/)
  })

  it('reports events dropped on a full queue', async () => {
    let release: () => void = () => undefined
    const gate = new Promise<void>((resolve) => {
      release = resolve
    })
    const stuck: AuditSink = { name: 'stuck', write: () => gate }
    const { log: current, drops, dropEvents } = observedLog([stuck], { maxQueue: 1 })
    for (let i = 0; i < 4; i += 1) publishDecision(decision)
    expect(drops.filter((d) => d.reason === 'queue_full')).toHaveLength(3)
    expect(dropEvents[0]).toMatchObject({ detail: { sink: 'stuck', reason: 'queue_full' } })
    release()
    const lost = await lostOf(current.flush())
    expect(lost.losses).toEqual([{ sink: 'stuck', dropped: 3 }])
    expect(current.stats().sinks[0]).toMatchObject({ written: 1, dropped: 3, pending: 0 })
  })

  it('rejects flush when a sink flush fails, and close when losses were not reported, after closing every sink', async () => {
    const closed: string[] = []
    const failingFlush: AuditSink = {
      name: 'buffered',
      write: () => undefined,
      flush: () => Promise.reject(new Error('EIO')),
      close: async () => void closed.push('buffered'),
    }
    const failingWrite: AuditSink = {
      name: 'broken',
      write: () => Promise.reject(new Error('EPIPE')),
      close: async () => void closed.push('broken'),
    }
    const { log: current } = observedLog([failingFlush, failingWrite])
    publishDecision(decision)
    const first = await lostOf(current.flush())
    expect(first.losses).toEqual([
      { sink: 'buffered', dropped: 0, error: 'flush failed: EIO' },
      { sink: 'broken', dropped: 1, error: 'EPIPE' },
    ])
    publishDecision(decision)
    const closing = current.close()
    expect(current.close()).toBe(closing)
    const last = await lostOf(closing)
    expect(last.losses.map((l) => [l.sink, l.dropped])).toEqual([
      ['buffered', 0],
      ['broken', 1],
    ])
    expect(closed.sort()).toEqual(['broken', 'buffered'])
  })

  it('lets another log record the drop while the failing log does not record its own', async () => {
    const recorded: string[] = []
    const witness = createAuditLog({
      sinks: [{ name: 'witness', write: (event) => void recorded.push(event.type) }],
      decisions: false,
    })
    const selfRecorded: string[] = []
    const failing = createAuditLog({
      sinks: [
        {
          name: 'failing',
          write: (event) => {
            selfRecorded.push(event.type)
            throw new Error('down')
          },
        },
      ],
    })
    try {
      publishDecision(decision)
      await expect(failing.flush()).rejects.toThrow(/down/)
      await witness.flush()
      expect(recorded).toEqual(['audit.events_dropped'])
      expect(selfRecorded).toEqual(['call'])
    } finally {
      await witness.close()
      await failing.close().catch(() => undefined)
    }
  })
})

describe('createAuditLog (accounting)', () => {
  type Behaviour = 'ok' | 'throw' | 'resolve' | 'reject' | 'hang'
  const behaviours: readonly Behaviour[] = ['ok', 'throw', 'resolve', 'reject', 'hang']

  it('counts written exactly the writes that succeeded, for every sequence of three sink outcomes', async () => {
    for (const a of behaviours) {
      for (const b of behaviours) {
        for (const c of behaviours) {
          const plan = [a, b, c]
          let index = 0
          const delivered: number[] = []
          const sink: AuditSink = {
            name: 'planned',
            write: () => {
              const step = index
              index += 1
              switch (plan[step]) {
                case 'ok':
                  delivered.push(step)
                  return undefined
                case 'throw':
                  throw new Error(`step ${step}`)
                case 'resolve':
                  return new Promise<void>((resolve) =>
                    setImmediate(() => {
                      delivered.push(step)
                      resolve()
                    }),
                  )
                case 'reject':
                  return Promise.reject(new Error(`step ${step}`))
                default:
                  return new Promise<void>(() => undefined)
              }
            },
          }
          const drops: AuditDropReport[] = []
          const current = createAuditLog({
            sinks: [sink],
            securityEvents: false,
            writeTimeoutMs: 50,
            onDrop: (r) => drops.push(r),
          })
          try {
            for (let i = 0; i < plan.length; i += 1) publishDecision(decision)
            expectAccounted(current, 3)
            const failed = plan.filter((p) => p === 'throw' || p === 'reject' || p === 'hang').length
            const outcome = await current.flush().then(
              () => undefined,
              (err: unknown) => err,
            )
            const stats = current.stats().sinks[0]
            expect(stats, plan.join(',')).toMatchObject({ written: delivered.length, dropped: failed, pending: 0 })
            expect(drops.length, plan.join(',')).toBe(failed)
            if (failed === 0) expect(outcome, plan.join(',')).toBeUndefined()
            else expect(outcome, plan.join(',')).toMatchObject({ losses: [{ sink: 'planned', dropped: failed }] })
          } finally {
            await current.close().catch(() => undefined)
          }
        }
      }
    }
  })
})
