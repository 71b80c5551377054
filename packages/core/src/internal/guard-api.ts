import type { AnyMiddleware } from '../compose.js'
import type { Guard } from '../guard.js'
import { isGuard, toMiddlewareList } from '../guard.js'
import type { GuardContext, Merge, Middleware } from '../types.js'
import { makeGuardedHandler } from './secure-kit.js'

/** The context a wrapped handler receives: the guarded context plus the SDK's own handler context. */
export type HandlerContext<TCtx extends GuardContext, TExtra> = TCtx & { readonly extra: TExtra }

/**
 * Per-tool guards under construction. `use()` appends and narrows; `wrap()` binds a handler.
 * Immutable: every call returns a new value.
 */
export interface ToolGuard<TCtx extends GuardContext, TExtra> {
  /** The middlewares of this guard, outermost first. */
  readonly middlewares: readonly AnyMiddleware[]
  /** Returns a new guard with `middleware` appended. */
  use<TAdd extends object = {}>(middleware: Middleware<TCtx, TAdd>): ToolGuard<Merge<TCtx, TAdd>, TExtra>
  /**
   * Binds `handler` behind the guards. Register the result with `registerTool`, `registerPrompt`
   * or `registerResource` on the secured server. For tools and prompts the handler receives the
   * (possibly sanitized) arguments; for resources, the URI being read (template variables are in
   * `ctx.arguments`).
   */
  wrap<TArgs, TResult>(
    handler: (args: TArgs, ctx: HandlerContext<TCtx, TExtra>) => TResult | Promise<TResult>,
  ): GuardedCallback<TArgs, TResult, TExtra>
}

/**
 * What `wrap()` returns: a callback the SDK's registration methods accept, whatever the arity the
 * SDK calls it with (with arguments, without, or with resource-template variables).
 */
export interface GuardedCallback<TArgs, TResult, TExtra> {
  (args: TArgs, extra: TExtra): Promise<TResult>
  (args: TArgs, variables: Record<string, string | string[]>, extra: TExtra): Promise<TResult>
  (extra: TExtra): Promise<TResult>
}

/** Builds the `guard()` function an adapter adds to the secured server. */
export function makeGuardFactory(where: string) {
  const build = <TCtx extends GuardContext, TExtra>(middlewares: readonly AnyMiddleware[]): ToolGuard<TCtx, TExtra> =>
    Object.freeze({
      middlewares,
      use(middleware: unknown) {
        return build(toMiddlewareList([...middlewares, middleware], `${where} guard().use()`))
      },
      wrap(handler: unknown) {
        return makeGuardedHandler(middlewares, handler, `${where} guard()`)
      },
    }) as unknown as ToolGuard<TCtx, TExtra>
  return <TCtx extends GuardContext, TExtra>(entries: readonly unknown[]): ToolGuard<TCtx, TExtra> => {
    const list =
      entries.length === 1 && isGuard(entries[0])
        ? entries[0].middlewares
        : toMiddlewareList(entries, `${where} guard()`)
    return build<TCtx, TExtra>(list)
  }
}

/**
 * The `guard()` function `secure()` adds to a server. Each middleware's context includes what the
 * ones before it add, so `guard(requireAuth(), requireScopes('x'))` type-checks and the reverse
 * order does not when `requireScopes` needs a principal.
 */
export interface GuardFunction<TExtra> {
  (): ToolGuard<GuardContext, TExtra>
  <TCtx extends GuardContext>(guard: Guard<TCtx>): ToolGuard<TCtx, TExtra>
  <A extends object>(m1: Middleware<GuardContext, A>): ToolGuard<Merge<GuardContext, A>, TExtra>
  <A extends object, B extends object>(
    m1: Middleware<GuardContext, A>,
    m2: Middleware<Merge<GuardContext, A>, B>,
  ): ToolGuard<Merge<Merge<GuardContext, A>, B>, TExtra>
  <A extends object, B extends object, C extends object>(
    m1: Middleware<GuardContext, A>,
    m2: Middleware<Merge<GuardContext, A>, B>,
    m3: Middleware<Merge<Merge<GuardContext, A>, B>, C>,
  ): ToolGuard<Merge<Merge<Merge<GuardContext, A>, B>, C>, TExtra>
  (...middlewares: readonly Middleware<GuardContext>[]): ToolGuard<GuardContext, TExtra>
}
