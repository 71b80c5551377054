import type { JsonValue } from '../types.js'

/**
 * Canonical JSON: object keys sorted, no whitespace. Two JSON-equal values give the same string,
 * so it serves for equality, digests and compare-and-set.
 *
 * @throws TypeError on values JSON cannot represent (functions, symbols, bigint, cycles,
 * non-finite numbers) or nested deeper than `maxDepth`.
 */
export function canonicalJson(value: unknown, maxDepth = 64): string {
  return write(value, 0, maxDepth, new Set())
}

function write(value: unknown, depth: number, maxDepth: number, seen: Set<object>): string {
  if (value === null) return 'null'
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value)
    case 'boolean':
      return value ? 'true' : 'false'
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError('canonicalJson: non-finite number')
      return JSON.stringify(value)
    case 'object':
      break
    default:
      throw new TypeError(`canonicalJson: cannot represent a ${typeof value}`)
  }
  if (depth >= maxDepth) throw new TypeError(`canonicalJson: nested deeper than ${maxDepth}`)
  const object = value as object
  if (seen.has(object)) throw new TypeError('canonicalJson: cyclic value')
  seen.add(object)
  let out: string
  if (Array.isArray(object)) {
    out = `[${object.map((item) => write(item === undefined ? null : item, depth + 1, maxDepth, seen)).join(',')}]`
  } else {
    const record = object as Record<string, unknown>
    const keys = Object.keys(record)
      .filter((key) => record[key] !== undefined)
      .sort()
    out = `{${keys.map((key) => `${JSON.stringify(key)}:${write(record[key], depth + 1, maxDepth, seen)}`).join(',')}}`
  }
  seen.delete(object)
  return out
}

/** Parses canonical JSON and deep-freezes the result. */
export function frozenParse(text: string): JsonValue {
  return deepFreeze(JSON.parse(text) as JsonValue)
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const child of Object.values(value)) deepFreeze(child)
    Object.freeze(value)
  }
  return value
}
