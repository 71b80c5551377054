import { describe, expect, it } from 'vitest'
import { correlationIdFrom } from './correlation.js'

describe('correlationIdFrom', () => {
  it('uses the trace id of a valid traceparent', () => {
    expect(correlationIdFrom({ traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' })).toBe(
      '4bf92f3577b34da6a3ce929d0e0e4736',
    )
  })

  it('generates a UUID for a missing, malformed, all-zero or oversized traceparent', () => {
    const uuid = /^[\da-f]{8}-[\da-f]{4}-[\da-f]{4}-[\da-f]{4}-[\da-f]{12}$/
    for (const traceparent of [
      undefined,
      42,
      'garbage',
      '00-00000000000000000000000000000000-00f067aa0ba902b7-01',
      '00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01',
      `00-${'a'.repeat(1_000_000)}`,
    ]) {
      expect(correlationIdFrom({ traceparent })).toMatch(uuid)
    }
    expect(correlationIdFrom(undefined)).toMatch(uuid)
  })

  it('gives different ids to different calls without trace context', () => {
    expect(correlationIdFrom(undefined)).not.toBe(correlationIdFrom(undefined))
  })
})
