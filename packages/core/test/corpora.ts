import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

/** A labelled sample of the shared development corpora. */
export interface Sample {
  readonly id: string
  readonly text: string
  readonly label: 'attack' | 'benign'
  readonly category: string
}

/** `../shared/corpora` relative to the repository root. */
export const CORPORA_DIR = fileURLToPath(new URL('../../../../shared/corpora/', import.meta.url))

/**
 * Reads one corpus file. Throws (the test fails, it is not skipped) when the corpora are missing:
 * the detectors are tuned on them and a silent skip would hide a regression.
 */
export function corpus(file: string): readonly Sample[] {
  const path = CORPORA_DIR + file
  if (!existsSync(path)) {
    throw new Error(
      `Corpus file not found: ${path}. The sanitizer tests need the shared corpora at ../shared/corpora relative to the repository root.`,
    )
  }
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Sample)
}
