import type { AnyMiddleware } from './compose.js'
import type { ContextField, GuardContext, Merge, Middleware } from './types.js'

const GUARD_BRAND = Symbol.for('mcp-warden.guard')
/** Registry symbol: the same key in every copy of this package (ESM and CJS). */
const FACTORY_BRAND = Symbol.for('mcp-warden.middleware-factory')

/**
 * An immutable chain of middlewares. `use()` returns a new guard whose context type includes what
 * the added middleware passes to `next(...)`, so a middleware that needs a field (say `principal`)
 * cannot be chained before one that provides it: the call does not type-check.
 *
 * @typeParam TCtx - the context the next middleware in the chain will receive.
 */
export interface Guard<TCtx extends GuardContext = GuardContext> {
  /** The middlewares of this guard, outermost first. */
  readonly middlewares: readonly AnyMiddleware[]
  /**
   * Returns a new guard with `middleware` appended. The receiver is unchanged.
   *
   * @throws TypeError when `middleware` is not a function.
   */
  use<TAdd extends object = {}>(middleware: Middleware<TCtx, TAdd>): Guard<Merge<TCtx, TAdd>>
  /** Returns a new guard running this guard's middlewares, then `other`'s. */
  concat(other: Guard): Guard<TCtx>
}

/**
 * Starts an empty guard.
 *
 * @example
 * ```ts
 * const guard = createGuard().use(requireAuth()).use(requireScopes('tickets:write'))
 * ```
 */
export function createGuard(): Guard<GuardContext> {
  return makeGuard([])
}

/** Whether `value` is a guard from any copy of this package. */
export function isGuard(value: unknown): value is Guard {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[GUARD_BRAND] === true
}

/**
 * Marks `factory` as a function that *returns* a middleware, so that passing it uncalled
 * (`use: [requireAuth]`, `server.guard(rateLimit)`) is refused where middlewares are accepted
 * (`secure({ use })`, `server.guard()`, `createGuard().use()`), at start-up, with a `TypeError`
 * saying `did you mean requireAuth()?`, instead of failing or misbehaving on every call.
 *
 * The mark is a non-enumerable property under a registry symbol, so it is recognized across
 * copies of this package. Every middleware factory of `@mcp-warden/auth`, `policy` and `audit`
 * is marked; mark your own factories the same way.
 *
 * @param factory - the factory function (or a callable namespace such as `requireScopes`).
 * @param name - how the factory is called in code, used in the error message.
 * @param usage - what to write instead, when it is not `name()` (for a factory of an object that
 * holds the middleware: `createAuditLog(options).middleware`).
 * @returns `factory` itself.
 * @throws TypeError when `factory` is not a function or `name` or `usage` is empty.
 * @example
 * ```ts
 * export const requireTenant = markMiddlewareFactory((tenant: string) => tenantGuard(tenant), 'requireTenant')
 * ```
 */
export function markMiddlewareFactory<F extends (...args: never[]) => unknown>(
  factory: F,
  name: string,
  usage = `${name}()`,
): F {
  if (typeof factory !== 'function') throw new TypeError('markMiddlewareFactory: expected a function')
  if (typeof name !== 'string' || name.length === 0)
    throw new TypeError('markMiddlewareFactory: `name` must be a non-empty string')
  if (typeof usage !== 'string' || usage.length === 0)
    throw new TypeError('markMiddlewareFactory: `usage` must be a non-empty string')
  if (factoryMark(factory) === undefined) {
    Object.defineProperty(factory, FACTORY_BRAND, { value: Object.freeze({ name, usage }) })
  }
  return factory
}

/** The name `value` was marked with by {@link markMiddlewareFactory}, if it is a marked factory. */
export function middlewareFactoryName(value: unknown): string | undefined {
  return factoryMark(value)?.name
}

function factoryMark(value: unknown): { readonly name: string; readonly usage: string } | undefined {
  if (typeof value !== 'function') return undefined
  const mark = (value as unknown as Record<symbol, unknown>)[FACTORY_BRAND]
  if (typeof mark !== 'object' || mark === null) return undefined
  const { name, usage } = mark as Record<string, unknown>
  return typeof name === 'string' && typeof usage === 'string' ? { name, usage } : undefined
}

