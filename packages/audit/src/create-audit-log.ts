import { randomUUID } from 'node:crypto'
import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import {
  canonicalJson,
  DECISION_CHANNEL,
  type DecisionEvent,
  denialCodeOf,
  type GuardContext,
  type Middleware,
  type PrimitiveResult,
  publishSecurityEvent,
  SECURITY_EVENT_CHANNEL,
  type SecurityEvent,
  WardenError,
} from '@mcp-warden/core'
import { context, isSpanContextValid, trace } from '@opentelemetry/api'
import { AUDIT_ERROR_CODES, AuditError, type AuditLoss } from './errors.js'
import { chainHash, GENESIS } from './internal/chain.js'
import { argumentsDigest } from './internal/digest.js'
import { createIdentityMapper, type IdentityMode } from './internal/identity.js'
import { decisionOf, errorTypeOf } from './internal/outcome.js'
import {
  AUDIT_EVENT_SCHEMA,
  type AuditDecision,
  type AuditDropReason,
  type AuditDropReport,
  type AuditEvent,
  type AuditLogStats,
  type AuditOutcome,
  type AuditSink,
} from './types.js'

/** Options of {@link createAuditLog}. */
export interface AuditLogOptions {
  /** Where events go, at least one. Each sink gets every event, in order, through its own queue. */
  readonly sinks: readonly AuditSink[]
  /**
   * Tamper evidence: each event gets `seq`, `prev` (the previous event's hash) and `hash`
   * (SHA-256 over `prev` and the event), so removing, reordering or editing a line breaks the chain
   * ({@link verifyAuditChain}). `{ key }` uses HMAC-SHA-256 instead, so the chain cannot be
   * recomputed without the key. Default `false`.
   */
  readonly hashChain?: boolean | { readonly key: string | Uint8Array }
  /**
   * How the principal id and client id are written: `'plain'`, `'hashed'` (first 32 hex digits of
   * SHA-256, or HMAC-SHA-256 with `identityHashKey`) or `'omit'`. Default `'plain'`: an audit trail
   * is for the operator, who needs to know who did what.
   */
  readonly identity?: IdentityMode
  /** Key of the HMAC used when `identity` is `'hashed'`. Default: none (plain SHA-256). */
  readonly identityHashKey?: string | Uint8Array
  /** Events held per sink while it is busy; further events are dropped and counted. Default 10 000. */
  readonly maxQueue?: number
  /**
   * How long one asynchronous `write` may take, in milliseconds, before the event is counted as
   * dropped and the sink moves on. Default 5000.
   */
  readonly writeTimeoutMs?: number
  /**
   * Called (synchronously, errors ignored) whenever events are dropped, so drops are never silent:
   * a full queue, a write that threw, rejected or timed out. `stats()` keeps the totals, a
   * security event `audit.events_dropped` is published when a sink starts dropping, and the next
   * `flush()` rejects. Default: none.
   */
  readonly onDrop?: (report: AuditDropReport) => void
  /**
   * Redaction applied to every string in a security event's `detail` before it is recorded, as a
   * second line of defence (publishers already promise client-safe details). When it throws, the
   * detail is replaced by `{ redactionFailed: true }`. Default: none.
   */
  readonly redact?: (text: string) => string
  /** Records every call decision published by secured servers (core's decision channel). Default `true`. */
  readonly decisions?: boolean
  /** Records every security event published by the other packages. Default `true`. */
  readonly securityEvents?: boolean
}

/** A running audit log. */
export interface AuditLog {
  /**
   * Middleware that records the call it wraps with what only the call knows: the digest of the
   * arguments and the trace and span ids of the active span. Put it right after `auditSpans()` in
   * `use`; calls denied before it are still recorded, from the decision channel, without digest.
   */
  readonly middleware: Middleware
  /**
   * Counters of produced, written, dropped and pending events. Per sink, every event produced
   * while the log was open is in exactly one of `written`, `dropped` or `pending`; `written`
   * counts only events whose write succeeded.
   */
  stats(): AuditLogStats
  /**
   * Resolves once every queued event was written (or dropped) and the sinks flushed.
   *
   * @throws AuditError `ERR_AUDIT_EVENTS_LOST` (rejects) when any sink dropped events since the
   * previous `flush()`, or a sink's own `flush()` failed; `losses` says which sink lost how many,
   * and why. Each loss is reported by one `flush()`.
   */
  flush(): Promise<void>
  /**
   * Stops listening, flushes, and closes the sinks. Events produced afterwards are dropped and
   * counted (`reason: 'closed'`). Idempotent: every call returns the same promise.
   *
   * @throws AuditError `ERR_AUDIT_EVENTS_LOST` (rejects, after every sink was closed) when events
   * were lost that no `flush()` reported yet, or a sink failed to flush or close.
   */
  close(): Promise<void>
}

