import { scanResolved } from '../scan-text.js'
import type { ContentCategory, ContentMode } from '../types.js'
import { applySpans } from './apply.js'
import type { resolveScan } from './options.js'
import { SpanList } from './spans.js'

type Resolved = ReturnType<typeof resolveScan>

/**
 * Most passes over one text. A pass only runs again when the previous one changed the text, and
 * hostile input settles in two or three (each pass can only undo what stripping made adjacent).
 */
export const MAX_PASSES = 8

/** The lowest score a terminal-escape finding has (a lone C0 control). */
const LOWEST_ESCAPE_SCORE = 0.6

/** What `sanitizeResolved` returns. */
export interface Sanitized {
  /** The text once no pass changes it any more. */
  readonly text: string
  /** Every finding of every pass, spans into the ORIGINAL text, ordered. */
  readonly list: SpanList
  /** The mode of each entry of `list`, by index. */
  modeAt(i: number): ContentMode
}

/**
 * Scans and rewrites `text` until a pass changes nothing: stripping can make characters adjacent
 * that were not (a run of variation selectors, an escape sequence, a placeholder next to text), and
 * what the client receives must be what the last detection saw. Findings of later passes are mapped
 * back to the original text; those already found in an earlier pass are not repeated.
 *
 * Each pass is linear; at most `MAX_PASSES` run.
 */
export function sanitizeResolved(
  text: string,
  resolved: Resolved,
  modes: Readonly<Record<ContentCategory, ContentMode>>,
  replacementFor: (category: ContentCategory, detector: string) => string,
): Sanitized {
  // When every escape sequence is stripped, the client never sees a control character: the reading
  // without them (sequence parameters left as text) is not one it can have.
  const stripped =
    resolved.enabled('terminal-escape') &&
    modes['terminal-escape'] === 'strip' &&
    resolved.threshold('terminal-escape') <= LOWEST_ESCAPE_SCORE
  let list = scanResolved(text, resolved, stripped)
  const strips = (l: SpanList) => {
    // A mode per kind: a scan has a handful of kinds and may have hundreds of thousands of findings.
    const kindModes = l.kinds.map((kind) => modes[kind.category])
    return (i: number): boolean => kindModes[l.kind(i)] === 'strip'
  }
  const replace = (l: SpanList) => (i: number) => replacementFor(l.category(i), l.detector(i))
  let current = applySpans(text, list, strips(list), replace(list))
  if (current !== text) {
    // How to map each pass's output back to its input, oldest first; built when first needed.
    const steps: (() => BackMap)[] = [lazyBackMap(text, current, list, strips(list), replace(list))]
    for (let pass = 1; pass < MAX_PASSES; pass++) {
      const again = scanResolved(current, resolved, stripped)
      const next = applySpans(current, again, strips(again), replace(again))
      if (again.length > 0)
        list = withNew(
          list,
          again,
          steps.map((step) => step()),
        )
      if (next === current) break
      steps.push(lazyBackMap(current, next, again, strips(again), replace(again)))
      current = next
    }
  }
  const kindModes = list.kinds.map((kind) => modes[kind.category])
  return { text: current, list, modeAt: (i) => kindModes[list.kind(i)] as ContentMode }
}

/** `backMapOf`, built on the first call only. */
function lazyBackMap(...args: Parameters<typeof backMapOf>): () => BackMap {
  let map: BackMap | undefined
  return () => {
    map ??= backMapOf(...args)
    return map
  }
}

/** `list` plus the entries of `later` (spans into the latest output) not already in it, mapped back. */
function withNew(list: SpanList, later: SpanList, back: readonly BackMap[]): SpanList {
  const added: number[] = []
  const starts: number[] = []
  const ends: number[] = []
  for (let i = 0; i < later.length; i++) {
    let start = later.start(i)
    let end = later.end(i)
    for (let k = back.length - 1; k >= 0; k--) {
      const map = back[k] as BackMap
      start = map.start(start)
      end = Math.max(start, map.end(end))
    }
    if (list.has(later.category(i), later.detector(i), start, end)) continue
    added.push(i)
    starts.push(start)
    ends.push(end)
  }
  if (added.length === 0) return list
  const merged = new SpanList()
  for (let i = 0; i < list.length; i++) merged.pushFrom(list, i)
  added.forEach((i, j) => {
    merged.push(
      later.category(i),
      later.detector(i),
      starts[j] as number,
      ends[j] as number,
      later.score(i),
      later.message(i),
    )
  })
  return merged.inOrder() ? merged : merged.sorted()
}

/** Maps offsets of an `applySpans` output back to its input. */
interface BackMap {
  /** Input offset of a span starting at output offset `p`. */
  start(p: number): number
  /** Input offset of a span ending at output offset `p`. */
  end(p: number): number
}

/**
 * The back map of `output = applySpans(input, spans, include, replacement)`, replaying its merging
 * of overlaps: one entry per output offset, so each lookup is constant time.
 */
function backMapOf(
  input: string,
  output: string,
  spans: SpanList,
  include: (i: number) => boolean,
  replacement: (i: number) => string,
): BackMap {
  const starts = new Int32Array(output.length + 1)
  const ends = new Int32Array(output.length + 1)
  let cursor = 0
  let out = 0
  let changed = false
  let last = -1
  const copy = (to: number): void => {
    for (; cursor < to; cursor++, out++) {
      starts[out] = cursor
      ends[out] = cursor
    }
  }
  const replace = (start: number, end: number, length: number): void => {
    ends[out] = start
    for (let k = 0; k < length; k++) {
      starts[out + k] = start
      ends[out + k + 1] = end
    }
    out += length
    cursor = end
  }
  let pendingStart = 0
  let pendingEnd = 0
  let pendingLength = 0
  for (let i = 0; i < spans.length; i++) {
    if (!include(i)) continue
    const start = spans.start(i)
    const end = spans.end(i)
    if (changed && start < pendingEnd) {
      pendingEnd = Math.max(pendingEnd, end)
      continue
    }
    if (changed) replace(pendingStart, pendingEnd, pendingLength)
    copy(start)
    pendingStart = start
    pendingEnd = Math.max(start, end)
    pendingLength = replacement(i).length
    changed = true
    last = i
  }
  if (last >= 0) replace(pendingStart, pendingEnd, pendingLength)
  copy(input.length)
  starts[out] = input.length
  ends[out] = input.length
  return { start: (p) => starts[p] ?? input.length, end: (p) => ends[p] ?? input.length }
}
