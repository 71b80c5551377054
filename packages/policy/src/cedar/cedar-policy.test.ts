import { describe, expect, it } from 'vitest'
import { context, denial, principal, run } from '../../test/helpers.js'
import { combineRules } from '../combine-rules.js'
import { allow, rule } from '../rule.js'
import { cedarPolicy } from './cedar-policy.js'

const POLICIES = `
permit(principal, action == Action::"search_tickets", resource);
permit(principal, action == Action::"delete_ticket", resource)
  when { principal.scopes.contains("tickets:write") && resource.destructive };
forbid(principal, action, resource)
  when { context has env && context.env == "prod" };
permit(principal in Group::"admins", action, resource);
`

const writer = principal(['tickets:write'])

describe('cedarPolicy', () => {
  const cedar = cedarPolicy({ policies: POLICIES })

  it('allows a call that a permit policy covers', async () => {
    expect((await run(cedar, context({ name: 'search_tickets', principal: principal([]) }))).reached).toBe(true)
    const ctx = context({
      name: 'delete_ticket',
      principal: writer,
      arguments: { id: 'T-1', env: 'dev', tags: ['a'], n: 3 },
    })
    expect((await run(cedar, ctx)).reached).toBe(true)
  })

  it('denies by default when no permit applies, naming the rule', async () => {
    const err = await denial(run(cedar, context({ name: 'delete_ticket', principal: principal(['tickets:read']) })))
    expect(err.code).toBe('ERR_POLICY_RULE_DENIED')
    expect(err.details).toEqual({ rule: 'cedar', reason: 'Denied by Cedar policy' })
  })

  it('denies when a forbid policy matches the arguments', async () => {
    const err = await denial(
      run(cedar, context({ name: 'delete_ticket', principal: writer, arguments: { env: 'prod' } })),
    )
    expect(err.code).toBe('ERR_POLICY_RULE_DENIED')
  })

  it('reads resource attributes from the server annotations', async () => {
    const safe = context({
      name: 'delete_ticket',
      principal: writer,
      metadata: { annotations: { readOnlyHint: false, destructiveHint: false } },
    })
    expect((await denial(run(cedar, safe))).code).toBe('ERR_POLICY_RULE_DENIED')
  })

  it('uses extra entities for group membership', async () => {
    const admin = principal([], { id: 'https://issuer.example#root' })
    const withGroups = cedarPolicy({
      policies: POLICIES,
      entities: (ctx) => [
        { uid: { type: 'User', id: ctx.principal?.id ?? '' }, attrs: {}, parents: [{ type: 'Group', id: 'admins' }] },
      ],
    })
    expect((await run(withGroups, context({ name: 'anything', principal: admin }))).reached).toBe(true)
  })

  it('denies without a principal and with arguments Cedar cannot represent', async () => {
    expect((await denial(run(cedar, context({ name: 'search_tickets' })))).details.reason).toBe(
      'Authentication required',
    )
    for (const args of [{ a: null }, { a: 1.5 }, { a: JSON.parse(`${'['.repeat(40)}1${']'.repeat(40)}`) }]) {
      const err = await denial(run(cedar, context({ name: 'search_tickets', principal: writer, arguments: args })))
      expect(err.details.reason).toBe('Arguments cannot be evaluated by the policy')
    }
  })

  it('fails closed when a policy errors during evaluation', async () => {
    const erroring = cedarPolicy({
      policies:
        'permit(principal, action, resource);\nforbid(principal, action, resource) when { context.missing == 1 };',
    })
    const err = await denial(run(erroring, context({ name: 'x', principal: writer })))
    expect(err.code).toBe('ERR_POLICY_RULE_FAILED')
  })

  it('composes with other rules first-deny-wins', async () => {
    const combined = combineRules(
      rule('first', () => allow()),
      cedar,
    )
    const err = await denial(run(combined, context({ name: 'nope', principal: writer })))
    expect(err.details.rule).toBe('cedar')
  })

  it('validates policies against a schema at creation', () => {
    const schema = `entity User = { scopes: Set<String>, issuer: String, subject: String, clientId?: String };
entity Tool = { kind: String, readOnly: Bool, destructive: Bool, idempotent: Bool, openWorld: Bool };
action "search_tickets" appliesTo { principal: User, resource: Tool, context: {} };`
    expect(() =>
      cedarPolicy({ policies: 'permit(principal, action == Action::"search_tickets", resource);', schema }),
    ).not.toThrow()
    expect(() =>
      cedarPolicy({ policies: 'permit(principal, action, resource) when { principal.nope == 1 };', schema }),
    ).toThrow(/do not validate/)
  })

  it('throws TypeError at creation on bad options and unparsable policies', () => {
    expect(() => cedarPolicy({ policies: '' })).toThrow(/policies/)
    expect(() => cedarPolicy({ policies: 'permit(principal action resource)' })).toThrow(/do not parse/)
    expect(() => cedarPolicy({ policies: POLICIES, principalType: 'not a type' })).toThrow(/principalType/)
    expect(() => cedarPolicy({ policies: POLICIES, entities: 'x' as never })).toThrow(/entities/)
    expect(() => cedarPolicy({ policies: POLICIES, bogus: 1 } as never)).toThrow(/unknown option/)
  })
})