const KNOWN = new Set([
  'sinks',
  'hashChain',
  'identity',
  'identityHashKey',
  'maxQueue',
  'writeTimeoutMs',
  'onDrop',
  'decisions',
  'securityEvents',
  'redact',
])
const TRACE_ID = /^[\da-f]{32}$/
const MAX_DETAIL_CHARS = 8192
const CLAIMS_MAX = 10_000

interface SinkState {
  readonly sink: AuditSink
  queue: (AuditEvent | undefined)[]
  head: number
  written: number
  dropped: number
  /** Whether a write is under way (its event is pending, neither written nor dropped yet). */
  writing: boolean
  running: Promise<void> | undefined
  /** Dropped since the last flush() reported, and the last failure among them. */
  lost: number
  lastError: string | undefined
  /** A failure of the sink's own flush or close, not yet reported. */
  sinkError: string | undefined
  /** Whether the sink is dropping: the security event is published on the way in, not per event. */
  failing: boolean
}

/** Type of the security event a log publishes when a sink starts dropping events. */
const DROPPED_EVENT_TYPE = 'audit.events_dropped'

/**
 * Turns every call decision and every security event of this process into one structured
 * {@link AuditEvent} and hands it to the sinks: time, correlation id, trace and span ids,
 * principal, client, primitive, decision, code, argument digest, outcome and duration.
 *
 * Sinks run off the call path: an event is queued (bounded by `maxQueue`) and written on a later
 * turn of the event loop, one sink at a time per queue, so a failing or slow sink never delays or
 * fails a call. Dropped events are counted per sink (`stats()`) and reported to `onDrop`. Call
 * `close()` on shutdown to flush.
 *
 * Calls that pass through `log.middleware` are recorded by it (with the argument digest and the
 * ids of the active span); the decision channel supplies the others (denied before the
 * middleware). The two are matched on correlation id, kind and name so each call is recorded once.
 *
 * @throws TypeError at creation on unknown or ill-typed options, or no sink.
 * @see https://schema.ocsf.io/classes/api_activity for the OCSF mapping ({@link toOcsf})
 * @example
 * ```ts
 * const audit = createAuditLog({ sinks: [jsonLinesSink({ path: 'audit.jsonl' })], hashChain: true })
 * const server = secure(new McpServer({ name: 'tickets', version: '1.0.0' }), {
 *   use: [auditSpans(), audit.middleware],
 * })
 * process.on('SIGTERM', () => void audit.close())
 * ```
 */
