import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { WardenError } from '@mcp-warden/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { context, denial, run } from '../test/helpers.js'
import { safePath } from './safe-path.js'

let dir: string
let root: string
let guard: ReturnType<typeof safePath>

beforeAll(() => {
  dir = realpathSync(mkdtempSync(join(tmpdir(), 'mcp-warden-safe-path-')))
  root = join(dir, 'root')
  mkdirSync(join(root, 'docs', 'nested'), { recursive: true })
  mkdirSync(join(dir, 'outside'))
  writeFileSync(join(root, 'docs', 'a.txt'), 'a')
  writeFileSync(join(dir, 'outside', 'secret.txt'), 'secret')
  symlinkSync(join(dir, 'outside'), join(root, 'escape'))
  symlinkSync(join(root, 'docs'), join(root, 'docs-link'))
  symlinkSync(join(root, 'loop-a'), join(root, 'loop-b'))
  symlinkSync(join(dir, 'outside', 'not-yet'), join(root, 'dangling'))
  symlinkSync(join(root, 'loop-b'), join(root, 'loop-a'))
  guard = safePath({ roots: [root], args: ['path'] })
})

afterAll(() => {
  rmSync(dir, { recursive: true, force: true })
})

describe('safePath', () => {
  it('resolves paths inside the root to their real path', async () => {
    expect(await guard.check('docs/a.txt')).toBe(join(root, 'docs', 'a.txt'))
    expect(await guard.check(join(root, 'docs', 'a.txt'))).toBe(join(root, 'docs', 'a.txt'))
    expect(await guard.check('docs/nested/../a.txt')).toBe(join(root, 'docs', 'a.txt'))
    expect(await guard.check('docs-link/a.txt')).toBe(join(root, 'docs', 'a.txt'))
    expect(await guard.check('docs\\nested\\new-file.txt')).toBe(join(root, 'docs', 'nested', 'new-file.txt'))
    expect(await guard.check('not/yet/created.txt')).toBe(join(root, 'not', 'yet', 'created.txt'))
    expect(await guard.check('.')).toBe(root)
  })

  it('refuses .. traversal with ERR_POLICY_PATH_OUTSIDE_ROOTS', async () => {
    for (const value of ['../outside/secret.txt', 'docs/../../outside', '/etc/passwd', '..', 'docs/../..']) {
      expect((await denial(guard.check(value))).code, value).toBe('ERR_POLICY_PATH_OUTSIDE_ROOTS')
    }
  })

  it('refuses symlinks that lead outside the root', async () => {
    expect((await denial(guard.check('escape/secret.txt'))).code).toBe('ERR_POLICY_PATH_OUTSIDE_ROOTS')
    expect((await denial(guard.check('escape/not-yet.txt'))).code).toBe('ERR_POLICY_PATH_OUTSIDE_ROOTS')
  })

  it('refuses dangling symlinks, whose target a write would create', async () => {
    for (const value of ['dangling', 'dangling/file.txt']) {
      const err = await denial(guard.check(value))
      expect(err.code, value).toBe('ERR_POLICY_PATH_INVALID')
      expect(err.details.reason).toBe('unresolvable')
    }
  })

  it('refuses symlink loops as unresolvable', async () => {
    const err = await denial(guard.check('loop-a/file'))
    expect(err.code).toBe('ERR_POLICY_PATH_INVALID')
    expect(err.details.reason).toBe('unresolvable')
  })

  it('refuses Windows separators, drive letters and UNC paths that leave the root', async () => {
    for (const value of ['..\\outside\\secret.txt', 'C:\\Windows\\win.ini', 'c:/boot.ini', '\\\\server\\share\\x']) {
      expect((await denial(guard.check(value))).code, value).toBe('ERR_POLICY_PATH_OUTSIDE_ROOTS')
    }
  })

  it('refuses null bytes, controls and bidi characters with ERR_POLICY_PATH_INVALID', async () => {
    for (const value of ['docs/a.txt\u0000.png', 'docs/a.txt%00', 'a\nb', 'docs/\u202etxt.exe', 'a%0ab']) {
      const err = await denial(guard.check(value))
      expect(err.code, JSON.stringify(value)).toBe('ERR_POLICY_PATH_INVALID')
    }
  })

  it('refuses URL-encoded, double-encoded and overlong forms of traversal', async () => {
    for (const value of [
      '%2e%2e/outside',
      '%252e%252e%252foutside',
      '..%2f..%2fetc',
      '..%c0%af..%c0%afetc',
      '%%32%65%%32%65/x',
    ]) {
      const err = await denial(guard.check(value))
      expect(['ERR_POLICY_PATH_OUTSIDE_ROOTS', 'ERR_POLICY_PATH_INVALID'], value).toContain(err.code)
    }
  })

  it('refuses fullwidth dots that NFKC-normalize to traversal', async () => {
    expect((await denial(guard.check('\uff0e\uff0e/outside'))).code).toBe('ERR_POLICY_PATH_OUTSIDE_ROOTS')
  })

  it('refuses protected names inside the root with ERR_POLICY_PATH_FORBIDDEN', async () => {
    for (const value of ['.git/config', 'docs/.ENV', '.env.local', 'keys/id_rsa.pub', '%2e%68%74%61%63%63%65%73%73']) {
      expect((await denial(guard.check(value))).code, value).toBe('ERR_POLICY_PATH_FORBIDDEN')
    }
    const permissive = safePath({ roots: [root], deniedNames: [] })
    expect(await permissive.check('.git/config')).toBe(join(root, '.git', 'config'))
  })

  it('refuses bad input types and sizes', async () => {
    for (const value of [undefined, null, 42, {}, ['a'], '', 'a'.repeat(4097)]) {
      expect((await denial(guard.check(value))).code).toBe('ERR_POLICY_PATH_INVALID')
    }
  })

  it('accepts unicode names and deep paths inside the root', async () => {
    expect(await guard.check('Résumé/Ünïcödé.txt')).toBe(join(root, 'Résumé', 'Ünïcödé.txt'))
    const deep = Array.from({ length: 500 }, () => 'd').join('/')
    expect(await guard.check(deep)).toBe(join(root, deep))
  })

  it('refuses every payload of the path-traversal fixture with a typed error and accepts the benign paths', async () => {
    const sandbox = safePath({ roots: [join(root, 'docs')] })
    const allowed: string[] = []
    for (const value of TRAVERSAL_FIXTURE) {
      try {
        await sandbox.check(value)
        allowed.push(value)
      } catch (err) {
        expect(WardenError.isInstance(err), value).toBe(true)
      }
    }
    expect(allowed).toEqual([])
    for (const value of BENIGN_PATHS) {
      const real = await sandbox.check(value)
      expect(real === join(root, 'docs') || real.startsWith(`${join(root, 'docs')}/`), `${value} -> ${real}`).toBe(true)
    }
  })

  it('checks the named argument as middleware and names it in the denial', async () => {
    expect((await run(guard, context({ arguments: { path: 'docs/a.txt', other: '../x' } }))).reached).toBe(true)
    const err = await denial(run(guard, context({ arguments: { path: '../outside' } })))
    expect(err.details.argument).toBe('path')
    expect(err.message).not.toContain(dir)
    expect((await run(guard, context({ arguments: {} }))).reached).toBe(true)
    expect((await denial(run(guard, context({ arguments: { path: 7 } })))).code).toBe('ERR_POLICY_PATH_INVALID')
  })

  it('checks every string and string array when no args are named', async () => {
    const all = safePath({ roots: [root] })
    expect((await run(all, context({ arguments: { a: 'docs/a.txt', n: 5 } }))).reached).toBe(true)
    const err = await denial(run(all, context({ arguments: { a: 'docs', list: ['docs', '../x'] } })))
    expect(err.details.argument).toBe('list')
    const huge = Array.from({ length: 1_001 }, () => 'docs')
    expect((await denial(run(all, context({ arguments: { list: huge } })))).code).toBe('ERR_POLICY_PATH_INVALID')
  })

  it('works as a zod refinement', async () => {
    const schema = z.object({ path: z.string().superRefine(guard.refine) })
    expect((await schema.safeParseAsync({ path: 'docs/a.txt' })).success).toBe(true)
    const failed = await schema.safeParseAsync({ path: '../outside' })
    expect(failed.success).toBe(false)
    expect(failed.error?.issues[0]?.message).toBe('Path is outside the allowed directories')
  })

  it('decides many concurrent checks independently', async () => {
    const values = Array.from({ length: 200 }, (_, i) => (i % 2 === 0 ? 'docs/a.txt' : '../outside'))
    const outcomes = await Promise.allSettled(values.map((v) => guard.check(v)))
    outcomes.forEach((o, i) => {
      expect(o.status).toBe(i % 2 === 0 ? 'fulfilled' : 'rejected')
    })
  })

  it('throws TypeError at creation when options are bad', () => {
    expect(() => safePath({ roots: [] })).toThrow(/roots/)
    expect(() => safePath({ roots: [join(dir, 'missing')] })).toThrow(/not an existing directory/)
    expect(() => safePath({ roots: [join(root, 'docs', 'a.txt')] })).toThrow(/not an existing directory/)
    expect(() => safePath({ roots: [root], args: [] })).toThrow(/args/)
    expect(() => safePath({ roots: [root], maxLength: 0 })).toThrow(/maxLength/)
    expect(() => safePath({ roots: [root], deniedNames: [''] })).toThrow(/deniedNames/)
    expect(() => safePath({ roots: [root], bogus: true } as never)).toThrow(/unknown option/)
    expect(() => safePath(undefined as never)).toThrow(TypeError)
  })
})

