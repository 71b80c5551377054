import { type Context, ROOT_CONTEXT, TraceFlags, trace } from '@opentelemetry/api'
import type { AuditEvent, AuditSink } from './types.js'

/**
 * A log record as {@link otelLogSink} emits it: structurally the `LogRecord` of
 * `@opentelemetry/api-logs`, so a `Logger` from that package (an optional peer dependency) fits
 * without this package importing it.
 */
export interface OtelLogRecord {
  readonly eventName?: string
  /** Milliseconds since the epoch (this sink), a `Date` or an `HrTime`. */
  readonly timestamp?: number | Date | [number, number]
  readonly severityNumber?: number
  readonly severityText?: string
  readonly body?: unknown
  readonly attributes?: Readonly<Record<string, unknown>>
  readonly context?: Context
}

/** What {@link otelLogSink} needs: `logs.getLogger(name)` of `@opentelemetry/api-logs`. */
export interface OtelLogger {
  emit(record: OtelLogRecord): void
}

/** Options of {@link otelLogSink}. */
export interface OtelLogSinkOptions {
  /** The logger, e.g. `logs.getLogger('@mcp-warden/audit')` from `@opentelemetry/api-logs`. Required. */
  readonly logger: OtelLogger
  /** Name in statistics and drop reports. Default `'otel-logs'`. */
  readonly name?: string
}

/** `SeverityNumber.INFO` and `SeverityNumber.WARN` of the OpenTelemetry logs data model. */
const SEVERITY_INFO = 9
const SEVERITY_WARN = 13

/**
 * A sink emitting each event as an OpenTelemetry log record: event name `mcp_warden.audit`,
 * severity WARN for failures and INFO otherwise, body `mcp-warden audit <type>`, the event's fields
 * as attributes under `mcp_warden.` (`detail` as a JSON string), and the call's trace and span ids
 * as the record's context, so the record joins its trace.
 *
 * @throws TypeError at creation when `logger` has no `emit` method or on bad options.
 * @see https://opentelemetry.io/docs/specs/otel/logs/data-model/
 * @example
 * ```ts
 * import { logs } from '@opentelemetry/api-logs'
 * const audit = createAuditLog({ sinks: [otelLogSink({ logger: logs.getLogger('@mcp-warden/audit') })] })
 * ```
 */
export function otelLogSink(options: OtelLogSinkOptions): AuditSink {
  const where = 'otelLogSink'
  if (typeof options !== 'object' || options === null) throw new TypeError(`${where}: options must be an object`)
  for (const key of Object.keys(options)) {
    if (key !== 'logger' && key !== 'name') throw new TypeError(`${where}: unknown option "${key}"`)
  }
  const { logger, name = 'otel-logs' } = options
  if (typeof logger !== 'object' || logger === null || typeof logger.emit !== 'function') {
    throw new TypeError(`${where}: \`logger\` must have an emit() method (an @opentelemetry/api-logs Logger)`)
  }
  if (typeof name !== 'string' || name.length === 0)
    throw new TypeError(`${where}: \`name\` must be a non-empty string`)
  return {
    name,
    write(event: AuditEvent) {
      const attributes: Record<string, string | number> = {}
      for (const [key, value] of Object.entries(event)) {
        if (value === undefined) continue
        attributes[`mcp_warden.${key}`] =
          typeof value === 'string' || typeof value === 'number' ? value : JSON.stringify(value)
      }
      const record: OtelLogRecord = {
        eventName: 'mcp_warden.audit',
        timestamp: Date.parse(event.time),
        severityNumber: event.outcome === 'failure' ? SEVERITY_WARN : SEVERITY_INFO,
        severityText: event.outcome === 'failure' ? 'WARN' : 'INFO',
        body: `mcp-warden audit ${event.type}`,
        attributes,
        ...(event.traceId !== undefined && event.spanId !== undefined
          ? {
              context: trace.setSpanContext(ROOT_CONTEXT, {
                traceId: event.traceId,
                spanId: event.spanId,
                traceFlags: TraceFlags.SAMPLED,
              }),
            }
          : {}),
      }
      logger.emit(record)
    },
  }
}
