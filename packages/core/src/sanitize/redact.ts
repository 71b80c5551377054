import { checkRecord, isBoolean, isThreshold, resolveMaxFindings } from './internal/options.js'
import { sanitizeResolved } from './internal/passes.js'
import { replacementFor } from './sanitize-text.js'
import { capFindings } from './scan-text.js'
import type { ContentCategory, ContentMode, RedactOptions, RedactResult } from './types.js'

const KEYS = ['secret', 'pii'] as const

/**
 * Replaces secrets and personal data in `text` with stable placeholders naming the rule
 * (`[REDACTED:aws-access-key]`, `[REDACTED:email]`), for logs, audit events and span attributes.
 * The same input always gives the same output; the placeholder never carries any part of the value.
 *
 * Secrets and PII are searched in the text without invisible characters and escape sequences (in
 * each way a reader may take an escape left in place), so a secret split by a zero-width space or an
 * escape is redacted whole, splitters included; the rest of the text is kept as it is. Redaction
 * repeats until nothing changes, so redacting the output again returns it unchanged.
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
  const categories = { ...options.categories }
  const thresholds = { ...options.thresholds }
  const resolved = {
    enabled: (c: ContentCategory) => (c === 'secret' || c === 'pii') && categories[c] !== false,
    threshold: (c: ContentCategory) => (c === 'secret' || c === 'pii' ? (thresholds[c] ?? 0.5) : 1),
    detectors: [],
    maxFindings,
  }
  const { text: out, list } = sanitizeResolved(text, resolved, MODES, replacementFor)
  return { text: out, ...capFindings(list, maxFindings) }
}

/** Secrets and PII are replaced; nothing else is searched. */
const MODES: Readonly<Record<ContentCategory, ContentMode>> = {
  invisible: 'report',
  confusable: 'report',
  'terminal-escape': 'report',
  'prompt-injection': 'report',
  secret: 'strip',
  pii: 'strip',
}