export function createAuditLog(options: AuditLogOptions): AuditLog {
  const opts = checkOptions(options)
  const identity = createIdentityMapper(opts.identity, opts.identityHashKey)
  const states: SinkState[] = opts.sinks.map((sink) => ({
    sink,
    queue: [],
    head: 0,
    written: 0,
    dropped: 0,
    writing: false,
    running: undefined,
    lost: 0,
    lastError: undefined,
    sinkError: undefined,
    failing: false,
  }))
  /** Marks this log's own drop events, so it does not record them into the sinks that dropped. */
  const logId = randomUUID()
  const chainKey = typeof opts.hashChain === 'object' ? opts.hashChain.key : undefined
  let prev = GENESIS
  let seq = 0
  let emitted = 0
  let closed = false
  /** Calls recorded by the middleware whose decision-channel event is still to come. */
  const claims = new Map<string, number>()

  const report = (state: SinkState, reason: AuditDropReason, count: number, error?: unknown): void => {
    state.dropped += count
    const message = error === undefined ? undefined : messageOf(error)
    if (reason !== 'closed') {
      state.lost += count
      if (message !== undefined) state.lastError = message
      if (!state.failing) {
        state.failing = true
        publishSecurityEvent({
          type: DROPPED_EVENT_TYPE,
          code: AUDIT_ERROR_CODES.ERR_AUDIT_EVENTS_LOST,
          detail: { sink: state.sink.name, reason, log: logId, ...(message === undefined ? {} : { error: message }) },
        })
      }
    }
    if (opts.onDrop === undefined) return
    try {
      opts.onDrop({ sink: state.sink.name, reason, count, ...(message === undefined ? {} : { error: message }) })
    } catch {
      // A failing drop listener must not fail the call either.
    }
  }

  const runSink = async (state: SinkState): Promise<void> => {
    // Never run sink code in the stack of the call that produced the event.
    await new Promise<void>((resolve) => setImmediate(resolve))
    while (state.head < state.queue.length) {
      const event = state.queue[state.head] as AuditEvent
      state.queue[state.head] = undefined
      state.head += 1
      state.writing = true
      try {
        // A write that returns without a promise delivered the event synchronously (or threw).
        const pending = state.sink.write(event)
        if (pending !== undefined && typeof (pending as Promise<void>).then === 'function') {
          await withTimeout(pending, opts.writeTimeoutMs)
        }
        state.written += 1
        state.failing = false
      } catch (err) {
        report(state, 'write_failed', 1, err)
      } finally {
        state.writing = false
      }
      if (state.head >= 1024 && state.head * 2 >= state.queue.length) {
        state.queue = state.queue.slice(state.head)
        state.head = 0
      }
    }
    state.queue = []
    state.head = 0
    state.running = undefined
  }

  const emit = (draft: Draft): void => {
    emitted += 1
    let event = finish(draft)
    if (closed) {
      for (const state of states) report(state, 'closed', 1)
      return
    }
    if (opts.hashChain !== false) {
      const linked = { ...event, seq, prev }
      const hash = chainHash(linked, chainKey)
      event = Object.freeze({ ...linked, hash })
      prev = hash
      seq += 1
    }
    for (const state of states) {
      if (state.queue.length - state.head >= opts.maxQueue) {
        report(state, 'queue_full', 1)
        continue
      }
      state.queue.push(event)
      if (state.running === undefined) state.running = runSink(state)
    }
  }

  /**
   * Matches a call recorded by the middleware with its decision-channel event. The outcome is part
   * of the key, so a concurrent call of the same tool in the same trace that was denied before the
   * middleware is never mistaken for it.
   */
  const claimKey = (correlationId: string, kind: string, name: string, code: string | undefined): string =>
    `${correlationId}\0${kind}\0${name}\0${code ?? ''}`

  const onDecision = (message: unknown): void => {
    try {
      const event = message as DecisionEvent & { time?: number }
      const key = claimKey(
        event.correlationId,
        event.kind,
        event.name,
        event.decision === 'allow' ? undefined : String(event.code),
      )
      const pending = claims.get(key)
      if (pending !== undefined) {
        if (pending <= 1) claims.delete(key)
        else claims.set(key, pending - 1)
        return
      }
      const decision: AuditDecision =
        event.decision === 'allow' ? 'allow' : decisionOf(typeof event.code === 'string' ? event.code : '')
      emit({
        time: typeof event.time === 'number' ? event.time : Date.now(),
        type: 'call',
        correlationId: event.correlationId,
        traceId: TRACE_ID.test(event.correlationId) ? event.correlationId : undefined,
        principal: identity(event.principalId),
        client: identity(event.clientId),
        sessionId: event.sessionId,
        kind: event.kind,
        name: event.name,
        decision,
        code: event.code,
        outcome: decision === 'allow' ? 'success' : 'failure',
        durationMs: event.durationMs,
      })
    } catch {
      // A malformed event is not worth failing the publisher for.
    }
  }

  const onSecurity = (message: unknown): void => {
    try {
      const event = message as SecurityEvent & { time?: number }
      if (typeof event.type !== 'string') return
      // Our own drop report would go to the sinks that are dropping (other logs record it).
      if (event.type === DROPPED_EVENT_TYPE && event.detail?.log === logId) return
      emit({
        time: typeof event.time === 'number' ? event.time : Date.now(),
        type: event.type,
        correlationId: event.correlationId,
        traceId:
          event.correlationId !== undefined && TRACE_ID.test(event.correlationId) ? event.correlationId : undefined,
        principal: identity(event.principalId),
        client: identity(event.clientId),
        kind: event.kind,
        name: event.name,
        code: event.code,
        outcome: event.code === undefined ? 'unknown' : 'failure',
        detail: safeDetail(event.detail, opts.redact),
      })
    } catch {
      // As above.
    }
  }

  if (opts.decisions) subscribe(DECISION_CHANNEL, onDecision)
  if (opts.securityEvents) subscribe(SECURITY_EVENT_CHANNEL, onSecurity)

  /** `code`: the denial code when the call was denied (core then publishes `deny`), else `undefined` (`allow`). */
  const claim = (ctx: GuardContext, code: string | undefined): void => {
    if (!opts.decisions || closed) return
    const key = claimKey(ctx.correlationId, ctx.kind, ctx.name, code)
    claims.set(key, (claims.get(key) ?? 0) + 1)
    if (claims.size > CLAIMS_MAX) {
      // Calls recorded outside a secured server never get a decision; forget the oldest.
      const oldest = claims.keys().next().value
      if (oldest !== undefined) claims.delete(oldest)
    }
  }

  const auditEventsMiddleware = async (
    ctx: GuardContext,
    next: () => Promise<PrimitiveResult>,
  ): Promise<PrimitiveResult> => {
    const time = Date.now()
    const started = performance.now()
    const digest = argumentsDigest(ctx.arguments)
    const spanContext = trace.getSpanContext(context.active())
    const ids =
      spanContext !== undefined && isSpanContextValid(spanContext)
        ? { traceId: spanContext.traceId, spanId: spanContext.spanId }
        : { traceId: TRACE_ID.test(ctx.correlationId) ? ctx.correlationId : undefined, spanId: undefined }
    const base = {
      time,
      type: 'call',
      correlationId: ctx.correlationId,
      ...ids,
      principal: identity(ctx.principal?.id),
      client: identity(ctx.principal?.clientId ?? ctx.auth?.clientId),
      sessionId: ctx.sessionId,
      kind: ctx.kind,
      name: ctx.name,
      argumentsDigest: digest,
    }
    let result: PrimitiveResult
    try {
      result = await next()
    } catch (err) {
      const durationMs = performance.now() - started
      if (WardenError.isInstance(err)) {
        emit({ ...base, decision: decisionOf(err.code), code: err.code, outcome: 'failure', durationMs })
        claim(ctx, err.code)
      } else {
        // No decision is published for errors that are not denials: this is the only record.
        emit({ ...base, decision: 'allow', errorType: errorTypeOf(err), outcome: 'failure', durationMs })
      }
      throw err
    }
    const durationMs = performance.now() - started
    if (typeof result === 'object' && result !== null && result.isError === true) {
      const code = denialCodeOf(result)
      emit({
        ...base,
        decision: code === undefined ? 'allow' : decisionOf(code),
        code,
        errorType: code === undefined ? 'tool_error' : undefined,
        outcome: 'failure',
        durationMs,
      })
    } else {
      emit({ ...base, decision: 'allow', outcome: 'success', durationMs })
    }
    // Core publishes `allow` for every returned result, error results included.
    claim(ctx, undefined)
    return result
  }

  /** Runs `step` of every sink that has it, bounded by the write timeout; a failure is kept for the report. */
  const eachSink = (step: 'flush' | 'close'): Promise<unknown> =>
    Promise.all(
      states.map(async (state) => {
        const method = state.sink[step]
        if (typeof method !== 'function') return
        try {
          await withTimeout(method.call(state.sink), opts.writeTimeoutMs)
        } catch (err) {
          state.sinkError ??= `${step} failed: ${messageOf(err)}`
        }
      }),
    )

  const drain = async (): Promise<void> => {
    for (;;) {
      const running = states.map((state) => state.running).filter((p) => p !== undefined)
      if (running.length === 0) break
      await Promise.all(running)
    }
  }

  /** The losses not reported yet, as one error (and forgets them), or `undefined`. */
  const takeLosses = (): AuditError | undefined => {
    const losses: AuditLoss[] = []
    for (const state of states) {
      if (state.lost === 0 && state.sinkError === undefined) continue
      const error = [state.lastError, state.sinkError].filter((e) => e !== undefined).join('; ')
      losses.push({ sink: state.sink.name, dropped: state.lost, ...(error === '' ? {} : { error }) })
      state.lost = 0
      state.lastError = undefined
      state.sinkError = undefined
    }
    if (losses.length === 0) return undefined
    const summary = losses
      .map((l) => `sink "${l.sink}" dropped ${l.dropped} event(s)${l.error === undefined ? '' : ` (${l.error})`}`)
      .join('; ')
    return new AuditError(AUDIT_ERROR_CODES.ERR_AUDIT_EVENTS_LOST, `audit events lost: ${summary}`, { losses })
  }

  const flush = async (): Promise<void> => {
    await drain()
    await eachSink('flush')
    const lost = takeLosses()
    if (lost !== undefined) throw lost
  }

  let closing: Promise<void> | undefined
  const close = (): Promise<void> => {
    if (closing !== undefined) return closing
    closed = true
    if (opts.decisions) unsubscribe(DECISION_CHANNEL, onDecision)
    if (opts.securityEvents) unsubscribe(SECURITY_EVENT_CHANNEL, onSecurity)
    closing = (async () => {
      await drain()
      await eachSink('flush')
      await eachSink('close')
      const lost = takeLosses()
      if (lost !== undefined) throw lost
    })()
    return closing
  }

  return Object.freeze({
    middleware: Object.assign(auditEventsMiddleware, { describe: { name: 'auditEvents' } }),
    stats(): AuditLogStats {
      const sinks = states.map((state) => ({
        name: state.sink.name,
        written: state.written,
        dropped: state.dropped,
        pending: state.queue.length - state.head + (state.writing ? 1 : 0),
      }))
      return { emitted, dropped: sinks.reduce((sum, sink) => sum + sink.dropped, 0), sinks }
    },
    flush,
    close,
  })
}

