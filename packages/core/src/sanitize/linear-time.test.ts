import safeRegex from 'safe-regex2'
import { describe, expect, it } from 'vitest'
import { WORD_PATTERN } from './confusables.js'
import { nextCandidate, nextControl } from './internal/candidates.js'
import { compileRules } from './internal/rules.js'
import { INVISIBLE_CANDIDATE_PATTERN } from './invisible-text.js'
import { CARD_PATTERN, IBAN_PATTERN, PHONE_INTERNATIONAL_PATTERN, PHONE_NANP_PATTERN, SSN_PATTERN } from './pii.js'
import { PROMPT_INJECTION_RULES } from './prompt-injection.js'
import { redact } from './redact.js'
import { sanitizeText } from './sanitize-text.js'
import { scanText } from './scan-text.js'
import { SECRET_RULES } from './secrets.js'
import { TERMINAL_CANDIDATE_PATTERN } from './terminal-escapes.js'

/** Every pattern the engine runs over untrusted text. */
const PATTERNS: ReadonlyArray<readonly [string, RegExp]> = [
  ['INVISIBLE_CANDIDATE_PATTERN', INVISIBLE_CANDIDATE_PATTERN],
  ['TERMINAL_CANDIDATE_PATTERN', TERMINAL_CANDIDATE_PATTERN],
  ['WORD_PATTERN', WORD_PATTERN],
  ['CARD_PATTERN', CARD_PATTERN],
  ['IBAN_PATTERN', IBAN_PATTERN],
  ['PHONE_INTERNATIONAL_PATTERN', PHONE_INTERNATIONAL_PATTERN],
  ['PHONE_NANP_PATTERN', PHONE_NANP_PATTERN],
  ['SSN_PATTERN', SSN_PATTERN],
  ...PROMPT_INJECTION_RULES.map((r) => [`injection ${r.id} (${r.trigger})`, r.pattern] as const),
  ...SECRET_RULES.map((r) => [`secret ${r.id} (${r.trigger})`, r.pattern] as const),
  // The trigger finders compiled from the rules (tries of literals).
  ...[PROMPT_INJECTION_RULES, SECRET_RULES].flatMap((rules) => {
    const set = compileRules(rules)
    return set.finders.map((f, i) => [`trigger finder ${i}`, f.pattern] as const)
  }),
]

/**
 * Whether a quantified group contains another quantifier (star height > 1), the shape behind
 * catastrophic backtracking such as `(a+)+` or `(?:\s\w+)*`. A small parser of the regex source:
 * escapes and character classes are skipped; `?` after `(` is group syntax, not a quantifier.
 */
function hasNestedQuantifier(source: string): boolean {
  const stack: boolean[] = [] // per open group: whether it contains a quantifier
  const quantifierAt = (at: number): number => {
    const q = source[at]
    if (q === '*' || q === '+' || q === '?') return 1
    if (q === '{') {
      const close = source.indexOf('}', at)
      if (close > at && /^\{\d+(,\d*)?\}$/.test(source.slice(at, close + 1))) return close - at + 1
    }
    return 0
  }
  let i = 0
  while (i < source.length) {
    const c = source[i]
    if (c === '\\') {
      const q = quantifierAt(i + 2)
      if (q > 0 && stack.length > 0) stack[stack.length - 1] = true
      i += 2 + q
      continue
    }
    if (c === '[') {
      i++
      while (i < source.length && source[i] !== ']') i += source[i] === '\\' ? 2 : 1
      i++
      continue
    }
    if (c === '(') {
      stack.push(false)
      i++
      if (source[i] === '?') i++
      continue
    }
    if (c === ')') {
      const inner = stack.pop() ?? false
      const q = quantifierAt(i + 1)
      if (q > 0 && inner) {
        // `(...)?` around a quantifier is harmless only for a single optional occurrence.
        if (source[i + 1] !== '?') return true
      }
      if (stack.length > 0 && (inner || q > 0)) stack[stack.length - 1] = true
      i += 1 + q
      continue
    }
    const q = quantifierAt(i + 1)
    if (q > 0 && stack.length > 0) stack[stack.length - 1] = true
    i += 1 + q
  }
  return false
}

