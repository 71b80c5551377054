/**
 * The HTTP example end to end: the real authorization server, the protected MCP server and the
 * scripted client, with every answer checked (status codes, challenges, denial codes, audit events).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { AuditEvent } from '@mcp-warden/audit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type AuthorizationServer, OPERATOR, READER, startAuthorizationServer } from './authorization-server.js'
import { reportsResource, runScript, type Step } from './client.js'
import { SCOPES, startTicketServer, type TicketServer } from './server.js'

const SEARCHES_PER_MINUTE = 3
let dir: string
let authorization: AuthorizationServer
let server: TicketServer
const events: AuditEvent[] = []
let steps: Step[]

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mcp-warden-http-test-'))
  authorization = await startAuthorizationServer()
  server = await startTicketServer({
    issuer: authorization.issuer,
    auditFile: join(dir, 'audit.jsonl'),
    auditSinks: [{ name: 'test', write: (event) => void events.push(event) }],
    searchesPerMinute: SEARCHES_PER_MINUTE,
  })
  authorization.allowResource(server.url, SCOPES.join(' '))
  authorization.allowResource(reportsResource(server.url), 'tickets:read')
  steps = await runScript({
    url: server.url,
    tokenEndpoint: authorization.tokenEndpoint,
    searchesPerMinute: SEARCHES_PER_MINUTE,
  })
  await server.flushAudit()
}, 60_000)

afterAll(async () => {
  await server?.close()
  await authorization?.close()
  rmSync(dir, { recursive: true, force: true })
})

const step = (id: string): Step => {
  const found = steps.find((s) => s.id === id)
  if (found === undefined) throw new Error(`step ${id} did not run`)
  return found
}

describe('HTTP example', () => {
  it('answers every step as the script expects', () => {
    expect(steps.map((s) => [s.id, s.outcome])).toEqual(steps.map((s) => [s.id, s.expected]))
    expect(steps).toHaveLength(13)
  })

  it('refuses a request without a token with 401 and a challenge pointing to the metadata', async () => {
    const s = step('no-token')
    expect(s.status).toBe(401)
    expect(s.challenge).toBe(`Bearer resource_metadata="${server.metadataUrl}", scope="tickets:read tickets:write"`)
    const metadata = (await (await fetch(server.metadataUrl)).json()) as Record<string, unknown>
    expect(metadata).toMatchObject({
      resource: server.url,
      authorization_servers: [authorization.issuer],
      scopes_supported: ['tickets:read', 'tickets:write'],
    })
  })

  it('lets the reader read, hides the destructive tool from it, and redacts secrets in results', () => {
    expect(step('reader-connect').detail).toContain('tools/list: list_tickets, search_tickets, close_ticket')
    expect(step('reader-list').detail).toContain('T-1 Printer on fire')
    const search = step('reader-search-redacted')
    expect(search.detail).toContain('[REDACTED:github-token]')
    expect(search.detail).not.toContain('ghp_')
  })

  it('refuses the write tool to the reader with 403 insufficient_scope before dispatch', () => {
    const s = step('reader-step-up')
    expect(s).toMatchObject({ status: 403, code: 'insufficient_scope' })
    expect(s.challenge).toContain('scope="tickets:write"')
    expect(
      events.some((e) => e.type === 'call' && e.name === 'close_ticket' && e.principal?.endsWith('#ticket-reader')),
    ).toBe(false)
    expect(step('reader-more-scope')).toMatchObject({ outcome: 'denied', code: 'invalid_scope' })
  })

  it('asks the operator to confirm the destructive tool, runs it on accept and not on decline', () => {
    expect(step('operator-close').detail).toBe('T-1 closed')
    expect(step('operator-delete-accepted').detail).toBe('T-3 deleted by ticket-operator')
    expect(step('operator-delete-declined')).toMatchObject({ code: 'ERR_APPROVAL_DECLINED' })
    const approvals = events.filter((e) => e.type.startsWith('approval.')).map((e) => e.type)
    expect(approvals).toEqual(['approval.requested', 'approval.granted', 'approval.requested', 'approval.denied'])
  })

  it('refuses a token issued for another resource with 401 invalid_token', () => {
    const s = step('wrong-audience')
    expect(s).toMatchObject({ status: 401, code: 'invalid_token' })
    expect(events.some((e) => e.type === 'auth.token_rejected' && e.code === 'ERR_AUTH_WRONG_AUDIENCE')).toBe(true)
  })

  it("answers 404 when another principal presents the reader's session id", () => {
    expect(step('session-replay').status).toBe(404)
    const hijack = events.find((e) => e.type === 'session.hijack_attempt')
    expect(hijack).toMatchObject({ code: 'ERR_SESSION_PRINCIPAL_MISMATCH' })
    expect(hijack?.principal).toBe(`${authorization.issuer}#${OPERATOR.id}`)
  })

  it('rate-limits searches per caller', () => {
    const s = step('rate-limit')
    expect(s).toMatchObject({ code: 'ERR_RATE_LIMITED' })
    expect(s.title).toContain(`call ${SEARCHES_PER_MINUTE + 1}`)
    const searches = events.filter(
      (e) => e.type === 'call' && e.name === 'search_tickets' && e.principal === `${authorization.issuer}#${READER.id}`,
    )
    expect(searches.map((e) => e.decision)).toEqual(['allow', 'allow', 'allow', 'deny'])
  })

  it('writes a hash-chained JSON Lines audit trail', () => {
    const lines = readFileSync(server.auditFile, 'utf8').trim().split('\n')
    expect(lines.length).toBe(events.length)
    const parsed = lines.map((line) => JSON.parse(line) as AuditEvent)
    expect(parsed.map((e) => e.seq)).toEqual(parsed.map((_, i) => i))
  })
})
