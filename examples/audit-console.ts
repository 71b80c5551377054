/**
 * Spans printed to the console, audit trail printed as JSON lines.
 *
 *   npx tsx examples/audit-console.ts
 *
 * stdout: the audit events (one JSON object per line, hash-chained); stderr: the spans.
 */
import { jsonLinesSink } from '@mcp-warden/audit'
import { context, propagation, trace } from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import { W3CTraceContextPropagator } from '@opentelemetry/core'
import {
  BasicTracerProvider,
  ConsoleSpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base'
import { runAuditDemo } from './internal/audit-demo.js'

/** ConsoleSpanExporter writes to stdout; keep stdout for the audit trail and print spans on stderr. */
class StderrSpanExporter implements SpanExporter {
  private readonly inner = new ConsoleSpanExporter()
  export(spans: ReadableSpan[], done: Parameters<SpanExporter['export']>[1]): void {
    for (const span of spans) {
      console.error(
        JSON.stringify({
          name: span.name,
          kind: span.kind,
          traceId: span.spanContext().traceId,
          spanId: span.spanContext().spanId,
          parentSpanId: span.parentSpanContext?.spanId,
          status: span.status,
          attributes: span.attributes,
        }),
      )
    }
    done({ code: 0 })
  }
  shutdown(): Promise<void> {
    return this.inner.shutdown()
  }
}

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable())
propagation.setGlobalPropagator(new W3CTraceContextPropagator())
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(new StderrSpanExporter())] })
trace.setGlobalTracerProvider(provider)

try {
  await runAuditDemo([jsonLinesSink({ stream: process.stdout })])
} finally {
  await provider.shutdown()
}
