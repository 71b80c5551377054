import { describe, expect, it } from 'vitest'
import { context, denial, principal, run } from '../test/helpers.js'
import { loadPolicy } from './load-policy.js'

const doc = {
  version: 1,
  rules: [
    {
      name: 'no-prod-deletes',
      effect: 'deny',
      reason: 'Deleting in prod is not allowed',
      tools: ['delete_*'],
      arguments: [{ arg: 'target.env', equals: 'prod' }],
    },
    { name: 'no-etc', effect: 'deny', tools: ['read_file'], arguments: [{ arg: 'path', glob: '/etc/*' }] },
    { name: 'bots-read-only', effect: 'deny', clients: ['bot-*'], notTools: ['get_*', 'list_*'] },
    { name: 'mallory', effect: 'deny', principals: ['*#mallory'] },
    { name: 'large', effect: 'approval', tools: ['refund'], arguments: [{ arg: 'amount', min: 100 }] },
  ],
} as const

describe('loadPolicy', () => {
  const policy = loadPolicy(JSON.stringify(doc))

  it('allows calls that no deny statement applies to', async () => {
    const ctx = context({ name: 'delete_ticket', arguments: { target: { env: 'dev' } }, principal: principal([]) })
    expect((await run(policy, ctx)).reached).toBe(true)
  })

  it('denies by argument condition naming the statement', async () => {
    const err = await denial(run(policy, context({ name: 'delete_ticket', arguments: { target: { env: 'prod' } } })))
    expect(err.code).toBe('ERR_POLICY_RULE_DENIED')
    expect(err.details).toEqual({ rule: 'no-prod-deletes', reason: 'Deleting in prod is not allowed' })
    const glob = await denial(run(policy, context({ name: 'read_file', arguments: { path: '/etc/passwd' } })))
    expect(glob.details).toEqual({ rule: 'no-etc', reason: 'Denied by policy rule no-etc' })
  })

  it('denies by client and principal patterns', async () => {
    const bot = principal([], { clientId: 'bot-7' })
    expect((await denial(run(policy, context({ name: 'update', principal: bot })))).details.rule).toBe('bots-read-only')
    expect((await run(policy, context({ name: 'get_ticket', principal: bot }))).reached).toBe(true)
    const mallory = principal([], { id: 'https://issuer.example#mallory' })
    expect((await denial(run(policy, context({ principal: mallory })))).details.rule).toBe('mallory')
  })

  it('asks for approval when an approval statement applies', async () => {
    const outcome = await run(policy, context({ name: 'refund', arguments: { amount: 150 } }))
    expect(outcome.added).toMatchObject({ approvalRequired: [{ by: 'rule:large', details: { rule: 'large' } }] })
  })

  it('denies calls that no allow statement applies to when the default is deny', async () => {
    const allowlist = loadPolicy({
      version: 1,
      default: 'deny',
      rules: [
        { name: 'reads', effect: 'allow', tools: ['get_*'] },
        {
          name: 'small',
          effect: 'allow',
          tools: ['pay'],
          arguments: [
            { arg: 'amount', max: 10 },
            { arg: 'to', in: ['a', 'b'] },
          ],
        },
      ],
    })
    expect((await run(allowlist, context({ name: 'get_x' }))).reached).toBe(true)
    expect((await run(allowlist, context({ name: 'pay', arguments: { amount: 5, to: 'a' } }))).reached).toBe(true)
    const err = await denial(run(allowlist, context({ name: 'pay', arguments: { amount: 50, to: 'a' } })))
    expect(err.details).toEqual({ rule: 'default', reason: 'Not allowed by policy' })
    await denial(run(allowlist, context({ name: 'pay', arguments: { amount: '5', to: 'a' } })))
  })

  it('supports notEquals, notIn, notGlob, maxLength and exists conditions', async () => {
    const p = loadPolicy({
      version: 1,
      rules: [
        { name: 'ne', effect: 'deny', arguments: [{ arg: 'a', notEquals: 'ok' }] },
        { name: 'ni', effect: 'deny', arguments: [{ arg: 'b', notIn: [1, 2] }] },
        { name: 'ng', effect: 'deny', arguments: [{ arg: 'c', notGlob: 'safe-*' }] },
        { name: 'ml', effect: 'deny', arguments: [{ arg: 'd', maxLength: 3 }] },
        { name: 'ex', effect: 'deny', arguments: [{ arg: 'e', exists: true }] },
      ],
    })
    const base = { a: 'ok', b: 1, c: 'safe-x', d: 'long' }
    expect((await run(p, context({ arguments: base }))).reached).toBe(true)
    const cases: [Record<string, unknown>, string][] = [
      [{ a: 'no' }, 'ne'],
      [{ b: 3 }, 'ni'],
      [{ c: 'rm -rf' }, 'ng'],
      [{ d: 'ab' }, 'ml'],
      [{ e: null }, 'ex'],
    ]
    for (const [patch, name] of cases) {
      expect((await denial(run(p, context({ arguments: { ...base, ...patch } })))).details.rule).toBe(name)
    }
  })

  it('does not read inherited properties when following an argument path', async () => {
    const p = loadPolicy({
      version: 1,
      rules: [{ name: 'proto', effect: 'deny', arguments: [{ arg: 'constructor.name', equals: 'Object' }] }],
    })
    expect((await run(p, context({ arguments: {} }))).reached).toBe(true)
  })

  it('fails closed when a glob condition meets a huge argument and stays linear on hostile globs', async () => {
    const p = loadPolicy({
      version: 1,
      rules: [{ name: 'g', effect: 'deny', arguments: [{ arg: 's', glob: '*a*a*a*a*a*b' }] }],
    })
    expect((await denial(run(p, context({ arguments: { s: 'a'.repeat(70_000) } })))).code).toBe(
      'ERR_POLICY_RULE_FAILED',
    )
    const started = performance.now()
    expect((await run(p, context({ arguments: { s: 'a'.repeat(60_000) } }))).reached).toBe(true)
    expect(performance.now() - started).toBeLessThan(5_000)
  })

  it('rejects malformed policies at start-up with the path to the problem', () => {
    const bad: [unknown, RegExp][] = [
      ['{not json', /not valid JSON/],
      [{ rules: [] }, /version/],
      [{ version: 2, rules: [] }, /version/],
      [{ version: 1, rules: [{ name: 'x', effect: 'block' }] }, /rules\[0\]\.effect/],
      [{ version: 1, rules: [{ name: 'x y', effect: 'deny' }] }, /rules\[0\]\.name/],
      [{ version: 1, rules: [{ name: 'x', effect: 'deny', tools: [] }] }, /rules\[0\]\.tools/],
      [{ version: 1, rules: [{ name: 'x', effect: 'deny', arguments: [{ arg: 'a' }] }] }, /rules\[0\]\.arguments\[0\]/],
      [
        { version: 1, rules: [{ name: 'x', effect: 'deny', arguments: [{ arg: 'a', glob: 5 }] }] },
        /rules\[0\]\.arguments\[0\]\.glob/,
      ],
      [{ version: 1, rules: [{ name: 'x', effect: 'deny', bogus: true }] }, /bogus/],
      [
        {
          version: 1,
          rules: [
            { name: 'x', effect: 'deny' },
            { name: 'x', effect: 'allow' },
          ],
        },
        /rules\[1\]\.name: duplicate/,
      ],
      [{ version: 1, rules: [{ name: 'default', effect: 'deny' }] }, /reserved/],
      [{ version: 1, default: 'maybe', rules: [] }, /default/],
      [{ version: 1, rules: [{ name: 'x', effect: 'deny', arguments: [{ arg: 'a..b', equals: 1 }] }] }, /arg/],
      [null, /invalid policy/],
      [[], /invalid policy/],
    ]
    for (const [source, message] of bad) {
      expect(() => loadPolicy(source as never), JSON.stringify(source)).toThrow(TypeError)
      expect(() => loadPolicy(source as never)).toThrow(message)
    }
  })

  it('rejects deeply nested or huge documents without crashing', () => {
    let nested: unknown = 'x'
    for (let i = 0; i < 5_000; i++) nested = { a: nested }
    expect(() => loadPolicy({ version: 1, rules: [nested] } as never)).toThrow(TypeError)
    const many = Array.from({ length: 1_001 }, (_, i) => ({ name: `r${i}`, effect: 'deny' }))
    expect(() => loadPolicy({ version: 1, rules: many } as never)).toThrow(/rules/)
  })

  it('describes itself by its statement names', () => {
    expect(policy.rules).toEqual(['no-prod-deletes', 'no-etc', 'bots-read-only', 'mallory', 'large'])
    expect(loadPolicy({ version: 1, default: 'deny', rules: [] }).rules).toEqual(['default'])
  })
})
