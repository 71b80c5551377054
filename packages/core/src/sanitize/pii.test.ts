import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { CARD_PATTERN, detectPii, luhnValid } from './pii.js'

const detectors = (text: string) => detectPii(text).map((f) => f.detector)

describe('luhnValid', () => {
  it('accepts valid card numbers and rejects altered ones', () => {
    expect(luhnValid('4111111111111111')).toBe(true)
    expect(luhnValid('4111111111111112')).toBe(false)
    expect(luhnValid('41111x1111111111')).toBe(false)
  })
})

describe('detectPii', () => {
  it('reports e-mail addresses with exact spans', () => {
    expect(detectPii('write to ann.lee+tag@mail.example.org.')).toEqual([
      expect.objectContaining({ category: 'pii', detector: 'email', start: 9, end: 37 }),
    ])
  })

  it('does not report @-mentions, package scopes or decorators', () => {
    expect(detectPii('@alice see @mcp-warden/core and @Component() and a@b')).toEqual([])
  })

  it('reports phone numbers with a country code or in NANP form', () => {
    expect(detectors('call +44 20 7946 0958 or (555) 123-4567 or 555-123-4567')).toEqual(['phone', 'phone', 'phone'])
  })

  it('reports card numbers that pass Luhn and have an issuer prefix', () => {
    expect(detectors('card 4111 1111 1111 1111, amex 3782 822463 10005')).toEqual(['payment-card', 'payment-card'])
    expect(detectors('order 4111 1111 1111 1112 and id 1234567890123456')).toEqual([])
  })

  it('reports US SSNs outside never-issued ranges and valid IBANs', () => {
    expect(detectors('ssn 123-45-6789')).toEqual(['us-ssn'])
    expect(detectors('ssn 000-45-6789 666-12-3456 900-12-3456')).toEqual([])
    expect(detectors('IBAN GB82WEST12345698765432')).toEqual(['iban'])
    expect(detectors('IBAN GB82WEST12345698765433')).toEqual([])
  })

  it('does not report table numbers, dates, versions or prices', () => {
    expect(detectPii('| 2019-03-04 | 1,234,567 | v1.2.3 | $12.50 | 1998 | 10:30 |')).toEqual([])
  })

  it('handles empty and unicode input', () => {
    expect(detectPii('')).toEqual([])
    expect(detectPii('电话 📞 טלפון')).toEqual([])
  })
})

describe('CARD_PATTERN', () => {
  // The plain form: lookbehind first. The exported pattern moves it after the first digit.
  const reference =
    /(?<![\d-])\d{4}[ -]?\d{4}[ -]?\d{4}[ -]?\d{1,7}(?![\d])|(?<![\d-])3[47]\d{2}[ -]?\d{6}[ -]?\d{5}(?![\d])/g
  const spans = (re: RegExp, text: string) => [...text.matchAll(new RegExp(re.source, 'g'))].map((m) => [m.index, m[0]])

  it('matches exactly where the lookbehind-first form matches', () => {
    for (const text of ['4111 1111 1111 1111', '-4111111111111111', '3782 822463 10005', 'x378282246310005', '']) {
      expect(spans(CARD_PATTERN, text)).toEqual(spans(reference, text))
    }
    fc.assert(
      fc.property(fc.array(fc.constantFrom('3', '4', '7', '1', ' ', '-', 'a'), { maxLength: 60 }), (chars) => {
        const text = chars.join('')
        expect(spans(CARD_PATTERN, text)).toEqual(spans(reference, text))
      }),
      { numRuns: 2000 },
    )
  })
})
