/**
 * Characters and sequences that split a secret or a marker without showing, and what tests compare
 * outputs with: the text a reader sees once all of them are gone.
 */
import { INVISIBLE_CANDIDATE_PATTERN } from '../src/sanitize/invisible-text.js'
import { sanitizeText } from '../src/sanitize/sanitize-text.js'

const invisible = new RegExp(`^(?:${INVISIBLE_CANDIDATE_PATTERN.source})$`)

/** Every BMP invisible or format character the engine knows, and supplementary ones of each kind. */
export const INVISIBLE_SPLITTERS: readonly string[] = [
  ...Array.from({ length: 0x10000 }, (_, c) => String.fromCharCode(c)).filter(
    (ch) => !(ch >= '\uD800' && ch <= '\uDFFF') && invisible.test(ch),
  ),
  // Tag characters (language tag, space, letters, digits, cancel tag), supplementary variation
  // selectors, musical format controls: the engine treats each range as one.
  ...[0xe0000, 0xe0001, 0xe0020, 0xe0030, 0xe0041, 0xe0061, 0xe007e, 0xe007f].map((cp) => String.fromCodePoint(cp)),
  ...[0xe0100, 0xe0150, 0xe01ef, 0x1d173, 0x1d177, 0x1d17a].map((cp) => String.fromCodePoint(cp)),
]

/** Every C0 control but tab, LF and CR; DEL; every C1 control. */
export const CONTROL_SPLITTERS: readonly string[] = [
  ...Array.from({ length: 0x20 }, (_, c) => String.fromCharCode(c)).filter((ch) => !'\t\n\r'.includes(ch)),
  ...Array.from({ length: 0x21 }, (_, i) => String.fromCharCode(0x7f + i)),
]

/** Escape sequences of each kind (CSI, SGR, OSC with BEL and ST, DCS, APC, C1 CSI, nF). */
export const ESCAPE_SPLITTERS: readonly string[] = [
  '\u001b[0m',
  '\u001b[38;5;196m',
  '\u001b[2J',
  '\u001b]8;;https://x.example/\u0007',
  '\u001b]0;title\u001b\\',
  '\u001bPq#0\u001b\\',
  '\u001b_apc\u001b\\',
  '\u009b1m',
  '\u001b(B',
]

export const SPLITTERS: readonly string[] = [...INVISIBLE_SPLITTERS, ...CONTROL_SPLITTERS, ...ESCAPE_SPLITTERS]

// biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g
const INVISIBLE = new RegExp(INVISIBLE_CANDIDATE_PATTERN.source, 'g')

/**
 * What a reader sees of `text`: the escape sequences above removed whole, then every invisible
 * character and every remaining control character removed one by one.
 */
export function readerView(text: string): string {
  let out = text
  for (const sequence of ESCAPE_SPLITTERS) out = out.split(sequence).join('')
  return out.replace(INVISIBLE, '').replace(CONTROL, '')
}

/** `text` after the engine's normalization (every invisible character and escape sequence stripped, whatever its score). */
export function normalizedView(text: string): string {
  const stripped = sanitizeText(text, {
    categories: {
      invisible: true,
      'terminal-escape': true,
      confusable: false,
      'prompt-injection': false,
      secret: false,
      pii: false,
    },
    modes: { invisible: 'strip', 'terminal-escape': 'strip' },
    thresholds: { invisible: 0, 'terminal-escape': 0 },
  }).text
  // Legitimate joiners and selectors stay after stripping; a reader does not see them either.
  return stripped.replace(INVISIBLE, '')
}

/** `text` as a reader that does not render control or invisible characters sees it (sequence parameters stay). */
export function controlFreeView(text: string): string {
  return text.replace(INVISIBLE, '').replace(CONTROL, '')
}

/** Whether any reading of `text` (normalized, control-free, or with the known sequences removed) contains `needle`, ignoring case. */
export function seenIn(
  text: string,
  needle: string,
  readings = [normalizedView, controlFreeView, readerView],
): boolean {
  const lower = needle.toLowerCase()
  return readings.some((read) => read(text).toLowerCase().includes(lower))
}

/** Secrets of several rules, and personal data, each found by the engine when whole. */
export const SECRETS: readonly (readonly [detector: string, value: string])[] = [
  ['github-token', `ghp_${'a1B2c3D4e5'.repeat(4).slice(0, 36)}`],
  ['aws-access-key', 'AKIAIOSFODNN7SECRETS'],
  ['gitlab-token', 'glpat-abcdefghij0123456789'],
  ['slack-token', 'xoxb-23984754863-2348975623000-AAAAANzjawSSE9krECohd'],
  ['google-api-key', 'AIzaSyA1234567890abcdefghijklmnopqrstuv'],
  ['jwt', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U'],
  ['email', 'ann.lee@example.org'],
]

/** Injection markers, each found by the engine when whole. */
export const MARKERS: readonly string[] = [
  '<|im_start|>',
  '</tool_result>',
  'IGNORE ALL PREVIOUS INSTRUCTIONS',
  '[INST]',
  '<IMPORTANT>',
]

/** `value` with `splitter` inserted at `at`. */
export const splitAt = (value: string, at: number, splitter: string): string =>
  value.slice(0, at) + splitter + value.slice(at)
