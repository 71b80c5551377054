import type { StoreHitOptions } from '../store.js'

/** Validates the options of `hit`; shared by the store implementations. */
export function checkHitOptions(options: unknown, where: string): StoreHitOptions {
  const { limit, windowMs } = (typeof options === 'object' && options !== null ? options : {}) as Partial<
    Record<keyof StoreHitOptions, unknown>
  >
  if (typeof limit !== 'number' || !Number.isSafeInteger(limit) || limit <= 0) {
    throw new TypeError(`${where}: limit must be a positive integer, got ${String(limit)}`)
  }
  if (typeof windowMs !== 'number' || !Number.isSafeInteger(windowMs) || windowMs <= 0) {
    throw new TypeError(`${where}: windowMs must be a positive integer, got ${String(windowMs)}`)
  }
  return { limit, windowMs }
}
