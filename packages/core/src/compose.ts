import { CORE_ERROR_CODES, PipelineError } from './errors.js'
import type { GuardContext, PrimitiveResult } from './types.js'

/** A middleware as the runner sees it, with its context types erased. */
export type AnyMiddleware = (
  ctx: GuardContext,
  next: (add?: object) => Promise<PrimitiveResult>,
) => Promise<PrimitiveResult>

/** The innermost step: the tool, resource or prompt handler. */
export type Terminal = (ctx: GuardContext) => Promise<PrimitiveResult>

/**
 * Runs `middlewares` in order around `terminal`. Each step may add to the context through
 * `next(add)`; the merged context is a fresh frozen-by-convention object, the caller's is never
 * mutated. A second `next()` from the same step rejects with `ERR_CORE_NEXT_CALLED_TWICE`.
 *
 * With no middleware the terminal is called directly: an empty chain costs one function call.
 */
export function compose(middlewares: readonly AnyMiddleware[], terminal: Terminal): Terminal {
  const count = middlewares.length
  if (count === 0) return terminal
  return function run(ctx: GuardContext): Promise<PrimitiveResult> {
    const dispatch = (index: number, current: GuardContext): Promise<PrimitiveResult> => {
      if (index === count) return terminal(current)
      const middleware = middlewares[index] as AnyMiddleware
      let called = false
      const next = (add?: object): Promise<PrimitiveResult> => {
        if (called) {
          return Promise.reject(
            new PipelineError(
              CORE_ERROR_CODES.ERR_CORE_NEXT_CALLED_TWICE,
              `next() called more than once by middleware ${middleware.name || `#${index}`}`,
            ),
          )
        }
        called = true
        return dispatch(index + 1, add === undefined ? current : { ...current, ...add })
      }
      try {
        return Promise.resolve(middleware(current, next))
      } catch (err) {
        return Promise.reject(err)
      }
    }
    return dispatch(0, ctx)
  }
}
