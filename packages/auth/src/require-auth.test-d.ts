import { createGuard, type GuardContext, type Middleware, type Principal } from '@mcp-warden/core'
import { describe, expectTypeOf, it } from 'vitest'
import { requireAuth } from './require-auth.js'

/** A middleware that needs a principal: it cannot run before one is established. */
const needsPrincipal: Middleware<GuardContext & { readonly principal: Principal }> = async (ctx, next) => {
  expectTypeOf(ctx.principal.id).toEqualTypeOf<string>()
  return next()
}

describe('requireAuth', () => {
  it('narrows ctx.principal to Principal for the middlewares after it', () => {
    createGuard()
      .use(requireAuth())
      .use(async (ctx, next) => {
        expectTypeOf(ctx.principal).toExtend<Principal>()
        expectTypeOf(ctx.principal.subject).toEqualTypeOf<string>()
        return next()
      })
    createGuard().use(requireAuth()).use(needsPrincipal)
  })

  it('refuses a middleware that needs a principal before requireAuth', () => {
    // @ts-expect-error: the context has no guaranteed principal yet
    createGuard().use(needsPrincipal)
  })
})

describe('requireAuth passed uncalled', () => {
  it('does not type-check as a middleware', () => {
    // @ts-expect-error requireAuth is a factory: requireAuth() is the middleware
    createGuard().use(requireAuth)
    // @ts-expect-error requireAuth is a factory, even after another middleware
    createGuard().use(requireAuth()).use(requireAuth)
  })
})
