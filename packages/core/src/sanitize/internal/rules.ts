import type { ContentCategory, Finding } from '../types.js'

/**
 * A pattern rule: the engine finds `trigger` with `indexOf` (fast, linear) and only then runs the
 * sticky `pattern` at that position. Every pattern is written without nested quantifiers and with
 * bounded repetition, so one attempt costs at most a few hundred steps; after an attempt the search
 * resumes past the attempted token, so the total work stays linear in the input length.
 */
export interface Rule {
  readonly id: string
  readonly category: ContentCategory
  /** Literal searched for; lower-case when `caseInsensitive`. */
  readonly trigger: string
  /**
   * When set, the pattern starts before the trigger: the engine walks back over characters matching
   * this single-character class, at most `backMax` (default 16) of them.
   */
  readonly backOver?: RegExp
  readonly backMax?: number
  /** Sticky (`y`) regular expression anchored where the trigger (minus `back`) starts. */
  readonly pattern: RegExp
  readonly score: number
  readonly message: string
  readonly caseInsensitive?: boolean
  /** A character class the match must not directly follow (word boundary on the left). */
  readonly notAfter?: RegExp
  /** Extra check on the matched text (checksum, entropy, placeholder rejection). */
  readonly accept?: (match: RegExpExecArray, text: string) => boolean
  /** Narrows the reported span to a capture group (the secret itself rather than its key). */
  readonly group?: number
}

