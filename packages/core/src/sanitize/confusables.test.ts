import { describe, expect, it } from 'vitest'
import { corpus } from '../../test/corpora.js'
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

  it('reports every homoglyph sample of the Trojan Source corpus', () => {
    const samples = corpus('trojan-source/trojan-source.jsonl').filter((s) => s.category === 'homoglyph')
    const missed = samples.filter((s) => detectConfusables(s.text).length === 0).map((s) => s.id)
    expect(missed).toEqual([])
  })
})
