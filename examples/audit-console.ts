/**
 * Spans printed to the console, audit trail printed as JSON lines.
 *
 *   npx tsx examples/audit-console.ts
 *
 * stdout: the spans (ConsoleSpanExporter); stderr: the audit events, one hash-chained JSON object
 * per line.
 */
import { jsonLinesSink } from '@mcp-warden/audit'
import { context, propagation, trace } from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import { W3CTraceContextPropagator } from '@opentelemetry/core'
import { BasicTracerProvider, ConsoleSpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base'
import { runAuditDemo } from './internal/audit-demo.js'

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable())
propagation.setGlobalPropagator(new W3CTraceContextPropagator())
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(new ConsoleSpanExporter())] })
trace.setGlobalTracerProvider(provider)

try {
  await runAuditDemo([jsonLinesSink({ stream: process.stderr })])
} finally {
  await provider.shutdown()
}
