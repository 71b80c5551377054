import type { Finding } from './types.js'

/** Words: runs of letters, marks, digits and underscores (one class, cannot backtrack). */
export const WORD_PATTERN = /[\p{L}\p{M}\p{N}_]+/gu
const LATIN = /\p{Script=Latin}/u
const CYRILLIC_OR_GREEK = /[\p{Script=Cyrillic}\p{Script=Greek}]/u
const HAS_CYRILLIC_OR_GREEK = /[\u0370-\u03FF\u0400-\u052F\u1F00-\u1FFF]/

/**
 * Lookalikes folded by `confusableSkeleton`: Cyrillic and Greek letters that render like Latin
 * ones, and digits/letters often swapped in names. A subset of Unicode's confusables.txt chosen for
 * identifiers.
 */
const FOLD: Readonly<Record<string, string>> = {
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
 * Linear time: skipped entirely unless the text holds a Cyrillic or Greek character; then one pass
 * over words.
 *
 * @see https://www.unicode.org/reports/tr39/#Mixed_Script_Detection
 * @example
 * ```ts
 * detectConfusables('function sayНello()') // one `mixed-script` finding over `sayНello`
 * ```
 */
export function detectConfusables(text: string): Finding[] {
  const out: Finding[] = []
  if (!HAS_CYRILLIC_OR_GREEK.test(text)) return out
  const re = new RegExp(WORD_PATTERN.source, 'gu')
  for (;;) {
    const match = re.exec(text)
    if (match === null) break
    const word = match[0]
    if (!HAS_CYRILLIC_OR_GREEK.test(word)) continue
    let latin = false
    let other = false
    for (const ch of word) {
      if (!latin && LATIN.test(ch)) latin = true
      else if (!other && CYRILLIC_OR_GREEK.test(ch)) other = true
      if (latin && other) break
    }
    if (latin && other) {
      out.push({
        category: 'confusable',
        detector: 'mixed-script',
        start: match.index,
        end: match.index + word.length,
        score: 0.8,
        message: 'Word mixing Latin with Cyrillic or Greek letters (homoglyphs)',
      })
    }
  }
  return out
}
