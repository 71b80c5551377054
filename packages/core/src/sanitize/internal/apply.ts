import type { Finding } from '../types.js'

/**
 * Rewrites `text`, replacing each finding's span with `replacement(finding)`. Overlapping spans are
 * merged: the earliest finding's replacement stands for the union. Findings must be sorted by start.
 */
export function applySpans(text: string, findings: readonly Finding[], replacement: (f: Finding) => string): string {
  if (findings.length === 0) return text
  const parts: string[] = []
  let cursor = 0
  let i = 0
  while (i < findings.length) {
    const first = findings[i] as Finding
    let end = first.end
    let j = i + 1
    while (j < findings.length && (findings[j] as Finding).start < end) {
      end = Math.max(end, (findings[j] as Finding).end)
      j++
    }
    const start = Math.max(cursor, first.start)
    parts.push(text.slice(cursor, start), replacement(first))
    cursor = Math.max(cursor, end)
    i = j
  }
  parts.push(text.slice(cursor))
  return parts.join('')
}

/** The placeholder put in place of a redacted secret or PII span. */
export const placeholder = (f: Finding): string => `[REDACTED:${f.detector}]`
