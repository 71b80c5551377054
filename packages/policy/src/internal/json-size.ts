/** Caps a JSON walk enforces; the first one crossed stops the walk. */
export interface SizeCaps {
  /** Most UTF-8 bytes of the JSON text. */
  readonly maxBytes: number
  /** Deepest nesting of arrays and objects (the top-level value is depth 0). */
  readonly maxDepth: number
  /** Most items of one array or properties of one object. */
  readonly maxItems: number
}

/** Which cap a value crossed. */
export type SizeVerdict = 'ok' | 'bytes' | 'depth' | 'items'

const ENOUGH = 'ok'

/**
 * Measures the JSON text of `value` against `caps` without serializing it: string lengths come
 * from `Buffer.byteLength` (a native UTF-8 count; JSON escapes are not counted), numbers from their
 * shortest form, structure from brackets, commas, quotes and colons. Stops at the first cap crossed,
 * so the cost is bounded by the caps, not by the size of the value. Cycles cross `maxDepth`.
 */
export function measureJson(value: unknown, caps: SizeCaps): SizeVerdict {
  const state = { bytes: 0 }
  return walk(value, 0, caps, state)
}

function walk(value: unknown, depth: number, caps: SizeCaps, state: { bytes: number }): SizeVerdict {
  switch (typeof value) {
    case 'string': {
      const left = caps.maxBytes - state.bytes - 2
      // UTF-8 never takes fewer bytes than UTF-16 code units: a long string fails without counting.
      if (value.length > left) return 'bytes'
      state.bytes += Buffer.byteLength(value, 'utf8') + 2
      return state.bytes > caps.maxBytes ? 'bytes' : ENOUGH
    }
    case 'number':
      state.bytes += Number.isFinite(value) ? String(value).length : 4
      return state.bytes > caps.maxBytes ? 'bytes' : ENOUGH
    case 'boolean':
      state.bytes += value ? 4 : 5
      return state.bytes > caps.maxBytes ? 'bytes' : ENOUGH
    case 'object':
      break
    default:
      // undefined, functions, symbols and bigints have no JSON form of their own here.
      return ENOUGH
  }
  if (value === null) {
    state.bytes += 4
    return state.bytes > caps.maxBytes ? 'bytes' : ENOUGH
  }
  if (depth >= caps.maxDepth) return 'depth'
  if (Array.isArray(value)) {
    if (value.length > caps.maxItems) return 'items'
    state.bytes += 2 + Math.max(0, value.length - 1)
    if (state.bytes > caps.maxBytes) return 'bytes'
    for (const item of value) {
      const verdict = walk(item === undefined ? null : item, depth + 1, caps, state)
      if (verdict !== ENOUGH) return verdict
    }
    return ENOUGH
  }
  const record = value as Record<string, unknown>
  let count = 0
  state.bytes += 2
  for (const key in record) {
    if (!Object.hasOwn(record, key)) continue
    const child = record[key]
    if (child === undefined) continue
    if (++count > caps.maxItems) return 'items'
    const left = caps.maxBytes - state.bytes - 4
    if (key.length > left) return 'bytes'
    state.bytes += Buffer.byteLength(key, 'utf8') + 3 + (count > 1 ? 1 : 0)
    if (state.bytes > caps.maxBytes) return 'bytes'
    const verdict = walk(child, depth + 1, caps, state)
    if (verdict !== ENOUGH) return verdict
  }
  return state.bytes > caps.maxBytes ? 'bytes' : ENOUGH
}
