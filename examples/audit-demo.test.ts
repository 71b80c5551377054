import type { AuditEvent, AuditSink } from '@mcp-warden/audit'
import { verifyAuditChain } from '@mcp-warden/audit'
import { describe, expect, it } from 'vitest'
import { runAuditDemo } from './internal/audit-demo.js'

describe('runAuditDemo', () => {
  it('leaves a verified audit trail of an allowed, a failing and a denied call', async () => {
    const events: AuditEvent[] = []
    const sink: AuditSink = { name: 'memory', write: (event) => void events.push(event) }
    await runAuditDemo([sink])
    expect(events.map((e) => [e.name, e.decision, e.outcome, e.code ?? null])).toEqual([
      ['get_ticket', 'allow', 'success', null],
      ['close_ticket', 'allow', 'failure', null],
      ['delete_ticket', 'deny', 'failure', 'ERR_CORE_HIDDEN'],
    ])
    expect(verifyAuditChain(events.map((e) => JSON.stringify(e)))).toMatchObject({ ok: true, events: 3 })
  })
})
