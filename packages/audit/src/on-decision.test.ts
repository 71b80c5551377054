import { publishDecision, publishSecurityEvent } from '@mcp-warden/core'
import { describe, expect, it } from 'vitest'
import { onDecision, onSecurityEvent } from './on-decision.js'

describe('onDecision', () => {
  it('delivers decisions with their time until stopped, and survives a throwing listener', () => {
    const seen: string[] = []
    const stopThrowing = onDecision(() => {
      throw new Error('listener bug')
    })
    const stop = onDecision((event) => seen.push(`${event.decision}:${typeof event.time}`))
    publishDecision({ decision: 'allow', correlationId: 'c', kind: 'tool', name: 't', durationMs: 1 })
    stop()
    stopThrowing()
    publishDecision({ decision: 'deny', correlationId: 'c', kind: 'tool', name: 't', durationMs: 1 })
    expect(seen).toEqual(['allow:number'])
  })

  it('throws TypeError when the listener is not a function', () => {
    expect(() => onDecision('x' as never)).toThrow(TypeError)
  })
})

describe('onSecurityEvent', () => {
  it('delivers security events until stopped', () => {
    const seen: string[] = []
    const stop = onSecurityEvent((event) => seen.push(event.type))
    publishSecurityEvent({ type: 'auth.token_invalid' })
    stop()
    publishSecurityEvent({ type: 'auth.token_expired' })
    expect(seen).toEqual(['auth.token_invalid'])
    expect(() => onSecurityEvent(undefined as never)).toThrow(TypeError)
  })
})