/** An event before its id, ISO time and chain fields; `undefined` fields are dropped. */
interface Draft {
  readonly time: number
  readonly type: string
  readonly correlationId?: string | undefined
  readonly traceId?: string | undefined
  readonly spanId?: string | undefined
  readonly principal?: string | undefined
  readonly client?: string | undefined
  readonly sessionId?: string | undefined
  readonly kind?: AuditEvent['kind'] | undefined
  readonly name?: string | undefined
  readonly decision?: AuditDecision | undefined
  readonly code?: string | undefined
  readonly errorType?: string | undefined
  readonly argumentsDigest?: string | undefined
  readonly outcome: AuditOutcome
  readonly durationMs?: number | undefined
  readonly detail?: Readonly<Record<string, unknown>> | undefined
}

function finish(draft: Draft): AuditEvent {
  const event: Record<string, unknown> = {
    schema: AUDIT_EVENT_SCHEMA,
    id: randomUUID(),
    time: new Date(draft.time).toISOString(),
  }
  for (const [key, value] of Object.entries(draft)) {
    if (key === 'time' || value === undefined) continue
    if (key === 'durationMs') {
      event[key] = Math.round((value as number) * 1000) / 1000
      continue
    }
    if (typeof value === 'string' && value.length > 1024) {
      event[key] = `${value.slice(0, 1023)}…`
      continue
    }
    event[key] = value
  }
  return Object.freeze(event as unknown as AuditEvent)
}

