import { nextControl } from './internal/candidates.js'
import { SpanList } from './internal/spans.js'
import type { Finding } from './types.js'

export { TERMINAL_CANDIDATE_PATTERN } from './internal/candidates.js'

/** Longest sequence parsed as one finding; anything longer is reported up to here and scanning resumes. */
const MAX_SEQUENCE = 4096

const ESC = 0x1b
const BEL = 0x07
const ST_C1 = 0x9c

/** Index just past a string terminator (BEL, ESC \, or C1 ST) at or after `from`, or the bounded end. */
function stringEnd(text: string, from: number): number {
  const stop = Math.min(text.length, from + MAX_SEQUENCE)
  for (let i = from; i < stop; i++) {
    const c = text.charCodeAt(i)
    if (c === BEL || c === ST_C1) return i + 1
    if (c === ESC) return text.charCodeAt(i + 1) === 0x5c ? i + 2 : i
  }
  return stop
}

/** Index just past a CSI sequence whose parameters start at `from`. */
function csiEnd(text: string, from: number): number {
  const stop = Math.min(text.length, from + MAX_SEQUENCE)
  let i = from
  while (i < stop) {
    const c = text.charCodeAt(i)
    if (c >= 0x30 && c <= 0x3f) i++
    else break
  }
  while (i < stop) {
    const c = text.charCodeAt(i)
    if (c >= 0x20 && c <= 0x2f) i++
    else break
  }
  const final = text.charCodeAt(i)
  return final >= 0x40 && final <= 0x7e ? i + 1 : i
}

interface Parsed {
  readonly end: number
  readonly detector: string
  readonly score: number
  readonly message: string
}

/** Parses the control sequence introduced at `at` (by ESC, a C1 control or another C0 control). */
function parseAt(text: string, at: number): Parsed {
  const c = text.charCodeAt(at)
  if (c === ESC) {
    const n = text.charCodeAt(at + 1)
    if (Number.isNaN(n)) return { end: at + 1, detector: 'escape', score: 0.8, message: 'Lone ESC character' }
    if (n === 0x5b) return csi(text, at + 2)
    if (n === 0x5d) return osc(text, at + 2)
    if (n === 0x50 || n === 0x58 || n === 0x5e || n === 0x5f) {
      return { end: stringEnd(text, at + 2), detector: 'ansi-dcs', score: 1, message: 'Terminal device control string' }
    }
    // nF / Fp / Fe / Fs escapes: intermediates 0x20-0x2F, then one final 0x30-0x7E.
    let i = at + 1
    while (i < text.length && i < at + 16 && text.charCodeAt(i) >= 0x20 && text.charCodeAt(i) <= 0x2f) i++
    const final = text.charCodeAt(i)
    const end = final >= 0x30 && final <= 0x7e ? i + 1 : i
    return { end, detector: 'ansi-escape', score: 0.9, message: 'Terminal escape sequence' }
  }
  if (c === 0x9b) return csi(text, at + 1)
  if (c === 0x9d) return osc(text, at + 1)
  if (c === 0x90 || c === 0x98 || c === 0x9e || c === 0x9f) {
    return { end: stringEnd(text, at + 1), detector: 'ansi-dcs', score: 1, message: 'Terminal device control string' }
  }
  if (c >= 0x80 && c <= 0x9f)
    return { end: at + 1, detector: 'c1-control', score: 0.9, message: 'C1 control character' }
  if (c === 0x08) return { end: at + 1, detector: 'c0-control', score: 0.7, message: 'Backspace (can hide text)' }
  return { end: at + 1, detector: 'c0-control', score: 0.6, message: 'Control character' }
}

function csi(text: string, from: number): Parsed {
  const end = csiEnd(text, from)
  const final = text.charAt(end - 1)
  // SGR (colours, styles) is the commonest; it can still conceal text (SGR 8, black on black).
  if (final === 'm')
    return { end, detector: 'ansi-sgr', score: 0.8, message: 'Terminal colour or style sequence (SGR)' }
  return { end, detector: 'ansi-csi', score: 1, message: 'Terminal control sequence (cursor, erase, mode)' }
}

