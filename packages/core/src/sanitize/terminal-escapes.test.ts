import { describe, expect, it } from 'vitest'
import { corpus } from '../../test/corpora.js'
import { detectTerminalEscapes } from './terminal-escapes.js'

const ESC = '\u001b'

describe('detectTerminalEscapes', () => {
  it('reports SGR colour sequences with their exact spans', () => {
    const findings = detectTerminalEscapes(`${ESC}[31mred${ESC}[0m`)
    expect(findings.map((f) => [f.detector, f.start, f.end])).toEqual([
      ['ansi-sgr', 0, 5],
      ['ansi-sgr', 8, 12],
    ])
  })

  it('reports OSC 8 hyperlinks, window titles and clipboard writes', () => {
    expect(detectTerminalEscapes(`${ESC}]8;;https://evil.example${ESC}\\click${ESC}]8;;${ESC}\\`)[0]).toMatchObject({
      detector: 'ansi-osc-hyperlink',
      start: 0,
      end: 27,
    })
    expect(detectTerminalEscapes(`${ESC}]0;owned\u0007`)[0]).toMatchObject({ detector: 'ansi-osc-title', end: 10 })
    expect(detectTerminalEscapes(`${ESC}]52;c;ZWNobyBoaQ==\u0007`)[0]?.detector).toBe('ansi-osc-clipboard')
  })

  it('reports cursor movement, erase, DCS, single-character escapes and C1 controls', () => {
    expect(detectTerminalEscapes(`ok${ESC}[1A${ESC}[2K`).map((f) => f.detector)).toEqual(['ansi-csi'])
    expect(detectTerminalEscapes(`${ESC}P1$r0m${ESC}\\`)[0]?.detector).toBe('ansi-dcs')
    expect(detectTerminalEscapes(`${ESC}7 ${ESC}(0 ${ESC}c`).map((f) => f.detector)).toEqual([
      'ansi-escape',
      'ansi-escape',
      'ansi-escape',
    ])
    expect(detectTerminalEscapes('\u009b31m')[0]).toMatchObject({ detector: 'ansi-sgr', end: 4 })
    expect(detectTerminalEscapes('a\u0085b')[0]?.detector).toBe('c1-control')
  })

  it('reports backspace and other C0 controls but not tab, LF or CR', () => {
    expect(detectTerminalEscapes('safe\b\b\b\bevil')[0]).toMatchObject({ detector: 'c0-control', start: 4, end: 8 })
    expect(detectTerminalEscapes('a\tb\nc\r\nd')).toEqual([])
  })

  it('does not report escape sequences written as text in code', () => {
    expect(detectTerminalEscapes('const red = "\\x1b[31m"; console.log("\\u001b[0m", \'\\033[1m\')')).toEqual([])
  })

  it('stops an unterminated OSC at a bounded length instead of hanging', () => {
    const text = `${ESC}]0;${'x'.repeat(10_000)}`
    const findings = detectTerminalEscapes(text)
    expect(findings[0]?.end).toBeLessThanOrEqual(4_096 + 2)
  })

  it('detects every sample of the ansi-regex and authored escape corpora', () => {
    for (const s of [...corpus('ansi-regex/ansi-codes.jsonl'), ...corpus('authored/ansi-extra.jsonl')]) {
      expect.soft(detectTerminalEscapes(s.text).length > 0, s.id).toBe(true)
    }
  })
})