/** The detail of a security event as JSON, bounded and redacted; never the original objects. */
function safeDetail(
  detail: unknown,
  redact: ((text: string) => string) | undefined,
): Readonly<Record<string, unknown>> | undefined {
  if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) return undefined
  let text: string
  try {
    text = canonicalJson(detail, 16)
  } catch {
    return { unrepresentable: true }
  }
  if (text.length > MAX_DETAIL_CHARS) return { truncated: true, size: text.length }
  const parsed = JSON.parse(text) as Record<string, unknown>
  if (redact === undefined) return parsed
  try {
    return redactStrings(parsed, redact) as Record<string, unknown>
  } catch {
    return { redactionFailed: true }
  }
}

function redactStrings(value: unknown, redact: (text: string) => string): unknown {
  if (typeof value === 'string') {
    const out = redact(value)
    if (typeof out !== 'string') throw new TypeError('redact must return a string')
    return out
  }
  if (Array.isArray(value)) return value.map((item) => redactStrings(item, redact))
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {}
    for (const [key, item] of Object.entries(value)) out[key] = redactStrings(item, redact)
    return out
  }
  return value
}

function messageOf(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err)
  return text.length > 300 ? `${text.slice(0, 299)}…` : text
}

function withTimeout(pending: Promise<void>, ms: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`audit sink timed out after ${ms} ms`)), ms)
    timer.unref?.()
    pending.then(
      () => {
        clearTimeout(timer)
        resolve()
      },
      (err: unknown) => {
        clearTimeout(timer)
        reject(err)
      },
    )
  })
}

