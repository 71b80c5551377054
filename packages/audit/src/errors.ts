/**
 * Errors of the audit trail. They never reach an MCP client (audit runs off the call path): they
 * reach the operator, from a sink's creation, `flush()` or `close()`. Narrow with
 * `switch (err.code)`; identity across copies of the package through `AuditError.isInstance()`.
 */

const BRAND = Symbol.for('mcp-warden.audit-error')

/** Error codes of `@mcp-warden/audit`. */
export const AUDIT_ERROR_CODES = {
  /** A sink's target could not be opened at creation (missing directory, permissions, a directory as path). */
  ERR_AUDIT_SINK_OPEN: 'ERR_AUDIT_SINK_OPEN',
  /** A sink failed to write, flush or close (the stream errored, the file was removed, a timeout). */
  ERR_AUDIT_SINK_FAILED: 'ERR_AUDIT_SINK_FAILED',
  /** Events were dropped since the last `flush()`: not written to at least one sink. */
  ERR_AUDIT_EVENTS_LOST: 'ERR_AUDIT_EVENTS_LOST',
} as const

export type AuditErrorCode = (typeof AUDIT_ERROR_CODES)[keyof typeof AUDIT_ERROR_CODES]

/** Events one sink lost, as `AuditError.losses` reports them. */
export interface AuditLoss {
  readonly sink: string
  /** Events dropped since the previous `flush()` (0 when only the sink's own flush or close failed). */
  readonly dropped: number
  /** The last failure's message, when a failure (not a full queue) caused the loss. */
  readonly error?: string
}

/**
 * A failure of the audit trail: a sink that cannot open its target (`ERR_AUDIT_SINK_OPEN`), a
 * failed write, flush or close (`ERR_AUDIT_SINK_FAILED`), or events lost since the last flush
 * (`ERR_AUDIT_EVENTS_LOST`, with `losses` per sink).
 */
export class AuditError extends Error {
  /** Stable code, `ERR_AUDIT_<REASON>`. */
  readonly code: AuditErrorCode
  /** Per sink, what was lost (`ERR_AUDIT_EVENTS_LOST`); empty otherwise. */
  readonly losses: readonly AuditLoss[]

  constructor(code: AuditErrorCode, message: string, options: { cause?: unknown; losses?: readonly AuditLoss[] } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'AuditError'
    this.code = code
    this.losses = Object.freeze([...(options.losses ?? [])])
    Object.defineProperty(this, BRAND, { value: true })
  }

  /** Whether `value` is an `AuditError` from any copy of this package. */
  static isInstance(value: unknown): value is AuditError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true
  }
}