function osc(text: string, from: number): Parsed {
  const end = stringEnd(text, from)
  const body = text.slice(from, Math.min(end, from + 4))
  if (body.startsWith('8;'))
    return { end, detector: 'ansi-osc-hyperlink', score: 1, message: 'Terminal hyperlink (OSC 8)' }
  if (body.startsWith('52;'))
    return { end, detector: 'ansi-osc-clipboard', score: 1, message: 'Clipboard write (OSC 52)' }
  if (body.startsWith('0;') || body.startsWith('1;') || body.startsWith('2;')) {
    return { end, detector: 'ansi-osc-title', score: 1, message: 'Window title change (OSC 0/1/2)' }
  }
  return { end, detector: 'ansi-osc', score: 1, message: 'Terminal operating system command (OSC)' }
}

/**
 * Finds terminal escape sequences of every kind (ECMA-48): CSI (cursor movement, erase, SGR colours
 * including concealed text), OSC (hyperlinks, window titles, clipboard writes), DCS/SOS/PM/APC strings,
 * single-character and nF escapes (`ESC 7`, `ESC ( 0`, `ESC c`), their 8-bit C1 forms, and other C0
 * controls except tab, LF and CR. A literal `\x1b[31m` typed as text (backslash, x, 1, b) is not an
 * escape and is not reported.
 *
 * Linear time: sequences are parsed in code, each at most 4096 characters.
 *
 * @see https://ecma-international.org/publications-and-standards/standards/ecma-48/ (ECMA-48)
 * @example
 * ```ts
 * detectTerminalEscapes('\u001b[31mred\u001b[0m') // two `ansi-sgr` findings
 * ```
 */
export function detectTerminalEscapes(text: string): Finding[] {
  const list = new SpanList()
  terminalEscapeSpans(text, list)
  return list.toFindings()
}

/**
 * @internal End of the control sequence introduced at `at` (a control character): what stripping
 * removes, at least the character itself. With `completeOnly`, a sequence that is not properly
 * ended (a string without its terminator, a CSI without its final byte) or is only ESC and one
 * character counts as its introducer alone, the way a reader that removes only well-formed
 * sequences sees it.
 */
export function controlSequenceEnd(text: string, at: number, completeOnly = false): number {
  const end = Math.max(parseAt(text, at).end, at + 1)
  if (!completeOnly || end === at + 1) return end
  return isComplete(text, at, end) ? end : at + 1
}

const STRING_INTRODUCERS = [0x5d, 0x50, 0x58, 0x5e, 0x5f]
const C1_STRING_INTRODUCERS = [0x9d, 0x90, 0x98, 0x9e, 0x9f]

function isComplete(text: string, at: number, end: number): boolean {
  const c = text.charCodeAt(at)
  const last = text.charCodeAt(end - 1)
  const escaped = c === ESC
  const kind = escaped ? text.charCodeAt(at + 1) : c
  if (escaped ? STRING_INTRODUCERS.includes(kind) : C1_STRING_INTRODUCERS.includes(kind)) {
    return last === BEL || last === ST_C1 || (last === 0x5c && text.charCodeAt(end - 2) === ESC && end - 2 > at)
  }
  if ((escaped && kind === 0x5b) || c === 0x9b) {
    const params = escaped ? at + 2 : at + 1
    return end > params && last >= 0x40 && last <= 0x7e
  }
  // nF escapes (`ESC ( B`) have intermediates; a two-character escape (`ESC g`) reads as a stray ESC
  // before a letter to anyone but a terminal.
  return escaped && end - at > 2 && last >= 0x30 && last <= 0x7e
}

/** @internal `detectTerminalEscapes` writing into a span list (no object per finding). */
export function terminalEscapeSpans(text: string, out: SpanList): void {
  const floor = out.length
  let cursor = 0
  for (;;) {
    const at = nextControl(text, cursor)
    if (at < 0) break
    const parsed = parseAt(text, at)
    const end = Math.max(parsed.end, at + 1)
    cursor = end
    // Back-to-back sequences of one kind become one finding.
    out.pushOrExtend('terminal-escape', parsed.detector, at, end, parsed.score, parsed.message, floor)
  }
}
