import type { Middleware } from '@mcp-warden/core'
import type { Logger } from '@opentelemetry/api-logs'
import { describe, expectTypeOf, it } from 'vitest'
import { auditSpans } from './audit-spans.js'
import { createAuditLog } from './create-audit-log.js'
import { otelLogSink } from './otel-log-sink.js'

declare const logger: Logger

describe('otelLogSink', () => {
  it('accepts a Logger of @opentelemetry/api-logs', () => {
    expectTypeOf(otelLogSink({ logger })).toHaveProperty('write')
    // @ts-expect-error the logger is required
    otelLogSink({})
  })
})

describe('auditSpans', () => {
  it('is a middleware and rejects misspelt options', () => {
    expectTypeOf(auditSpans()).toExtend<Middleware>()
    // @ts-expect-error not an identity mode
    auditSpans({ identity: 'clear' })
    expectTypeOf(createAuditLog({ sinks: [] }).middleware).toExtend<Middleware>()
  })
})
