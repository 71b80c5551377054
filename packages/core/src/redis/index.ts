/**
 * A `Store` on Redis through `ioredis`, so several server instances share sessions, rate limits,
 * approvals and caches.
 *
 * @module
 */
import { createHash } from 'node:crypto'
import type { Redis } from 'ioredis'
import { CORE_ERROR_CODES, StoreUnavailableError, WardenError } from '../errors.js'
import { publishSecurityEvent } from '../events.js'
import { checkHitOptions } from '../internal/hit-options.js'
import { canonicalJson, frozenParse } from '../internal/json.js'
import type { Store, StoreHitOptions, StoreHitResult, StoreIncrementOptions, StoreSetOptions } from '../store.js'
import type { JsonValue } from '../types.js'

/** Options of `createRedisStore`. */
export interface RedisStoreOptions {
  /**
   * A connected (or connecting) `ioredis` client. The store never closes it and never changes its
   * options; `close()` on the store is a no-op for the client.
   */
  readonly client: Redis
  /** Prefix of every key the store writes. Default `'mcp-warden:'`. */
  readonly prefix?: string
  /**
   * Longest time, in milliseconds, a command may take before the store gives up and reports
   * Redis unavailable. Default 1000. A positive integer.
   */
  readonly commandTimeoutMs?: number
  /**
   * What to do when Redis is unreachable, times out or answers with an error: `'deny'` (default)
   * rejects with `StoreUnavailableError`, so the request is denied; a `Store` (for example a
   * memory store) serves the operation instead. A fallback weakens shared limits and sessions to
   * per-instance ones while Redis is down: choose it knowingly.
   */
  readonly whenUnavailable?: 'deny' | Store
}

const KNOWN_OPTIONS = new Set(['client', 'prefix', 'commandTimeoutMs', 'whenUnavailable'])

/** Adds `ARGV[1]` to an integer key, setting the expiry `ARGV[2]` (ms) only when it creates the key. */
const INCREMENT = `
local existed = redis.call('EXISTS', KEYS[1])
local value = redis.call('INCRBY', KEYS[1], ARGV[1])
if existed == 0 and ARGV[2] ~= '' then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return value`

/**
 * Replaces the value when it equals the expected one. ARGV: expected-present flag, expected JSON,
 * new-value-present flag, new JSON, ttl ms ('' for none).
 */
const COMPARE_AND_SET = `
local current = redis.call('GET', KEYS[1])
local matches
if ARGV[1] == '0' then matches = (current == false) else matches = (current == ARGV[2]) end
if not matches then return 0 end
if ARGV[3] == '0' then
  redis.call('DEL', KEYS[1])
elseif ARGV[5] ~= '' then
  redis.call('SET', KEYS[1], ARGV[4], 'PX', ARGV[5])
else
  redis.call('SET', KEYS[1], ARGV[4])
end
return 1`

/**
 * The sliding-window log of `hit`: a list of admitted hit times (ms, newest first) on the Redis
 * server's clock, so instances with skewed clocks share one window. Drops the hits that left the
 * window, then admits and records the hit when fewer than ARGV[1] remain within ARGV[2] ms.
 * Returns {allowed (0/1), remaining, retryAfterMs}.
 */
const HIT = `
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local horizon = now - window
while true do
  local oldest = redis.call('LINDEX', KEYS[1], -1)
  if not oldest or tonumber(oldest) > horizon then break end
  redis.call('RPOP', KEYS[1])
end
local size = redis.call('LLEN', KEYS[1])
while size > limit do
  redis.call('RPOP', KEYS[1])
  size = size - 1
end
if size >= limit then
  local retry = tonumber(redis.call('LINDEX', KEYS[1], -1)) - horizon
  if retry < 1 then retry = 1 end
  return {0, 0, retry}
end
redis.call('LPUSH', KEYS[1], t[1] .. string.format('%03d', math.floor(tonumber(t[2]) / 1000)))
redis.call('PEXPIRE', KEYS[1], window)
return {1, limit - size - 1, 0}`

interface Script {
  readonly source: string
  readonly sha: string
}

