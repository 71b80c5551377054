import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import { SECURITY_EVENT_CHANNEL } from '@mcp-warden/core'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { context, denial, run } from '../test/helpers.js'
import { safeShellArg } from './safe-shell-arg.js'

describe('safeShellArg', () => {
  const guard = safeShellArg({ args: ['branch', 'files'] })

  it('accepts plain arguments', async () => {
    for (const value of ['main', 'feature/x-1.2', 'user@host:path', 'a=b,c+d', '100%']) {
      expect(await guard.check(value)).toBe(value)
    }
  })

  it('refuses shell metacharacters, whitespace, quotes and globs', async () => {
    for (const value of [
      'a;rm -rf /',
      'a|b',
      'a&&b',
      '$(id)',
      '`id`',
      'a>b',
      "a'b",
      'a"b',
      '*',
      'a b',
      'a\tb',
      '~root',
      '!1',
      'a\\b',
      '{a,b}',
    ]) {
      const err = await denial(guard.check(value))
      expect(err.code, value).toBe('ERR_POLICY_SHELL_ARG')
      expect(err.details.reason).toBe('character')
    }
  })

  it('refuses option injection unless allowed', async () => {
    const err = await denial(guard.check('--upload-pack=touch /tmp/pwned'))
    expect(err.details.reason).toBe('option')
    expect(await safeShellArg({ allowOptions: true }).check('-v')).toBe('-v')
  })

  it('refuses controls, null bytes, invisible characters and non-ASCII by default', async () => {
    for (const value of ['a\u0000b', 'a\nb', 'a\u200bb', 'caf\u00e9', '\u202e']) {
      expect((await denial(guard.check(value))).details.reason).toBe('character')
    }
    const unicode = safeShellArg({ allowUnicode: true })
    expect(await unicode.check('Résumé')).toBe('Résumé')
    expect((await denial(unicode.check('a\u200bb'))).details.reason).toBe('character')
  })

  it('refuses bad types, empty and huge values', async () => {
    expect((await denial(guard.check(1))).details.reason).toBe('type')
    expect((await denial(guard.check(''))).details.reason).toBe('empty')
    expect((await denial(guard.check('a'.repeat(1025)))).details.reason).toBe('length')
  })

  it('accepts extra characters unless they are metacharacters', async () => {
    expect(await safeShellArg({ extraCharacters: 'ä' }).check('ä')).toBe('ä')
    expect(() => safeShellArg({ extraCharacters: ';' })).toThrow(TypeError)
    expect(() => safeShellArg({ extraCharacters: ' ' })).toThrow(TypeError)
    expect(() => safeShellArg({ extraCharacters: '\u0000' })).toThrow(TypeError)
  })

  it('checks named arguments as middleware, arrays included', async () => {
    expect((await run(guard, context({ arguments: { branch: 'main', files: ['a.txt'], note: 'a; b' } }))).reached).toBe(
      true,
    )
    const err = await denial(run(guard, context({ arguments: { files: ['a.txt', '$(id)'] } })))
    expect(err.details.argument).toBe('files')
  })

  it('publishes a security event naming the guard and argument but not the value', async () => {
    const events: unknown[] = []
    const listener = (message: unknown) => events.push(message)
    subscribe(SECURITY_EVENT_CHANNEL, listener)
    try {
      await denial(run(guard, context({ name: 'checkout', arguments: { branch: '$(reboot)' } })))
    } finally {
      unsubscribe(SECURITY_EVENT_CHANNEL, listener)
    }
    expect(events).toEqual([
      expect.objectContaining({
        type: 'policy.argument_refused',
        code: 'ERR_POLICY_SHELL_ARG',
        name: 'checkout',
        detail: { guard: 'safeShellArg', argument: 'branch', reason: 'character' },
      }),
    ])
    expect(JSON.stringify(events)).not.toContain('reboot')
  })

  it('works as a zod refinement', async () => {
    const schema = z.string().superRefine(guard.refine)
    expect((await schema.safeParseAsync('main')).success).toBe(true)
    expect((await schema.safeParseAsync('; reboot')).success).toBe(false)
  })

  it('throws TypeError at creation on bad options', () => {
    expect(() => safeShellArg({ allowOptions: 'yes' as never })).toThrow(TypeError)
    expect(() => safeShellArg({ maxLength: -1 })).toThrow(TypeError)
    expect(() => safeShellArg({ nope: 1 } as never)).toThrow(/unknown option/)
  })
})
