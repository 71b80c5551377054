import type { Finding } from './types.js'

/** Words: runs of letters, marks, digits and underscores (one class, cannot backtrack). */
export const WORD_PATTERN = /[\p{L}\p{M}\p{N}_]+/gu
const CYRILLIC_OR_GREEK = /[\u0370-\u03FF\u0400-\u052F\u1F00-\u1FFF]/g

/**
 * Lookalikes folded by `confusableSkeleton`: Cyrillic and Greek letters that render like Latin
 * ones, and digits/letters often swapped in names. A subset of Unicode's confusables.txt chosen for
 * identifiers.
 */
/** @internal */
export const FOLD: Readonly<Record<string, string>> = {
  а: 'a',
  в: 'b',
  е: 'e',
  ё: 'e',
  з: '3',
  і: 'i',
  ї: 'i',
  ј: 'j',
  к: 'k',
  м: 'm',
  н: 'h',
  о: 'o',
  р: 'p',
  с: 'c',
  т: 't',
  у: 'y',
  х: 'x',
  ѕ: 's',
  һ: 'h',
  ԁ: 'd',
  ԛ: 'q',
  ԝ: 'w',
  ӏ: 'l',
  ɡ: 'g',
  ɑ: 'a',
  ı: 'i',
  ȷ: 'j',
  α: 'a',
  β: 'b',
  γ: 'y',
  ε: 'e',
  ζ: 'z',
  η: 'n',
  ι: 'i',
  κ: 'k',
  ν: 'v',
  ο: 'o',
  ρ: 'p',
  τ: 't',
  υ: 'u',
  χ: 'x',
  ω: 'w',
  ϲ: 'c',
  ϳ: 'j',
  '0': 'o',
  '1': 'l',
  '|': 'l',
  '5': 's',
  '-': '_',
  '.': '_',
  ' ': '_',
}
const IGNORABLE =
  // biome-ignore lint/suspicious/noMisleadingCharacterClass: a class of single code units, joiners included on purpose
  /[\u00AD\u034F\u061C\u115F\u1160\u17B4\u17B5\u180B-\u180F\u200B-\u200F\u202A-\u202E\u2060-\u206F\u3164\uFE00-\uFE0F\uFEFF\uFFA0]|\uDB40[\uDC00-\uDDEF]/g

/**
 * The skeleton of a name for shadowing checks: NFKC, lower case, invisible characters removed,
 * Cyrillic/Greek lookalikes folded to Latin, `0/o`, `1/l/i`, `5/s` merged, and `-`, `.`, space
 * merged with `_`. Two names with the same skeleton look alike to a person or a model
 * (`get_weather`, `get-weather`, `Get_Weather`, `gеt_weather` with a Cyrillic е).
 *
 * @see https://www.unicode.org/reports/tr39/#Confusable_Detection (UTS #39 skeletons; simplified)
 * @example
 * ```ts
 * confusableSkeleton('Get-Weather') === confusableSkeleton('get_weather') // true
 * ```
 */
export function confusableSkeleton(name: string): string {
  const folded = name.normalize('NFKC').replace(IGNORABLE, '').toLowerCase()
  let out = ''
  for (const ch of folded) out += FOLD[ch] ?? ch
  return out
}

/**
 * Finds words that mix Latin letters with Cyrillic or Greek ones (`pаypal` with a Cyrillic а), the
 * homoglyph trick of Trojan Source and of shadowing tool names. Whole words in one script (Russian
 * or Greek prose) are not reported. Off by default in `scanText` (`categories.confusable`).
 *
 * Linear time: a character-class search for Cyrillic and Greek letters, each expanded to its word
 * (code units classified by range); words without such a letter are never looked at.
 *
 * @see https://www.unicode.org/reports/tr39/#Mixed_Script_Detection
 * @example
 * ```ts
 * detectConfusables('function sayНello()') // one `mixed-script` finding over `sayНello`
 * ```
 */
export function detectConfusables(text: string): Finding[] {
  const out: Finding[] = []
  const n = text.length
  const classify = (i: number): number => scriptOf(text.charCodeAt(i), text, i)
  // Only words holding a Cyrillic or Greek letter can mix scripts: search for those letters and
  // expand each to its word. The left walk stops at the previous word's end and the search resumes
  // after this word, so every code unit is classified at most twice.
  let cursor = 0
  let lastEnd = 0
  for (;;) {
    CYRILLIC_OR_GREEK.lastIndex = cursor
    if (!CYRILLIC_OR_GREEK.test(text)) break
    const at = CYRILLIC_OR_GREEK.lastIndex - 1
    if (classify(at) !== CYRILLIC_OR_GREEK_LETTER) {
      cursor = at + 1
      continue
    }
    let start = at
    while (start > lastEnd && classify(start - 1) !== NOT_WORD) start--
    let end = at + 1
    while (end < n && classify(end) !== NOT_WORD) end++
    let latin = false
    for (let i = start; i < end && !latin; i++) latin = classify(i) === LATIN_LETTER
    if (latin) {
      out.push({
        category: 'confusable',
        detector: 'mixed-script',
        start,
        end,
        score: 0.8,
        message: 'Word mixing Latin with Cyrillic or Greek letters (homoglyphs)',
      })
    }
    cursor = end
    lastEnd = end
  }
  CYRILLIC_OR_GREEK.lastIndex = 0
  return out
}

const NOT_WORD = 0
const LATIN_LETTER = 1
const CYRILLIC_OR_GREEK_LETTER = 2
const OTHER_WORD = 3
const WORD_CHAR = /[\p{L}\p{M}\p{N}_]/u

/** Classifies one code unit for word splitting: code ranges first, a Unicode property test last. */
function scriptOf(c: number, text: string, i: number): number {
  if ((c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a)) return LATIN_LETTER
  if ((c >= 0x30 && c <= 0x39) || c === 0x5f) return OTHER_WORD
  if (c < 0xc0) return c === 0xaa || c === 0xb5 || c === 0xba ? OTHER_WORD : NOT_WORD
  if (c <= 0x24f) return c === 0xd7 || c === 0xf7 ? NOT_WORD : LATIN_LETTER
  if (c >= 0x1e00 && c <= 0x1eff) return LATIN_LETTER
  if ((c >= 0x370 && c <= 0x3ff) || (c >= 0x400 && c <= 0x52f) || (c >= 0x1f00 && c <= 0x1fff)) {
    return c === 0x37e || c === 0x387 ? NOT_WORD : CYRILLIC_OR_GREEK_LETTER
  }
  if (c >= 0xd800 && c <= 0xdfff) return OTHER_WORD
  return WORD_CHAR.test(text.charAt(i)) ? OTHER_WORD : NOT_WORD
}