/** Parses what the store wrote; anything else is reported, never returned. */
function parseStored(raw: string | null): JsonValue | undefined {
  if (raw === null) return undefined
  try {
    return frozenParse(raw)
  } catch (cause) {
    throw new WardenError(CORE_ERROR_CODES.ERR_STORE_INVALID_VALUE, 'Stored value is not JSON', {
      cause,
      expose: false,
      status: 500,
    })
  }
}

const script = (source: string): Script => ({ source, sha: createHash('sha1').update(source).digest('hex') })
const SCRIPTS = { increment: script(INCREMENT), compareAndSet: script(COMPARE_AND_SET), hit: script(HIT) }
/** Statuses in which ioredis would only queue a command until a reconnect that may never come. */
const DOWN = new Set(['reconnecting', 'close', 'end'])

/**
 * Creates a `Store` on Redis. Every read-modify-write is one Lua script (atomic on the server),
 * keys are prefixed, expiries are Redis `PX` expiries. Values are stored as canonical JSON.
 *
 * Fails closed: when Redis is down, slow or erroring, operations reject with
 * `StoreUnavailableError` (`ERR_STORE_UNAVAILABLE`, HTTP 503) and a `store.unavailable` security
 * event is published, unless `whenUnavailable` names a fallback store.
 *
 * @throws TypeError on a missing client, an unknown option or a bad value.
 *
 * @example
 * ```ts
 * import Redis from 'ioredis'
 * import { createRedisStore } from '@mcp-warden/core/redis'
 * const store = createRedisStore({ client: new Redis(process.env.REDIS_URL) })
 * ```
 */
