import { createHash, createHmac } from 'node:crypto'

import type { IdentityMode } from '../types.js'

export type { IdentityMode }

const CACHE_MAX = 1024

/**
 * Returns a function mapping an identity to what telemetry records: the value itself, nothing, or
 * the first 32 hex digits of its SHA-256 (HMAC-SHA-256 when `key` is given, so the mapping cannot
 * be reversed by hashing guessed values). Hashes are cached (bounded) because the same callers
 * recur on every call.
 */
export function createIdentityMapper(
  mode: IdentityMode,
  key: string | Uint8Array | undefined,
): (value: string | undefined) => string | undefined {
  if (mode === 'plain') return (value) => value
  if (mode === 'omit') return () => undefined
  const cache = new Map<string, string>()
  return (value) => {
    if (value === undefined) return undefined
    const cached = cache.get(value)
    if (cached !== undefined) return cached
    const hash = (key === undefined ? createHash('sha256') : createHmac('sha256', key))
      .update(value, 'utf8')
      .digest('hex')
      .slice(0, 32)
    if (cache.size >= CACHE_MAX) cache.clear()
    cache.set(value, hash)
    return hash
  }
}
