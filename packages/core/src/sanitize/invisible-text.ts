import { nextCandidate } from './internal/candidates.js'
import { SpanList } from './internal/spans.js'
import type { Finding } from './types.js'

export { INVISIBLE_CANDIDATE_PATTERN } from './internal/candidates.js'

const EXTENDED_PICTOGRAPHIC = /\p{Extended_Pictographic}/u
const EMOJI_LINKABLE = /[\p{Extended_Pictographic}\p{Emoji_Modifier}]/u
const JOINING_SCRIPT_LETTER =
  /[\p{Script=Arabic}\p{Script=Syriac}\p{Script=Devanagari}\p{Script=Bengali}\p{Script=Gurmukhi}\p{Script=Gujarati}\p{Script=Oriya}\p{Script=Tamil}\p{Script=Telugu}\p{Script=Kannada}\p{Script=Malayalam}\p{Script=Sinhala}\p{Script=Khmer}\p{Script=Myanmar}\p{Script=Mongolian}\p{Script=Nko}\p{Script=Hebrew}]/u
const MONGOLIAN = /\p{Script=Mongolian}/u

/** Options of `detectInvisibleText`. */
export interface InvisibleTextOptions {
  /**
   * Report left-to-right / right-to-left marks (U+200E, U+200F, U+061C). They are ordinary in
   * Hebrew, Arabic and Persian text, so they are reported at score 0.2 (under the default
   * threshold) unless this is `true`, which reports them at 0.6. Default `false`.
   */
  readonly directionMarks?: boolean
}

const cpAt = (text: string, i: number): number => text.codePointAt(i) ?? -1
const cpBefore = (text: string, i: number): number => {
  if (i <= 0) return -1
  const low = text.charCodeAt(i - 1)
  if (low >= 0xdc00 && low <= 0xdfff && i >= 2) {
    const high = text.charCodeAt(i - 2)
    if (high >= 0xd800 && high <= 0xdbff) return cpAt(text, i - 2)
  }
  return low
}
const is = (re: RegExp, cp: number): boolean => cp >= 0 && re.test(String.fromCodePoint(cp))
const width = (cp: number): number => (cp > 0xffff ? 2 : 1)
const isTagSpec = (cp: number): boolean => (cp >= 0xe0030 && cp <= 0xe0039) || (cp >= 0xe0061 && cp <= 0xe007a)
const isVariationSelector = (cp: number): boolean => (cp >= 0xfe00 && cp <= 0xfe0f) || (cp >= 0xe0100 && cp <= 0xe01ef)

/**
 * Finds invisible and deceptive characters: Unicode tag characters (U+E0000–E007F) outside valid
 * emoji tag sequences ("ASCII smuggling": tags spell hidden ASCII that models read and people do
 * not see), zero-width characters, bidi embedding/override/isolate controls (Trojan Source,
 * CVE-2021-42574), runs of variation selectors (byte smuggling), and the other default-ignorable
 * code points. Legitimate uses stay unflagged: subdivision flags (🏴 + tags + cancel tag), ZWJ
 * between emoji, ZWJ/ZWNJ between letters of scripts that need them (Persian, Arabic, Indic), one
 * variation selector after its base, a byte-order mark at offset 0, the soft hyphen.
 *
 * Linear time: one character-class search for candidates, constant work per candidate.
 *
 * @see https://www.unicode.org/reports/tr51/#valid-emoji-tag-sequences (UTS #51 emoji tag sequences)
 * @see https://trojansource.codes/ (bidi attacks)
 * @see https://www.unicode.org/reports/tr44/#Default_Ignorable_Code_Point
 * @example
 * ```ts
 * detectInvisibleText('hi\u200Bthere') // [{ category: 'invisible', detector: 'zero-width', start: 2, end: 3, ... }]
 * ```
 */
export function detectInvisibleText(text: string, options: InvisibleTextOptions = {}): Finding[] {
  const list = new SpanList()
  invisibleSpans(text, options, list)
  return list.toFindings()
}

