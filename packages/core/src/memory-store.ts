import { LRUCache } from 'lru-cache'
import { CORE_ERROR_CODES, WardenError } from './errors.js'
import { publishSecurityEvent } from './events.js'
import { checkHitOptions } from './internal/hit-options.js'
import { canonicalJson, frozenParse } from './internal/json.js'
import type { Store, StoreHitOptions, StoreHitResult, StoreIncrementOptions, StoreSetOptions } from './store.js'
import type { JsonValue } from './types.js'

/** Options of `createMemoryStore`. */
export interface MemoryStoreOptions {
  /**
   * Maximum number of entries (required). What happens when it is reached is `whenFull`: by
   * default a write that would create an entry is refused, never a live entry forgotten. Size it
   * for the state you keep (sessions, counters, taints, nonces). A positive integer.
   */
  readonly max: number
  /**
   * What a write that would create an entry does when `max` live entries are held (expired ones
   * are dropped first):
   * - `'refuse'` (default): it rejects with `WardenError` `ERR_STORE_FULL` (HTTP 503) and a
   *   `store.full` security event is published, so the request is denied. Fail closed: much of
   *   the state kept here allows a call only while it is present (a taint, a rate-limit log, a
   *   used approval nonce), and forgetting it would allow what it was there to stop.
   * - `'evict'`: the least recently used entry is forgotten. Only for caches, where losing an
   *   entry can only cause a recomputation (a verified-token cache), never an allow.
   *
   * Give every entry a time to live, so that the store frees itself.
   */
  readonly whenFull?: 'refuse' | 'evict'
  /** Longest time to live in milliseconds any entry may have. Default: unbounded. */
  readonly maxTtlMs?: number
  /**
   * Clock for expiry, in milliseconds (monotonic is best). Default: `performance.now()`. Tests
   * with fake timers pass `() => Date.now()`.
   */
  readonly now?: () => number
}

interface Entry {
  /** Canonical JSON of the value: what compare-and-set compares. */
  readonly json: string
  /** The value, deep-frozen, handed out by `get`. */
  readonly value: JsonValue
}

/**
 * The sliding-window log behind `hit`: the times of the admitted hits still in the window, oldest
 * first, in a ring buffer that grows up to `limit` slots. Each decision drops the hits that left the
 * window and compares the count with the limit: amortized O(1), no allocation once grown.
 */
class HitLog {
  times: number[] = new Array<number>(4)
  head = 0
  size = 0
  /** Window of the last decision, for the JSON view. */
  windowMs = 0
  /** When the cache entry's lifetime was last extended. */
  refreshedAt = Number.NEGATIVE_INFINITY

  hit(now: number, limit: number, windowMs: number): StoreHitResult {
    const times = this.times
    let cap = times.length
    const horizon = now - windowMs
    this.windowMs = windowMs
    while (this.size > 0 && (times[this.head] as number) <= horizon) {
      this.head = (this.head + 1) % cap
      this.size--
    }
    // A smaller limit than the log was built for: forget the oldest surplus.
    while (this.size > limit) {
      this.head = (this.head + 1) % cap
      this.size--
    }
    if (this.size >= limit) {
      const retryAfterMs = Math.max(1, Math.ceil((times[this.head] as number) - horizon))
      return { allowed: false, remaining: 0, retryAfterMs }
    }
    if (this.size === cap) {
      const grown = new Array<number>(Math.min(limit, cap * 2))
      for (let i = 0; i < this.size; i++) grown[i] = times[(this.head + i) % cap] as number
      this.times = grown
      this.head = 0
      cap = grown.length
    }
    this.times[(this.head + this.size) % cap] = now
    this.size++
    return { allowed: true, remaining: limit - this.size, retryAfterMs: 0 }
  }

  /** The log as JSON (times of the admitted hits still in the window, oldest first), for the methods that read values. */
  toJSON(now: number): number[] {
    const out: number[] = []
    for (let i = 0; i < this.size; i++) {
      const time = this.times[(this.head + i) % this.times.length] as number
      if (time > now - this.windowMs) out.push(time)
    }
    return out
  }
}

