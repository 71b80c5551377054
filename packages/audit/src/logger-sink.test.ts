import { describe, expect, it } from 'vitest'
import { loggerSink } from './logger-sink.js'
import type { AuditEvent } from './types.js'

const event: AuditEvent = {
  schema: 'mcp-warden.audit/1',
  id: 'e',
  time: '2026-01-01T00:00:00.000Z',
  type: 'call',
  outcome: 'success',
}

describe('loggerSink', () => {
  it('logs successes with info and failures with warn under the configured key', () => {
    const seen: [string, Record<string, unknown>, string][] = []
    const logger = {
      info: (o: Record<string, unknown>, m: string) => seen.push(['info', o, m]),
      warn: (o: Record<string, unknown>, m: string) => seen.push(['warn', o, m]),
    }
    const sink = loggerSink(logger, { key: 'mcpAudit', name: 'pino' })
    sink.write(event)
    sink.write({ ...event, outcome: 'failure', type: 'auth.token_invalid' })
    expect(sink.name).toBe('pino')
    expect(seen).toEqual([
      ['info', { mcpAudit: event }, 'mcp-warden audit call'],
      [
        'warn',
        { mcpAudit: { ...event, outcome: 'failure', type: 'auth.token_invalid' } },
        'mcp-warden audit auth.token_invalid',
      ],
    ])
  })

  it('throws TypeError at creation when the logger or options are wrong', () => {
    const logger = { info: () => {}, warn: () => {} }
    expect(() => loggerSink(null as never)).toThrow(TypeError)
    expect(() => loggerSink({ info: () => {} } as never)).toThrow(TypeError)
    expect(() => loggerSink(logger, { key: '' })).toThrow(TypeError)
    expect(() => loggerSink(logger, { level: 'x' } as never)).toThrow(TypeError)
  })
})