/** @internal `detectInvisibleText` writing into a span list (no object per finding). */
export function invisibleSpans(text: string, options: InvisibleTextOptions, out: SpanList): void {
  const floor = out.length
  let cursor = 0
  const markScore = options.directionMarks === true ? 0.6 : 0.2
  for (;;) {
    const at = nextCandidate(text, cursor)
    if (at < 0) break
    const cp = cpAt(text, at)
    let end = at + width(cp)
    let detector: string
    let score: number
    let message: string
    if (cp >= 0xe0000 && cp <= 0xe007f) {
      // A run of tag characters: valid only as an emoji tag sequence (base emoji, 1..32 tag_spec
      // characters, then CANCEL TAG).
      let count = 0
      let valid = true
      let terminated = false
      let pos = at
      while (pos < text.length) {
        const c = cpAt(text, pos)
        if (c < 0xe0000 || c > 0xe007f) break
        count++
        pos += 2
        if (c === 0xe007f) {
          terminated = true
          break
        }
        if (!isTagSpec(c)) valid = false
      }
      end = pos
      cursor = end
      if (valid && terminated && count >= 2 && count <= 33 && isPictographic(cpBefore(text, at))) continue
      detector = 'unicode-tags'
      score = 1
      message = 'Unicode tag characters outside an emoji tag sequence (hidden text)'
    } else if ((cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069)) {
      detector = 'bidi-control'
      score = 1
      message = 'Bidirectional control character (Trojan Source)'
      while (end < text.length && isBidiControl(text.charCodeAt(end))) end++
    } else if (cp === 0x200e || cp === 0x200f || cp === 0x061c) {
      detector = 'direction-mark'
      score = markScore
      message = 'Direction mark'
    } else if (cp === 0x200c || cp === 0x200d) {
      const before = cpBefore(text, at)
      const after = cpAt(text, end)
      const emoji = cp === 0x200d && isEmojiLinkable(before) && isPictographic(after)
      const script = isJoiningLetter(before) && (after === -1 || isJoiningLetter(after))
      if (emoji || script) {
        cursor = end
        continue
      }
      detector = 'zero-width'
      score = 0.9
      message = 'Zero-width character'
      // Every joiner after this one follows a zero-width character: none can be legitimate.
      while (end < text.length && isZeroWidth(text.charCodeAt(end))) end++
    } else if (isVariationSelector(cp)) {
      const before = cpBefore(text, at)
      if (before !== -1 && !isVariationSelector(before) && !isVariationSelector(cpAt(text, end))) {
        cursor = end
        continue
      }
      detector = 'variation-selector-run'
      score = 0.9
      message = 'Run of variation selectors or one without a base character (possible hidden data)'
      for (let next = cpAt(text, end); isVariationSelector(next); next = cpAt(text, end)) end += width(next)
    } else if (cp >= 0x180b && cp <= 0x180f && cp !== 0x180e) {
      if (is(MONGOLIAN, cpBefore(text, at))) {
        cursor = end
        continue
      }
      detector = 'default-ignorable'
      score = 0.7
      message = 'Mongolian variation selector out of context'
    } else if (cp === 0x00ad) {
      detector = 'soft-hyphen'
      score = 0.3
      message = 'Soft hyphen'
    } else if (cp === 0xfeff && at === 0) {
      cursor = end
      continue
    } else if (cp === 0xfeff || cp === 0x200b || cp === 0x2060) {
      detector = 'zero-width'
      score = 0.9
      message = 'Zero-width character'
      while (end < text.length && isZeroWidth(text.charCodeAt(end))) end++
    } else if (cp === 0x034f) {
      detector = 'default-ignorable'
      score = 0.6
      message = 'Combining grapheme joiner'
    } else {
      detector = 'default-ignorable'
      score = 0.9
      message = 'Invisible format character'
    }
    cursor = end
    // Runs of one kind become one finding.
    out.pushOrExtend('invisible', detector, at, end, score, message, floor)
  }
}

const isBidiControl = (c: number): boolean => (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069)
const isZeroWidth = (c: number): boolean => (c >= 0x200b && c <= 0x200d) || c === 0x2060 || c === 0xfeff
const isPictographic = (cp: number): boolean => cp >= 0xa9 && is(EXTENDED_PICTOGRAPHIC, cp)
const isEmojiLinkable = (cp: number): boolean =>
  cp === 0xfe0f || cp === 0x20e3 || (cp >= 0xa9 && is(EMOJI_LINKABLE, cp))
const isJoiningLetter = (cp: number): boolean => cp >= 0x0590 && !isZeroWidth(cp) && is(JOINING_SCRIPT_LETTER, cp)
