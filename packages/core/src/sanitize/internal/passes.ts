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
    // Maps from each pass's output back to its input, newest last.
    const back: BackMap[] = [backMapOf(list, strips(list), replace(list))]
    for (let pass = 1; pass < MAX_PASSES; pass++) {
      const again = scanResolved(current, resolved, stripped)
      const next = applySpans(current, again, strips(again), replace(again))
      if (again.length > 0) list = withNew(list, again, back)
      if (next === current) break
      back.push(backMapOf(again, strips(again), replace(again)))
      current = next
    }
  }
  const kindModes = list.kinds.map((kind) => modes[kind.category])
  return { text: current, list, modeAt: (i) => kindModes[list.kind(i)] as ContentMode }
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
  for (let i = 0; i < list.length; i++) merged.pushFinding(list.at(i))
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

/** The back map of `applySpans(input, spans, include, replacement)`, replaying its merging of overlaps. */
function backMapOf(spans: SpanList, include: (i: number) => boolean, replacement: (i: number) => string): BackMap {
  // Per replaced region: where its replacement starts and ends in the output, and the input span.
  const outAt: number[] = []
  const outEnd: number[] = []
  const inStart: number[] = []
  const inEnd: number[] = []
  let cursor = 0
  let out = 0
  let changed = false
  for (let i = 0; i < spans.length; i++) {
    if (!include(i)) continue
    const start = spans.start(i)
    const end = spans.end(i)
    if (changed && start < cursor) {
      cursor = Math.max(cursor, end)
      inEnd[inEnd.length - 1] = cursor
      continue
    }
    out += start - cursor
    const length = replacement(i).length
    outAt.push(out)
    outEnd.push(out + length)
    inStart.push(start)
    cursor = Math.max(cursor, end)
    inEnd.push(cursor)
    out += length
    changed = true
  }
  /** Index of the last region whose replacement starts before `p` (or at `p` when `atOrBefore`). */
  const last = (p: number, atOrBefore: boolean): number => {
    let lo = 0
    let hi = outAt.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      const at = outAt[mid] as number
      if (at < p || (atOrBefore && at === p)) lo = mid + 1
      else hi = mid
    }
    return lo - 1
  }
  return {
    start(p) {
      const k = last(p, true)
      if (k < 0) return p
      if (p < (outEnd[k] as number)) return inStart[k] as number
      return (inEnd[k] as number) + p - (outEnd[k] as number)
    },
    end(p) {
      const k = last(p, false)
      if (k < 0) return p
      if (p <= (outEnd[k] as number)) return inEnd[k] as number
      return (inEnd[k] as number) + p - (outEnd[k] as number)
    },
  }
}
