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

/** `TOKEN_STOP` for ASCII, as a table: the scan below tests one character per step. */
const TOKEN_STOP_ASCII = asciiTable(TOKEN_STOP)

/** For each ASCII code, whether `re` matches that character. */
function asciiTable(re: RegExp): Uint8Array {
  const table = new Uint8Array(128)
  for (let c = 0; c < 128; c++) table[c] = re.test(String.fromCharCode(c)) ? 1 : 0
  return table
}

/** Whether `re` (a one-character class) matches the code unit at `i`; ASCII through `table`. */
function classAt(text: string, i: number, re: RegExp, table: Uint8Array): boolean {
  const c = text.charCodeAt(i)
  return c < 128 ? table[c] === 1 : re.test(text.charAt(i))
}

/**
 * End of the "token" that starts at `from`: the first quote, bracket, comma or whitespace, at most
 * `limit` characters away. Used to skip later triggers inside a token already attempted.
 */
export function tokenEnd(text: string, from: number, limit: number): number {
  const stop = Math.min(text.length, from + limit)
  for (let i = from; i < stop; i++) {
    if (classAt(text, i, TOKEN_STOP, TOKEN_STOP_ASCII)) return i
  }
  return stop
}

/** ASCII tables of each distinct `notAfter` class, made once per class. */
const NOT_AFTER_TABLES = new WeakMap<RegExp, Uint8Array>()

function notAfterAt(text: string, i: number, re: RegExp): boolean {
  let table = NOT_AFTER_TABLES.get(re)
  if (table === undefined) {
    table = asciiTable(re)
    NOT_AFTER_TABLES.set(re, table)
  }
  return classAt(text, i, re, table)
}

/** One search pass: a trigger alternation and whether it also finds alnum triggers after `_`. */
interface Finder {
  readonly pattern: RegExp
  /** Holds `_` + each alnum-boundary trigger: a hit on `_` is also tried one position later. */
  readonly underscore: boolean
}

/** Rules compiled for `runRules`: at most two search passes, whatever the number of rules. */
export interface RuleSet {
  readonly rules: readonly Rule[]
  readonly finders: readonly Finder[]
  /** Rule indexes by the ASCII-folded first two code units of their trigger (`pairKey`). */
  readonly byPair: ReadonlyMap<number, readonly number[]>
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
function alternation(triggers: readonly string[], prefix: string, flags: string): RegExp | undefined {
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

const fold = (c: number): number => (c >= 65 && c <= 90 ? c + 32 : c)

/** Key of the two code units at `at`, ASCII case folded (a trigger is at least two long). */
const pairKey = (text: string, at: number): number => (fold(text.charCodeAt(at)) << 16) | fold(text.charCodeAt(at + 1))

/**
 * Compiles rules for `runRules`. Triggers are literals in two alternations: those that must start a
 * word behind one `\b` (the engine skips every other position cheaply), the rest without a prefix.
 * A finder is case-insensitive when any of its rules is; case-sensitive rules are then confirmed
 * with an exact `startsWith`. Rules whose left boundary allows `_` (`notAfter` is alphanumeric
 * only) are in the `\b` finder and, prefixed with `_`, in the other one.
 * @throws Error when a trigger is shorter than two code units.
 */
export function compileRules(rules: readonly Rule[]): RuleSet {
  const rejects = (r: Rule, chars: readonly string[]): boolean =>
    r.notAfter !== undefined && chars.every((c) => r.notAfter?.test(c) === true)
  const boundary = (r: Rule): 'word' | 'alnum' | 'none' => {
    if (!/^[A-Za-z0-9]/.test(r.trigger)) return 'none'
    if (rejects(r, ['a', 'Z', '0', '_'])) return 'word'
    return rejects(r, ['a', 'Z', '0']) ? 'alnum' : 'none'
  }
  const lower = (r: Rule): string => (r.caseInsensitive === true ? r.trigger : r.trigger.toLowerCase())
  const flags = (subset: readonly Rule[]): string => (subset.some((r) => r.caseInsensitive === true) ? 'gi' : 'g')
  const worded = rules.filter((r) => boundary(r) !== 'none')
  const alnum = rules.filter((r) => boundary(r) === 'alnum')
  const rest = rules.filter((r) => boundary(r) === 'none')
  const finders: Finder[] = []
  const wordPattern = alternation(worded.map(lower), '\\b', flags(worded))
  if (wordPattern !== undefined) finders.push({ pattern: wordPattern, underscore: false })
  const restPattern = alternation(
    [...rest.map(lower), ...alnum.map((r) => `_${lower(r)}`)],
    '',
    flags([...rest, ...alnum]),
  )
  if (restPattern !== undefined) finders.push({ pattern: restPattern, underscore: alnum.length > 0 })
  const byPair = new Map<number, number[]>()
  rules.forEach((rule, index) => {
    if (rule.trigger.length < 2) throw new Error(`rule ${rule.id}: trigger "${rule.trigger}" is too short`)
    const key = pairKey(rule.trigger, 0)
    byPair.set(key, [...(byPair.get(key) ?? []), index])
  })
  return { rules, finders, byPair }
}

/**
 * Runs a compiled rule set over `text`. Each finder is one regex search; at each hit, only the
 * rules whose trigger starts with the same two characters are tried.
 */
export function runRules(text: string, set: RuleSet, out: Finding[]): void {
  // Where each rule's next attempt may start (skips positions inside attempted tokens), per pass.
  const from = new Array<number>(set.rules.length)
  for (const finder of set.finders) {
    from.fill(0)
    const re = finder.pattern
    re.lastIndex = 0
    try {
      for (;;) {
        const found = re.exec(text)
        if (found === null) break
        const at = found.index
        re.lastIndex = at + 1
        visit(text, set, from, at, out)
        if (finder.underscore && text.charCodeAt(at) === 95) visit(text, set, from, at + 1, out)
      }
    } finally {
      re.lastIndex = 0
    }
  }
}

/** Tries the rules whose trigger starts with the two characters at `at`. */
function visit(text: string, set: RuleSet, from: number[], at: number, out: Finding[]): void {
  const bucket = set.byPair.get(pairKey(text, at))
  if (bucket === undefined) return
  for (const index of bucket) {
    const rule = set.rules[index] as Rule
    if (at < (from[index] as number)) continue
    if (!startsWithAt(text, rule.trigger, at, rule.caseInsensitive === true)) continue
    from[index] = attempt(text, rule, at, out)
  }
}

/** Whether `trigger` occurs at `at` (ASCII case folded when `insensitive`); no allocation. */
function startsWithAt(text: string, trigger: string, at: number, insensitive: boolean): boolean {
  if (!insensitive) return text.startsWith(trigger, at)
  if (at + trigger.length > text.length) return false
  for (let i = 0; i < trigger.length; i++) {
    if (fold(text.charCodeAt(at + i)) !== trigger.charCodeAt(i)) return false
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
  if (rule.notAfter !== undefined && start > 0 && notAfterAt(text, start - 1, rule.notAfter)) {
    // Inside a word: later triggers in the same word are inside it too.
    let next = at + rule.trigger.length
    const stop = Math.min(text.length, next + 256)
    while (next < stop && notAfterAt(text, next - 1, rule.notAfter)) next++
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
