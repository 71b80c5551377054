import { describe, expect, it } from 'vitest'
import { toOcsf } from './to-ocsf.js'
import type { AuditEvent } from './types.js'

const base: AuditEvent = {
  schema: 'mcp-warden.audit/1',
  id: '4d0c1c1e-7d7e-4a39-9a4f-2f6f0d1b7c11',
  time: '2026-01-02T03:04:05.678Z',
  type: 'call',
  correlationId: '4bf92f3577b34da6a3ce929d0e0e4736',
  traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
  spanId: '00f067aa0ba902b7',
  principal: 'https://issuer.example#alice',
  client: 'client-42',
  sessionId: 's-1',
  kind: 'tool',
  name: 'delete_ticket',
  decision: 'deny',
  code: 'ERR_POLICY_INSUFFICIENT_SCOPE',
  argumentsDigest: `sha256:${'a'.repeat(64)}`,
  outcome: 'failure',
  durationMs: 1.4,
  seq: 3,
  prev: 'b'.repeat(64),
  hash: 'c'.repeat(64),
}

describe('toOcsf', () => {
  it('maps a denied tool call to API Activity with a Blocked disposition', () => {
    const ocsf = toOcsf(base)
    expect(ocsf).toMatchObject({
      class_uid: 6003,
      class_name: 'API Activity',
      category_uid: 6,
      activity_id: 99,
      activity_name: 'Invoke',
      type_uid: 600399,
      time: Date.parse('2026-01-02T03:04:05.678Z'),
      severity_id: 3,
      status_id: 2,
      status: 'Failure',
      status_code: 'ERR_POLICY_INSUFFICIENT_SCOPE',
      disposition_id: 2,
      disposition: 'Blocked',
      duration: 1,
      actor: { user: { uid: 'https://issuer.example#alice' }, app_uid: 'client-42', session: { uid: 's-1' } },
      api: { operation: 'tools/call', service: { name: 'mcp' } },
      resources: [{ name: 'delete_ticket', type: 'tool' }],
      metadata: { uid: base.id, correlation_uid: base.correlationId, profiles: ['security_control'] },
    })
    expect(ocsf.unmapped.mcp_warden).toMatchObject({
      decision: 'deny',
      traceId: base.traceId,
      spanId: base.spanId,
      argumentsDigest: base.argumentsDigest,
      seq: 3,
      hash: base.hash,
    })
  })

  it('maps an allowed resource read to Read with Success and Allowed', () => {
    const { code: _code, ...rest } = base
    const ocsf = toOcsf({ ...rest, kind: 'resource', name: 'config', decision: 'allow', outcome: 'success' })
    expect(ocsf).toMatchObject({
      activity_id: 2,
      activity_name: 'Read',
      type_uid: 600302,
      status_id: 1,
      severity_id: 1,
      disposition_id: 1,
    })
    expect(ocsf.api.operation).toBe('resources/read')
    expect('status_code' in ocsf).toBe(false)
  })

  it('maps a security event without decision to Other with its type as activity and no disposition', () => {
    const event: AuditEvent = {
      schema: 'mcp-warden.audit/1',
      id: 'x',
      time: '2026-01-02T03:04:05.678Z',
      type: 'content.invisible_unicode',
      outcome: 'unknown',
      detail: { category: 'invisible' },
    }
    const ocsf = toOcsf(event)
    expect(ocsf).toMatchObject({
      activity_id: 99,
      activity_name: 'content.invisible_unicode',
      status_id: 0,
      status: 'Unknown',
    })
    expect(ocsf.disposition_id).toBeUndefined()
    expect(ocsf.metadata.profiles).toEqual([])
    expect(ocsf.src_endpoint.name).toBe('unknown')
    expect(ocsf.unmapped.mcp_warden.detail).toEqual({ category: 'invisible' })
    expect(ocsf.resources).toBeUndefined()
  })
})
