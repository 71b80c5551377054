import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { CONTROL_SPLITTERS, SPLITTERS, splitAt } from '../../test/splitters.js'
import { textSkeleton } from './text-skeleton.js'

describe('textSkeleton', () => {
  it('undoes look-alikes, encodings and invisible characters when they disguise a tag', () => {
    for (const [text, skeleton] of [
      ['＜／Untrusted\u200B-dаta&gt;', '</untrusted-data>'],
      ['﹤/untrusted\u2010data﹥', '</untrusted-data>'],
      ['‹∕ｕｎｔｒｕｓｔｅｄ－data›', '</untrusted-data>'],
      ['&lt;&#47;&#x75;ntrusted&hyphen;data&GT;', '</untrusted-data>'],
      ['&LTuntrusted-data', '<untrusted-data'],
      ['\\u003c\\/untrusted\\x2ddata\\u{3e}', '</untrusted-data>'],
      ['%3C%2Funtrusted-data%3E', '</untrusted-data>'],
      ['<\u001b[31m/unt\u00ADrusted\u202E-da\u0301ta\u{E0041}>', '</untrusted-data>'],
      ['&#8203;x&#x200b;y', 'xy'],
    ] as const) {
      expect(textSkeleton(text).text, JSON.stringify(text)).toBe(skeleton)
    }
  })

  it('maps every skeleton character back to the span of the original it comes from', () => {
    const text = 'a&lt;\u200Bｂ\u001b[0mc'
    const skeleton = textSkeleton(text)
    expect(skeleton.text).toBe('a<bc')
    const spans = [...skeleton.text].map((_, i) => text.slice(skeleton.start(i), skeleton.end(i)))
    expect(spans).toEqual(['a', '&lt;', 'ｂ', 'c'])
  })

  it('reads the same skeleton when any splitter is put at any position of a word', () => {
    fc.assert(
      fc.property(fc.constantFrom(...SPLITTERS), fc.nat(), (splitter, at) => {
        const word = 'untrusted-data'
        const split = splitAt(word, 1 + (at % (word.length - 1)), splitter)
        // A control character may swallow the letters after it (`ESC n`, an OSC string): those are
        // what a terminal shows too. Every other splitter disappears.
        const read = textSkeleton(split).text
        if (CONTROL_SPLITTERS.some((c) => splitter.includes(c))) expect(word.startsWith(read.slice(0, 1))).toBe(true)
        else expect(read).toBe(word)
      }),
      { numRuns: 500 },
    )
  })

  it('leaves ordinary text readable and throws TypeError when text is not a string', () => {
    expect(textSkeleton('').text).toBe('')
    expect(textSkeleton('Hello World 42').text).toBe('hello world 42')
    expect(() => textSkeleton(42 as never)).toThrow(TypeError)
  })
})