export function createRedisStore(options: RedisStoreOptions): Store {
  if (typeof options !== 'object' || options === null) throw new TypeError('createRedisStore: options are required')
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(key)) throw new TypeError(`createRedisStore: unknown option "${key}"`)
  }
  const { client, prefix = 'mcp-warden:', commandTimeoutMs = 1000, whenUnavailable = 'deny' } = options
  if (
    typeof client !== 'object' ||
    client === null ||
    typeof (client as { evalsha?: unknown }).evalsha !== 'function'
  ) {
    throw new TypeError('createRedisStore: `client` must be an ioredis client')
  }
  if (typeof prefix !== 'string') throw new TypeError('createRedisStore: `prefix` must be a string')
  if (!Number.isSafeInteger(commandTimeoutMs) || commandTimeoutMs <= 0) {
    throw new TypeError('createRedisStore: `commandTimeoutMs` must be a positive integer')
  }
  const fallback = whenUnavailable === 'deny' ? undefined : whenUnavailable
  if (fallback !== undefined && (typeof fallback !== 'object' || typeof fallback.get !== 'function')) {
    throw new TypeError("createRedisStore: `whenUnavailable` must be 'deny' or a Store")
  }

  const keyOf = (key: unknown): string => {
    if (typeof key !== 'string' || key.length === 0) throw new TypeError('RedisStore: key must be a non-empty string')
    return prefix + key
  }
  const ttlArg = (ttlMs: number | undefined, where: string): string => {
    if (ttlMs === undefined) return ''
    if (!Number.isSafeInteger(ttlMs) || ttlMs <= 0) {
      throw new TypeError(`RedisStore.${where}: ttlMs must be a positive integer, got ${String(ttlMs)}`)
    }
    return String(ttlMs)
  }
  const json = (value: JsonValue): string => {
    try {
      return canonicalJson(value)
    } catch (cause) {
      throw new WardenError(CORE_ERROR_CODES.ERR_STORE_INVALID_VALUE, 'Value cannot be stored', {
        cause,
        expose: false,
        status: 500,
      })
    }
  }

  /** Runs one Redis command under the timeout; failures become `StoreUnavailableError` (or the fallback). */
  const command = async <T>(
    operation: string,
    run: () => Promise<T>,
    onFallback: (store: Store) => Promise<T>,
  ): Promise<T> => {
    let timer: NodeJS.Timeout | undefined
    try {
      if (DOWN.has(client.status)) throw new Error(`connection ${client.status}`)
      return await Promise.race([
        run(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${commandTimeoutMs} ms`)), commandTimeoutMs)
        }),
      ])
    } catch (cause) {
      if (WardenError.isInstance(cause)) throw cause
      if (cause instanceof Error && /not an integer|out of range/i.test(cause.message)) {
        throw new WardenError(CORE_ERROR_CODES.ERR_STORE_INVALID_VALUE, 'Counter holds a non-integer value', {
          cause,
          expose: false,
          status: 500,
        })
      }
      publishSecurityEvent({
        type: 'store.unavailable',
        code: CORE_ERROR_CODES.ERR_STORE_UNAVAILABLE,
        detail: { store: 'redis', operation, fallback: fallback !== undefined },
      })
      if (fallback !== undefined) return onFallback(fallback)
      throw new StoreUnavailableError(`Redis ${operation} failed`, { cause })
    } finally {
      if (timer !== undefined) clearTimeout(timer)
    }
  }

  const evalScript = async (which: Script, key: string, args: readonly string[]): Promise<unknown> => {
    try {
      return await client.evalsha(which.sha, 1, key, ...args)
    } catch (err) {
      if (err instanceof Error && err.message.startsWith('NOSCRIPT')) return client.eval(which.source, 1, key, ...args)
      throw err
    }
  }

  return Object.freeze({
    kind: 'redis',
    async get(key: string) {
      const full = keyOf(key)
      return command(
        'get',
        async () => parseStored(await client.get(full)),
        (store) => store.get(key),
      )
    },
    async set(key: string, value: JsonValue, setOptions?: StoreSetOptions) {
      const full = keyOf(key)
      const ttl = ttlArg(setOptions?.ttlMs, 'set')
      const text = json(value)
      await command(
        'set',
        async () => {
          await (ttl === '' ? client.set(full, text) : client.set(full, text, 'PX', Number(ttl)))
        },
        (store) => store.set(key, value, setOptions),
      )
    },
    async delete(key: string) {
      const full = keyOf(key)
      return command(
        'delete',
        async () => (await client.del(full)) > 0,
        (store) => store.delete(key),
      )
    },
    async increment(key: string, incrementOptions?: StoreIncrementOptions) {
      const full = keyOf(key)
      const by = incrementOptions?.by ?? 1
      if (!Number.isSafeInteger(by)) throw new TypeError('RedisStore.increment: `by` must be an integer')
      const ttl = ttlArg(incrementOptions?.ttlMs, 'increment')
      return command(
        'increment',
        async () => Number(await evalScript(SCRIPTS.increment, full, [String(by), ttl])),
        (store) => store.increment(key, incrementOptions),
      )
    },
    async compareAndSet(
      key: string,
      expected: JsonValue | undefined,
      value: JsonValue | undefined,
      setOptions?: StoreSetOptions,
    ) {
      const full = keyOf(key)
      const ttl = ttlArg(setOptions?.ttlMs, 'compareAndSet')
      const args = [
        expected === undefined ? '0' : '1',
        expected === undefined ? '' : json(expected),
        value === undefined ? '0' : '1',
        value === undefined ? '' : json(value),
        ttl,
      ]
      return command(
        'compareAndSet',
        async () => Number(await evalScript(SCRIPTS.compareAndSet, full, args)) === 1,
        (store) => store.compareAndSet(key, expected, value, setOptions),
      )
    },
    async hit(key: string, hitOptions: StoreHitOptions) {
      const full = keyOf(key)
      const { limit, windowMs } = checkHitOptions(hitOptions, 'RedisStore.hit')
      return command(
        'hit',
        async (): Promise<StoreHitResult> => {
          const reply = await evalScript(SCRIPTS.hit, full, [String(limit), String(windowMs)])
          if (!Array.isArray(reply) || reply.length !== 3) throw new Error('unexpected reply to hit')
          const [allowed, remaining, retryAfterMs] = reply.map(Number) as [number, number, number]
          return { allowed: allowed === 1, remaining, retryAfterMs }
        },
        (store) => {
          if (typeof store.hit !== 'function') {
            return Promise.reject(new StoreUnavailableError('Redis hit failed and the fallback store has no hit()'))
          }
          return store.hit(key, hitOptions)
        },
      )
    },
    async close() {
      // The client belongs to the caller; nothing of ours to release.
    },
  } satisfies Store)
}
