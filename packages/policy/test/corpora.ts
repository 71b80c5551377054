import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

/** The shared corpora live beside the repository (`../shared/corpora` from its root), never inside it. */
export const CORPORA = fileURLToPath(new URL('../../../../shared/corpora/', import.meta.url))

export interface CorpusLine {
  readonly id: string
  readonly text: string
  readonly label: 'attack' | 'benign'
  readonly category: string
}

/** Reads one JSONL corpus; throws a clear error (never skips) when the corpora are absent. */
export function readCorpus(relative: string): readonly CorpusLine[] {
  const file = `${CORPORA}${relative}`
  if (!existsSync(file)) {
    throw new Error(`corpus ${relative} not found at ${file}: check out the shared corpora at ../shared/corpora`)
  }
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as CorpusLine)
}