interface CheckedOptions {
  readonly sinks: readonly AuditSink[]
  readonly hashChain: false | true | { readonly key: string | Uint8Array }
  readonly identity: IdentityMode
  readonly identityHashKey: string | Uint8Array | undefined
  readonly maxQueue: number
  readonly writeTimeoutMs: number
  readonly onDrop: ((report: AuditDropReport) => void) | undefined
  readonly decisions: boolean
  readonly securityEvents: boolean
  readonly redact: ((text: string) => string) | undefined
}

function isKey(value: unknown): value is string | Uint8Array {
  return (typeof value === 'string' || value instanceof Uint8Array) && value.length > 0
}

function checkOptions(options: AuditLogOptions): CheckedOptions {
  const where = 'createAuditLog'
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new TypeError(`${where}: options must be an object`)
  }
  for (const key of Object.keys(options)) {
    if (!KNOWN.has(key)) throw new TypeError(`${where}: unknown option "${key}"`)
  }
  const {
    sinks,
    hashChain = false,
    identity = 'plain',
    identityHashKey,
    maxQueue = 10_000,
    writeTimeoutMs = 5000,
    onDrop,
    decisions = true,
    securityEvents = true,
    redact,
  } = options
  if (!Array.isArray(sinks) || sinks.length === 0) throw new TypeError(`${where}: \`sinks\` must be a non-empty array`)
  sinks.forEach((sink: unknown, index) => {
    const s = sink as Partial<AuditSink> | null
    if (typeof s !== 'object' || s === null || typeof s.write !== 'function' || typeof s.name !== 'string') {
      throw new TypeError(`${where}: sink ${index} must be an object with a \`name\` and a \`write(event)\` method`)
    }
  })
  if (
    typeof hashChain !== 'boolean' &&
    !(typeof hashChain === 'object' && hashChain !== null && isKey(hashChain.key))
  ) {
    throw new TypeError(`${where}: \`hashChain\` must be a boolean or { key: non-empty string | Uint8Array }`)
  }
  if (identity !== 'hashed' && identity !== 'plain' && identity !== 'omit') {
    throw new TypeError(`${where}: \`identity\` must be 'hashed', 'plain' or 'omit'`)
  }
  if (identityHashKey !== undefined && !isKey(identityHashKey)) {
    throw new TypeError(`${where}: \`identityHashKey\` must be a non-empty string or Uint8Array`)
  }
  if (!Number.isSafeInteger(maxQueue) || maxQueue < 1)
    throw new TypeError(`${where}: \`maxQueue\` must be an integer >= 1`)
  if (!Number.isFinite(writeTimeoutMs) || writeTimeoutMs <= 0) {
    throw new TypeError(`${where}: \`writeTimeoutMs\` must be a positive number of milliseconds`)
  }
  if (onDrop !== undefined && typeof onDrop !== 'function')
    throw new TypeError(`${where}: \`onDrop\` must be a function`)
  if (typeof decisions !== 'boolean') throw new TypeError(`${where}: \`decisions\` must be a boolean`)
  if (typeof securityEvents !== 'boolean') throw new TypeError(`${where}: \`securityEvents\` must be a boolean`)
  if (redact !== undefined && typeof redact !== 'function')
    throw new TypeError(`${where}: \`redact\` must be a function`)
  return {
    sinks: Object.freeze([...sinks]),
    hashChain,
    identity,
    identityHashKey,
    maxQueue,
    writeTimeoutMs,
    onDrop,
    decisions,
    securityEvents,
    redact,
  }
}
