import { controlSequenceEnd } from '../terminal-escapes.js'
import { CodeUnits } from './apply.js'
import { nextCandidate, nextControl } from './candidates.js'

/**
 * The detection view of a text: the text with every character the engine can strip removed, so that
 * secrets, markers and phrases are searched in what a reader sees once those are gone. Removed:
 * every invisible or format candidate (zero-width characters, joiners, bidi controls, direction
 * marks, tag characters, variation selectors, soft hyphens, fillers, ... whether or not they are
 * legitimate where they stand), every control character with the escape sequence it introduces,
 * and unpaired surrogates.
 *
 * Removing more than stripping does is deliberate: a soft hyphen or a joiner that stays in the
 * output is still invisible, so a secret split by one must still be found.
 */
export interface View {
  /** The text without ignorable characters. */
  readonly text: string
  /**
   * `map[i]` is the offset in the original text of view code unit `i`, and `map[text.length]` the
   * original length. `undefined` when nothing was removed (the view is the original text).
   */
  readonly map: Int32Array | undefined
}

const isHighSurrogate = (c: number): boolean => c >= 0xd800 && c <= 0xdbff
const isLowSurrogate = (c: number): boolean => c >= 0xdc00 && c <= 0xdfff
const SURROGATE = /[\uD800-\uDFFF]/g

/**
 * Index of the next unpaired surrogate at or after `from` (a low surrogate at `from` counts as
 * unpaired), or -1. Removing a character between the halves of a pair would join them (a tag
 * character split by an escape sequence), so the view drops unpaired halves as unreadable.
 */
function nextLoneSurrogate(text: string, from: number): number {
  let i = from
  for (;;) {
    SURROGATE.lastIndex = i
    if (!SURROGATE.test(text)) return -1
    const at = SURROGATE.lastIndex - 1
    const c = text.charCodeAt(at)
    if (isHighSurrogate(c)) {
      if (!isLowSurrogate(text.charCodeAt(at + 1))) return at
      i = at + 2
    } else if (at > from && isHighSurrogate(text.charCodeAt(at - 1))) {
      i = at + 1
    } else {
      return at
    }
  }
}

/** The smaller of two positions, -1 meaning none. */
const first = (a: number, b: number): number => (a < 0 ? b : b < 0 ? a : Math.min(a, b))

/**
 * How control characters are read: `terminal` removes each with the escape sequence it introduces,
 * as a terminal and as stripping do; `complete` removes well-formed sequences whole and other
 * control characters alone, as an ANSI-stripping library does; `controls` removes the control
 * characters alone, as a reader that does not render them (a model, a log viewer) sees the text
 * when the sequences are left in place.
 */
export type ControlReading = 'terminal' | 'complete' | 'controls'

/**
 * Builds the detection view of `text` in one linear pass (no allocation when there is nothing to
 * remove), reading control characters as `reading` says (default `terminal`).
 */
export function buildView(text: string, reading: ControlReading = 'terminal'): View {
  const n = text.length
  let invisible = nextCandidate(text, 0)
  let control = nextControl(text, 0)
  let lone = nextLoneSurrogate(text, 0)
  if (invisible < 0 && control < 0 && lone < 0) return { text, map: undefined }
  const map = new Int32Array(n + 1)
  const out = new CodeUnits(n)
  let kept = 0
  let cursor = 0
  const keep = (from: number, to: number): void => {
    for (let i = from; i < to; i++) map[kept++] = i
    out.append(text, from, to)
  }
  for (;;) {
    // Cached positions stay valid until the cursor passes them; each search resumes at the cursor.
    if (invisible >= 0 && invisible < cursor) invisible = nextCandidate(text, cursor)
    if (control >= 0 && control < cursor) control = nextControl(text, cursor)
    if (lone >= 0 && lone < cursor) lone = nextLoneSurrogate(text, cursor)
    const at = first(first(invisible, control), lone)
    if (at < 0) break
    keep(cursor, at)
    if (at === control) cursor = reading === 'controls' ? at + 1 : controlSequenceEnd(text, at, reading === 'complete')
    else if (at === lone) cursor = at + 1
    else cursor = at + (isHighSurrogate(text.charCodeAt(at)) ? 2 : 1)
  }
  keep(cursor, n)
  map[kept] = n
  return { text: out.toString(), map: map.subarray(0, kept + 1) }
}

/** Start, in the original text, of a span starting at view offset `start`. */
export function originalStart(view: View, start: number): number {
  return view.map === undefined ? start : (view.map[start] as number)
}

/**
 * End, in the original text, of a span of the view from `start` to `end`: just past the original
 * position of its last code unit, so that every ignorable character inside the span is inside the
 * original span too.
 */
export function originalEnd(view: View, start: number, end: number): number {
  if (view.map === undefined) return end
  return end > start ? (view.map[end - 1] as number) + 1 : (view.map[start] as number)
}
