import type { AnyMiddleware } from './compose.js'
import type { GuardContext, Merge, Middleware } from './types.js'

const GUARD_BRAND = Symbol.for('mcp-warden.guard')

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
 * Checks that every entry is a middleware function and returns them as a frozen array.
 *
 * @throws TypeError naming the position of the first entry that is not a function.
 */
export function toMiddlewareList(entries: readonly unknown[], where: string): readonly AnyMiddleware[] {
  const list: AnyMiddleware[] = []
  entries.forEach((entry, index) => {
    if (isGuard(entry)) {
      list.push(...entry.middlewares)
      return
    }
    if (typeof entry !== 'function') {
      throw new TypeError(
        `${where}: entry ${index} is ${entry === null ? 'null' : typeof entry}, expected a middleware function or a guard`,
      )
    }
    list.push(entry as AnyMiddleware)
  })
  return Object.freeze(list)
}

function makeGuard<TCtx extends GuardContext>(middlewares: readonly AnyMiddleware[]): Guard<TCtx> {
  const guard: Guard<TCtx> = {
    middlewares,
    use(middleware) {
      const [checked] = toMiddlewareList([middleware], 'Guard.use()')
      return makeGuard([...middlewares, checked as AnyMiddleware])
    },
    concat(other) {
      if (!isGuard(other)) throw new TypeError('Guard.concat(): expected a guard')
      return makeGuard<TCtx>([...middlewares, ...other.middlewares])
    },
  }
  Object.defineProperty(guard, GUARD_BRAND, { value: true })
  return Object.freeze(guard)
}
