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
})
