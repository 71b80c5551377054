import { publishDecision, publishSecurityEvent } from '@mcp-warden/core'
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics'
import { describe, expect, it } from 'vitest'
import { createAuditMetrics } from './create-audit-metrics.js'

class TestReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

async function points(reader: TestReader, name: string) {
  const { resourceMetrics } = await reader.collect()
  const metric = resourceMetrics.scopeMetrics.flatMap((s) => s.metrics).find((m) => m.descriptor.name === name)
  return (metric?.dataPoints ?? []).map((p) => ({ attributes: p.attributes, value: p.value }))
}

const deny = { decision: 'deny', correlationId: 'c', kind: 'tool', name: 't', durationMs: 1 } as const

describe('createAuditMetrics', () => {
  it('counts denials by code and sanitizer findings by category when events are published', async () => {
    const reader = new TestReader()
    const meterProvider = new MeterProvider({ readers: [reader] })
    const auditMetrics = createAuditMetrics({ meterProvider })
    try {
      publishDecision({ ...deny, code: 'ERR_POLICY_RATE_LIMITED' })
      publishDecision({ ...deny, code: 'ERR_POLICY_RATE_LIMITED' })
      publishDecision({ ...deny, code: 'not a code; DROP TABLE' })
      publishDecision({ ...deny, decision: 'allow' })
      publishSecurityEvent({ type: 'content.invisible_unicode', detail: { category: 'invisible' } })
      publishSecurityEvent({ type: 'content.ansi_escape', detail: { category: 'x'.repeat(500) } })
      publishSecurityEvent({ type: 'auth.token_invalid', detail: { category: 'ignored' } })
      expect(await points(reader, 'mcp_warden.denials')).toEqual([
        { attributes: { 'mcp_warden.error.code': 'ERR_POLICY_RATE_LIMITED' }, value: 2 },
        { attributes: { 'mcp_warden.error.code': '_OTHER' }, value: 1 },
      ])
      expect(await points(reader, 'mcp_warden.sanitizer.findings')).toEqual([
        {
          attributes: {
            'mcp_warden.finding.category': 'invisible',
            'mcp_warden.event.type': 'content.invisible_unicode',
          },
          value: 1,
        },
        {
          attributes: { 'mcp_warden.finding.category': '_OTHER', 'mcp_warden.event.type': 'content.ansi_escape' },
          value: 1,
        },
      ])
    } finally {
      auditMetrics.close()
      auditMetrics.close()
      await meterProvider.shutdown()
    }
  })

  it('stops counting when closed', async () => {
    const reader = new TestReader()
    const meterProvider = new MeterProvider({ readers: [reader] })
    createAuditMetrics({ meterProvider }).close()
    publishDecision({ ...deny, code: 'ERR_POLICY_DENIED' })
    expect(await points(reader, 'mcp_warden.denials')).toEqual([])
    await meterProvider.shutdown()
  })

  it('throws TypeError at creation when options are wrong', () => {
    expect(() => createAuditMetrics(null as never)).toThrow(TypeError)
    expect(() => createAuditMetrics({ meterProvider: {} as never })).toThrow(TypeError)
    expect(() => createAuditMetrics({ other: 1 } as never)).toThrow(TypeError)
  })
})
