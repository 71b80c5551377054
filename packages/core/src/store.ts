import type { JsonValue } from './types.js'

/** Options of a write. */
export interface StoreSetOptions {
  /** Time to live in milliseconds (a positive integer). Omitted: no expiry beyond the store's own bound. */
  readonly ttlMs?: number
}

/** Options of `increment`. */
export interface StoreIncrementOptions {
  /** Amount to add, an integer. Default 1. */
  readonly by?: number
  /** Time to live in milliseconds, applied only when the increment creates the key. */
  readonly ttlMs?: number
}

/** Options of `hit`: the sliding window a key is limited by. */
export interface StoreHitOptions {
  /** Most hits admitted within any window of `windowMs`; a positive integer. */
  readonly limit: number
  /** Length of the sliding window in milliseconds; a positive integer. */
  readonly windowMs: number
}

/** The decision of one `hit`. */
export interface StoreHitResult {
  /** Whether the hit was admitted (and recorded). Refused hits are not recorded. */
  readonly allowed: boolean
  /** Hits still admissible in the current window after this one; 0 when refused. */
  readonly remaining: number
  /** When refused: milliseconds until the oldest recorded hit leaves the window; 0 when allowed. */
  readonly retryAfterMs: number
}

/**
 * The one state interface of mcp-warden: token caches, session bindings, handles, rate-limit
 * counters, approval nonces and replay caches all go through it, so one implementation (memory or
 * Redis) serves them all.
 *
 * Implementations fail closed: when the backend is unreachable every method rejects with
 * `StoreUnavailableError` (code `ERR_STORE_UNAVAILABLE`), and the caller denies the request.
 * Values are JSON; a value read back is a deep-frozen copy, never the object that was written.
 */
export interface Store {
  /** `memory`, `redis`, or an implementation's own name; used in diagnostics only. */
  readonly kind: string
  /** Reads a value, or `undefined` when absent or expired. */
  get(key: string): Promise<JsonValue | undefined>
  /** Writes a value, replacing any previous one and its expiry. */
  set(key: string, value: JsonValue, options?: StoreSetOptions): Promise<void>
  /** Deletes a key; resolves `true` when it existed. */
  delete(key: string): Promise<boolean>
  /**
   * Atomically adds `by` to the integer at `key` (absent counts as 0) and resolves the new value.
   * The expiry is set only when the key is created, so a fixed window does not slide.
   *
   * @throws `WardenError` `ERR_STORE_INVALID_VALUE` when the key holds something other than an integer.
   */
  increment(key: string, options?: StoreIncrementOptions): Promise<number>
  /**
   * Atomically replaces the value at `key` with `value` only if it currently equals `expected`
   * (JSON equality; `undefined` means "absent"). Resolves whether the write happened.
   * `value` `undefined` deletes the key on success.
   */
  compareAndSet(
    key: string,
    expected: JsonValue | undefined,
    value: JsonValue | undefined,
    options?: StoreSetOptions,
  ): Promise<boolean>
  /**
   * Optional atomic rate-limit primitive: a sliding-window log of admitted hits at `key`. The hit
   * is admitted when fewer than `limit` hits were admitted in the last `windowMs` milliseconds,
   * and then recorded; otherwise it is refused with the time until a slot frees up. Exact under
   * concurrency (one atomic step per decision, on one clock: the process clock in memory, the
   * Redis server clock on Redis), so several instances sharing a store enforce one limit. State
   * per key grows with `limit` (one timestamp per admitted hit) and expires after `windowMs`.
   *
   * A key used with `hit` holds a log, not a JSON value: do not use it with the other methods.
   *
   * @throws TypeError when `limit` or `windowMs` is not a positive integer.
   */
  hit?(key: string, options: StoreHitOptions): Promise<StoreHitResult>
  /**
   * Optional synchronous form of `hit`, for stores that decide in process (the memory store has
   * it; a networked store cannot). Same semantics and errors, thrown instead of rejected. A limiter
   * uses it when present, so an admitted call costs no promise.
   */
  hitNow?(key: string, options: StoreHitOptions): StoreHitResult
  /** Releases the store's resources. */
  close?(): Promise<void>
}
