import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { canonicalJson, type GuardContext, type Middleware, publishSecurityEvent } from '@mcp-warden/core'
import { context, trace } from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs'
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import {
  type AuditEvent,
  type AuditLog,
  type AuditSink,
  auditSpans,
  createAuditLog,
  jsonLinesSink,
  loggerSink,
  otelLogSink,
  verifyAuditFile,
} from '../src/index.js'
import { denyWith, type Harness, PRINCIPAL, startHarness, TestDenial } from './harness.js'

const spanExporter = new InMemorySpanExporter()
const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spanExporter)] })
const contextManager = new AsyncLocalStorageContextManager()

let harness: Harness | undefined
let log: AuditLog | undefined
let dir: string

beforeAll(() => {
  context.setGlobalContextManager(contextManager.enable())
  trace.setGlobalTracerProvider(tracerProvider)
  dir = mkdtempSync(join(tmpdir(), 'mcp-warden-audit-'))
})

afterEach(async () => {
  await harness?.close()
  harness = undefined
  await log?.close()
  log = undefined
  spanExporter.reset()
})

afterAll(async () => {
  trace.disable()
  context.disable()
  await tracerProvider.shutdown()
  rmSync(dir, { recursive: true, force: true })
})

/** A sink that keeps what it receives. */
function memorySink(name = 'memory'): AuditSink & { readonly events: AuditEvent[] } {
  const events: AuditEvent[] = []
  return { name, events, write: (event) => void events.push(event) }
}

/** A guard standing in for another package's: publishes its security event, then denies. */
function publishAndDeny(type: string, code: string, errorName: string): Middleware {
  const guard = async (ctx: GuardContext, _next: () => ReturnType<Middleware>) => {
    publishSecurityEvent({ type, code, correlationId: ctx.correlationId, kind: ctx.kind, name: ctx.name })
    throw new TestDenial(code, errorName)
  }
  return guard
}

/** A sanitizer stand-in: reports a finding and lets the call through. */
const findingReporter: Middleware = async (ctx, next) => {
  publishSecurityEvent({
    type: 'content.invisible_unicode',
    correlationId: ctx.correlationId,
    kind: ctx.kind,
    name: ctx.name,
    detail: { category: 'invisible', count: 2 },
  })
  return next()
}

const DENIALS: readonly (readonly [tool: string, type: string | undefined, code: string, error: string])[] = [
  ['auth', 'auth.token_invalid', 'ERR_AUTH_TOKEN_EXPIRED', 'AuthError'],
  ['session', 'session.hijack_attempt', 'ERR_AUTH_SESSION_MISMATCH', 'AuthError'],
  ['scope', undefined, 'ERR_POLICY_INSUFFICIENT_SCOPE', 'PolicyError'],
  ['ratelimit', 'ratelimit.refused', 'ERR_POLICY_RATE_LIMITED', 'PolicyError'],
  ['approval', 'approval.required', 'ERR_POLICY_APPROVAL_REQUIRED', 'PolicyError'],
  ['lockfile', 'integrity.lockfile_mismatch', 'ERR_POLICY_TOOL_CHANGED', 'PolicyError'],
]

async function denialHarness(audit: AuditLog): Promise<Harness> {
  return startHarness(
    [auditSpans(), audit.middleware],
    (server) => {
      for (const [tool, type, code, error] of DENIALS) {
        const guard = type === undefined ? denyWith(code, error) : publishAndDeny(type, code, error)
        server.registerTool(
          tool,
          {},
          server.guard(guard).wrap(async () => ({ content: [] })),
        )
      }
      server.registerTool(
        'sanitized',
        {},
        server.guard(findingReporter).wrap(async () => ({ content: [] })),
      )
    },
    PRINCIPAL,
  )
}

function readEvents(path: string): AuditEvent[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as AuditEvent)
}

