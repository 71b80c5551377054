/** Shared helpers of the benchmarks: alternating timed rounds and a plain table. */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

export interface Row {
  readonly scenario: string
  /** Per-operation time of the baseline, microseconds. */
  readonly baselineUs: number
  /** Per-operation time of the measured variant, microseconds. */
  readonly valueUs: number
  /** valueUs / baselineUs. */
  readonly ratio: number
}

export interface Timed {
  readonly name: string
  readonly call: () => Promise<unknown>
}

/**
 * Runs `perRound` sequential calls of each variant per round, alternating variants, and returns
 * each variant's median per-call time in microseconds.
 */
export async function timeRounds(
  variants: readonly Timed[],
  options: { warmup: number; perRound: number; rounds: number },
): Promise<Map<string, number>> {
  const samples = await sampleRounds(variants, options)
  return new Map([...samples].map(([name, values]) => [name, median(values)]))
}

/**
 * `timeRounds` without the reduction: each variant's per-call time in microseconds, one entry per
 * round. Within a round the variants run back to back (the order reversing every round), so a
 * ratio taken round by round cancels the machine's slower and faster spells.
 */
export async function sampleRounds(
  variants: readonly Timed[],
  options: { warmup: number; perRound: number; rounds: number },
): Promise<Map<string, number[]>> {
  for (const variant of variants) {
    for (let i = 0; i < options.warmup; i++) await variant.call()
  }
  const samples = new Map<string, number[]>(variants.map((v) => [v.name, []]))
  for (let round = 0; round < options.rounds; round++) {
    const order = round % 2 === 0 ? variants : [...variants].reverse()
    for (const variant of order) {
      const start = process.hrtime.bigint()
      for (let i = 0; i < options.perRound; i++) await variant.call()
      const elapsedUs = Number(process.hrtime.bigint() - start) / 1_000
      samples.get(variant.name)?.push(elapsedUs / options.perRound)
    }
  }
  return samples
}

/** Median over rounds of `value[i] / base[i]` (see `sampleRounds`). */
export function pairedRatio(value: readonly number[], base: readonly number[]): number {
  return median(value.map((v, i) => v / (base[i] as number)))
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
}

export function printTable(rows: readonly Row[]): void {
  const header = ['scenario', 'bare µs', 'guarded µs', 'ratio']
  const body = rows.map((r) => [r.scenario, r.baselineUs.toFixed(2), r.valueUs.toFixed(2), `${r.ratio.toFixed(3)}x`])
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => (row[i] as string).length)))
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join('  ')
  console.log(line(header))
  console.log(widths.map((w) => '-'.repeat(w)).join('  '))
  for (const row of body) console.log(line(row))
}

/**
 * One line of the summary `pnpm bench` prints at the end: a scenario measured bare and guarded in
 * the same process and run. `ratio` is guarded / bare: for times and bytes lower is better, for
 * rates (`req/s`, `MB/s`) higher is.
 */
export interface SummaryRow {
  readonly scenario: string
  readonly bare: number
  readonly guarded: number
  /** `µs/call`, `req/s`, `MB`, `MB/s`, ... */
  readonly unit: string
  /** Short description of the bare side, when it is not the bare SDK (`"SDK requireBearerAuth"`). */
  readonly bareLabel?: string
  /** The target, in words, when the issue sets one (`"< 1.15x"`). */
  readonly target?: string
  /**
   * The ratio when the benchmark measured it round by round (`pairedRatio`); otherwise the summary
   * shows guarded / bare.
   */
  readonly ratio?: number
}

/**
 * Records summary rows for `pnpm bench`: written to `$BENCH_SUMMARY_DIR/<bench>.json` when the
 * runner sets that variable (it reads them after every benchmark has run), otherwise ignored.
 */
export function recordSummary(bench: string, rows: readonly SummaryRow[]): void {
  const dir = process.env.BENCH_SUMMARY_DIR
  if (dir === undefined || dir === '') return
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, `${bench}.json`), `${JSON.stringify(rows, null, 2)}\n`)
}
