import { createHash } from 'node:crypto'
import { canonicalJson } from '@mcp-warden/core'

/**
 * `sha256:<hex>` of the canonical JSON of `value`, or `undefined` when JSON cannot represent it
 * (cycles, nesting deeper than 64, non-finite numbers).
 */
export function argumentsDigest(value: unknown): string | undefined {
  let text: string
  try {
    text = canonicalJson(value)
  } catch {
    return undefined
  }
  return `sha256:${createHash('sha256').update(text, 'utf8').digest('hex')}`
}
