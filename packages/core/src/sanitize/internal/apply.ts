import type { Finding } from '../types.js'

/** Spans by index, sorted by start. */
export interface Spans {
  readonly length: number
  start(i: number): number
  end(i: number): number
}

/**
 * Rewrites `text`, replacing span `i` with `replacement(i)` when `include(i)`. Overlapping included
 * spans are merged: the earliest one's replacement stands for the union.
 */
export function applySpans(
  text: string,
  spans: Spans,
  include: (i: number) => boolean,
  replacement: (i: number) => string,
): string {
  const out = spans.length > DENSE ? new CodeUnits(text.length) : undefined
  let small = ''
  let cursor = 0
  let changed = false
  for (let i = 0; i < spans.length; i++) {
    if (!include(i)) continue
    const start = spans.start(i)
    const end = spans.end(i)
    if (changed && start < cursor) {
      // Overlaps the previous included span: widen the removal, no second replacement.
      cursor = Math.max(cursor, end)
      continue
    }
    if (out === undefined) small += text.slice(cursor, start) + replacement(i)
    else out.append(text, cursor, start).append(replacement(i), 0)
    cursor = Math.max(cursor, end)
    changed = true
  }
  if (!changed) return text
  return out === undefined ? small + text.slice(cursor) : out.append(text, cursor, text.length).toString()
}

/**
 * Above this many spans the output is assembled in a code-unit buffer: hostile input can have a span
 * every other character, and one string piece per span would be garbage for the collector.
 */
const DENSE = 256

/** A growable UTF-16 buffer (lone surrogates are copied as they are). */
export class CodeUnits {
  #units: Uint16Array
  #length = 0
  constructor(capacity: number) {
    this.#units = new Uint16Array(Math.max(16, capacity))
  }

  /** Appends `source` from `from` to `to` (default: its end). */
  append(source: string, from: number, to = source.length): this {
    const needed = this.#length + (to - from)
    if (needed > this.#units.length) {
      const bigger = new Uint16Array(Math.max(needed, this.#units.length * 2))
      bigger.set(this.#units.subarray(0, this.#length))
      this.#units = bigger
    }
    const units = this.#units
    let k = this.#length
    for (let j = from; j < to; j++) units[k++] = source.charCodeAt(j)
    this.#length = k
    return this
  }

  toString(): string {
    const chunks: string[] = []
    for (let i = 0; i < this.#length; i += 8192) {
      const chunk = this.#units.subarray(i, Math.min(this.#length, i + 8192))
      chunks.push(String.fromCharCode.apply(null, chunk as unknown as number[]))
    }
    return chunks.join('')
  }
}

/** `applySpans` over `Finding` objects, every one included. */
export function applyFindings(text: string, findings: readonly Finding[], replacement: (f: Finding) => string): string {
  const spans: Spans = {
    length: findings.length,
    start: (i) => (findings[i] as Finding).start,
    end: (i) => (findings[i] as Finding).end,
  }
  return applySpans(
    text,
    spans,
    () => true,
    (i) => replacement(findings[i] as Finding),
  )
}

/** The placeholder put in place of a redacted secret or PII span. */
export const placeholder = (detector: string): string => `[REDACTED:${detector}]`
