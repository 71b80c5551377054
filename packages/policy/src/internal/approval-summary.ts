import { canonicalJson } from '@mcp-warden/core'

/** Characters that could reorder, hide or fake text in a confirmation dialog: controls, bidi, zero-width. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the purpose
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g
const VALUE_CHARS = 120
const MAX_KEYS = 20
const MAX_TOTAL = 2000

/** Replaces invisible and direction-changing characters so the user sees what will run. */
export function visible(text: string): string {
  return text.replace(UNSAFE, '\ufffd')
}

function preview(value: unknown): string {
  if (typeof value === 'string') {
    const cut = value.length > VALUE_CHARS
    return JSON.stringify(cut ? value.slice(0, VALUE_CHARS) : value) + (cut ? '…' : '')
  }
  let text: string
  try {
    text = canonicalJson(value)
  } catch {
    text = '(not representable)'
  }
  return text.length > VALUE_CHARS ? `${text.slice(0, VALUE_CHARS)}…` : text
}

/**
 * A readable, bounded summary of the arguments for a human: one `key: value` line per top-level
 * argument in key order, values truncated, at most 20 lines and 2000 characters, with invisible
 * and bidi characters made visible.
 */
export function summarizeArguments(args: Readonly<Record<string, unknown>>): string {
  const keys = Object.keys(args)
    .filter((key) => args[key] !== undefined)
    .sort()
  if (keys.length === 0) return '(no arguments)'
  const lines: string[] = []
  let total = 0
  for (const key of keys.slice(0, MAX_KEYS)) {
    const line = visible(`${key.length > 60 ? `${key.slice(0, 60)}…` : key}: ${preview(args[key])}`)
    if (total + line.length > MAX_TOTAL) break
    lines.push(line)
    total += line.length + 1
  }
  if (lines.length < keys.length) lines.push(`… and ${keys.length - lines.length} more`)
  return lines.join('\n')
}