describe('createAuditLog', () => {
  it('records every denial type and security event in order when calls go through a secured server', async () => {
    const path = join(dir, 'order.jsonl')
    log = createAuditLog({ sinks: [jsonLinesSink({ path })], hashChain: true })
    harness = await denialHarness(log)
    for (const [tool] of DENIALS) await harness.call(tool)
    await harness.call('sanitized')
    await harness.call('echo', { text: 'ok' })
    await log.close()
    const events = readEvents(path)
    expect(events.map((e) => [e.type, e.code ?? null, e.decision ?? null, e.outcome])).toEqual([
      ['auth.token_invalid', 'ERR_AUTH_TOKEN_EXPIRED', null, 'failure'],
      ['call', 'ERR_AUTH_TOKEN_EXPIRED', 'deny', 'failure'],
      ['session.hijack_attempt', 'ERR_AUTH_SESSION_MISMATCH', null, 'failure'],
      ['call', 'ERR_AUTH_SESSION_MISMATCH', 'deny', 'failure'],
      ['call', 'ERR_POLICY_INSUFFICIENT_SCOPE', 'deny', 'failure'],
      ['ratelimit.refused', 'ERR_POLICY_RATE_LIMITED', null, 'failure'],
      ['call', 'ERR_POLICY_RATE_LIMITED', 'deny', 'failure'],
      ['approval.required', 'ERR_POLICY_APPROVAL_REQUIRED', null, 'failure'],
      ['call', 'ERR_POLICY_APPROVAL_REQUIRED', 'approval-required', 'failure'],
      ['integrity.lockfile_mismatch', 'ERR_POLICY_TOOL_CHANGED', null, 'failure'],
      ['call', 'ERR_POLICY_TOOL_CHANGED', 'deny', 'failure'],
      ['content.invisible_unicode', null, null, 'unknown'],
      ['call', null, 'allow', 'success'],
      ['call', null, 'allow', 'success'],
    ])
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i))
    const calls = events.filter((e) => e.type === 'call')
    for (const call of calls) {
      expect(call.principal).toBe(PRINCIPAL.id)
      expect(call.client).toBe('client-42')
      expect(call.traceId).toMatch(/^[\da-f]{32}$/)
      expect(call.spanId).toMatch(/^[\da-f]{16}$/)
      expect(call.durationMs).toBeGreaterThanOrEqual(0)
      expect(call.schema).toBe('mcp-warden.audit/1')
    }
    // The span ids are those of the exported spans: audit trail and traces join.
    const spanIds = new Set(spanExporter.getFinishedSpans().map((s) => s.spanContext().spanId))
    for (const call of calls) expect(spanIds.has(call.spanId as string)).toBe(true)
    const echo = calls.at(-1) as AuditEvent
    const expected = createHash('sha256')
      .update(canonicalJson({ text: 'ok' }))
      .digest('hex')
    expect(echo.argumentsDigest).toBe(`sha256:${expected}`)
    expect(events.find((e) => e.type === 'content.invisible_unicode')?.detail).toEqual({
      category: 'invisible',
      count: 2,
    })
    expect(await verifyAuditFile(path)).toEqual({ ok: true, events: events.length, segments: 1 })
  })

  it('records a call denied before its middleware once, from the decision channel, when a global guard denies', async () => {
    const sink = memorySink()
    log = createAuditLog({ sinks: [sink] })
    harness = await startHarness([denyWith('ERR_AUTH_REQUIRED', 'AuthError'), log.middleware])
    await harness.call(
      'echo',
      { text: 'x' },
      { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' },
    )
    await log.flush()
    expect(sink.events).toHaveLength(1)
    expect(sink.events[0]).toMatchObject({
      type: 'call',
      decision: 'deny',
      code: 'ERR_AUTH_REQUIRED',
      kind: 'tool',
      name: 'echo',
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
    })
    expect(sink.events[0]?.argumentsDigest).toBeUndefined()
  })

  it('keeps an outer denial apart from a concurrent allowed call of the same tool in the same trace', async () => {
    const sink = memorySink()
    log = createAuditLog({ sinks: [sink] })
    const denyMarked: Middleware = async (ctx, next) => {
      if (ctx.arguments.text === 'deny') throw new TestDenial('ERR_POLICY_DENIED', 'PolicyError')
      return next()
    }
    harness = await startHarness([denyMarked, log.middleware])
    const meta = { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' }
    await Promise.all([harness.call('echo', { text: 'ok' }, meta), harness.call('echo', { text: 'deny' }, meta)])
    await harness.call('echo', { text: 'ok' }, meta)
    await log.flush()
    const summary = sink.events.map((e) => `${e.decision}:${e.argumentsDigest === undefined ? 'no-digest' : 'digest'}`)
    expect(summary.sort()).toEqual(['allow:digest', 'allow:digest', 'deny:no-digest'])
  })

  it('records each call once when many run concurrently through the middleware', async () => {
    const sink = memorySink()
    log = createAuditLog({ sinks: [sink] })
    harness = await startHarness([log.middleware])
    await Promise.all(
      Array.from({ length: 40 }, (_, i) => harness?.call(i % 2 ? 'echo' : 'fail_tool', { text: `${i}` })),
    )
    await log.flush()
    expect(sink.events).toHaveLength(40)
    expect(sink.events.filter((e) => e.errorType === 'tool_error')).toHaveLength(20)
    expect(new Set(sink.events.map((e) => e.argumentsDigest)).size).toBe(40)
  })

  it('records a thrown handler error as a failed call with its class and without its message', async () => {
    const sink = memorySink()
    log = createAuditLog({ sinks: [sink] })
    harness = await startHarness([log.middleware])
    await harness.call('throw_tool', { text: 'AKIAIOSFODNN7EXAMPLE' })
    await log.flush()
    expect(sink.events).toHaveLength(1)
    expect(sink.events[0]).toMatchObject({ decision: 'allow', outcome: 'failure', errorType: 'RangeError' })
    expect(JSON.stringify(sink.events)).not.toContain('AKIA')
  })

  it('never blocks or fails a call when one sink throws and another is stuck', async () => {
    const drops: string[] = []
    let release: () => void = () => {}
    const gate = new Promise<void>((resolve) => {
      release = resolve
    })
    const stuck: AuditSink = { name: 'stuck', write: () => gate }
    const broken: AuditSink = {
      name: 'broken',
      write: () => {
        throw new Error('disk full')
      },
    }
    const healthy = memorySink('healthy')
    log = createAuditLog({
      sinks: [stuck, broken, healthy],
      maxQueue: 2,
      onDrop: (report) => drops.push(`${report.sink}:${report.reason}`),
    })
    harness = await startHarness([log.middleware])
    for (let i = 0; i < 6; i += 1) {
      const result = await harness.call('echo', { text: `${i}` })
      expect(result.content).toEqual([{ type: 'text', text: `${i}` }])
      // Let the sinks run between calls (in-memory calls never yield to the event loop).
      await new Promise((resolve) => setImmediate(resolve))
    }
    await new Promise((resolve) => setImmediate(resolve))
    const during = log.stats()
    expect(during.emitted).toBe(6)
    expect(during.sinks.find((s) => s.name === 'stuck')?.dropped).toBeGreaterThanOrEqual(3)
    release()
    const lost = await log.flush().then(
      () => undefined,
      (err: unknown) => err,
    )
    expect(lost).toMatchObject({ code: 'ERR_AUDIT_EVENTS_LOST' })
    expect((lost as { losses: unknown }).losses).toContainEqual({ sink: 'broken', dropped: 6, error: 'disk full' })
    await log.flush()
    const stats = log.stats()
    expect(stats.sinks.find((s) => s.name === 'healthy')).toMatchObject({ written: 6, dropped: 0, pending: 0 })
    expect(stats.sinks.find((s) => s.name === 'broken')).toMatchObject({ written: 0, dropped: 6 })
    const stuckStats = stats.sinks.find((s) => s.name === 'stuck')
    expect((stuckStats?.written ?? 0) + (stuckStats?.dropped ?? 0)).toBe(6)
    expect(drops.filter((d) => d === 'broken:write_failed')).toHaveLength(6)
    expect(drops.some((d) => d === 'stuck:queue_full')).toBe(true)
    expect(stats.dropped).toBe(6 + (stuckStats?.dropped ?? 0))
  })

  it('logs through a pino-compatible logger with warn for denials when given a loggerSink', async () => {
    const lines: { level: string; object: Record<string, unknown>; message: string }[] = []
    const logger = {
      info: (object: Record<string, unknown>, message: string) => lines.push({ level: 'info', object, message }),
      warn: (object: Record<string, unknown>, message: string) => lines.push({ level: 'warn', object, message }),
    }
    log = createAuditLog({ sinks: [loggerSink(logger)] })
    harness = await startHarness([log.middleware, denyWith('ERR_POLICY_DENIED')])
    await harness.call('echo', { text: 'x' })
    await log.flush()
    expect(lines).toHaveLength(1)
    expect(lines[0]?.level).toBe('warn')
    expect(lines[0]?.message).toBe('mcp-warden audit call')
    const logged = lines[0]?.object.audit as AuditEvent | undefined
    expect(logged?.code).toBe('ERR_POLICY_DENIED')
  })

  it('emits OpenTelemetry log records joined to the call span when given an otelLogSink', async () => {
    const exporter = new InMemoryLogRecordExporter()
    const loggerProvider = new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter })] })
    log = createAuditLog({ sinks: [otelLogSink({ logger: loggerProvider.getLogger('@mcp-warden/audit') })] })
    harness = await startHarness([auditSpans(), log.middleware])
    await harness.call('echo', { text: 'x' })
    await log.flush()
    await loggerProvider.forceFlush()
    const records = exporter.getFinishedLogRecords()
    expect(records).toHaveLength(1)
    const record = records[0]
    const span = spanExporter.getFinishedSpans()[0]
    expect(record?.spanContext?.spanId).toBe(span?.spanContext().spanId)
    expect(record?.severityText).toBe('INFO')
    expect(record?.eventName).toBe('mcp_warden.audit')
    expect(record?.attributes['mcp_warden.decision']).toBe('allow')
    expect(record?.attributes['mcp_warden.name']).toBe('echo')
    await loggerProvider.shutdown()
  })

  it('writes OCSF API Activity lines when the sink format is ocsf', async () => {
    const path = join(dir, 'ocsf.jsonl')
    log = createAuditLog({ sinks: [jsonLinesSink({ path, format: 'ocsf' })] })
    harness = await startHarness([log.middleware, denyWith('ERR_POLICY_RATE_LIMITED')])
    await harness.call('echo', { text: 'x' })
    await log.close()
    const [line] = readFileSync(path, 'utf8').trim().split('\n')
    expect(JSON.parse(line as string)).toMatchObject({
      class_uid: 6003,
      category_uid: 6,
      type_uid: 600399,
      status_id: 2,
      disposition_id: 2,
      status_code: 'ERR_POLICY_RATE_LIMITED',
      api: { operation: 'tools/call' },
    })
  })

  it('drops and counts events produced after close', async () => {
    const sink = memorySink()
    const drops: string[] = []
    log = createAuditLog({ sinks: [sink], onDrop: (r) => drops.push(r.reason) })
    harness = await startHarness([log.middleware, denyWith('ERR_POLICY_DENIED')])
    await log.close()
    const result = await harness.call('echo', { text: 'x' })
    expect(result.isError).toBe(true)
    // No longer listening: published events are not produced at all.
    publishSecurityEvent({ type: 'auth.token_invalid', code: 'ERR_AUTH_TOKEN_INVALID' })
    await new Promise((resolve) => setImmediate(resolve))
    expect(sink.events).toHaveLength(0)
    expect(drops).toEqual(['closed'])
    expect(log.stats()).toMatchObject({ emitted: 1, dropped: 1 })
  })
})

