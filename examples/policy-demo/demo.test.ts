import { describe, expect, it } from 'vitest'
import { runPolicyDemo } from './demo.js'

describe('runPolicyDemo', () => {
  it('shows per-caller lists, scope and rule refusals, and the scope report when run', async () => {
    const lines = await runPolicyDemo()
    expect(lines[0]).toBe('reader sees: search_tickets, read_attachment')
    expect(lines[1]).toBe('reader search_tickets: ok: 3 tickets match "printer"')
    expect(lines[2]).toBe('reader delete_ticket (hidden): error: MCP error -32602: Tool delete_ticket not found')
    expect(lines[3]).toMatch(
      /^reader delete_ticket \(listed for step-up\): refused ERR_POLICY_INSUFFICIENT_SCOPE: .*"missing":\["tickets:write"\]/,
    )
    expect(lines[4]).toMatch(/refused ERR_POLICY_PATH_OUTSIDE_ROOTS/)
    expect(lines[5]).toBe('writer sees: search_tickets, read_attachment, import_from_url, delete_ticket')
    expect(lines[6]).toBe('writer delete_ticket dev: ok: deleted T-1')
    expect(lines[7]).toMatch(
      /refused ERR_POLICY_RULE_DENIED: Deleting in prod is not allowed .*"rule":"no-prod-deletes"/,
    )
    expect(lines[8]).toMatch(/refused ERR_POLICY_RULE_DENIED: Bulk deletes are not allowed .*"rule":"no-bulk-delete"/)
    expect(lines[9]).toMatch(/refused ERR_POLICY_URL_FORBIDDEN_ADDRESS/)
    const table = lines.join('\n')
    expect(table).toMatch(
      /tool\s+admin_purge\s+write,destructive,open-world\s+tickets:\*\s+no-bulk-delete\s+requires wildcard scope tickets:\*/,
    )
  })
})
