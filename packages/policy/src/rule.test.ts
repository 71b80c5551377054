import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import { SECURITY_EVENT_CHANNEL } from '@mcp-warden/core'
import { describe, expect, it } from 'vitest'
import { context, denial, principal, run } from '../test/helpers.js'
import { combineRules } from './combine-rules.js'
import { PolicyError } from './errors.js'
import { allow, deny, needsApproval, rule } from './rule.js'
import type { ApprovalDecision, ApprovalGate } from './types.js'

const noProd = rule('no-prod', (ctx) => (ctx.arguments.env === 'prod' ? deny('No prod') : allow()))
const bigRefund = rule('big-refund', (ctx) =>
  typeof ctx.arguments.amount === 'number' && ctx.arguments.amount > 100 ? needsApproval('Large refund') : allow(),
)

describe('rule', () => {
  it('calls next when the rule allows', async () => {
    expect((await run(noProd, context({ arguments: { env: 'dev' } }))).reached).toBe(true)
  })

  it('denies with ERR_POLICY_RULE_DENIED naming the rule and reason when the rule denies', async () => {
    const err = await denial(run(noProd, context({ arguments: { env: 'prod' } })))
    expect(err.code).toBe('ERR_POLICY_RULE_DENIED')
    expect(err.message).toBe('No prod')
    expect(err.details).toEqual({ rule: 'no-prod', reason: 'No prod' })
  })

  it('sees principal, tool name, annotations, session and _meta when deciding', async () => {
    let seen: unknown
    const spy = rule('spy', (ctx) => {
      seen = [ctx.principal?.subject, ctx.name, ctx.metadata.annotations?.readOnlyHint, ctx.sessionId, ctx.meta?.k]
      return allow()
    })
    await run(
      spy,
      context({
        principal: principal([]),
        name: 'x',
        metadata: { annotations: { readOnlyHint: true } },
        sessionId: 's',
        meta: { k: 1 },
      }),
    )
    expect(seen).toEqual(['alice', 'x', true, 's', 1])
  })

  it('passes an approval requirement on when approval is needed and no gate precedes the rules', async () => {
    const outcome = await run(bigRefund, context({ arguments: { amount: 500 } }))
    expect(outcome.reached).toBe(true)
    expect(outcome.added).toEqual({
      approvalRequired: [{ by: 'rule:big-refund', reason: 'Large refund', details: { rule: 'big-refund' } }],
    })
  })

  it('hands approval decisions to the gate in the context and continues when it approves', async () => {
    const asked: ApprovalDecision[][] = []
    const approvalGate: ApprovalGate = {
      request: async (decisions) => {
        asked.push([...decisions])
      },
    }
    const ctx = { ...context({ arguments: { amount: 500 } }), approvalGate }
    expect((await run(bigRefund, ctx)).reached).toBe(true)
    expect(asked).toEqual([[{ effect: 'approval', reason: 'Large refund', rule: 'big-refund' }]])
  })

  it('refuses when the gate rejects', async () => {
    const approvalGate: ApprovalGate = {
      request: async () => {
        throw new PolicyError('ERR_POLICY_RULE_DENIED', 'declined')
      },
    }
    const ctx = { ...context({ arguments: { amount: 500 } }), approvalGate }
    const err = await denial(run(bigRefund, ctx))
    expect(err.message).toBe('declined')
  })

  it('fails closed with ERR_POLICY_RULE_FAILED when the rule throws or returns garbage', async () => {
    const boom = rule('boom', () => {
      throw new Error('internal secret detail')
    })
    const err = await denial(run(boom, context()))
    expect(err.code).toBe('ERR_POLICY_RULE_FAILED')
    expect(err.message).not.toContain('secret')
    expect(err.details).toEqual({ rule: 'boom' })
    for (const bad of [undefined, null, true, 'allow', { effect: 'deny' }, { effect: 'maybe', reason: 'x' }]) {
      const r = rule('bad', () => bad as never)
      expect((await denial(run(r, context()))).code).toBe('ERR_POLICY_RULE_FAILED')
    }
  })

  it('clips very long reasons and keeps unicode intact', async () => {
    const long = rule('long', () => deny(`é${'x'.repeat(10_000)}`))
    const err = await denial(run(long, context()))
    expect(err.message.length).toBeLessThanOrEqual(501)
    expect(err.message.startsWith('é')).toBe(true)
  })

  it('publishes a security event naming the rule when a rule denies', async () => {
    const events: unknown[] = []
    const listener = (message: unknown) => events.push(message)
    subscribe(SECURITY_EVENT_CHANNEL, listener)
    try {
      await denial(run(noProd, context({ arguments: { env: 'prod' }, principal: principal([]) })))
    } finally {
      unsubscribe(SECURITY_EVENT_CHANNEL, listener)
    }
    expect(events).toEqual([
      expect.objectContaining({
        type: 'policy.rule_denied',
        code: 'ERR_POLICY_RULE_DENIED',
        principalId: 'https://issuer.example#alice',
        detail: { rule: 'no-prod', reason: 'No prod' },
      }),
    ])
  })

  it('decides concurrent calls independently when rules are async', async () => {
    const slow = rule('slow-even', async (ctx) => {
      await new Promise((resolve) => setTimeout(resolve, Number(ctx.arguments.n) % 5))
      return Number(ctx.arguments.n) % 2 === 0 ? allow() : deny(`odd ${String(ctx.arguments.n)}`)
    })
    const outcomes = await Promise.allSettled(
      Array.from({ length: 100 }, (_, n) => run(combineRules(slow, noProd), context({ arguments: { n } }))),
    )
    outcomes.forEach((o, n) => {
      expect(o.status).toBe(n % 2 === 0 ? 'fulfilled' : 'rejected')
      if (o.status === 'rejected') expect((o.reason as PolicyError).message).toBe(`odd ${n}`)
    })
  })

  it('throws TypeError at creation when the name or function is bad', () => {
    for (const bad of ['', 'has space', 'x'.repeat(129), 'a\u0000', 7]) {
      expect(() => rule(bad as string, () => allow())).toThrow(TypeError)
    }
    expect(() => rule('ok', 'nope' as never)).toThrow(TypeError)
  })

  it('evaluates without enforcing when asked for decisions', async () => {
    expect(await noProd.evaluate(context({ arguments: { env: 'prod' } }))).toEqual([
      { effect: 'deny', reason: 'No prod', rule: 'no-prod' },
    ])
    expect(noProd.rules).toEqual(['no-prod'])
    expect(noProd.describe).toEqual({ name: 'rule', rules: ['no-prod'] })
  })
})

