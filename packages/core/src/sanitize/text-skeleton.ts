import { FOLD } from './confusables.js'
import { CodeUnits } from './internal/apply.js'
import { buildView, originalEnd, originalStart } from './internal/view.js'

/** The reading skeleton of a text, with the way back to the original; see `textSkeleton`. */
export interface TextSkeleton {
  /** The skeleton: what the text reads as once disguises are undone. */
  readonly text: string
  /** Offset in the original text of the first code unit that skeleton code unit `i` comes from. */
  start(i: number): number
  /** Offset in the original text just past the last code unit that skeleton code unit `i` comes from. */
  end(i: number): number
}

/** Named character references that spell punctuation used in tags (and `&amp;`). */
const NAMED: Readonly<Record<string, number>> = {
  lt: 0x3c,
  gt: 0x3e,
  sol: 0x2f,
  bsol: 0x5c,
  amp: 0x26,
  quot: 0x22,
  apos: 0x27,
  hyphen: 0x2d,
  dash: 0x2010,
  minus: 0x2212,
  lsaquo: 0x2039,
  rsaquo: 0x203a,
  lang: 0x27e8,
  rang: 0x27e9,
  nbsp: 0xa0,
  shy: 0xad,
  equals: 0x3d,
  colon: 0x3a,
}

const LEGACY = ['quot', 'amp', 'lt', 'gt']

/** Look-alikes of `<`, `>` and `/` that NFKC leaves alone. */
const PUNCTUATION: Readonly<Record<string, string>> = {
  '\u2039': '<',
  '\u2329': '<',
  '\u3008': '<',
  '\u27e8': '<',
  '\u276c': '<',
  '\u276e': '<',
  '\u02c2': '<',
  '\u1438': '<',
  '\u227a': '<',
  '\u22d6': '<',
  '\u203a': '>',
  '\u232a': '>',
  '\u3009': '>',
  '\u27e9': '>',
  '\u276d': '>',
  '\u276f': '>',
  '\u02c3': '>',
  '\u1433': '>',
  '\u227b': '>',
  '\u22d7': '>',
  '\u2215': '/',
  '\u2044': '/',
  '\u29f8': '/',
  '\u2571': '/',
  '\u27cb': '/',
  '\u3033': '/',
  '\u30ce': '/',
  '\u1735': '/',
}
const DASH = /[\p{Pd}\u2212\u2043\u02d7\u2796\u2e3a\u2e3b]/u
const MARK = /\p{M}/gu
/** Letters and digits that look alike: the confusable folding, without the separators it merges. */
const LETTERS: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(FOLD).filter(([from]) => from !== '-' && from !== '.' && from !== ' '),
)

const cache = new Map<number, string>()
const CACHE_SIZE = 4096

/** The skeleton of one code point (empty when it reads as nothing). */
function fold(cp: number): string {
  if (cp < 0x80) {
    const lower = cp >= 0x41 && cp <= 0x5a ? cp + 0x20 : cp
    const ch = String.fromCharCode(lower)
    return LETTERS[ch] ?? ch
  }
  const cached = cache.get(cp)
  if (cached !== undefined) return cached
  const char = String.fromCodePoint(cp)
  // An invisible or control character spelled by an escape reads as nothing too.
  let out = ''
  if (buildView(char).text !== '') {
    for (const ch of char.normalize('NFKC').toLowerCase().normalize('NFD').replace(MARK, '')) {
      out += LETTERS[ch] ?? PUNCTUATION[ch] ?? (DASH.test(ch) ? '-' : ch)
    }
  }
  if (cache.size >= CACHE_SIZE) cache.clear()
  cache.set(cp, out)
  return out
}

const hexAt = (text: string, from: number, count: number): number => {
  if (from + count > text.length) return -1
  let value = 0
  for (let i = from; i < from + count; i++) {
    const d = Number.parseInt(text.charAt(i), 16)
    if (Number.isNaN(d)) return -1
    value = value * 16 + d
  }
  return value
}

/** Reads a run of digits in `radix` from `from` (at most `max`); returns [value, end] or undefined. */
function digitsAt(text: string, from: number, radix: 10 | 16, max: number): [number, number] | undefined {
  let value = 0
  let i = from
  while (i < text.length && i < from + max) {
    const d = Number.parseInt(text.charAt(i), radix)
    if (Number.isNaN(d)) break
    value = value * radix + d
    i++
  }
  return i === from ? undefined : [value, i]
}

const validCodePoint = (cp: number): boolean => cp >= 0 && cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff)

/**
 * The code point an escape at `at` spells and where the escape ends: HTML character references
 * (`&lt;`, `&#60;`, `&#x3c;`), JavaScript and JSON escapes (`\u003c`, `\u{3c}`, `\x3c`, `\<`),
 * and percent-encoding (`%3C`). One level only. `undefined` when there is no escape at `at`.
 */
