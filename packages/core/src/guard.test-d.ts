import { describe, expectTypeOf, it } from 'vitest'
import { createGuard } from './guard.js'
import type { AuthenticatedContext, GuardContext, Middleware, Principal } from './types.js'

declare const providesPrincipal: Middleware<GuardContext, { readonly principal: Principal }>
declare const needsPrincipal: Middleware<AuthenticatedContext>
declare const addsTenant: Middleware<GuardContext, { readonly tenant: string }>
declare const needsTenant: Middleware<GuardContext & { readonly tenant: string }>

describe('Guard context narrowing', () => {
  it('narrows the principal once a middleware provides it', () => {
    const guard = createGuard().use(providesPrincipal)
    type Ctx = Parameters<Parameters<typeof guard.use>[0]>[0]
    expectTypeOf<Ctx['principal']>().toEqualTypeOf<Principal>()
    guard.use(needsPrincipal)
  })

  it('refuses a middleware that needs a principal before one that provides it', () => {
    // @ts-expect-error principal is not known yet
    createGuard().use(needsPrincipal)
  })

  it('carries custom additions down the chain', () => {
    createGuard().use(addsTenant).use(needsTenant)
    // @ts-expect-error tenant is not provided
    createGuard().use(needsTenant)
  })

  it('requires next() to receive what the middleware declares it adds', () => {
    const good: Middleware<GuardContext, { readonly tenant: string }> = async (_ctx, next) => next({ tenant: 'acme' })
    // @ts-expect-error the declared addition is missing
    const bad: Middleware<GuardContext, { readonly tenant: string }> = async (_ctx, next) => next()
    expectTypeOf(good).toBeFunction()
    expectTypeOf(bad).toBeFunction()
  })
})
