import { trace } from '@opentelemetry/api'
import { describe, expect, it } from 'vitest'
import { type OtelLogRecord, otelLogSink } from './otel-log-sink.js'
import type { AuditEvent } from './types.js'

describe('otelLogSink', () => {
  it('emits a record with severity, attributes and the call span as context', () => {
    const records: OtelLogRecord[] = []
    const sink = otelLogSink({ logger: { emit: (record) => void records.push(record) } })
    const event: AuditEvent = {
      schema: 'mcp-warden.audit/1',
      id: 'e',
      time: '2026-01-01T00:00:00.000Z',
      type: 'auth.token_invalid',
      code: 'ERR_AUTH_TOKEN_INVALID',
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
      outcome: 'failure',
      detail: { reason: 'expired' },
    }
    sink.write(event)
    const record = records[0] as OtelLogRecord
    expect(record).toMatchObject({
      eventName: 'mcp_warden.audit',
      timestamp: Date.parse(event.time),
      severityNumber: 13,
      severityText: 'WARN',
      body: 'mcp-warden audit auth.token_invalid',
    })
    expect(record.attributes).toMatchObject({
      'mcp_warden.code': 'ERR_AUTH_TOKEN_INVALID',
      'mcp_warden.detail': '{"reason":"expired"}',
    })
    expect(trace.getSpanContext(record.context as never)?.spanId).toBe('00f067aa0ba902b7')
  })

  it('throws TypeError at creation when the logger or options are wrong', () => {
    expect(() => otelLogSink(null as never)).toThrow(TypeError)
    expect(() => otelLogSink({} as never)).toThrow(TypeError)
    expect(() => otelLogSink({ logger: { emit: () => {} }, name: '' })).toThrow(TypeError)
    expect(() => otelLogSink({ logger: { emit: () => {} }, other: 1 } as never)).toThrow(TypeError)
  })
})
