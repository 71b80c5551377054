import { createHash } from 'node:crypto'
import {
  type GuardContext,
  type Middleware,
  type PrimitiveResult,
  publishSecurityEvent,
  type Store,
  type StoreHitOptions,
} from '@mcp-warden/core'
import { callerKey } from './internal/caller-key.js'
import { countBuild, defaultStore, identityOf } from './internal/default-store.js'
import { LIMIT_ERROR_CODES, LimitError } from './limit-error.js'

/** Options of `rateLimit` shared by both store choices. */
export interface RateLimitBaseOptions {
  /** Most calls admitted per key within any window of `windowMs` milliseconds. A positive integer. Required. */
  readonly limit: number
  /** Length of the sliding window, in milliseconds. A positive integer. Required. */
  readonly windowMs: number
  /**
   * What is limited: a function of the call's context returning a non-empty string. Calls with the
   * same key share one budget. Default `defaultRateLimitKey`: the principal, else the OAuth client,
   * else the transport session, else one shared `anonymous` budget. Examples: per tool
   * `(ctx) => ctx.name`; per tool × principal `` (ctx) => `${ctx.name}|${defaultRateLimitKey(ctx)}` ``.
   * Keys longer than 200 characters are stored as their SHA-256 digest.
   */
  readonly key?: (ctx: GuardContext) => string
  /**
   * Names this limit in store keys, errors and events, so that stacked limits (burst and
   * sustained) keep separate counters. 1 to 100 characters. Default `<limit>/<windowMs>ms`.
   * Without a `store`, limits of the same name and configuration in one process share counters
   * (that is what keeps a limit rebuilt per request counting): name limits that must count apart.
   */
  readonly name?: string
}

/** Options of `rateLimit` with a store shared by several instances (for example Redis). */
export interface RateLimitSharedStoreOptions extends RateLimitBaseOptions {
  /**
   * The store that keeps the counters; it must implement the optional `Store.hit` (both
   * `createMemoryStore` and `createRedisStore` do). Share one Redis store between instances so
   * that N instances enforce one limit, not N times the limit.
   */
  readonly store: Store
  readonly maxKeys?: never
}

/** Options of `rateLimit` with its own in-memory store. */
export interface RateLimitMemoryOptions extends RateLimitBaseOptions {
  readonly store?: undefined
  /**
   * Bound of the default in-memory store: how many distinct keys are tracked at once. The store is
   * one per process for all `rateLimit`s with the same bound (each under its own namespace), so a
   * limit rebuilt per request keeps its counters. When it is full of live windows a call with a new
   * key is refused (`ERR_STORE_FULL`, 503) rather than a budget forgotten. A positive integer.
   * Default 100 000.
   */
  readonly maxKeys?: number
}

/** Options of `rateLimit`. `store` and `maxKeys` are mutually exclusive. */
export type RateLimitOptions = RateLimitSharedStoreOptions | RateLimitMemoryOptions

const KNOWN = new Set(['limit', 'windowMs', 'key', 'store', 'name', 'maxKeys'])
const MAX_PLAIN_KEY = 200

/**
 * The default key of `rateLimit`: `p:<principal id>`, else `c:<OAuth client id>`, else
 * `s:<session id>`, else `anonymous`.
 */
export function defaultRateLimitKey(ctx: GuardContext): string {
  return callerKey(ctx)
}

/**
 * Limits how often a tool, resource or prompt may be called: at most `limit` calls per key in any
 * sliding window of `windowMs` milliseconds. Stack several for a burst and a sustained limit:
 * `rateLimit({ limit: 10, windowMs: 1_000 })` and `rateLimit({ limit: 600, windowMs: 3_600_000 })`.
 *
 * Algorithm: a sliding-window log (the times of the admitted calls still in the window). It is
 * exact: no window boundary lets twice the limit through (as fixed windows do), and no refill
 * arithmetic admits a second burst within one window (as a token bucket or GCRA does); each
 * decision is one atomic step in the store (one Lua script on Redis, on the Redis server's clock),
 * so concurrent calls on one or many instances never overshoot. Refused calls are not recorded,
 * so a client that keeps hammering is admitted again as soon as its oldest call leaves the window.
 * The cost is memory: one timestamp per admitted call in the window, per key.
 *
 * A refusal throws `LimitError` `ERR_RATE_LIMITED` with status 429 and `details.retryAfterMs`
 * (also `limit`, `windowMs`, `name`), so an HTTP layer answering before dispatch can send `429`
 * with `Retry-After`; inside the pipeline it becomes a tool error carrying the code. A
 * `rate_limit.exceeded` security event is published. When the store is unreachable the call is
 * refused with `ERR_STORE_UNAVAILABLE`, and when it is full with `ERR_STORE_FULL` (fail closed: a
 * forgotten window would admit calls over the limit).
 *
 * State: without a `store`, the counters live in a memory store shared by the process and keyed
 * by this limit's name and configuration, so a limit built inside a per-request server factory
 * (stateless HTTP) still limits; build it once anyway: one built ten times is reported with a
 * `guard.rebuilt` security event and a process warning.
 *
 * @throws TypeError at creation on unknown options, a `limit` or `windowMs` that is not a positive
 * integer, a `key` that is not a function, a bad `name` or `maxKeys`, or a `store` without `hit`.
 * @throws LimitError `ERR_RATE_LIMITED` when over the limit, `ERR_RATE_LIMIT_KEY_INVALID` when the
 * key function throws or returns something other than a non-empty string.
 * @throws StoreUnavailableError `ERR_STORE_UNAVAILABLE` when the store cannot decide.
 * @throws WardenError `ERR_STORE_FULL` when a memory store is full of live windows.
 * @see https://www.rfc-editor.org/rfc/rfc6585#section-4 (429 Too Many Requests)
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-10.2.3 (Retry-After)
 *
 * @example
 * ```ts
 * const server = secure(new McpServer({ name: 'tickets', version: '1.0.0' }), {
 *   use: [rateLimit({ limit: 60, windowMs: 60_000 })],
 * })
 * server.registerTool('search', { inputSchema }, server.guard(
 *   rateLimit({ name: 'search-burst', limit: 5, windowMs: 1_000, key: (ctx) => `${ctx.name}|${defaultRateLimitKey(ctx)}` }),
 * ).wrap(async (args) => ({ content: [] })))
 * ```
 */