describe('verifyAuditFile', () => {
  const writeChain = async (name: string, key?: string): Promise<{ path: string; lines: string[] }> => {
    const path = join(dir, name)
    log = createAuditLog({ sinks: [jsonLinesSink({ path })], hashChain: key === undefined ? true : { key } })
    harness = await startHarness([log.middleware])
    for (let i = 0; i < 5; i += 1) await harness.call('echo', { text: `call ${i} ✓` })
    await log.close()
    return { path, lines: readFileSync(path, 'utf8').trim().split('\n') }
  }

  it('reports the edited line when an event was modified', async () => {
    const { path, lines } = await writeChain('edited.jsonl')
    lines[2] = (lines[2] as string).replace('"allow"', '"deny"')
    writeFileSync(path, `${lines.join('\n')}\n`)
    expect(await verifyAuditFile(path)).toMatchObject({ ok: false, line: 3, events: 2 })
  })

  it('reports the first broken link when a line was removed, reordered or the head cut off', async () => {
    const { path, lines } = await writeChain('removed.jsonl')
    writeFileSync(path, `${[lines[0], lines[1], lines[3], lines[4]].join('\n')}\n`)
    expect(await verifyAuditFile(path)).toMatchObject({
      ok: false,
      line: 3,
      reason: expect.stringMatching(/sequence gap: expected seq 2, found 3/),
    })
    writeFileSync(path, `${[lines[0], lines[2], lines[1], lines[3]].join('\n')}\n`)
    expect(await verifyAuditFile(path)).toMatchObject({ ok: false, line: 2 })
    writeFileSync(path, `${lines.slice(2).join('\n')}\n`)
    expect(await verifyAuditFile(path)).toMatchObject({
      ok: false,
      line: 1,
      reason: expect.stringMatching(/does not start/),
    })
  })

  it('needs the key when the chain is keyed', async () => {
    const { path } = await writeChain('keyed.jsonl', 'audit-key-1')
    expect(await verifyAuditFile(path, { key: 'audit-key-1' })).toMatchObject({ ok: true, events: 5 })
    expect(await verifyAuditFile(path)).toMatchObject({ ok: false, line: 1 })
    expect(await verifyAuditFile(path, { key: 'other' })).toMatchObject({ ok: false, line: 1 })
  })
})