describe('combineRules', () => {
  it('runs rules in order and stops at the first deny', async () => {
    const calls: string[] = []
    const spy = (name: string, verdict: ReturnType<typeof allow>) =>
      rule(name, () => {
        calls.push(name)
        return verdict
      })
    const combined = combineRules(spy('a', allow()), spy('b', deny('b says no')), spy('c', deny('c says no')))
    const err = await denial(run(combined, context()))
    expect(err.details.rule).toBe('b')
    expect(calls).toEqual(['a', 'b'])
    expect(await combined.evaluate(context())).toEqual([
      { effect: 'allow', rule: 'a' },
      { effect: 'deny', reason: 'b says no', rule: 'b' },
    ])
  })

  it('lets a later deny win over an earlier approval', async () => {
    const err = await denial(run(combineRules(bigRefund, noProd), context({ arguments: { amount: 500, env: 'prod' } })))
    expect(err.code).toBe('ERR_POLICY_RULE_DENIED')
  })

  it('calls next when every rule allows', async () => {
    expect((await run(combineRules(noProd, bigRefund), context({ arguments: { amount: 1 } }))).reached).toBe(true)
  })

  it('throws TypeError when given no rules, non-rules or duplicate names', () => {
    expect(() => combineRules()).toThrow(TypeError)
    expect(() => combineRules((async () => ({})) as never)).toThrow(/not a rule/)
    expect(() => combineRules(noProd, noProd)).toThrow(/duplicate rule name "no-prod"/)
  })
})
