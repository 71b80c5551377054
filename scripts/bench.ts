/**
 * Runs every benchmark (`packages/<name>/bench/*.bench.ts`, and the end-to-end comparisons in
 * `examples/bench`), one process each so they cannot disturb one another, prints their own tables,
 * then one summary table of every scenario measured bare and guarded (each benchmark records its
 * rows with `recordSummary`, in the same process and run as its baseline). The summary and the
 * machine description are written to `.bench/results.json`.
 *
 * Each benchmark is compiled with esbuild into one file beside its source, with every package import
 * left external: `@mcp-warden/*` resolves to the built `dist` (run `pnpm build` first; `pnpm bench`
 * does), as in an application, rather than to the sources through a loader that adds per-closure
 * helpers to the measured code.
 *
 * Pass a substring to run only the matching files: `pnpm bench pipeline`.
 */
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, tmpdir, totalmem } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import type { SummaryRow } from '../packages/core/bench/util.js'

const root = fileURLToPath(new URL('..', import.meta.url))
const filter = process.argv[2]
const benchDirs = [...readdirSync(`${root}packages`).map((pkg) => `packages/${pkg}/bench`), 'examples/bench']
const files = benchDirs
  .flatMap((dir) => {
    try {
      return readdirSync(`${root}${dir}`)
        .filter((file) => file.endsWith('.bench.ts'))
        .map((file) => `${dir}/${file}`)
    } catch {
      return []
    }
  })
  .filter((file) => filter === undefined || file.includes(filter))
  .sort()

if (files.length === 0) {
  console.error(`no benchmark matches ${filter ?? '(all)'}`)
  process.exit(1)
}
const machine = {
  node: process.version,
  platform: `${process.platform}/${process.arch}`,
  cpus: cpus().length,
  cpu: cpus()[0]?.model ?? 'unknown',
  memoryGb: Math.round(totalmem() / 1024 ** 3),
  loadAverage1mAtStart: Number(loadavg()[0]?.toFixed(2)),
}
console.log(`${JSON.stringify(machine)}\n`)
const summaryDir = mkdtempSync(join(tmpdir(), 'mcp-warden-bench-'))
const failed: string[] = []
const summary: Array<SummaryRow & { readonly bench: string; readonly ratio: number }> = []
try {
  for (const file of files) {
    console.log(`## ${file}`)
    // Beside the source, so relative paths and package resolution are the source's own.
    const compiled = join(root, file.replace(/\.ts$/, '.build.mjs'))
    try {
      await build({
        entryPoints: [join(root, file)],
        outfile: compiled,
        bundle: true,
        packages: 'external',
        platform: 'node',
        format: 'esm',
        target: 'node20',
        // Not the root tsconfig: its `paths` point `@mcp-warden/*` at the sources.
        tsconfigRaw: {},
        logLevel: 'warning',
      })
      const result = spawnSync(process.execPath, ['--expose-gc', compiled], {
        cwd: root,
        stdio: 'inherit',
        env: { ...process.env, BENCH_SUMMARY_DIR: summaryDir },
      })
      if (result.status !== 0) failed.push(file)
    } catch (err) {
      console.error(err)
      failed.push(file)
    } finally {
      rmSync(compiled, { force: true })
    }
    console.log()
  }
  for (const name of readdirSync(summaryDir).sort()) {
    const rows = JSON.parse(readFileSync(join(summaryDir, name), 'utf8')) as SummaryRow[]
    for (const row of rows) {
      summary.push({ bench: name.replace(/\.json$/, ''), ...row, ratio: row.ratio ?? row.guarded / row.bare })
    }
  }
} finally {
  rmSync(summaryDir, { recursive: true, force: true })
}

const fmt = (n: number): string => (Math.abs(n) >= 100 ? n.toFixed(0) : Math.abs(n) >= 10 ? n.toFixed(1) : n.toFixed(2))
const table = [
  ['bench', 'scenario', 'bare', 'guarded', 'unit', 'ratio', 'target'],
  ...summary.map((r) => [
    r.bench,
    r.scenario,
    `${fmt(r.bare)}${r.bareLabel === undefined ? '' : ` (${r.bareLabel})`}`,
    fmt(r.guarded),
    r.unit,
    `${r.ratio.toFixed(3)}x`,
    r.target ?? '',
  ]),
]
const widths = (table[0] ?? []).map((_, i) => Math.max(...table.map((row) => (row[i] ?? '').length)))
console.log('# summary: every scenario measured bare and guarded in the same process and run\n')
for (const [index, row] of table.entries()) {
  console.log(
    row.map((cell, i) => (i >= 2 && i <= 5 ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0))).join('  '),
  )
  if (index === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '))
}
mkdirSync(join(root, '.bench'), { recursive: true })
const out = join(root, '.bench', 'results.json')
writeFileSync(
  out,
  `${JSON.stringify({ date: new Date().toISOString(), machine: { ...machine, loadAverage1mAtEnd: Number(loadavg()[0]?.toFixed(2)) }, rows: summary, failed }, null, 2)}\n`,
)
console.log(`\nwritten to ${out}`)
if (failed.length > 0) {
  console.error(`failed: ${failed.join(', ')}`)
  process.exit(1)
}
