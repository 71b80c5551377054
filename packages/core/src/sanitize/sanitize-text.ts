import { placeholder } from './internal/apply.js'
import { checkRecord, resolveScan } from './internal/options.js'
import { sanitizeResolved } from './internal/passes.js'
import { capFindings } from './scan-text.js'
import type { ContentCategory, ContentMode, SanitizeOptions, SanitizeResult } from './types.js'

const DEFAULT_MODES: Readonly<Record<ContentCategory, ContentMode>> = {
  invisible: 'strip',
  confusable: 'report',
  'terminal-escape': 'strip',
  'prompt-injection': 'report',
  secret: 'report',
  pii: 'report',
}
const MODES: readonly string[] = ['report', 'strip', 'refuse']

/** @internal What a stripped finding is replaced with. */
export const replacementFor = (category: ContentCategory, detector: string): string => {
  switch (category) {
    case 'secret':
    case 'pii':
      return placeholder(detector)
    case 'prompt-injection':
      return `[REMOVED:${detector}]`
    default:
      return ''
  }
}

/**
 * Scans `text` and applies a mode per category: `report` (leave it), `strip` (remove invisible
 * characters and escape sequences; replace secrets and PII with `[REDACTED:<detector>]` and
 * injection spans with `[REMOVED:<detector>]`), or `refuse` (list the findings in `refused`; the
 * caller rejects the text). The result's findings keep spans into the original text.
 *
 * Defaults: strip `invisible` and `terminal-escape`, report the rest. Stripping never removes
 * legitimate emoji tag sequences, ZWJ emoji, or the ZWNJ Persian needs (they are not findings).
 *
 * Detection sees what the client will see: secrets, PII, injection markers and extra detectors
 * search the text without any invisible character or escape sequence (whatever their mode), so a
 * secret split by a zero-width space or an escape is found whole and its span, in the original,
 * covers the splitters. Scanning and rewriting repeat until a pass changes nothing (at most 8
 * passes), so the output is a fixed point: sanitizing it again with the same options returns it
 * unchanged.
 *
 * @throws TypeError when `text` is not a string or options are malformed (unknown category or mode).
 * @see https://trojansource.codes/ and https://embracethered.com/blog/posts/2024/hiding-and-finding-text-with-unicode-tags/
 * @example
 * ```ts
 * import { sanitizeText } from '@mcp-warden/core'
 * const { text, changed } = sanitizeText('\u001b]0;pwned\u0007hello\u200B', { modes: { secret: 'strip' } })
 * // text === 'hello', changed === true
 * ```
 */
export function sanitizeText(text: string, options?: SanitizeOptions): SanitizeResult {
  if (typeof text !== 'string') throw new TypeError('sanitizeText: text must be a string')
  return run(text, prepare('sanitizeText', options))
}

/**
 * `sanitizeText` with its options validated once: the returned function sanitizes a string exactly
 * as `sanitizeText(text, options)` does, without checking the options again on every call. The
 * options are copied: changing the object afterwards does not change the sanitizer.
 *
 * @throws TypeError at creation when the options are malformed (as `sanitizeText`); the returned
 * function throws TypeError when `text` is not a string.
 * @example
 * ```ts
 * import { createSanitizer } from '@mcp-warden/core'
 * const clean = createSanitizer({ modes: { secret: 'strip' } })
 * clean('token ghp_...').text
 * ```
 */
export function createSanitizer(options?: SanitizeOptions): (text: string) => SanitizeResult {
  const prepared = prepare('createSanitizer', options)
  return function sanitize(text: string): SanitizeResult {
    if (typeof text !== 'string') throw new TypeError('createSanitizer: text must be a string')
    return run(text, prepared)
  }
}

interface Prepared {
  readonly resolved: ReturnType<typeof resolveScan>
  readonly modes: Readonly<Record<ContentCategory, ContentMode>>
}

function prepare(where: string, options: SanitizeOptions | undefined): Prepared {
  const resolved = resolveScan(where, options, ['modes'])
  const modes = (options?.modes ?? {}) as Partial<Record<ContentCategory, ContentMode>>
  checkRecord(where, 'modes', modes, (v) => typeof v === 'string' && MODES.includes(v))
  return { resolved, modes: { ...DEFAULT_MODES, ...modes } }
}

function run(text: string, { resolved, modes }: Prepared): SanitizeResult {
  const { text: out, list, modeAt } = sanitizeResolved(text, resolved, modes, replacementFor)
  const reported = capFindings(list, resolved.maxFindings)
  return {
    text: out,
    findings: reported.findings,
    omitted: reported.omitted,
    changed: out !== text,
    refused: list.kinds.some((kind) => modes[kind.category] === 'refuse')
      ? list.toFindings(resolved.maxFindings, (i) => modeAt(i) === 'refuse')
      : [],
  }
}
