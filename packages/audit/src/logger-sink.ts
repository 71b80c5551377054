import type { AuditEvent, AuditSink } from './types.js'

/** What {@link loggerSink} needs of a logger: pino, and most structured loggers, fit. */
export interface StructuredLogger {
  info(object: Record<string, unknown>, message: string): unknown
  warn(object: Record<string, unknown>, message: string): unknown
  /**
   * Optional (pino has it): writes out what the logger buffered and calls back, with an error
   * when that failed. The sink's `flush()` calls it, so the audit log's `flush()` reports it.
   */
  flush?(callback: (err?: Error | null) => void): unknown
}

/** Options of {@link loggerSink}. */
export interface LoggerSinkOptions {
  /** Key the event is nested under, so it cannot clash with the logger's own fields (`time`, `level`). Default `'audit'`. */
  readonly key?: string
  /** Name in statistics and drop reports. Default `'logger'`. */
  readonly name?: string
}

/**
 * A sink logging each event through a pino-compatible logger: `warn` for failures (denials, failed
 * calls, security events with a code), `info` otherwise, with the event under `key` and the
 * message `mcp-warden audit <type>`.
 *
 * An event counts written once the logger accepted it (`info`/`warn` returned); a logger that
 * throws drops it. A logger that buffers (pino's asynchronous destinations) reports its own
 * failures through `flush(callback)`, which the sink's `flush()` calls when the logger has it.
 *
 * @throws TypeError at creation when `logger` lacks `info` or `warn`, or on bad options.
 * @example
 * ```ts
 * import pino from 'pino'
 * const audit = createAuditLog({ sinks: [loggerSink(pino())] })
 * ```
 */
export function loggerSink(logger: StructuredLogger, options: LoggerSinkOptions = {}): AuditSink {
  const where = 'loggerSink'
  if (
    typeof logger !== 'object' ||
    logger === null ||
    typeof logger.info !== 'function' ||
    typeof logger.warn !== 'function'
  ) {
    throw new TypeError(`${where}: logger must have info() and warn() methods`)
  }
  if (typeof options !== 'object' || options === null) throw new TypeError(`${where}: options must be an object`)
  for (const key of Object.keys(options)) {
    if (key !== 'key' && key !== 'name') throw new TypeError(`${where}: unknown option "${key}"`)
  }
  const { key = 'audit', name = 'logger' } = options
  if (typeof key !== 'string' || key.length === 0) throw new TypeError(`${where}: \`key\` must be a non-empty string`)
  if (typeof name !== 'string' || name.length === 0)
    throw new TypeError(`${where}: \`name\` must be a non-empty string`)
  const flushLogger = logger.flush
  return {
    name,
    write(event: AuditEvent) {
      const message = `mcp-warden audit ${event.type}`
      if (event.outcome === 'failure') logger.warn({ [key]: event }, message)
      else logger.info({ [key]: event }, message)
    },
    ...(typeof flushLogger === 'function'
      ? {
          flush: () =>
            new Promise<void>((resolve, reject) => {
              flushLogger.call(logger, (err) => (err ? reject(err) : resolve()))
            }),
        }
      : {}),
  }
}
