/**
 * Corpus checks of the sanitizer engine, run by `pnpm eval -- <corpus dir>` (scripts/eval-sanitizers.ts),
 * never by the unit tests: the corpora are development data kept outside the repository, and the unit
 * tests use the hand-written fixtures beside each detector. Each check is a threshold the detectors
 * were tuned to meet; a missed one makes `pnpm eval` exit non-zero.
 */
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { detectConfusables } from '../src/sanitize/confusables.js'
import { detectInvisibleText } from '../src/sanitize/invisible-text.js'
import { detectPromptInjection } from '../src/sanitize/prompt-injection.js'
import { redact } from '../src/sanitize/redact.js'
import { detectSecrets } from '../src/sanitize/secrets.js'
import { detectTerminalEscapes } from '../src/sanitize/terminal-escapes.js'

/** A labelled sample of a corpus file (one JSON object per line). */
export interface Sample {
  readonly id: string
  readonly text: string
  readonly label: 'attack' | 'benign'
  readonly category: string
}

/** The outcome of one corpus check: `passed` is false when the measured value misses the threshold. */
export interface CorpusCheck {
  readonly name: string
  readonly passed: boolean
  /** What was measured against what was required, and the ids of the samples at fault. */
  readonly detail: string
}

/**
 * Reads one JSONL corpus file under `dir`. Throws (the check fails, it is not skipped) when the file
 * is missing: a silent skip would hide a regression.
 */
export function readCorpus(dir: string, file: string): readonly Sample[] {
  const path = join(dir, file)
  if (!existsSync(path)) throw new Error(`corpus file not found: ${path}`)
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Sample)
}

/** Reads a JSON file under `dir`, with the same missing-file error as {@link readCorpus}. */
export function readJson<T>(dir: string, file: string): T {
  const path = join(dir, file)
  if (!existsSync(path)) throw new Error(`corpus file not found: ${path}`)
  return JSON.parse(readFileSync(path, 'utf8')) as T
}

/** Runs `body`; an exception (a missing file, a detector that throws) is a failed check, not a crash. */
export async function check(
  name: string,
  body: () => Promise<[boolean, string]> | [boolean, string],
): Promise<CorpusCheck> {
  try {
    const [passed, detail] = await body()
    return { name, passed, detail }
  } catch (error) {
    return { name, passed: false, detail: `error: ${error instanceof Error ? error.message : String(error)}` }
  }
}

const pct = (n: number, d: number): string => (d === 0 ? '-' : `${((100 * n) / d).toFixed(1)}%`)
const ids = (samples: readonly Sample[]): string =>
  samples.length === 0 ? '' : `; at fault: ${samples.map((s) => s.id).join(', ')}`

/** `part / whole` within a bound, described. */
function rate(
  label: string,
  part: readonly Sample[],
  whole: number,
  op: '>=' | '<=',
  bound: number,
): [boolean, string] {
  const value = whole === 0 ? Number.NaN : part.length / whole
  const passed = whole > 0 && (op === '>=' ? value >= bound : value <= bound)
  return [passed, `${label} ${part.length}/${whole} = ${pct(part.length, whole)} (required ${op} ${pct(bound, 1)})`]
}

const injection = (text: string): boolean => detectPromptInjection(text).some((f) => f.score >= 0.5)

