import { type GuardContext, type PrimitiveResult, publishSecurityEvent, WardenError } from '@mcp-warden/core'
import { PolicyError, type PolicyErrorCode } from '../errors.js'
import type { ArgumentGuard, RefinementContext } from '../types.js'

/** Most items of one array argument an argument guard checks before refusing the call. */
export const MAX_ARGUMENT_ITEMS = 1_000

/** Validates the `args` option shared by argument guards. */
export function argumentNames(where: string, args: unknown): readonly string[] | undefined {
  if (args === undefined) return undefined
  if (!Array.isArray(args) || args.length === 0 || !args.every((a) => typeof a === 'string' && a.length > 0)) {
    throw new TypeError(`${where}: \`args\` must be a non-empty array of argument names`)
  }
  return Object.freeze([...new Set(args as string[])])
}

/** Validates a positive integer option. */
export function positiveInteger(where: string, key: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw new TypeError(`${where}: \`${key}\` must be a positive integer`)
  }
  return value
}

/** Refuses unknown option keys. */
export function knownOptions(where: string, options: unknown, known: ReadonlySet<string>): void {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new TypeError(`${where}: options must be an object`)
  }
  for (const key of Object.keys(options)) {
    if (!known.has(key)) throw new TypeError(`${where}: unknown option "${key}"`)
  }
}

/**
 * Builds an argument guard from a check: the middleware runs it on the named arguments (or, with
 * no names, on every top-level string and array of strings), `refine` adapts it to zod.
 */
export function argumentGuard<T>(
  name: string,
  args: readonly string[] | undefined,
  invalidCode: PolicyErrorCode,
  check: (value: unknown) => Promise<T>,
  describe: Readonly<Record<string, unknown>>,
): ArgumentGuard<T> {
  const checkArgument = async (ctx: GuardContext, key: string, value: unknown): Promise<void> => {
    try {
      if (Array.isArray(value)) {
        if (value.length > MAX_ARGUMENT_ITEMS) {
          throw new PolicyError(invalidCode, `Too many values in argument ${key}`, {
            details: { limit: MAX_ARGUMENT_ITEMS },
          })
        }
        for (const item of value) await check(item)
      } else {
        await check(value)
      }
    } catch (err) {
      if (err instanceof PolicyError) {
        publishSecurityEvent({
          type: 'policy.argument_refused',
          code: err.code,
          correlationId: ctx.correlationId,
          ...(ctx.principal === undefined ? {} : { principalId: ctx.principal.id }),
          ...(ctx.principal?.clientId === undefined ? {} : { clientId: ctx.principal.clientId }),
          kind: ctx.kind,
          name: ctx.name,
          // The argument's name only: its value may be the attack, and is the caller's data.
          detail: { guard: name, argument: key, ...err.details },
        })
        throw new PolicyError(err.code, err.message, { details: { ...err.details, argument: key }, cause: err.cause })
      }
      throw err
    }
  }
  const middleware = {
    async [name](ctx: GuardContext, next: () => Promise<PrimitiveResult>): Promise<PrimitiveResult> {
      const values = ctx.arguments
      if (args !== undefined) {
        for (const key of args) {
          if (!Object.hasOwn(values, key) || values[key] === undefined) continue
          await checkArgument(ctx, key, values[key])
        }
      } else {
        for (const key of Object.keys(values)) {
          const value = values[key]
          if (typeof value === 'string' || (Array.isArray(value) && value.every((v) => typeof v === 'string'))) {
            await checkArgument(ctx, key, value)
          }
        }
      }
      return next()
    },
  }[name] as (ctx: GuardContext, next: () => Promise<PrimitiveResult>) => Promise<PrimitiveResult>
  const refine = async (value: unknown, ctx: RefinementContext): Promise<void> => {
    try {
      await check(value)
    } catch (err) {
      if (!WardenError.isInstance(err)) throw err
      ctx.addIssue({ code: 'custom', message: err.message, params: { code: err.code } })
    }
  }
  return Object.assign(middleware, {
    check,
    refine,
    describe: { name, ...(args === undefined ? {} : { args }), ...describe },
  })
}
