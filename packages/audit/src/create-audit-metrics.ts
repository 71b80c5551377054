import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import { DECISION_CHANNEL, type DecisionEvent, SECURITY_EVENT_CHANNEL, type SecurityEvent } from '@mcp-warden/core'
import type { Counter, MeterProvider } from '@opentelemetry/api'
import { createInstrumentSource } from './internal/otel-state.js'
import { INSTRUMENTATION_NAME, INSTRUMENTATION_VERSION } from './internal/version.js'
import {
  ATTR_WARDEN_ERROR_CODE,
  ATTR_WARDEN_EVENT_TYPE,
  ATTR_WARDEN_FINDING_CATEGORY,
  METRIC_WARDEN_DENIALS,
  METRIC_WARDEN_SANITIZER_FINDINGS,
} from './semconv.js'

/** Options of {@link createAuditMetrics}. */
export interface AuditMetricsOptions {
  /** Meter provider. Default: the global one, looked up per event so a later SDK is picked up. */
  readonly meterProvider?: MeterProvider
}

/** Running metrics; `close()` stops listening. */
export interface AuditMetrics {
  close(): void
}

interface Instruments {
  readonly denials: Counter
  readonly findings: Counter
}

const CODE = /^[A-Z][A-Z0-9_]{0,63}$/
const CATEGORY = /^[\w.-]{1,64}$/

/**
 * Counters fed by the events every package publishes, whatever guard produced them:
 * `mcp_warden.denials` (denied calls, by `mcp_warden.error.code`) from core's decision channel, and
 * `mcp_warden.sanitizer.findings` (by `mcp_warden.finding.category` and `mcp_warden.event.type`)
 * from security events whose type starts with `content.`, category in `detail.category`.
 * Attribute values that do not look like codes or categories are recorded as `_OTHER`, so a
 * publisher cannot blow up the metric's cardinality.
 *
 * @throws TypeError at creation on bad options.
 * @example
 * ```ts
 * const auditMetrics = createAuditMetrics()
 * process.on('SIGTERM', () => auditMetrics.close())
 * ```
 */
export function createAuditMetrics(options: AuditMetricsOptions = {}): AuditMetrics {
  if (typeof options !== 'object' || options === null)
    throw new TypeError('createAuditMetrics: options must be an object')
  for (const key of Object.keys(options)) {
    if (key !== 'meterProvider') throw new TypeError(`createAuditMetrics: unknown option "${key}"`)
  }
  const { meterProvider } = options
  if (meterProvider !== undefined && typeof (meterProvider as { getMeter?: unknown }).getMeter !== 'function') {
    throw new TypeError('createAuditMetrics: `meterProvider` must be a MeterProvider')
  }
  const instruments = createInstrumentSource(
    meterProvider,
    INSTRUMENTATION_NAME,
    INSTRUMENTATION_VERSION,
    (meter): Instruments => ({
      denials: meter.createCounter(METRIC_WARDEN_DENIALS, {
        unit: '{call}',
        description: 'Calls denied by mcp-warden, by error code.',
      }),
      findings: meter.createCounter(METRIC_WARDEN_SANITIZER_FINDINGS, {
        unit: '{finding}',
        description: 'Sanitizer findings, by category.',
      }),
    }),
  )
  const onDecision = (message: unknown): void => {
    const event = message as Partial<DecisionEvent>
    if (event.decision !== 'deny') return
    const current = instruments()
    if (current === undefined) return
    const code = typeof event.code === 'string' && CODE.test(event.code) ? event.code : '_OTHER'
    current.denials.add(1, { [ATTR_WARDEN_ERROR_CODE]: code })
  }
  const onSecurity = (message: unknown): void => {
    const event = message as Partial<SecurityEvent>
    if (typeof event.type !== 'string' || !event.type.startsWith('content.')) return
    const current = instruments()
    if (current === undefined) return
    const raw = event.detail?.category
    const category = typeof raw === 'string' && CATEGORY.test(raw) ? raw : '_OTHER'
    const type = CATEGORY.test(event.type) ? event.type : '_OTHER'
    current.findings.add(1, { [ATTR_WARDEN_FINDING_CATEGORY]: category, [ATTR_WARDEN_EVENT_TYPE]: type })
  }
  subscribe(DECISION_CHANNEL, onDecision)
  subscribe(SECURITY_EVENT_CHANNEL, onSecurity)
  let closed = false
  return Object.freeze({
    close() {
      if (closed) return
      closed = true
      unsubscribe(DECISION_CHANNEL, onDecision)
      unsubscribe(SECURITY_EVENT_CHANNEL, onSecurity)
    },
  })
}
