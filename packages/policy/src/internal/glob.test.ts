import { describe, expect, it } from 'vitest'
import { anyGlob, globMatch } from './glob.js'

describe('globMatch', () => {
  it('matches stars, question marks and literals', () => {
    expect(globMatch('delete_*', 'delete_ticket')).toBe(true)
    expect(globMatch('delete_*', 'undelete_ticket')).toBe(false)
    expect(globMatch('*', '')).toBe(true)
    expect(globMatch('a?c', 'abc')).toBe(true)
    expect(globMatch('a?c', 'ac')).toBe(false)
    expect(globMatch('*.example.com', 'api.example.com')).toBe(true)
    expect(globMatch('*.example.com', 'example.com')).toBe(false)
    expect(globMatch('a*b*c', 'axxbyyc')).toBe(true)
    expect(globMatch('a*b*c', 'axxbyy')).toBe(false)
  })

  it('treats an escaped star or question mark as a literal', () => {
    expect(globMatch('*\\*', 'T-*')).toBe(true)
    expect(globMatch('*\\*', 'T-1')).toBe(false)
    expect(globMatch('\\?', '?')).toBe(true)
    expect(globMatch('\\?', 'a')).toBe(false)
    expect(globMatch('a\\\\b', 'a\\b')).toBe(true)
  })

  it('stays fast on patterns built to backtrack', () => {
    const started = performance.now()
    expect(globMatch('*a*a*a*a*a*a*a*b', 'a'.repeat(20_000))).toBe(false)
    expect(performance.now() - started).toBeLessThan(5_000)
  })

  it('matches unicode and empty values', () => {
    expect(globMatch('caf?', 'café')).toBe(true)
    expect(globMatch('', '')).toBe(true)
    expect(globMatch('', 'a')).toBe(false)
    expect(anyGlob(['x', 'y*'], 'yes')).toBe(true)
    expect(anyGlob([], 'yes')).toBe(false)
  })
})
