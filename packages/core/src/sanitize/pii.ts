import type { Finding } from './types.js'

/** Phone numbers with an explicit country code: `+` then 8 to 15 digits in up to five groups. */
export const PHONE_INTERNATIONAL_PATTERN =
  /(?<![\w+])\+\d{1,3}[ .-]?(?:\(\d{1,4}\)|\d{1,4})[ .-]?\d{2,4}[ .-]?\d{2,4}[ .-]?\d{0,4}(?![\w])/g
/** North American numbers written `(555) 123-4567` or `555-123-4567`. */
export const PHONE_NANP_PATTERN = /(?<![\w(])(?:\(\d{3}\)\s?|\d{3}[.-])\d{3}[.-]\d{4}(?![\w-])/g
/**
 * Card number candidates: 13 to 19 digits, optionally grouped by single spaces or dashes, not
 * preceded by a digit or a dash. Each branch starts with its first digit and only then looks
 * behind it (`(?<![\d-]\d)`): the engine skips every non-digit without running the lookbehind.
 */
export const CARD_PATTERN =
  /\d(?<![\d-]\d)\d{3}[ -]?\d{4}[ -]?\d{4}[ -]?\d{1,7}(?![\d])|3(?<![\d-]3)[47]\d{2}[ -]?\d{6}[ -]?\d{5}(?![\d])/g
/** US Social Security numbers in the `AAA-GG-SSSS` form. */
export const SSN_PATTERN = /(?<![\d-])\d{3}-\d{2}-\d{4}(?![\d-])/g
/** IBAN candidates in compact form (checked with ISO 7064 mod 97-10). */
export const IBAN_PATTERN = /(?<![A-Za-z0-9])[A-Z]{2}\d{2}[A-Z0-9]{11,30}(?![A-Za-z0-9])/g

/** Luhn (mod 10) check, ISO/IEC 7812-1. */
export function luhnValid(digits: string): boolean {
  let sum = 0
  let double = false
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48
    if (d < 0 || d > 9) return false
    if (double) {
      d *= 2
      if (d > 9) d -= 9
    }
    sum += d
    double = !double
  }
  return sum % 10 === 0
}

const CARD_PREFIX = /^(?:4|5[1-5]|2[2-7]|3[47]|3[068]|6(?:011|5|4[4-9]|22)|35)/

function ibanValid(iban: string): boolean {
  const moved = iban.slice(4) + iban.slice(0, 4)
  let remainder = 0
  for (const ch of moved) {
    const code = ch.charCodeAt(0)
    const value = code >= 65 ? String(code - 55) : ch
    for (const digit of value) remainder = (remainder * 10 + (digit.charCodeAt(0) - 48)) % 97
  }
  return remainder === 1
}

const isAlnum = (c: number): boolean => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122)
/** `[A-Za-z0-9._%+-]` */
const isLocal = (c: number): boolean => isAlnum(c) || c === 46 || c === 95 || c === 37 || c === 43 || c === 45
/** `[A-Za-z0-9.-]` */
const isDomain = (c: number): boolean => isAlnum(c) || c === 46 || c === 45

/** Finds e-mail addresses by expanding around each `@` (bounded: 64 left, 253 right). */
function emails(text: string, out: Finding[]): void {
  let from = 0
  let lastEnd = 0
  for (;;) {
    const at = text.indexOf('@', from)
    if (at < 0) return
    from = at + 1
    let start = at
    while (start > Math.max(lastEnd, at - 64) && isLocal(text.charCodeAt(start - 1))) start--
    if (start === at) continue
    let end = at + 1
    const stop = Math.min(text.length, at + 254)
    while (end < stop && isDomain(text.charCodeAt(end))) end++
    while (end > at + 1 && (text.charAt(end - 1) === '.' || text.charAt(end - 1) === '-')) end--
    const domain = text.slice(at + 1, end)
    const dot = domain.lastIndexOf('.')
    if (dot <= 0 || !/^[A-Za-z]{2,24}$/.test(domain.slice(dot + 1))) continue
    while (start < at && text.charAt(start) === '.') start++
    out.push({ category: 'pii', detector: 'email', start, end, score: 0.9, message: 'E-mail address' })
    lastEnd = end
    from = end
  }
}

