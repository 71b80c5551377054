import { describe, expect, it } from 'vitest'
import { confusableSkeleton, detectConfusables } from './confusables.js'

describe('confusableSkeleton', () => {
  it('maps case, separator and homoglyph variants to one skeleton', () => {
    const base = confusableSkeleton('get_weather')
    for (const variant of ['Get-Weather', 'GET.WEATHER', 'gеt_weather', 'get_weather\u200B', 'ｇｅｔ_weather']) {
      expect(confusableSkeleton(variant), variant).toBe(base)
    }
  })

  it('keeps distinct names distinct', () => {
    expect(confusableSkeleton('get_weather')).not.toBe(confusableSkeleton('get_whether'))
    expect(confusableSkeleton('mail')).not.toBe(confusableSkeleton('mall'))
  })
})

describe('detectConfusables', () => {
  it('reports words mixing Latin with Cyrillic or Greek', () => {
    expect(detectConfusables('function sayНello() {}')).toEqual([
      expect.objectContaining({ category: 'confusable', detector: 'mixed-script', start: 9, end: 17 }),
    ])
    expect(detectConfusables('pаypal')).toHaveLength(1)
  })

  it('does not report Russian, Greek or mixed-language sentences', () => {
    expect(detectConfusables('Привет, мир! Hello world. Καλημέρα κόσμε.')).toEqual([])
    expect(detectConfusables('')).toEqual([])
  })

  it('reports every homoglyph identifier of the hand-made Trojan Source style fixture', () => {
    const missed = HOMOGLYPH_CODE.filter((text) => detectConfusables(text).length === 0)
    expect(missed).toEqual([])
  })
})

/**
 * Code that calls a look-alike of a trusted function (Cyrillic Н, һ, а, е, о, р, с and Greek ο, α, ν
 * standing in for Latin letters), in the languages Trojan Source targets.
 */
const HOMOGLYPH_CODE: readonly string[] = [
  'function sayHello() { console.log("hi") }\nfunction say\u041Dello() { stealCookies() }\nsay\u041Dello()',
  'def is_\u0430dmin(user):\n    return True\n\nif is_\u0430dmin(current):\n    grant()',
  'fn \u04BBash(input: &str) -> String { leak(input) }',
  'public static void cl\u043Ese() { upload(); }',
  'const \u0440assword = read(); send(\u0440assword)',
  'int a\u0441cess = 0; if (a\u0441cess) run();',
  'let t\u03BFken = env.TOKEN',
  'func V\u0435rify(sig []byte) bool { return true }',
  'import { v\u03B1lidate } from "./safe.js"',
  'sub ser\u03BDer { exec(@_) }',
]
