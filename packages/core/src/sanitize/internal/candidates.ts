/** BMP code units that start a candidate: 1 = candidate, 2 = high surrogate of planes 14 (E0000–E0FFF). */
const CANDIDATE = new Uint8Array(0x10000)
for (const [from, to] of [
  [0xad, 0xad],
  [0x34f, 0x34f],
  [0x61c, 0x61c],
  [0x115f, 0x1160],
  [0x17b4, 0x17b5],
  [0x180b, 0x180f],
  [0x200b, 0x200f],
  [0x202a, 0x202e],
  [0x2060, 0x206f],
  [0x3164, 0x3164],
  [0xfe00, 0xfe0f],
  [0xfeff, 0xfeff],
  [0xffa0, 0xffa0],
  [0xfff0, 0xfffb],
] as const) {
  CANDIDATE.fill(1, from, to + 1)
}
CANDIDATE.fill(2, 0xdb40, 0xdb44)

/**
 * How many code units the table loops look at before handing over to a regular-expression search.
 * Dense input (candidates every few characters) stays in the loop, which has no call overhead; sparse
 * input, the ordinary case, is searched by the regex engine's compiled character-class scan, which
 * is several times faster per character than a JavaScript loop.
 */
const LOOP_WINDOW = 24

/**
 * Candidates for invisible or deceptive characters, found in one linear pass. The pattern is a
 * single character class (plus surrogate pairs for the supplementary planes), so it cannot backtrack.
 * Classification (emoji tag sequences, ZWJ in emoji, ZWNJ in Persian, ...) happens in code.
 */
export const INVISIBLE_CANDIDATE_PATTERN =
  // biome-ignore lint/suspicious/noMisleadingCharacterClass: a class of single code units, joiners included on purpose
  /[\u00AD\u034F\u061C\u115F\u1160\u17B4\u17B5\u180B-\u180F\u200B-\u200F\u202A-\u202E\u2060-\u206F\u3164\uFE00-\uFE0F\uFEFF\uFFA0\uFFF0-\uFFFB]|[\uDB40-\uDB43][\uDC00-\uDFFF]|\uD834[\uDD73-\uDD7A]/g

/**
 * Candidates for terminal control: C0 controls other than tab, LF and CR; DEL; C1 controls. One
 * character class: it cannot backtrack. The sequence that follows is parsed in code.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is this pattern's purpose
export const TERMINAL_CANDIDATE_PATTERN = /[\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]/g

// Private copies: the exported patterns are global regexes whose `lastIndex` callers may move.
const INVISIBLE_SEARCH = new RegExp(INVISIBLE_CANDIDATE_PATTERN.source, 'g')
const CONTROL_SEARCH = new RegExp(TERMINAL_CANDIDATE_PATTERN.source, 'g')

function isCandidateAt(text: string, i: number): boolean {
  const c = text.charCodeAt(i)
  if (c < 0xad) return false
  const kind = CANDIDATE[c]
  if (kind === 1) return true
  const low = text.charCodeAt(i + 1)
  if (kind === 2 && low >= 0xdc00 && low <= 0xdfff) return true
  return c === 0xd834 && low >= 0xdd73 && low <= 0xdd7a
}

/**
 * Index of the next candidate at or after `from` (what `INVISIBLE_CANDIDATE_PATTERN` matches),
 * or -1. A table lookup per code unit over a short window, then one regex search: no allocation.
 */
export function nextCandidate(text: string, from: number): number {
  const n = text.length
  const window = Math.min(n, from + LOOP_WINDOW)
  for (let i = from; i < window; i++) if (isCandidateAt(text, i)) return i
  if (window >= n) return -1
  INVISIBLE_SEARCH.lastIndex = window
  if (!INVISIBLE_SEARCH.test(text)) return -1
  // The match is one code unit, or a surrogate pair whose low half is at lastIndex - 1.
  const end = INVISIBLE_SEARCH.lastIndex
  const last = text.charCodeAt(end - 1)
  return last >= 0xdc00 && last <= 0xdfff ? end - 2 : end - 1
}

const isControl = (c: number): boolean =>
  !((c >= 0x20 && c < 0x7f) || c > 0x9f || c === 0x09 || c === 0x0a || c === 0x0d)

/** Index of the next character `TERMINAL_CANDIDATE_PATTERN` matches, at or after `from`, or -1. */
export function nextControl(text: string, from: number): number {
  const n = text.length
  const window = Math.min(n, from + LOOP_WINDOW)
  for (let i = from; i < window; i++) if (isControl(text.charCodeAt(i))) return i
  if (window >= n) return -1
  CONTROL_SEARCH.lastIndex = window
  return CONTROL_SEARCH.test(text) ? CONTROL_SEARCH.lastIndex - 1 : -1
}