/** Private global copies of the exported patterns (whose `lastIndex` callers may move), made once. */
const PRIVATE = new Map<RegExp, RegExp>()

function each(pattern: RegExp, text: string, visit: (match: RegExpExecArray) => void): void {
  let re = PRIVATE.get(pattern)
  if (re === undefined) {
    re = new RegExp(pattern.source, 'g')
    PRIVATE.set(pattern, re)
  }
  re.lastIndex = 0
  try {
    for (;;) {
      const match = re.exec(text)
      if (match === null) return
      visit(match)
    }
  } finally {
    re.lastIndex = 0
  }
}

/**
 * Finds personal data: e-mail addresses; phone numbers in international (`+44 20 7946 0958`) or
 * North American (`(555) 123-4567`) form; payment card numbers (13–19 digits with a known issuer
 * prefix that pass the Luhn check); US Social Security numbers outside the never-issued ranges;
 * IBANs that pass the mod-97 check. Bare digit runs (order numbers, table cells) are not reported
 * unless a checksum confirms them.
 *
 * Linear time: `@`-anchored expansion with fixed bounds, and flat patterns with lookarounds.
 *
 * @see https://www.iso.org/standard/70484.html (ISO/IEC 7812, Luhn)
 * @see https://www.iso.org/standard/81090.html (ISO 13616, IBAN)
 * @example
 * ```ts
 * detectPii('card 4111 1111 1111 1111, mail ann@example.org')
 * ```
 */
export function detectPii(text: string): Finding[] {
  const out: Finding[] = []
  if (text.includes('@')) emails(text, out)
  if (text.includes('+')) {
    each(PHONE_INTERNATIONAL_PATTERN, text, (m) => {
      const digits = m[0].replace(/\D/g, '')
      if (digits.length >= 8 && digits.length <= 15) {
        out.push({
          category: 'pii',
          detector: 'phone',
          start: m.index,
          end: m.index + m[0].length,
          score: 0.7,
          message: 'Phone number',
        })
      }
    })
  }
  each(PHONE_NANP_PATTERN, text, (m) => {
    out.push({
      category: 'pii',
      detector: 'phone',
      start: m.index,
      end: m.index + m[0].length,
      score: 0.6,
      message: 'Phone number',
    })
  })
  each(CARD_PATTERN, text, (m) => {
    const digits = m[0].replace(/[ -]/g, '')
    if (digits.length >= 13 && digits.length <= 19 && CARD_PREFIX.test(digits) && luhnValid(digits)) {
      out.push({
        category: 'pii',
        detector: 'payment-card',
        start: m.index,
        end: m.index + m[0].length,
        score: 0.9,
        message: 'Payment card number',
      })
    }
  })
  each(SSN_PATTERN, text, (m) => {
    const [area, group, serial] = m[0].split('-') as [string, string, string]
    if (area === '000' || area === '666' || area >= '900' || group === '00' || serial === '0000') return
    out.push({
      category: 'pii',
      detector: 'us-ssn',
      start: m.index,
      end: m.index + m[0].length,
      score: 0.7,
      message: 'US Social Security number',
    })
  })
  each(IBAN_PATTERN, text, (m) => {
    if (ibanValid(m[0])) {
      out.push({
        category: 'pii',
        detector: 'iban',
        start: m.index,
        end: m.index + m[0].length,
        score: 0.9,
        message: 'IBAN',
      })
    }
  })
  out.sort((a, b) => a.start - b.start || b.end - a.end)
  const kept: Finding[] = []
  let lastEnd = -1
  for (const f of out) {
    if (f.start < lastEnd) continue
    kept.push(f)
    lastEnd = f.end
  }
  return kept
}
