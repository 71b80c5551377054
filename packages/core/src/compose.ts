import { CORE_ERROR_CODES, PipelineError } from './errors.js'
import type { GuardContext, PrimitiveResult } from './types.js'

/** A middleware as the runner sees it, with its context types erased. */
export type AnyMiddleware = (
  ctx: GuardContext,
  next: (add?: object) => Promise<PrimitiveResult>,
) => Promise<PrimitiveResult>

/**
 * The innermost step: the tool, resource or prompt handler. `data` is what the caller of the
 * composed chain passed beside the context; middlewares never see it.
 */
export type Terminal<TData = void> = (ctx: GuardContext, data: TData) => Promise<PrimitiveResult>

/**
 * Runs `middlewares` in order around `terminal`. Each step may add to the context through
 * `next(add)`; the merged context is a fresh frozen-by-convention object, the caller's is never
 * mutated. A second `next()` from the same step rejects with `ERR_CORE_NEXT_CALLED_TWICE`.
 *
 * The returned function takes the context and an optional `data` value handed unchanged to the
 * terminal (per-call state the terminal needs and the middlewares must not see or copy).
 *
 * With no middleware the terminal is called directly: an empty chain costs one function call.
 */
export function compose<TData = void>(
  middlewares: readonly AnyMiddleware[],
  terminal: Terminal<TData>,
): Terminal<TData> {
  const count = middlewares.length
  if (count === 0) return terminal
  const dispatch = (index: number, current: GuardContext, data: TData): Promise<PrimitiveResult> => {
    if (index === count) return terminal(current, data)
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
      return dispatch(index + 1, add === undefined ? current : { ...current, ...add }, data)
    }
    try {
      return Promise.resolve(middleware(current, next))
    } catch (err) {
      return Promise.reject(err)
    }
  }
  return function run(ctx: GuardContext, data: TData): Promise<PrimitiveResult> {
    return dispatch(0, ctx, data)
  }
}
