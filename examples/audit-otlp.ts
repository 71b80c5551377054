/**
 * Spans exported over OTLP/HTTP, audit trail appended to a hash-chained file, then verified.
 *
 *   OTEL_EXPORTER_OTLP_TRACES_ENDPOINT=http://127.0.0.1:4318/v1/traces \
 *   AUDIT_LOG_PATH=./audit.jsonl npx tsx examples/audit-otlp.ts
 *
 * Then check the file at any time: `mcp-warden-audit-verify ./audit.jsonl`.
 */
import { jsonLinesSink, verifyAuditFile } from '@mcp-warden/audit'
import { context, propagation, trace } from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core'
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http'
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base'
import { runAuditDemo } from './internal/audit-demo.js'

const endpoint = process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? 'http://127.0.0.1:4318/v1/traces'
const auditPath = process.env.AUDIT_LOG_PATH ?? 'audit.jsonl'

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable())
propagation.setGlobalPropagator(
  new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }),
)
const provider = new BasicTracerProvider({
  spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: endpoint }))],
})
trace.setGlobalTracerProvider(provider)

try {
  await runAuditDemo([jsonLinesSink({ path: auditPath })])
} finally {
  // Flushes the batch to the collector.
  await provider.shutdown().catch((err: unknown) => {
    console.error(`could not export spans to ${endpoint}: ${err instanceof Error ? err.message : String(err)}`)
  })
}
const verification = await verifyAuditFile(auditPath)
console.error(`traces endpoint ${endpoint}; audit trail in ${auditPath}: ${JSON.stringify(verification)}`)
