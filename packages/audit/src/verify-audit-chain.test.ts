import { describe, expect, it } from 'vitest'
import { chainHash, GENESIS } from './internal/chain.js'
import { verifyAuditChain } from './verify-audit-chain.js'

function chain(count: number, key?: string, startSeq = 0, startPrev = GENESIS): string[] {
  const lines: string[] = []
  let prev = startPrev
  for (let i = 0; i < count; i += 1) {
    const event = {
      schema: 'mcp-warden.audit/1',
      id: `e${i}`,
      type: 'call',
      name: `tööl ${i} 🔧`,
      outcome: 'success',
      seq: startSeq + i,
      prev,
    }
    const hash = chainHash(event, key)
    lines.push(JSON.stringify({ ...event, hash }))
    prev = hash
  }
  return lines
}

describe('verifyAuditChain', () => {
  it('accepts an intact chain given as text with blank and CRLF lines', () => {
    const text = `${chain(4).join('\r\n')}\r\n\n`
    expect(verifyAuditChain(text)).toEqual({ ok: true, events: 4, segments: 1 })
  })

  it('accepts an empty input as an empty chain', () => {
    expect(verifyAuditChain('')).toEqual({ ok: true, events: 0, segments: 0 })
  })

  it('counts a new segment when a second writer starts a fresh chain', () => {
    expect(verifyAuditChain([...chain(2), ...chain(3)])).toEqual({ ok: true, events: 5, segments: 2 })
  })

  it('reports a sequence gap when seq skips although prev matches', () => {
    const lines = chain(2)
    const last = JSON.parse(lines[1] as string) as { hash: string }
    const next = { id: 'x', seq: 5, prev: last.hash }
    lines.push(JSON.stringify({ ...next, hash: chainHash(next, undefined) }))
    expect(verifyAuditChain(lines)).toMatchObject({ ok: false, line: 3, reason: expect.stringMatching(/sequence gap/) })
  })

  it('reports a broken link when an event from another chain is spliced in at the right seq', () => {
    const original = chain(5)
    const forged = chain(5, undefined, 0, 'f'.repeat(64))
    const lines = [...original.slice(0, 3), forged[3] as string, original[4] as string]
    expect(verifyAuditChain(lines)).toMatchObject({
      ok: false,
      line: 4,
      events: 3,
      reason: expect.stringMatching(/broken link/),
    })
  })

  it('reports lines that are not JSON, not objects, or lack chain fields', () => {
    expect(verifyAuditChain(['{nope'])).toMatchObject({ ok: false, line: 1, reason: 'not JSON' })
    expect(verifyAuditChain(['[1,2]'])).toMatchObject({ ok: false, line: 1, reason: 'not a JSON object' })
    expect(verifyAuditChain(['{"seq":0}'])).toMatchObject({ ok: false, line: 1 })
    expect(verifyAuditChain([`{"seq":0,"prev":"${GENESIS}","hash":"XYZ"}`])).toMatchObject({ ok: false, line: 1 })
  })

  it('reports a line longer than maxLineLength', () => {
    const lines = chain(2)
    expect(verifyAuditChain(lines, { maxLineLength: 20 })).toMatchObject({
      ok: false,
      line: 1,
      reason: 'line too long',
    })
  })

  it('reports a deeply nested event that cannot be canonicalized', () => {
    let nested: unknown = 1
    for (let i = 0; i < 100; i += 1) nested = { n: nested }
    const line = JSON.stringify({ seq: 0, prev: GENESIS, hash: 'a'.repeat(64), nested })
    expect(verifyAuditChain([line])).toMatchObject({ ok: false, line: 1, reason: 'event cannot be canonicalized' })
  })

  it('verifies a keyed chain only with its key', () => {
    const lines = chain(3, 'k')
    expect(verifyAuditChain(lines, { key: 'k' })).toMatchObject({ ok: true })
    expect(verifyAuditChain(lines, { key: new TextEncoder().encode('k') })).toMatchObject({ ok: true })
    expect(verifyAuditChain(lines)).toMatchObject({ ok: false, line: 1 })
  })

  it('throws TypeError when options are wrong', () => {
    for (const options of [null, { key: '' }, { key: 3 }, { maxLineLength: 0 }, { other: 1 }]) {
      expect(() => verifyAuditChain('', options as never)).toThrow(TypeError)
    }
  })
})
