import { afterEach, describe, expect, it, vi } from 'vitest'
import { main } from './main.js'

afterEach(() => {
  vi.restoreAllMocks()
})

describe('demo main', () => {
  it('shows each protection deciding as the story says', async () => {
    const lines: string[] = []
    vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
      lines.push(args.map(String).join(' '))
    })
    await main()
    const out = lines.join('\n')
    const decided = (tool: string, verdict: string) =>
      lines.some((line) => line.includes(tool) && line.includes(verdict))
    expect(decided('close_ticket {"id":"T-2"}', 'ERR_POLICY_INSUFFICIENT_SCOPE: Missing scope: tickets:write')).toBe(
      true,
    )
    expect(decided('delete_ticket {"id":"T-1"}', 'ERR_POLICY_RULE_DENIED: T-1 is under legal hold')).toBe(true)
    expect(decided('delete_ticket {"id":"T-3"}', 'T-3 deleted by bob')).toBe(true)
    expect(decided('delete_ticket {"id":"T-2"}', 'ERR_APPROVAL_DECLINED')).toBe(true)
    expect(decided('email_ticket', 'ERR_APPROVAL_DECLINED')).toBe(true)
    expect(out).toContain('through "fetch_status_page"')
    expect(out).toContain('outbox: 0 messages')
    expect(out).toContain('aws_access_key_id=[REDACTED:aws-access-key]')
    expect(out).not.toContain('AKIAIOSFODNN7EXAMPLE')
    expect(
      lines.filter((line) => line.includes('search_tickets {"q":"VPN"}') && line.includes('allowed')),
    ).toHaveLength(3)
    expect(decided('search_tickets {"q":"VPN"}', 'ERR_RATE_LIMITED')).toBe(true)
    expect(out).toContain('warning: scope tickets:read guards both read-only and destructive tools')
  })

  it('prints the whole audit trail in time order, chain verified, with the principal on every call but the hidden one', async () => {
    const lines: string[] = []
    vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
      lines.push(args.map(String).join(' '))
    })
    await main()
    const start = lines.findIndex((line) => line.trim().startsWith('6. The audit trail'))
    const end = lines.findIndex((line) => line.trim().startsWith('7. '))
    const section = lines.slice(start + 1, end).filter((line) => line.trim() !== '')
    const footer = section.at(-1) ?? ''
    const rows = section.slice(0, -1).map((line) => line.trim().split(/\s+/))
    expect(footer).toMatch(new RegExp(`^  ${rows.length} events; chain verified`))
    // Every event of the story: 3 for alice, 16 for bob, 7 for carol.
    expect(rows).toHaveLength(26)
    const times = rows.map((row) => row[1] ?? '')
    expect(times).toEqual([...times].sort())
    // Every chain position appears once.
    expect(rows.map((row) => Number(row[0]?.slice(1))).sort((a, b) => a - b)).toEqual([...Array(26).keys()])
    // A call to a hidden tool is audited as a denial, without a principal on this stdio-like
    // connection (the principal comes from requireAuth, which runs after the hidden check).
    const hidden = rows.filter((row) => row.includes('ERR_CORE_HIDDEN'))
    expect(hidden).toEqual([[expect.any(String), expect.any(String), '-', 'delete_ticket', 'ERR_CORE_HIDDEN']])
    // requireAuth runs before the audit middleware, so every other event names the caller.
    expect(
      rows
        .filter((row) => !row.includes('ERR_CORE_HIDDEN'))
        .every((row) => ['alice', 'bob', 'carol'].includes(row[2] ?? '')),
    ).toBe(true)
  })
})
