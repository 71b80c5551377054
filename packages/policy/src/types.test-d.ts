import type { Middleware } from '@mcp-warden/core'
import { describe, expectTypeOf, it } from 'vitest'
import { requireScopes } from './require-scopes.js'
import { allow, deny, needsApproval, rule } from './rule.js'
import { safePath } from './safe-path.js'
import { type CheckedUrl, safeUrl } from './safe-url.js'
import type { Decision, Verdict } from './types.js'

describe('policy types', () => {
  it('types guards as middlewares and argument guards by what check returns', () => {
    expectTypeOf(requireScopes('a')).toExtend<Middleware>()
    expectTypeOf(requireScopes.any('a')).toExtend<Middleware>()
    expectTypeOf(safePath({ roots: ['.'] }).check).returns.toEqualTypeOf<Promise<string>>()
    expectTypeOf(safeUrl({ allow: ['https'] }).check).returns.toEqualTypeOf<Promise<CheckedUrl>>()
  })

  it('requires a reason for deny and approval verdicts', () => {
    expectTypeOf(allow()).toEqualTypeOf<Verdict>()
    expectTypeOf(deny).parameters.toEqualTypeOf<[reason: string]>()
    expectTypeOf(needsApproval).parameters.toEqualTypeOf<[reason: string]>()
    // @ts-expect-error a deny without a reason is not a verdict
    const bad: Verdict = { effect: 'deny' }
    expectTypeOf(bad).toEqualTypeOf<Verdict>()
    // @ts-expect-error a rule must return a verdict
    rule('r', () => 'allow')
  })

  it('carries the rule name on every decision', () => {
    expectTypeOf<Decision['rule']>().toEqualTypeOf<string>()
  })

  it('refuses options that are not part of the factory', () => {
    // @ts-expect-error roots are required
    safePath({})
    // @ts-expect-error allow is required
    safeUrl({})
  })
})