const TOKEN_STOP = /[\s"'`,;()[\]{}<>|\\]/

/**
 * End of the "token" that starts at `from`: the first quote, bracket, comma or whitespace, at most
 * `limit` characters away. Used to skip later triggers inside a token already attempted.
 */
export function tokenEnd(text: string, from: number, limit: number): number {
  const stop = Math.min(text.length, from + limit)
  for (let i = from; i < stop; i++) {
    if (TOKEN_STOP.test(text.charAt(i))) return i
  }
  return stop
}

/** Rules compiled for one pass: all triggers of a case found by a single alternation. */
export interface RuleSet {
  readonly rules: readonly Rule[]
  /** Finds every position where some case-sensitive trigger starts. */
  readonly sensitive: RegExp | undefined
  /** Same, over the lower-case copy, for case-insensitive triggers. */
  readonly insensitive: RegExp | undefined
  /** Rule indexes by the first character of their trigger, per case. */
  readonly bySensitiveChar: ReadonlyMap<string, readonly number[]>
  readonly byInsensitiveChar: ReadonlyMap<string, readonly number[]>
}

const escapeLiteral = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&')

function alternation(triggers: readonly string[]): RegExp | undefined {
  if (triggers.length === 0) return undefined
  const unique = [...new Set(triggers)].sort((a, b) => b.length - a.length)
  return new RegExp(unique.map(escapeLiteral).join('|'), 'g')
}

function buckets(rules: readonly Rule[], sensitive: boolean): Map<string, number[]> {
  const map = new Map<string, number[]>()
  rules.forEach((rule, index) => {
    if ((rule.caseInsensitive === true) === sensitive) return
    const first = rule.trigger.charAt(0)
    const list = map.get(first) ?? []
    list.push(index)
    map.set(first, list)
  })
  return map
}

/**
 * Compiles rules for `runRules`. The trigger alternation is a list of literals: the engine finds
 * each trigger position once, whatever the number of rules, and cannot backtrack.
 */
export function compileRules(rules: readonly Rule[]): RuleSet {
  return {
    rules,
    sensitive: alternation(rules.filter((r) => r.caseInsensitive !== true).map((r) => r.trigger)),
    insensitive: alternation(rules.filter((r) => r.caseInsensitive === true).map((r) => r.trigger)),
    bySensitiveChar: buckets(rules, true),
    byInsensitiveChar: buckets(rules, false),
  }
}

/** Runs a compiled rule set over `text` (`lower` is its length-preserving lower-case copy). */
export function runRules(text: string, lower: string, set: RuleSet, out: Finding[]): void {
  const from = new Array<number>(set.rules.length).fill(0)
  const pass = (finder: RegExp | undefined, haystack: string, byChar: ReadonlyMap<string, readonly number[]>): void => {
    if (finder === undefined) return
    const re = new RegExp(finder.source, 'g')
    for (;;) {
      const found = re.exec(haystack)
      if (found === null) return
      const at = found.index
      re.lastIndex = at + 1
      for (const index of byChar.get(haystack.charAt(at)) ?? []) {
        const rule = set.rules[index] as Rule
        if (at < (from[index] as number) || !haystack.startsWith(rule.trigger, at)) continue
        from[index] = attempt(text, haystack, rule, at, out)
      }
    }
  }
  pass(set.sensitive, text, set.bySensitiveChar)
  pass(set.insensitive, lower, set.byInsensitiveChar)
}

/** Tries `rule` at trigger position `at`; returns where this rule's next attempt may start. */
function attempt(text: string, haystack: string, rule: Rule, at: number, out: Finding[]): number {
  let start = at
  if (rule.backOver !== undefined) {
    const limit = Math.max(0, at - (rule.backMax ?? 16))
    while (start > limit && rule.backOver.test(text.charAt(start - 1))) start--
  }
  if (rule.notAfter !== undefined && start > 0 && rule.notAfter.test(text.charAt(start - 1))) {
    // Inside a word: later triggers in the same word are inside it too.
    let next = at + rule.trigger.length
    const stop = Math.min(text.length, next + 256)
    while (next < stop && rule.notAfter.test(text.charAt(next - 1))) next++
    return next
  }
  rule.pattern.lastIndex = start
  const match = rule.pattern.exec(text)
  if (match === null || (rule.accept !== undefined && !rule.accept(match, text))) {
    // Skip the rest of this token: re-attempting inside it would make the scan quadratic on
    // inputs such as "eyJeyJeyJ...", and the rules' left boundaries forbid a match there anyway.
    return Math.max(at + 1, tokenEnd(haystack, at + rule.trigger.length, 256))
  }
  let spanStart = start
  let spanEnd = start + match[0].length
  if (rule.group !== undefined && match[rule.group] !== undefined) {
    const inner = match[rule.group] as string
    spanStart = start + match[0].lastIndexOf(inner)
    spanEnd = spanStart + inner.length
  }
  out.push({
    category: rule.category,
    detector: rule.id,
    start: spanStart,
    end: spanEnd,
    score: rule.score,
    message: rule.message,
  })
  return Math.max(start + match[0].length, at + 1)
}

let memoText: string | undefined
let memoLower = ''

/** A lower-case copy of `text` with the same length (ASCII folding when full folding changes length). */
export function lowerSameLength(text: string): string {
  // One-entry memo: scanText lowers the same text for several detectors.
  if (text === memoText) return memoLower
  memoText = text
  memoLower = lowerUncached(text)
  return memoLower
}

/** Drops the memo so no copy of a scanned text outlives the scan. */
export function forgetLowered(): void {
  memoText = undefined
  memoLower = ''
}

function lowerUncached(text: string): string {
  const lower = text.toLowerCase()
  if (lower.length === text.length) return lower
  // U+0130 (capital I with dot) is the one code point whose unconditional lower case is longer.
  const dotless = text.replace(/\u0130/g, 'I').toLowerCase()
  if (dotless.length === text.length) return dotless
  return text.replace(/[A-Z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 32))
}

/** Shannon entropy of `text` in bits per character. */
export function entropy(text: string): number {
  if (text.length === 0) return 0
  const counts = new Map<string, number>()
  for (const c of text) counts.set(c, (counts.get(c) ?? 0) + 1)
  let bits = 0
  for (const n of counts.values()) {
    const p = n / text.length
    bits -= p * Math.log2(p)
  }
  return bits
}
