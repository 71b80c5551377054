import type { PrimitiveKind } from '@mcp-warden/core'

/** Version tag of the audit event format, carried in every event (`schema`). */
export const AUDIT_EVENT_SCHEMA = 'mcp-warden.audit/1'

/**
 * How identities (principal, subject, client id) are written to spans and events: as they are,
 * hashed (first 32 hex digits of SHA-256, or of HMAC-SHA-256 with a key), or not at all.
 */
export type IdentityMode = 'hashed' | 'plain' | 'omit'

/** The decision an audit event reports for a call. */
export type AuditDecision = 'allow' | 'deny' | 'approval-required'

/**
 * Whether what the event describes succeeded: the call returned a result (`success`), was denied
 * or failed (`failure`), or the event is an observation without an outcome (`unknown`).
 */
export type AuditOutcome = 'success' | 'failure' | 'unknown'

/**
 * One structured audit event: a call's decision (`type: 'call'`) or a security event published by
 * another package (`type` is the event's dotted type: `auth.token_invalid`, `ratelimit.refused`,
 * `content.invisible_unicode`, ...). JSON only; absent fields are omitted, never `null`.
 *
 * Never carries arguments, results, tokens or error causes: arguments appear only as their digest.
 */
export interface AuditEvent {
  /** Format version: `mcp-warden.audit/1`. */
  readonly schema: typeof AUDIT_EVENT_SCHEMA
  /** Random UUID of this event. */
  readonly id: string
  /** When it happened, ISO 8601 in UTC with milliseconds. */
  readonly time: string
  /** `call`, or the security event's type. */
  readonly type: string
  /** Correlation id of the call (W3C trace id from `_meta.traceparent`, or a UUID). */
  readonly correlationId?: string
  /** Trace id (32 hex digits) of the call's trace, when known. */
  readonly traceId?: string
  /** Span id (16 hex digits) of the call's server span, when `auditSpans` ran with an SDK. */
  readonly spanId?: string
  /** The principal (`<issuer>#<subject>`), as the `identity` option maps it. */
  readonly principal?: string
  /** The OAuth client id, as the `identity` option maps it. */
  readonly client?: string
  /** Transport session id. */
  readonly sessionId?: string
  /** Kind of primitive called. */
  readonly kind?: PrimitiveKind
  /** Name of the tool, prompt or resource (template). */
  readonly name?: string
  /** For calls: the decision. */
  readonly decision?: AuditDecision
  /** The denial code (`ERR_<AREA>_<REASON>`) or the security event's code. */
  readonly code?: string
  /** For calls that failed without a denial: `tool_error` or the error's class. */
  readonly errorType?: string
  /** `sha256:<hex>` of the canonical JSON of the arguments, when the audit middleware saw the call. */
  readonly argumentsDigest?: string
  readonly outcome: AuditOutcome
  /** Duration of the call in milliseconds. */
  readonly durationMs?: number
  /** Client-safe facts of a security event (JSON, at most 8 KiB serialized). */
  readonly detail?: Readonly<Record<string, unknown>>
  /** Tamper evidence: position in the chain, from 0. */
  readonly seq?: number
  /** Tamper evidence: `hash` of the previous event (64 zeros for the first). */
  readonly prev?: string
  /** Tamper evidence: hex SHA-256 (or HMAC-SHA-256) over `prev` and this event without `hash`. */
  readonly hash?: string
}

/**
 * Where audit events go. `write` is called once per event, in order, never concurrently for one
 * sink; it may return a promise (the next write waits for it). A write that throws, rejects or
 * outlasts `writeTimeoutMs` counts the event as dropped for that sink; it never reaches the call.
 *
 * The contract that keeps `stats().written` honest: `write` returns (or its promise resolves)
 * only once the event reached the sink's target. A sink that buffers must return a promise that
 * settles when the buffered event was written, not when it was buffered.
 */
export interface AuditSink {
  /** Short name used in statistics and drop reports. */
  readonly name: string
  write(event: AuditEvent): void | Promise<void>
  /** Pushes out anything buffered. */
  flush?(): Promise<void>
  /** Flushes and releases the sink (closes its file or stream). */
  close?(): Promise<void>
}

/** Why events were dropped. */
export type AuditDropReason = 'queue_full' | 'write_failed' | 'closed'

/** A report of dropped events, passed to `onDrop`. */
export interface AuditDropReport {
  readonly sink: string
  readonly reason: AuditDropReason
  /** Events dropped by this occurrence (usually 1). */
  readonly count: number
  /** Why the write failed (`write_failed`): the sink's error message, without its stack. */
  readonly error?: string
}

/** Counters of one sink. */
export interface AuditSinkStats {
  readonly name: string
  /** Events whose write succeeded: returned, or resolved, without error. */
  readonly written: number
  /** Events dropped for this sink (queue full, failed or timed-out writes, after close). */
  readonly dropped: number
  /** Events waiting for this sink, including the one being written. */
  readonly pending: number
}

/** Counters of an audit log. */
export interface AuditLogStats {
  /** Events produced. */
  readonly emitted: number
  /** Sum of the sinks' dropped counts. */
  readonly dropped: number
  readonly sinks: readonly AuditSinkStats[]
}