export function rateLimit(options: RateLimitOptions): Middleware {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('rateLimit: options with `limit` and `windowMs` are required')
  }
  for (const option of Object.keys(options)) {
    if (!KNOWN.has(option)) throw new TypeError(`rateLimit: unknown option "${option}"`)
  }
  const { limit, windowMs, key = defaultRateLimitKey, store: givenStore, maxKeys } = options
  if (!Number.isSafeInteger(limit) || limit <= 0) throw new TypeError('rateLimit: `limit` must be a positive integer')
  if (!Number.isSafeInteger(windowMs) || windowMs <= 0) {
    throw new TypeError('rateLimit: `windowMs` must be a positive integer (milliseconds)')
  }
  if (typeof key !== 'function') throw new TypeError('rateLimit: `key` must be a function of the context')
  const name = options.name ?? `${limit}/${windowMs}ms`
  if (typeof name !== 'string' || name.length === 0 || name.length > 100) {
    throw new TypeError('rateLimit: `name` must be a string of 1 to 100 characters')
  }
  if (givenStore !== undefined && maxKeys !== undefined) {
    throw new TypeError('rateLimit: `store` and `maxKeys` are mutually exclusive')
  }
  if (maxKeys !== undefined && (!Number.isSafeInteger(maxKeys) || maxKeys <= 0)) {
    throw new TypeError('rateLimit: `maxKeys` must be a positive integer')
  }
  const identity = identityOf(['rateLimit', name, limit, windowMs, key])
  countBuild('rateLimit', name, identity, givenStore?.kind)
  const store = givenStore ?? defaultStore('rateLimit', maxKeys ?? 100_000, identity)
  if (typeof store !== 'object' || store === null || typeof store.hit !== 'function') {
    throw new TypeError('rateLimit: `store` must implement Store.hit (createMemoryStore and createRedisStore do)')
  }
  const hit = store.hit.bind(store)
  const hitOptions: StoreHitOptions = Object.freeze({ limit, windowMs })
  const prefix = `rl:${name}:`
  const details = { limit, windowMs, name }

  const keyOf = (ctx: GuardContext): string => {
    let value: unknown
    try {
      value = key(ctx)
    } catch (cause) {
      throw new LimitError(LIMIT_ERROR_CODES.ERR_RATE_LIMIT_KEY_INVALID, 'Rate limit key could not be computed', {
        cause,
        expose: false,
        status: 500,
      })
    }
    if (typeof value !== 'string' || value.length === 0) {
      throw new LimitError(LIMIT_ERROR_CODES.ERR_RATE_LIMIT_KEY_INVALID, 'Rate limit key is not a non-empty string', {
        expose: false,
        status: 500,
      })
    }
    return value.length > MAX_PLAIN_KEY
      ? `${prefix}#${createHash('sha256').update(value).digest('base64url')}`
      : prefix + value
  }

  /** Publishes the refusal and returns the error to reject with. */
  const refusal = (ctx: GuardContext, decision: unknown): LimitError => {
    // Anything but an explicit admission refuses; a store that gives no usable delay gets the window.
    const given = (decision as { retryAfterMs?: unknown } | null)?.retryAfterMs
    const retryAfterMs = typeof given === 'number' && given > 0 && Number.isFinite(given) ? Math.ceil(given) : windowMs
    publishSecurityEvent({
      type: 'rate_limit.exceeded',
      code: LIMIT_ERROR_CODES.ERR_RATE_LIMITED,
      correlationId: ctx.correlationId,
      ...(ctx.principal === undefined ? {} : { principalId: ctx.principal.id }),
      kind: ctx.kind,
      name: ctx.name,
      detail: { ...details, retryAfterMs },
    })
    return new LimitError(
      LIMIT_ERROR_CODES.ERR_RATE_LIMITED,
      `Rate limit exceeded; retry in ${Math.ceil(retryAfterMs / 1000)} s`,
      {
        status: 429,
        details: { retryAfterMs, ...details },
      },
    )
  }
  const admitted = (decision: unknown): boolean => (decision as { allowed?: unknown } | null)?.allowed === true
  // An in-process store decides synchronously: an admitted call then adds no promise of its own.
  const hitNow = typeof store.hitNow === 'function' ? store.hitNow.bind(store) : undefined

  const rateLimitMiddleware = function rateLimit(
    ctx: GuardContext,
    next: () => Promise<PrimitiveResult>,
  ): Promise<PrimitiveResult> {
    try {
      const key = keyOf(ctx)
      if (hitNow !== undefined) {
        const decision: unknown = hitNow(key, hitOptions)
        return admitted(decision) ? next() : Promise.reject(refusal(ctx, decision))
      }
      return hit(key, hitOptions).then((decision: unknown) =>
        admitted(decision) ? next() : Promise.reject(refusal(ctx, decision)),
      )
    } catch (err) {
      return Promise.reject(err)
    }
  }
  return Object.assign(rateLimitMiddleware, {
    describe: Object.freeze({ name: 'rateLimit', id: name, limit, windowMs, store: store.kind }),
  })
}