/** The corpus checks of core's detectors and redaction, against the corpus folder `dir`. */
export async function coreChecks(dir: string): Promise<readonly CorpusCheck[]> {
  return Promise.all([
    check('secrets: secretlint attacks detected >= 90%', () => {
      const attacks = readCorpus(dir, 'secretlint/secretlint.jsonl').filter((s) => s.label === 'attack')
      const detected = attacks.filter((s) => detectSecrets(s.text).length > 0)
      const [passed, detail] = rate('detected', detected, attacks.length, '>=', 0.9)
      return [passed, detail + ids(attacks.filter((s) => !detected.includes(s)))]
    }),
    // The benign ones flagged are database URLs with real-looking passwords, which secretlint's
    // basic-auth rule exempts by design; this engine reports them.
    check('secrets: secretlint benign flagged <= 15%', () => {
      const benign = readCorpus(dir, 'secretlint/secretlint.jsonl').filter((s) => s.label === 'benign')
      const flagged = benign.filter((s) => detectSecrets(s.text).length > 0)
      const [passed, detail] = rate('flagged', flagged, benign.length, '<=', 0.15)
      return [passed, detail + ids(flagged)]
    }),
    // The audit spans record arguments through redact(); their unit test uses hand-written secrets.
    check('redact: every secretlint attack with a secret redact() reports comes out with a [REDACTED:] marker', () => {
      const attacks = readCorpus(dir, 'secretlint/secretlint.jsonl').filter((s) => s.label === 'attack')
      let found = 0
      const unmarked = attacks.filter((s) => {
        const result = redact(s.text)
        const secrets = result.findings
          .map((f) => s.text.slice(f.start, f.end))
          // Low-variety spans (runs of zeros in fixtures) also occur in ids and other samples.
          .filter((secret) => secret.length >= 12 && new Set(secret).size >= 8)
        if (secrets.length === 0) return false
        found++
        return !result.text.includes('[REDACTED:') || result.text === s.text
      })
      return [found > 0 && unmarked.length === 0, `unmarked ${unmarked.length}/${found} (required 0)${ids(unmarked)}`]
    }),
    check('terminal escapes: every ansi-regex and authored escape sample detected', () => {
      const samples = [
        ...readCorpus(dir, 'ansi-regex/ansi-codes.jsonl'),
        ...readCorpus(dir, 'authored/ansi-extra.jsonl'),
      ]
      const detected = samples.filter((s) => detectTerminalEscapes(s.text).length > 0)
      const [passed, detail] = rate('detected', detected, samples.length, '>=', 1)
      return [passed, detail + ids(samples.filter((s) => !detected.includes(s)))]
    }),
    check('prompt injection: every behavioral poisoned tool description flagged', () => {
      const tools = readCorpus(dir, 'mcp-scanner/behavioral-prompt-injection-tools.jsonl')
      const detected = tools.filter((s) => injection(s.text))
      const [passed, detail] = rate('flagged', detected, tools.length, '>=', 1)
      return [passed, detail + ids(tools.filter((s) => !detected.includes(s)))]
    }),
    check('prompt injection: llm-guard injection prompts detected >= 80%', () => {
      const attacks = readCorpus(dir, 'llm-guard/prompt-injection.jsonl').filter((s) => s.label === 'attack')
      return rate(
        'detected',
        attacks.filter((s) => injection(s.text)),
        attacks.length,
        '>=',
        0.8,
      )
    }),
    check('prompt injection: no llm-guard benign prompt flagged', () => {
      const benign = readCorpus(dir, 'llm-guard/prompt-injection.jsonl').filter((s) => s.label === 'benign')
      const flagged = benign.filter((s) => injection(s.text))
      const [passed, detail] = rate('flagged', flagged, benign.length, '<=', 0)
      return [passed, detail + ids(flagged)]
    }),
    check('prompt injection: no benign tool description, BIPIA e-mail or table flagged', () => {
      const benign = [
        ...readCorpus(dir, 'mcp-scanner/remote-benign-tools.jsonl'),
        ...readCorpus(dir, 'bipia/bipia-train-benign-email.jsonl'),
        ...readCorpus(dir, 'bipia/bipia-train-benign-table.jsonl'),
      ]
      const flagged = benign.filter((s) => injection(s.text))
      const [passed, detail] = rate('flagged', flagged, benign.length, '<=', 0)
      return [passed, detail + ids(flagged)]
    }),
    check('prompt injection: every BIPIA code attack embedded in an e-mail detected', () => {
      const embedded = readCorpus(dir, 'bipia/bipia-train-embedded-email.jsonl').filter((s) =>
        s.category.startsWith('embedded-code'),
      )
      const detected = embedded.filter((s) => injection(s.text))
      const [passed, detail] = rate('detected', detected, embedded.length, '>=', 1)
      return [passed, detail + ids(embedded.filter((s) => !detected.includes(s)))]
    }),
    check('invisible text: every llm-guard/Trojan Source attack flagged, no benign Unicode sample', () => {
      const samples = [
        ...readCorpus(dir, 'llm-guard/invisible-text.jsonl'),
        ...readCorpus(dir, 'authored/benign-unicode.jsonl'),
        ...readCorpus(dir, 'trojan-source/trojan-source.jsonl').filter((s) => s.category !== 'homoglyph'),
      ]
      const wrong = samples.filter(
        (s) => detectInvisibleText(s.text).some((f) => f.score >= 0.5) !== (s.label === 'attack'),
      )
      return [wrong.length === 0, `misjudged ${wrong.length}/${samples.length} (required 0)${ids(wrong)}`]
    }),
    check('confusables: every Trojan Source homoglyph sample reported', () => {
      const samples = readCorpus(dir, 'trojan-source/trojan-source.jsonl').filter((s) => s.category === 'homoglyph')
      const detected = samples.filter((s) => detectConfusables(s.text).length > 0)
      const [passed, detail] = rate('detected', detected, samples.length, '>=', 1)
      return [passed, detail + ids(samples.filter((s) => !detected.includes(s)))]
    }),
  ])
}
