/**
 * Public types of the sanitizer engine: what a detector reports and how the engine is configured.
 * The engine is pure (no I/O, no state), synchronous and linear in the length of its input.
 */

/**
 * What a finding is about. Categories double as the unit of configuration: each has a switch, a
 * score threshold and (in `sanitizeText`) a mode.
 *
 * - `invisible`: Unicode tag characters outside emoji tag sequences ("ASCII smuggling"), zero-width
 *   characters, bidi controls (Trojan Source), other default-ignorable code points, runs of variation
 *   selectors.
 * - `confusable`: words that mix Latin with Cyrillic or Greek letters (homoglyph identifiers).
 * - `terminal-escape`: ANSI/ECMA-48 escape sequences (CSI, OSC including hyperlinks and titles, DCS,
 *   SOS/PM/APC, single-character escapes), C1 controls, and C0 controls other than tab, LF and CR.
 * - `prompt-injection`: instruction-override phrases, fake role or tool delimiters, hidden-instruction
 *   tags, exfiltration cues and encoded payloads that decode to such text.
 * - `secret`: credentials (cloud keys, VCS and chat tokens, private keys, JWTs, connection strings,
 *   high-entropy assignments).
 * - `pii`: e-mail addresses, phone numbers, payment card numbers (Luhn-checked), national ids with a
 *   checksum (US SSN ranges, IBAN mod-97).
 */
export type ContentCategory = 'invisible' | 'confusable' | 'terminal-escape' | 'prompt-injection' | 'secret' | 'pii'

/** Every category, in a stable order. */
export const CONTENT_CATEGORIES: readonly ContentCategory[] = Object.freeze([
  'invisible',
  'confusable',
  'terminal-escape',
  'prompt-injection',
  'secret',
  'pii',
])

/** One thing a detector found in a text. */
export interface Finding {
  readonly category: ContentCategory
  /** Which rule fired, kebab-case: `unicode-tags`, `bidi-control`, `aws-access-key`, `override-phrase`, ... */
  readonly detector: string
  /** Start of the span, a UTF-16 offset into the scanned text (inclusive). */
  readonly start: number
  /** End of the span, a UTF-16 offset (exclusive). */
  readonly end: number
  /** Confidence from 0 (noise) to 1 (certain). Findings under the category's threshold are dropped. */
  readonly score: number
  /** A short, client-safe description. Never contains the matched text of a secret. */
  readonly message: string
}

/**
 * A pluggable detector, for example one backed by a classification model. It must be synchronous
 * and pure here; the policy middlewares also accept asynchronous detectors.
 *
 * @example
 * ```ts
 * const noCanary: Detector = {
 *   name: 'canary',
 *   detect: (text) => {
 *     const at = text.indexOf('CANARY-7f3a')
 *     return at < 0 ? [] : [{ category: 'prompt-injection', detector: 'canary', start: at, end: at + 11, score: 1, message: 'Canary token' }]
 *   },
 * }
 * scanText(text, { detectors: [noCanary] })
 * ```
 */
export interface Detector {
  /** Name shown in reports. */
  readonly name: string
  /**
   * Returns findings with spans into `text`. Spans out of range are clamped; scores are clamped to
   * 0..1. The engine passes the detection view (the text without invisible characters and escape
   * sequences, what the client reads) and maps the spans back to the original text.
   */
  detect(text: string): readonly Finding[]
}

/** Options of `scanText` (and the scanning part of `sanitizeText` and `redact`). */
export interface ScanOptions {
  /**
   * Which built-in categories run. Default: all on except `confusable` (mixed-script words are also
   * legitimate in multilingual text; turn it on for identifiers and tool definitions).
   */
  readonly categories?: Readonly<Partial<Record<ContentCategory, boolean>>>
  /**
   * Minimum score (0..1) a finding needs to be reported, per category. Default: 0.5 for every
   * category. Prompt-injection rules score 0.4 (weak cue) to 1 (unambiguous marker).
   */
  readonly thresholds?: Readonly<Partial<Record<ContentCategory, number>>>
  /**
   * Extra detectors run after the built-in ones, on the detection view (see `Detector.detect`).
   * Their findings obey the same thresholds. Default none.
   */
  readonly detectors?: readonly Detector[]
  /**
   * Most findings returned (the first ones by position); the rest are counted in `omitted`. Hostile
   * input can hold a finding every other character, so reports stay bounded. `sanitizeText` still
   * strips and refuses on every finding. A positive integer; default 1000.
   */
  readonly maxFindings?: number
}

/** What `scanText` returns. */
export interface ScanResult {
  /** Findings at or above threshold, ordered by start, at most `maxFindings` of them. */
  readonly findings: readonly Finding[]
  /** How many further findings were left out of `findings` (0 unless `maxFindings` was reached). */
  readonly omitted: number
}

/**
 * What `sanitizeText` does with the findings of a category:
 * - `report`: leave the text as it is, return the findings;
 * - `strip`: remove the span (for `secret` and `pii`, replace it with a `[REDACTED:<detector>]`
 *   placeholder; for `prompt-injection`, with `[REMOVED:<detector>]`);
 * - `refuse`: mark the result as refused (the caller denies the whole text).
 */
export type ContentMode = 'report' | 'strip' | 'refuse'

/** Options of `sanitizeText`. */
export interface SanitizeOptions extends ScanOptions {
  /**
   * Mode per category. Default: `strip` for `invisible` and `terminal-escape`, `report` for the rest.
   */
  readonly modes?: Readonly<Partial<Record<ContentCategory, ContentMode>>>
}

/** What `sanitizeText` returns. */
export interface SanitizeResult {
  /** The text after stripping; identical to the input when nothing was stripped. */
  readonly text: string
  /**
   * Findings at or above threshold, spans into the ORIGINAL text, ordered by start; at most
   * `maxFindings` of them (every finding was applied, reported or not). A secret, PII or marker
   * found across invisible characters or escapes has a span from its first to its last visible
   * character, those characters included. Findings of later passes (see `sanitizeText`) are
   * mapped back to the original text too.
   */
  readonly findings: readonly Finding[]
  /** How many further findings were left out of `findings` (and of `refused`). */
  readonly omitted: number
  /** Whether `text` differs from the input. */
  readonly changed: boolean
  /**
   * Findings of categories in `refuse` mode (at most `maxFindings`); the caller should reject the
   * text when non-empty.
   */
  readonly refused: readonly Finding[]
}

/** Options of `redact`. */
export interface RedactOptions {
  /** Which of `secret` and `pii` to redact. Default both. */
  readonly categories?: Readonly<Partial<Record<'secret' | 'pii', boolean>>>
  /** Minimum score, per category, as in `ScanOptions`. Default 0.5. */
  readonly thresholds?: Readonly<Partial<Record<'secret' | 'pii', number>>>
  /** Most findings returned, as in `ScanOptions` (every one is still redacted). Default 1000. */
  readonly maxFindings?: number
}

/** What `redact` returns. */
export interface RedactResult {
  /** The text with every secret and PII span replaced by `[REDACTED:<detector>]`. */
  readonly text: string
  /** The redacted findings, spans into the ORIGINAL text, at most `maxFindings` of them. */
  readonly findings: readonly Finding[]
  /** How many further (redacted) findings were left out of `findings`. */
  readonly omitted: number
}
