import { applyFindings, placeholder } from './internal/apply.js'
import { checkRecord, isBoolean, isThreshold, resolveMaxFindings } from './internal/options.js'
import { detectPii } from './pii.js'
import { detectSecrets } from './secrets.js'
import type { Finding, RedactOptions, RedactResult } from './types.js'

const KEYS = ['secret', 'pii'] as const

/**
 * Replaces secrets and personal data in `text` with stable placeholders naming the rule
 * (`[REDACTED:aws-access-key]`, `[REDACTED:email]`), for logs, audit events and span attributes.
 * The same input always gives the same output; the placeholder never carries any part of the value.
 *
 * @throws TypeError when `text` is not a string or options are malformed.
 * @example
 * ```ts
 * import { redact } from '@mcp-warden/core'
 * redact('AWS key AKIAIOSFODNN7EXAMPLF for ann@example.org').text
 * // 'AWS key [REDACTED:aws-access-key] for [REDACTED:email]'
 * ```
 */
export function redact(text: string, options: RedactOptions = {}): RedactResult {
  if (typeof text !== 'string') throw new TypeError('redact: text must be a string')
  if (typeof options !== 'object' || options === null) throw new TypeError('redact: options must be an object')
  for (const key of Object.keys(options)) {
    if (key !== 'categories' && key !== 'thresholds' && key !== 'maxFindings')
      throw new TypeError(`redact: unknown option "${key}"`)
  }
  checkRecord('redact', 'categories', options.categories, isBoolean, KEYS)
  checkRecord('redact', 'thresholds', options.thresholds, isThreshold, KEYS)
  const maxFindings = resolveMaxFindings('redact', options.maxFindings)
  const findings: Finding[] = []
  if (options.categories?.secret !== false) {
    const min = options.thresholds?.secret ?? 0.5
    for (const f of detectSecrets(text)) if (f.score >= min) findings.push(f)
  }
  if (options.categories?.pii !== false) {
    const min = options.thresholds?.pii ?? 0.5
    for (const f of detectPii(text)) if (f.score >= min) findings.push(f)
  }
  findings.sort((a, b) => a.start - b.start || a.end - b.end)
  return {
    text: applyFindings(text, findings, (f) => placeholder(f.detector)),
    findings: findings.length <= maxFindings ? findings : findings.slice(0, maxFindings),
    omitted: Math.max(0, findings.length - maxFindings),
  }
}