const KNOWN_OPTIONS = new Set(['max', 'maxTtlMs', 'now', 'whenFull'])
/** Expired entries are searched for (a linear scan) at most this often while the store is full. */
const PURGE_INTERVAL_MS = 100

/**
 * An in-process `Store` on `lru-cache`, bounded by `max` entries. Every operation completes within
 * one turn of the event loop, so `increment` and `compareAndSet` are atomic within the process.
 * Use `createRedisStore` (`@mcp-warden/core/redis`) to share state between instances.
 *
 * Full, it refuses to create entries (`ERR_STORE_FULL`) rather than forget live ones, unless
 * `whenFull: 'evict'` says the store is a cache: losing state must never allow a call.
 *
 * @throws TypeError when `max` is missing or not a positive integer, or an option is unknown.
 * @throws WardenError `ERR_STORE_FULL` (rejected by a write, thrown by `hitNow`) when full of live
 * entries and `whenFull` is `'refuse'`.
 *
 * @example
 * ```ts
 * const store = createMemoryStore({ max: 100_000 })
 * ```
 */
export function createMemoryStore(options: MemoryStoreOptions): Store {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('createMemoryStore: options with a `max` bound are required')
  }
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(key)) throw new TypeError(`createMemoryStore: unknown option "${key}"`)
  }
  const { max, maxTtlMs } = options
  if (!Number.isSafeInteger(max) || max <= 0) {
    throw new TypeError('createMemoryStore: `max` must be a positive integer')
  }
  if (maxTtlMs !== undefined && (!Number.isSafeInteger(maxTtlMs) || maxTtlMs <= 0)) {
    throw new TypeError('createMemoryStore: `maxTtlMs` must be a positive integer')
  }
  if (options.now !== undefined && typeof options.now !== 'function') {
    throw new TypeError('createMemoryStore: `now` must be a function')
  }
  const whenFull = options.whenFull ?? 'refuse'
  if (whenFull !== 'refuse' && whenFull !== 'evict') {
    throw new TypeError("createMemoryStore: `whenFull` must be 'refuse' or 'evict'")
  }
  const clock = options.now
  const cache = new LRUCache<string, Entry | HitLog>({
    max,
    ...(maxTtlMs === undefined ? {} : { ttl: maxTtlMs }),
    ...(clock === undefined ? {} : { perf: { now: clock } }),
  })

  const ttlOf = (ttlMs: number | undefined, where: string): { ttl?: number } => {
    if (ttlMs === undefined) return {}
    if (!Number.isSafeInteger(ttlMs) || ttlMs <= 0) {
      throw new TypeError(`MemoryStore.${where}: ttlMs must be a positive integer, got ${String(ttlMs)}`)
    }
    return { ttl: maxTtlMs === undefined ? ttlMs : Math.min(ttlMs, maxTtlMs) }
  }
  const entryOf = (value: JsonValue): Entry => {
    let json: string
    try {
      json = canonicalJson(value)
    } catch (cause) {
      throw new WardenError(CORE_ERROR_CODES.ERR_STORE_INVALID_VALUE, 'Value cannot be stored', {
        cause,
        expose: false,
        status: 500,
      })
    }
    return { json, value: frozenParse(json) }
  }
  /** A value entry, or the JSON view of a hit log kept at the key. */
  const now = clock ?? (() => performance.now())
  const valueEntry = (key: string): Entry | undefined => {
    const found = cache.get(key)
    if (!(found instanceof HitLog)) return found
    const live = found.toJSON(now())
    return live.length === 0 ? undefined : entryOf(live)
  }
  /** Frozen option objects already checked: a limiter passes the same one on every decision. */
  const checkedHitOptions = new WeakSet<StoreHitOptions>()
  const checkKey = (key: unknown): void => {
    if (typeof key !== 'string' || key.length === 0) throw new TypeError('MemoryStore: key must be a non-empty string')
  }
  let lastPurge = Number.NEGATIVE_INFINITY
  /**
   * Before a write at `key`: when the write would create an entry in a full store, drop expired
   * entries, and if none frees a slot, refuse (never evict a live entry unless told to).
   */
  const makeRoom = (key: string): void => {
    if (whenFull === 'evict' || cache.size < max) return
    // An entry still held at the key (live or expired) is replaced in place, evicting nothing.
    if (cache.peek(key, { allowStale: true }) !== undefined) return
    const time = now()
    if (time - lastPurge >= PURGE_INTERVAL_MS || time < lastPurge) {
      lastPurge = time
      cache.purgeStale()
      if (cache.size < max) return
    }
    publishSecurityEvent({
      type: 'store.full',
      code: CORE_ERROR_CODES.ERR_STORE_FULL,
      detail: { store: 'memory', max },
    })
    throw new WardenError(CORE_ERROR_CODES.ERR_STORE_FULL, 'State store is full', { expose: false, status: 503 })
  }

  return Object.freeze({
    kind: 'memory',
    async get(key: string) {
      checkKey(key)
      return valueEntry(key)?.value
    },
    async set(key: string, value: JsonValue, setOptions?: StoreSetOptions) {
      checkKey(key)
      const entry = entryOf(value)
      const ttl = ttlOf(setOptions?.ttlMs, 'set')
      makeRoom(key)
      cache.set(key, entry, ttl)
    },
    async delete(key: string) {
      checkKey(key)
      return cache.delete(key)
    },
    async increment(key: string, incrementOptions?: StoreIncrementOptions) {
      checkKey(key)
      const by = incrementOptions?.by ?? 1
      if (!Number.isSafeInteger(by)) throw new TypeError('MemoryStore.increment: `by` must be an integer')
      const current = valueEntry(key)
      if (current === undefined) {
        const ttl = ttlOf(incrementOptions?.ttlMs, 'increment')
        makeRoom(key)
        cache.set(key, entryOf(by), ttl)
        return by
      }
      if (typeof current.value !== 'number' || !Number.isSafeInteger(current.value)) {
        throw new WardenError(CORE_ERROR_CODES.ERR_STORE_INVALID_VALUE, 'Counter holds a non-integer value', {
          expose: false,
          status: 500,
        })
      }
      const next = current.value + by
      // Keep the remaining lifetime: a fixed window must not slide with each hit.
      const remaining = cache.getRemainingTTL(key)
      cache.set(key, entryOf(next), Number.isFinite(remaining) && remaining > 0 ? { ttl: remaining } : {})
      return next
    },
    async compareAndSet(
      key: string,
      expected: JsonValue | undefined,
      value: JsonValue | undefined,
      setOptions?: StoreSetOptions,
    ) {
      checkKey(key)
      const current = valueEntry(key)
      const matches = expected === undefined ? current === undefined : current?.json === entryOf(expected).json
      if (!matches) return false
      if (value === undefined) cache.delete(key)
      else {
        const entry = entryOf(value)
        const ttl = ttlOf(setOptions?.ttlMs, 'compareAndSet')
        makeRoom(key)
        cache.set(key, entry, ttl)
      }
      return true
    },
    async hit(key: string, hitOptions: StoreHitOptions) {
      return hitNow(key, hitOptions)
    },
    hitNow,
    async close() {
      cache.clear()
    },
  } satisfies Store)

  function hitNow(key: string, hitOptions: StoreHitOptions): StoreHitResult {
    checkKey(key)
    let checked = hitOptions
    if (!checkedHitOptions.has(hitOptions)) {
      checked = checkHitOptions(hitOptions, 'MemoryStore.hit')
      if (Object.isFrozen(hitOptions)) checkedHitOptions.add(hitOptions)
    }
    const { limit, windowMs } = checked
    const time = now()
    const found = cache.get(key)
    if (!(found instanceof HitLog)) makeRoom(key)
    const log = found instanceof HitLog ? found : new HitLog()
    const result = log.hit(time, limit, windowMs)
    // The entry must outlive its newest hit by a window. Extending its lifetime to two windows
    // at most every half window keeps that true without a cache write per decision.
    if (log !== found || (result.allowed && time - log.refreshedAt >= windowMs / 2)) {
      log.refreshedAt = time
      const ttl = 2 * windowMs
      cache.set(key, log, { ttl: maxTtlMs === undefined ? ttl : Math.min(ttl, maxTtlMs) })
    }
    return result
  }
}