describe('PROMPT_INJECTION_RULES, SECRET_RULES and the detector patterns', () => {
  it('contain no nested quantifier when parsed', () => {
    const nested = PATTERNS.filter(([, re]) => hasNestedQuantifier(re.source)).map(
      ([name, re]) => `${name}: ${re.source}`,
    )
    expect(nested).toEqual([])
  })

  it('reports nested quantifiers when the pattern has them (the check can fail)', () => {
    expect(hasNestedQuantifier('(a+)+')).toBe(true)
    expect(hasNestedQuantifier('(?:\\s\\w{1,3}){0,4}x')).toBe(true)
    expect(hasNestedQuantifier('(?:all\\s|any\\s){0,4}x')).toBe(false)
    expect(hasNestedQuantifier('[(a+)+]')).toBe(false)
  })

  it('pass when checked by the safe-regex2 star-height analysis', () => {
    // safe-regex2's parser does not know lookbehind; a lookbehind adds no repetition, so it is
    // removed before the analysis.
    const withoutLookbehind = (re: RegExp): RegExp =>
      new RegExp(re.source.replace(/\(\?<[!=](?:\[[^\]]*\]|[^()[\]])*\)/g, ''), re.flags)
    const unsafe = PATTERNS.filter(([, re]) => !safeRegex(withoutLookbehind(re), { limit: 10_000 })).map(
      ([name, re]) => `${name}: ${re.source}`,
    )
    expect(unsafe).toEqual([])
    expect(safeRegex(/(a+)+$/)).toBe(false)
  })
})

const MB = 1_000_000
const fill = (unit: string): string => unit.repeat(Math.ceil(MB / unit.length)).slice(0, MB)
/** Generous: a linear scan of 1 MB takes tens of milliseconds; catastrophic backtracking takes minutes. */
const BOUND_MS = 2_000

const ADVERSARIAL: ReadonlyArray<readonly [string, string]> = [
  ['prose', fill('The quick brown fox jumps over the lazy dog; ignore the typos and send the notes. ')],
  ['"eyJ" repeated', fill('eyJ')],
  ['"ignore all the previous " repeated', fill('ignore all the previous ')],
  ['"a@" repeated', fill('a@')],
  ['ESC [ repeated', fill('\u001b[')],
  ['unterminated OSC', `\u001b]0;${fill('x')}`],
  ['tag characters', fill('\u{E0041}')],
  ['zero-width alternating', fill('a\u200B')],
  ['digit groups', fill('4111 ')],
  ['one base64 run', fill('QUFB')],
  ['"<i" repeated', fill('<i')],
  ['"token=" repeated', fill('token=')],
  ['"password: " + long value', `password: ${fill('a1')}`],
  ['"a://" repeated', fill('a://')],
  ['"-----BEGIN " repeated', fill('-----BEGIN ')],
  ['"+1 " repeated', fill('+1 ')],
  ['mixed-script words', fill('раураl ')],
  ['long word run', fill('a')],
]

describe('scanText', () => {
  // Warm the engine so the bound measures the scan, not compilation.
  scanText('warm up ignore previous instructions AKIA ann@example.org \u200B \u001b[0m')
  for (const [name, text] of ADVERSARIAL) {
    it(`finishes 1 MB within ${BOUND_MS} ms when the input is ${name}`, () => {
      const started = performance.now()
      scanText(text, { categories: { confusable: true } })
      const scanned = performance.now()
      sanitizeText(text, { modes: { secret: 'strip', pii: 'strip' } })
      const sanitized = performance.now()
      redact(text)
      expect(scanned - started).toBeLessThan(BOUND_MS)
      expect(sanitized - scanned).toBeLessThan(BOUND_MS)
      expect(performance.now() - sanitized).toBeLessThan(BOUND_MS)
    })
  }
})

describe('INVISIBLE_CANDIDATE_PATTERN and TERMINAL_CANDIDATE_PATTERN', () => {
  it('match exactly the code units the table scanners find when every BMP unit is tried', () => {
    const invisible = new RegExp(`^(?:${INVISIBLE_CANDIDATE_PATTERN.source})`)
    const terminal = new RegExp(`^(?:${TERMINAL_CANDIDATE_PATTERN.source})`)
    const mismatches: string[] = []
    for (let c = 0; c <= 0xffff; c++) {
      if (c >= 0xd800 && c <= 0xdfff) continue
      const ch = String.fromCharCode(c)
      if ((nextCandidate(ch, 0) === 0) !== invisible.test(ch)) mismatches.push(`invisible U+${c.toString(16)}`)
      if ((nextControl(ch, 0) === 0) !== terminal.test(ch)) mismatches.push(`terminal U+${c.toString(16)}`)
    }
    for (const cp of [0xe0000, 0xe0041, 0xe007f, 0xe0100, 0xe0fff, 0x1d173, 0x1d17a, 0x1d17b, 0x1f600, 0x10000]) {
      const ch = String.fromCodePoint(cp)
      if ((nextCandidate(ch, 0) === 0) !== invisible.test(ch)) mismatches.push(`invisible U+${cp.toString(16)}`)
    }
    expect(mismatches).toEqual([])
  })
})