describe('mcp-warden-audit-verify', () => {
  const root = fileURLToPath(new URL('../../..', import.meta.url))
  const bin = fileURLToPath(new URL('../src/bin/verify.ts', import.meta.url))
  const run = (args: string[], env: Record<string, string> = {}) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        ['--import', 'tsx', bin, ...args],
        { cwd: root, env: { ...process.env, ...env }, timeout: 15_000 },
        (error, stdout, stderr) => {
          const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1
          resolve({ code, stdout, stderr })
        },
      )
    })

  it('exits 0 for an intact file and 1 with the line for a tampered one', async () => {
    const path = join(dir, 'cli.jsonl')
    log = createAuditLog({ sinks: [jsonLinesSink({ path })], hashChain: { key: 'cli-key' } })
    harness = await startHarness([log.middleware])
    for (let i = 0; i < 3; i += 1) await harness.call('echo', { text: `${i}` })
    await log.close()
    const ok = await run([path, '--key-env', 'AUDIT_KEY'], { AUDIT_KEY: 'cli-key' })
    expect(ok).toMatchObject({ code: 0 })
    expect(ok.stdout).toContain('ok: 3 events')
    const lines = readFileSync(path, 'utf8').trim().split('\n')
    lines[1] = (lines[1] as string).replace('"echo"', '"admin"')
    writeFileSync(path, `${lines.join('\n')}\n`)
    const broken = await run([path, '--key-env', 'AUDIT_KEY'], { AUDIT_KEY: 'cli-key' })
    expect(broken.code).toBe(1)
    expect(broken.stdout).toContain('broken at line 2')
    expect(broken.stdout).not.toContain('cli-key')
  })

  it('exits 2 on usage errors, a missing key variable or an unreadable file', async () => {
    expect((await run([])).code).toBe(2)
    expect((await run([join(dir, 'missing.jsonl')])).code).toBe(2)
    expect((await run([join(dir, 'missing.jsonl'), '--key-env', 'NOT_SET_ANYWHERE'])).code).toBe(2)
  })
})
