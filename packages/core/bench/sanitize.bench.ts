/**
 * Sanitizer engine throughput: MB/s of `scanText` with default options (what the middlewares run;
 * confusables off) on ordinary text and on adversarial inputs built to trigger worst cases, against
 * a bare baseline in the same run (a single `indexOf` pass, the cheapest possible scan). The
 * `+confusables` column is `scanText` with every category on, `sanitizeText` the scan plus stripping
 * with default modes (what the middlewares run). The worst-detector column times each detector's
 * public function, which returns every finding as an object.
 *
 *   npx tsx packages/core/bench/sanitize.bench.ts
 *
 * Each case runs for about 300 ms after a warm-up; the table prints the median per-run time.
 */
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import {
  detectConfusables,
  detectInvisibleText,
  detectPii,
  detectPromptInjection,
  detectSecrets,
  detectTerminalEscapes,
  redact,
  sanitizeText,
  scanText,
} from '../src/index.js'
import { recordSummary, type SummaryRow } from './util.js'

const MB = 1_000_000

function ordinaryText(): string {
  const corpora = fileURLToPath(new URL('../../../../shared/corpora/', import.meta.url))
  const parts: string[] = []
  for (const file of [
    'bipia/bipia-train-benign-email.jsonl',
    'bipia/bipia-train-benign-table.jsonl',
    'mcp-scanner/remote-benign-tools.jsonl',
  ]) {
    try {
      for (const line of readFileSync(corpora + file, 'utf8').split('\n')) {
        if (line !== '') parts.push((JSON.parse(line) as { text: string }).text)
      }
    } catch {
      // Without the corpora, fall back to generated prose.
    }
  }
  let text =
    parts.length > 0
      ? parts.join('\n\n')
      : 'Dear team, the invoice for March is attached. Please review the totals and reply by Friday. '
  while (text.length < MB) text += `\n\n${text}`
  return text.slice(0, MB)
}

const fill = (unit: string): string => unit.repeat(Math.ceil(MB / unit.length)).slice(0, MB)

const cases: ReadonlyArray<readonly [string, string]> = [
  ['ordinary text (corpora)', ordinaryText()],
  ['ASCII prose', fill('The quick brown fox jumps over the lazy dog; ignore the typos and send the notes. ')],
  ['adv: "eyJ" repeated', fill('eyJ')],
  ['adv: "ignore " repeated', fill('ignore ')],
  ['adv: "a@" repeated', fill('a@')],
  ['adv: ESC [ repeated', fill('\u001b[')],
  ['adv: x ESC alternating', fill('x\u001b')],
  ['adv: tag chars', fill('\u{E0041}')],
  ['adv: ZWJ run', fill('\u200D')],
  ['adv: a ZWSP alternating', fill('a\u200B')],
  ['adv: digit groups', fill('4111 ')],
  ['adv: base64 run', fill('QUFB')],
  ['adv: "<" run', fill('<')],
  ['adv: "<i" repeated', fill('<i')],
  ['adv: "token=" repeated', fill('token=')],
  ['adv: "a://" repeated', fill('a://')],
  ['adv: "0x" repeated', fill('0x')],
  ['adv: "-----BEGIN " repeated', fill('-----BEGIN ')],
  ['adv: mixed-script words', fill('раураl ')],
  ['adv: "+1 " repeated', fill('+1 ')],
]

/** Median wall time in ms; `cpu` gets the median process CPU time (less sensitive to a busy machine). */
function measure(fn: () => void, cpu?: number[]): number {
  for (let i = 0; i < 2; i++) fn()
  const times: number[] = []
  const cpus: number[] = []
  const until = performance.now() + 300
  while (times.length < 3 || (performance.now() < until && times.length < 50)) {
    const c0 = process.cpuUsage()
    const t0 = performance.now()
    fn()
    times.push(performance.now() - t0)
    const c = process.cpuUsage(c0)
    cpus.push((c.user + c.system) / 1000)
  }
  const median = (xs: number[]): number => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number
  cpu?.push(median(cpus))
  return median(times)
}

const rows: string[][] = [
  [
    'case',
    'baseline ms',
    'scanText ms',
    'cpu ms',
    'MB/s (wall)',
    'MB/s (cpu)',
    'ratio',
    '+confusables ms',
    'sanitizeText ms',
    'worst detector',
  ],
]
const summary: SummaryRow[] = []
let worstSanitize = { name: '', ms: 0, baseline: 0 }
for (const [name, text] of cases) {
  const baseline = measure(() => void text.indexOf('\u0000never'))
  const cpu: number[] = []
  // Default options: what sanitizeInput and sanitizeOutput run unless told otherwise.
  const ms = measure(() => void scanText(text), cpu)
  const cpuMs = cpu[0] ?? ms
  const all = measure(() => void scanText(text, { categories: { confusable: true } }))
  // What the middlewares run: scan, then strip (default modes) and build the cleaned text.
  const sanitized = measure(() => void sanitizeText(text))
  const parts: Array<[string, number]> = [
    ['invisible', measure(() => void detectInvisibleText(text))],
    ['escapes', measure(() => void detectTerminalEscapes(text))],
    ['injection', measure(() => void detectPromptInjection(text))],
    ['secrets', measure(() => void detectSecrets(text))],
    ['pii', measure(() => void detectPii(text))],
    ['confusables', measure(() => void detectConfusables(text))],
  ]
  const worst = parts.reduce((a, b) => (b[1] > a[1] ? b : a))
  if (name === 'ordinary text (corpora)') {
    summary.push({
      scenario: 'sanitizer throughput on 1 MB of ordinary text (scanText, default options)',
      bare: text.length / MB / (baseline / 1000),
      guarded: text.length / MB / (ms / 1000),
      unit: 'MB/s',
      bareLabel: 'indexOf pass',
      target: '>= 50 MB/s',
    })
  }
  if (sanitized > worstSanitize.ms) worstSanitize = { name, ms: sanitized, baseline }
  const mbs = (t: number): string => (text.length / MB / (t / 1000)).toFixed(0)
  rows.push([
    name,
    baseline.toFixed(2),
    ms.toFixed(1),
    cpuMs.toFixed(1),
    mbs(ms),
    mbs(cpuMs),
    `${(ms / Math.max(baseline, 0.001)).toFixed(0)}x`,
    all.toFixed(1),
    sanitized.toFixed(1),
    `${worst[0]} ${worst[1].toFixed(1)} ms`,
  ])
}
summary.push({
  scenario: `slowest 1 MB input, sanitizeText (${worstSanitize.name})`,
  bare: worstSanitize.baseline,
  guarded: worstSanitize.ms,
  unit: 'ms',
  bareLabel: 'indexOf pass',
  target: '<= 100 ms',
})
recordSummary('sanitize', summary)
const prose = cases[0]?.[1] ?? ''
rows.push([
  'sanitizeText (strip all) ordinary',
  '',
  measure(
    () => void sanitizeText(prose, { modes: { secret: 'strip', pii: 'strip', 'prompt-injection': 'strip' } }),
  ).toFixed(1),
  '',
  '',
  '',
  '',
  '',
  '',
  '',
])
rows.push(['redact ordinary', '', measure(() => void redact(prose)).toFixed(1), '', '', '', '', '', '', ''])
const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? []
for (const r of rows) console.log(r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  '))
