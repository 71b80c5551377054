/**
 * Evaluates the library on the labelled development corpora, which live outside the repository
 * (CI has them at ../shared/corpora):
 *
 *   pnpm eval -- <corpus dir> [--json] [--pii] [--confusable]
 *
 * 1. A report: for every `*.jsonl` file under the folder (one `{id, text, label, category, source}`
 *    per line), per file and category, the detection rate of `scanText` on `attack` samples and the
 *    false-positive rate on `benign` ones. A sample counts as detected (or flagged) when `scanText`
 *    reports at least one finding. PII is left out by default: an e-mail address in an invoice is
 *    what redaction is for, not an attack; `--pii` counts it. `--confusable` turns on mixed-script
 *    detection. The report is informative: it checks nothing.
 * 2. The corpus checks: the thresholds each detector, the JOSE signature layer, `safeUrl`,
 *    `safePath` and `lockTools` were tuned to meet (packages/{core,auth,policy}/test/corpora.ts).
 *    The unit tests (`pnpm test`) use hand-written fixtures instead and never read the corpora.
 *
 * Exits 1 when a check misses its threshold, 2 on bad usage.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { authChecks } from '../packages/auth/test/corpora.js'
import { scanText } from '../packages/core/src/index.js'
import { type CorpusCheck, coreChecks } from '../packages/core/test/corpora.js'
import { policyChecks } from '../packages/policy/test/corpora.js'

interface Tally {
  attack: number
  detected: number
  benign: number
  flagged: number
}

const args = process.argv.slice(2).filter((a) => a !== '--')
const json = args.includes('--json')
const withPii = args.includes('--pii')
const withConfusable = args.includes('--confusable')
const dir = args.find((a) => !a.startsWith('--'))
if (dir === undefined) {
  console.error('usage: pnpm eval -- <corpus dir> [--json] [--pii] [--confusable]')
  process.exit(2)
}

function jsonlFiles(root: string): string[] {
  const out: string[] = []
  for (const name of readdirSync(root).sort()) {
    const path = join(root, name)
    if (statSync(path).isDirectory()) out.push(...jsonlFiles(path))
    else if (name.endsWith('.jsonl')) out.push(path)
  }
  return out
}

let root: string
try {
  root = dir
  if (!statSync(root).isDirectory()) throw new Error('not a directory')
} catch {
  console.error(`eval-sanitizers: corpus folder not found: ${dir}`)
  process.exit(2)
}

const files: Record<string, Record<string, Tally>> = {}
for (const file of jsonlFiles(root)) {
  const key = relative(root, file)
  const perCategory: Record<string, Tally> = {}
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line.trim() === '') continue
    const row = JSON.parse(line) as { text?: unknown; label?: unknown; category?: unknown }
    if (typeof row.text !== 'string' || (row.label !== 'attack' && row.label !== 'benign')) continue
    const category = typeof row.category === 'string' ? row.category : '(none)'
    perCategory[category] ??= { attack: 0, detected: 0, benign: 0, flagged: 0 }
    const tally = perCategory[category]
    const hit = scanText(row.text, { categories: { pii: withPii, confusable: withConfusable } }).findings.length > 0
    if (row.label === 'attack') {
      tally.attack++
      if (hit) tally.detected++
    } else {
      tally.benign++
      if (hit) tally.flagged++
    }
  }
  files[key] = perCategory
}

const checks: CorpusCheck[] = [...(await coreChecks(root)), ...(await authChecks(root)), ...(await policyChecks(root))]
const failed = checks.filter((c) => !c.passed)

if (json) {
  console.log(JSON.stringify({ files, checks }, null, 2))
} else {
  const pct = (n: number, d: number): string => (d === 0 ? '-' : `${((100 * n) / d).toFixed(1)}%`)
  const rows: string[][] = [['file', 'category', 'attack', 'detected', 'detection', 'benign', 'flagged', 'false pos.']]
  const total: Tally = { attack: 0, detected: 0, benign: 0, flagged: 0 }
  for (const [file, cats] of Object.entries(files)) {
    for (const [category, t] of Object.entries(cats)) {
      rows.push([
        file,
        category,
        String(t.attack),
        String(t.detected),
        pct(t.detected, t.attack),
        String(t.benign),
        String(t.flagged),
        pct(t.flagged, t.benign),
      ])
      total.attack += t.attack
      total.detected += t.detected
      total.benign += t.benign
      total.flagged += t.flagged
    }
  }
  rows.push([
    'TOTAL',
    '',
    String(total.attack),
    String(total.detected),
    pct(total.detected, total.attack),
    String(total.benign),
    String(total.flagged),
    pct(total.flagged, total.benign),
  ])
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? []
  for (const r of rows) console.log(r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  '))
}

if (!json) {
  console.log('')
  for (const c of checks) console.log(`${c.passed ? 'PASS' : 'FAIL'}  ${c.name}\n      ${c.detail}`)
  console.log(`\n${checks.length - failed.length}/${checks.length} corpus checks passed`)
}
if (failed.length > 0) {
  console.error(
    `eval: ${failed.length} corpus check(s) missed their threshold: ${failed.map((c) => c.name).join('; ')}`,
  )
  process.exitCode = 1
}
