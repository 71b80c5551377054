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
  /** Literal searched for; lower-case when `caseInsensitive` (then matched in any case). */
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
  /** Find every position where some case-sensitive trigger starts. */
  readonly sensitive: readonly RegExp[]
  /** Same, over the lower-case copy, for case-insensitive triggers. */
  readonly insensitive: readonly RegExp[]
  /** Rule indexes by the first character of their trigger, per case. */
  readonly bySensitiveChar: ReadonlyMap<string, readonly number[]>
  readonly byInsensitiveChar: ReadonlyMap<string, readonly number[]>
}

const escapeLiteral = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&')

interface TrieNode {
  terminal: boolean
  readonly children: Map<string, TrieNode>
}

/**
 * A regex that matches where any of `triggers` starts, shaped as a trie (`ig(?:nore)|di(?:s...)`)
 * so the engine tries one branch per character instead of every trigger. A branch ends at the
 * shortest trigger on it: which triggers really start there is decided with `startsWith`. No
 * quantifier at all, so no backtracking beyond the depth of the trie.
 */
function alternation(triggers: readonly string[], prefix = '', flags = 'g'): RegExp | undefined {
  if (triggers.length === 0) return undefined
  const root: TrieNode = { terminal: false, children: new Map() }
  for (const trigger of new Set(triggers)) {
    let node = root
    for (const ch of trigger) {
      let next = node.children.get(ch)
      if (next === undefined) {
        next = { terminal: false, children: new Map() }
        node.children.set(ch, next)
      }
      node = next
    }
    node.terminal = true
  }
  const emit = (node: TrieNode): string => {
    if (node.terminal) return ''
    const branches = [...node.children].map(([ch, child]) => escapeLiteral(ch) + emit(child))
    return branches.length === 1 ? (branches[0] as string) : `(?:${branches.join('|')})`
  }
  return new RegExp(prefix + emit(root), flags)
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
  // A trigger that starts with a word character and may not follow one can only match at a word
  // start: a cheap left-boundary prefix lets the engine skip every other position.
  const rejects = (r: Rule, chars: readonly string[]): boolean =>
    r.notAfter !== undefined && chars.every((c) => r.notAfter?.test(c) === true)
  const boundary = (r: Rule): 'word' | 'alnum' | 'none' => {
    if (!/^[A-Za-z0-9]/.test(r.trigger)) return 'none'
    if (rejects(r, ['a', 'Z', '0', '_'])) return 'word'
    return rejects(r, ['a', 'Z', '0']) ? 'alnum' : 'none'
  }
  const finders = (subset: readonly Rule[], flags: string): RegExp[] =>
    [
      alternation(
        subset.filter((r) => boundary(r) === 'word').map((r) => r.trigger),
        '\\b',
        flags,
      ),
      alternation(
        subset.filter((r) => boundary(r) === 'alnum').map((r) => r.trigger),
        '(?<![A-Za-z0-9])',
        flags,
      ),
      alternation(
        subset.filter((r) => boundary(r) === 'none').map((r) => r.trigger),
        '',
        flags,
      ),
    ].filter((re): re is RegExp => re !== undefined)
  return {
    rules,
    sensitive: finders(
      rules.filter((r) => r.caseInsensitive !== true),
      'g',
    ),
    insensitive: finders(
      rules.filter((r) => r.caseInsensitive === true),
      'gi',
    ),
    bySensitiveChar: buckets(rules, true),
    byInsensitiveChar: buckets(rules, false),
  }
}

/** Runs a compiled rule set over `text`. Case-insensitive triggers are lower-case literals. */
export function runRules(text: string, set: RuleSet, out: Finding[]): void {
  const from = new Array<number>(set.rules.length).fill(0)
  const pass = (finder: RegExp, insensitive: boolean): void => {
    const byChar = insensitive ? set.byInsensitiveChar : set.bySensitiveChar
    const re = new RegExp(finder.source, finder.flags)
    for (;;) {
      const found = re.exec(text)
      if (found === null) return
      const at = found.index
      re.lastIndex = at + 1
      const first = text.charAt(at)
      for (const index of byChar.get(insensitive ? first.toLowerCase() : first) ?? []) {
        const rule = set.rules[index] as Rule
        if (at < (from[index] as number)) continue
        if (!startsWithAt(text, rule.trigger, at, insensitive)) continue
        from[index] = attempt(text, rule, at, out)
      }
    }
  }
  for (const finder of set.sensitive) pass(finder, false)
  for (const finder of set.insensitive) pass(finder, true)
}

/** Whether `trigger` occurs at `at` (ASCII case folded when `insensitive`); no allocation. */
function startsWithAt(text: string, trigger: string, at: number, insensitive: boolean): boolean {
  if (!insensitive) return text.startsWith(trigger, at)
  if (at + trigger.length > text.length) return false
  for (let i = 0; i < trigger.length; i++) {
    let c = text.charCodeAt(at + i)
    if (c >= 65 && c <= 90) c += 32
    if (c !== trigger.charCodeAt(i)) return false
  }
  return true
}

/** Tries `rule` at trigger position `at`; returns where this rule's next attempt may start. */
function attempt(text: string, rule: Rule, at: number, out: Finding[]): number {
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
    return Math.max(at + 1, tokenEnd(text, at + rule.trigger.length, 256))
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