/**
 * Checks that every entry is a middleware function and returns them as a frozen array; guards
 * are flattened into their middlewares. The whole list is then checked with
 * {@link checkChainOrder}.
 *
 * @throws TypeError naming the position of the first entry that is not a function, or that is a
 * middleware factory passed uncalled (`did you mean requireAuth()?`); or when the list puts a
 * middleware before the one that provides what it requires.
 */
export function toMiddlewareList(entries: readonly unknown[], where: string): readonly AnyMiddleware[] {
  const list: AnyMiddleware[] = []
  entries.forEach((entry, index) => {
    if (isGuard(entry)) {
      list.push(...entry.middlewares)
      return
    }
    if (typeof entry !== 'function') {
      const hint =
        typeof entry === 'object' &&
        entry !== null &&
        typeof (entry as { middleware?: unknown }).middleware === 'function'
          ? ' (did you mean its `.middleware`?)'
          : ''
      throw new TypeError(
        `${where}: entry ${index} is ${entry === null ? 'null' : typeof entry}, expected a middleware function or a guard${hint}`,
      )
    }
    const factory = factoryMark(entry)
    if (factory !== undefined) {
      throw new TypeError(
        `${where}: entry ${index} is the factory ${factory.name} itself, not a middleware; did you mean ${factory.usage}?`,
      )
    }
    list.push(entry as AnyMiddleware)
  })
  checkChainOrder(list, where)
  return Object.freeze(list)
}

/**
 * Checks the order of a chain of middlewares (outermost first) against what each declares in
 * `describe.requires` and `describe.provides`: a middleware that requires a context field
 * (`principal`) must not run before a middleware of the same chain that provides it, since it
 * would then decide without it (`requireScopes` before `requireAuth` denies every stdio call, and
 * a rule keyed on the principal would see none). A field no middleware of the chain provides is
 * not checked: the transport may supply it (the HTTP layer puts the principal in the context).
 *
 * `secure()` runs this on each item's full chain (global guards, then the item's own) when the
 * item is registered, before the SDK sees it.
 *
 * @throws TypeError naming both middlewares and the field.
 */
export function checkChainOrder(chain: readonly unknown[], where: string): void {
  const providedAt = new Map<ContextField, number>()
  chain.forEach((middleware, index) => {
    for (const field of declared(middleware, 'provides')) if (!providedAt.has(field)) providedAt.set(field, index)
  })
  if (providedAt.size === 0) return
  chain.forEach((middleware, index) => {
    for (const field of declared(middleware, 'requires')) {
      const at = providedAt.get(field)
      if (at === undefined || at <= index) continue
      const provider = nameOf(chain[at], at)
      throw new TypeError(
        `${where}: ${nameOf(middleware, index)} (position ${index}) requires ${FIELD_WORDS[field]} but runs ` +
          `before ${provider} (position ${at}), which provides it; place ${provider} first`,
      )
    }
  })
}

const FIELD_WORDS: Readonly<Record<ContextField, string>> = {
  principal: 'the principal',
  approvalRequired: 'the approvals other guards demand (approvalRequired)',
}

function declared(middleware: unknown, key: 'requires' | 'provides'): readonly ContextField[] {
  if (typeof middleware !== 'function') return []
  const describe = (middleware as { describe?: unknown }).describe
  if (typeof describe !== 'object' || describe === null) return []
  const fields = (describe as Record<string, unknown>)[key]
  return Array.isArray(fields) ? (fields.filter((f) => Object.hasOwn(FIELD_WORDS, f)) as ContextField[]) : []
}

function nameOf(middleware: unknown, index: number): string {
  const describe = (middleware as { describe?: { name?: unknown } } | undefined)?.describe
  if (typeof describe?.name === 'string' && describe.name.length > 0) return describe.name
  const name = (middleware as { name?: unknown } | undefined)?.name
  return typeof name === 'string' && name.length > 0 ? name : `middleware #${index}`
}

function makeGuard<TCtx extends GuardContext>(middlewares: readonly AnyMiddleware[]): Guard<TCtx> {
  const guard: Guard<TCtx> = {
    middlewares,
    use(middleware) {
      return makeGuard(toMiddlewareList([...middlewares, middleware], 'Guard.use()'))
    },
    concat(other) {
      if (!isGuard(other)) throw new TypeError('Guard.concat(): expected a guard')
      return makeGuard<TCtx>(toMiddlewareList([...middlewares, ...other.middlewares], 'Guard.concat()'))
    },
  }
  Object.defineProperty(guard, GUARD_BRAND, { value: true })
  return Object.freeze(guard)
}