/** `..` in every encoding a decoder might undo: URL, double URL, overlong UTF-8, %u, fullwidth. */
const DOT_DOT = [
  '..',
  '%2e%2e',
  '%2E%2E',
  '.%2e',
  '%2e.',
  '%252e%252e',
  '%%32%65%%32%65',
  '%c0%ae%c0%ae',
  '%u002e%u002e',
  '\uff0e\uff0e',
]
/** Separators: slash, backslash, and their encodings. */
const SEPARATORS = ['/', '\\', '%2f', '%2F', '%5c', '%252f', '%c0%af', '%c1%9c']

/**
 * Hand-made traversal payloads: every `..` encoding with every separator, at depths 1 and 8,
 * towards Unix and Windows targets; absolute, drive-letter and UNC paths; null-byte truncation;
 * protected names inside the root.
 */
const TRAVERSAL_FIXTURE: readonly string[] = [
  ...DOT_DOT.flatMap((dots) =>
    SEPARATORS.flatMap((sep) => [`${dots}${sep}secret.txt`, `${`${dots}${sep}`.repeat(8)}etc${sep}passwd`]),
  ),
  '../../../../etc/shadow',
  'nested/../../../outside',
  './././../x',
  '..\\..\\..\\Windows\\win.ini',
  '\\..\\..\\boot.ini',
  '/etc/passwd',
  '//etc/passwd',
  '/proc/self/environ',
  'C:\\Windows\\System32\\drivers\\etc\\hosts',
  'C:/inetpub/wwwroot/web.config',
  'c:boot.ini',
  '\\\\attacker\\share\\payload.dll',
  '\\\\?\\C:\\Windows\\win.ini',
  '../../../etc/passwd%00.png',
  'a.txt\u0000../../etc/passwd',
  '%00../../etc/passwd',
  'report.pdf%00.exe',
  '.env',
  'config/.git/config',
  '.ssh/id_ed25519',
  '%2e%65%6e%76',
]

/** Paths inside the root that must pass, including names that merely contain dots. */
const BENIGN_PATHS: readonly string[] = [
  'a.txt',
  'nested/report.md',
  './nested/./notes.txt',
  'nested/../a.txt',
  'src/index.ts',
  'build/',
  '..foo/bar.txt',
  'foo../bar',
  '...',
  'v1.2.3/CHANGELOG',
  'my file (1).txt',
  'Résumé.pdf',
  '日本語/ファイル.txt',
  'archive.tar.gz',
  'nested\\windows-style.txt',
  'a/b/c/d/e/f/g/h/i/j.txt',
  // Payloads against filters that strip "../" or parse URLs: as paths they name directories
  // ("....", "..;", "file:") inside the root, and the guard returns that real path.
  '....//....//etc/passwd',
  '..;/..;/etc/passwd',
  'file:///etc/passwd',
]