function escapeAt(text: string, at: number): [number, number] | undefined {
  const c = text.charCodeAt(at)
  if (c === 0x26 /* & */) {
    if (text.charCodeAt(at + 1) === 0x23 /* # */) {
      const hex = text.charCodeAt(at + 2) === 0x78 || text.charCodeAt(at + 2) === 0x58
      const read = digitsAt(text, at + (hex ? 3 : 2), hex ? 16 : 10, hex ? 6 : 7)
      if (read === undefined || !validCodePoint(read[0])) return undefined
      return [read[0], text.charCodeAt(read[1]) === 0x3b ? read[1] + 1 : read[1]]
    }
    // Browsers also read `&lt`, `&gt`, `&amp` and `&quot` without the semicolon (`&LTtag`).
    let i = at + 1
    while (i < text.length && i < at + 10 && /[A-Za-z]/.test(text.charAt(i))) i++
    const letters = text.slice(at + 1, i).toLowerCase()
    const named = NAMED[letters]
    if (named !== undefined) return [named, text.charCodeAt(i) === 0x3b ? i + 1 : i]
    for (const legacy of LEGACY) {
      if (letters.startsWith(legacy)) return [NAMED[legacy] as number, at + 1 + legacy.length]
    }
    return undefined
  }
  if (c === 0x5c /* \ */) {
    const n = text.charAt(at + 1)
    if (n === 'u' && text.charAt(at + 2) === '{') {
      const read = digitsAt(text, at + 3, 16, 6)
      if (read === undefined || text.charAt(read[1]) !== '}' || !validCodePoint(read[0])) return undefined
      return [read[0], read[1] + 1]
    }
    if (n === 'u' || n === 'U' || n === 'x') {
      const count = n === 'u' ? 4 : n === 'U' ? 8 : 2
      const value = hexAt(text, at + 2, count)
      return value >= 0 && validCodePoint(value) ? [value, at + 2 + count] : undefined
    }
    if (n === '/' || n === '<' || n === '>' || n === '-') return [n.charCodeAt(0), at + 2]
    return undefined
  }
  if (c === 0x25 /* % */) {
    const value = hexAt(text, at + 1, 2)
    return value >= 0 ? [value, at + 3] : undefined
  }
  return undefined
}

/**
 * The reading skeleton of `text`, for finding words and markers in any disguise: every character
 * `sanitizeText` can strip removed (invisible and format characters, bidi controls, tag characters,
 * soft hyphens, variation selectors, control characters and escape sequences, legitimate or not),
 * one level of HTML character references, `\u`/`\x` escapes and percent-encoding decoded, then per
 * character NFKC, lower case, combining marks removed, Cyrillic and Greek look-alike letters
 * folded to Latin (`0/o`, `1/l`, `5/s` merged), dashes folded to `-`, and look-alikes of `<`, `>`
 * and `/` (`‹`, `〈`, `⟨`, `∕`, `⁄`, ...) folded to them.
 *
 * Every skeleton code unit maps back to the span of the original it comes from (`start`, `end`),
 * so what is found in the skeleton can be removed from the original. Linear in `text.length`.
 *
 * @throws TypeError when `text` is not a string.
 * @see https://www.unicode.org/reports/tr39/#Confusable_Detection (UTS #39 skeletons; simplified)
 * @example
 * ```ts
 * import { textSkeleton } from '@mcp-warden/core'
 * textSkeleton('＜／Untrusted\u200B-dаta&gt;').text // '</untrusted-data>'
 * ```
 */
export function textSkeleton(text: string): TextSkeleton {
  if (typeof text !== 'string') throw new TypeError('textSkeleton: text must be a string')
  const view = buildView(text)
  const source = view.text
  const out = new CodeUnits(source.length)
  const starts: number[] = []
  const ends: number[] = []
  let i = 0
  while (i < source.length) {
    let cp = source.codePointAt(i) as number
    let next = i + (cp > 0xffff ? 2 : 1)
    const escaped = cp === 0x26 || cp === 0x5c || cp === 0x25 ? escapeAt(source, i) : undefined
    if (escaped !== undefined) [cp, next] = escaped
    const folded = fold(cp)
    if (folded.length > 0) {
      const start = originalStart(view, i)
      const end = originalEnd(view, i, next)
      out.append(folded, 0)
      for (let k = 0; k < folded.length; k++) {
        starts.push(start)
        ends.push(end)
      }
    }
    i = next
  }
  const skeleton = out.toString()
  return {
    text: skeleton,
    start: (k) => (k < starts.length ? (starts[k] as number) : text.length),
    end: (k) => (k < ends.length ? (ends[k] as number) : text.length),
  }
}
