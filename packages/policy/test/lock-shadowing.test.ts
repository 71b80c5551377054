import { WardenError } from '@mcp-warden/core'
import fc from 'fast-check'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { SDKS, type Sdk, type TestServer } from '../../core/test/harness.js'
import { lockTools, shadowKey } from '../src/lock-tools.js'

// SDK tool-name validation warns on look-alike names; the warnings are expected here.
beforeEach(() => {
  vi.spyOn(console, 'warn').mockImplementation(() => undefined)
})
afterEach(() => {
  vi.restoreAllMocks()
})

const word = fc.stringMatching(/^[a-z]{2,6}$/)
const words = fc.array(word, { minLength: 1, maxLength: 4 })

const cap = (w: string): string => `${w.charAt(0).toUpperCase()}${w.slice(1)}`
const FULLWIDTH = (text: string): string =>
  [...text].map((c) => (c >= '!' && c <= '~' ? String.fromCharCode(c.charCodeAt(0) + 0xfee0) : c)).join('')
const CYRILLIC: Readonly<Record<string, string>> = { a: 'а', e: 'е', o: 'о', c: 'с', p: 'р', x: 'х', y: 'у', i: 'і' }
const INVISIBLE = ['\u200B', '\u200C', '\u200D', '\u2060', '\uFEFF', '\u00AD']

/** Every naming style of the same words. The first is the registered one. */
const STYLES: ReadonlyArray<readonly [string, (w: readonly string[]) => string]> = [
  ['snake', (w) => w.join('_')],
  ['double underscore', (w) => w.join('__')],
  ['camel', (w) => w.map((x, i) => (i === 0 ? x : cap(x))).join('')],
  ['pascal', (w) => w.map(cap).join('')],
  ['kebab', (w) => w.join('-')],
  ['concatenated', (w) => w.join('')],
  ['dotted', (w) => w.join('.')],
  ['upper snake', (w) => w.join('_').toUpperCase()],
  ['slashed', (w) => w.join('/')],
  ['fullwidth', (w) => FULLWIDTH(w.join('_'))],
  ['invisible', (w) => w.join(`_${INVISIBLE[w.length % INVISIBLE.length]}`)],
  ['invisible inside', (w) => `${w.join('_').slice(0, 1)}\u200B${w.join('_').slice(1)}`],
  ['homoglyph', (w) => w.join('_').replace(/[aeocpxyi]/, (c) => CYRILLIC[c] ?? c)],
  ['combining mark', (w) => `${w.join('_')}\u0301`],
]
const style = fc.constantFrom(...STYLES)

describe('shadowKey', () => {
  it('gives every naming style, separator, case, width and look-alike of the same words one key', () => {
    fc.assert(
      fc.property(words, (w) => {
        const keys = new Set(STYLES.map(([, render]) => shadowKey(render(w))))
        expect([...keys]).toEqual([w.join('')])
      }),
      { numRuns: 300 },
    )
  })

  it('keeps names apart when their words spell different things', () => {
    fc.assert(
      fc.property(words, words, style, style, (a, b, [, left], [, right]) => {
        fc.pre(a.join('') !== b.join(''))
        expect(shadowKey(left(a))).not.toBe(shadowKey(right(b)))
      }),
      { numRuns: 300 },
    )
  })

  it('folds the examples of the issue together', () => {
    const names = [
      'list_issues',
      'list__issues',
      'listIssues',
      'ListIssues',
      'list-issues',
      'listissues',
      'list.issues',
    ]
    expect(new Set(names.map(shadowKey))).toEqual(new Set(['listissues']))
    expect(shadowKey('ｌｉｓｔ＿ｉｓｓｕｅｓ')).toBe('listissues')
    expect(shadowKey('lіst_issues')).toBe('listissues') // Cyrillic і
    expect(shadowKey('list\u200B_issues')).toBe('listissues')
    expect(shadowKey('list_issue')).not.toBe(shadowKey('list_issues'))
  })
})

/** The codes of every issue a refusal carries. */
function issueCodes(fn: () => unknown): string[] {
  try {
    fn()
  } catch (err) {
    if (!WardenError.isInstance(err)) throw err
    return ((err.details as { issues: Array<{ code: string }> }).issues ?? []).map((i) => i.code)
  }
  return []
}

type Kind = 'tool' | 'prompt' | 'template'
const REGISTRY: Readonly<Record<Kind, string>> = {
  tool: '_registeredTools',
  prompt: '_registeredPrompts',
  template: '_registeredResourceTemplates',
}

function register(sdk: Sdk, server: TestServer, kind: Kind, name: string, n: number) {
  const empty = async () => ({ content: [], messages: [], contents: [] })
  if (kind === 'tool') return server.registerTool(name, { description: `Tool ${n}` }, empty)
  if (kind === 'prompt') return server.registerPrompt(name, { description: `Prompt ${n}` }, empty)
  return server.registerResource(name, sdk.template(`t${n}://{id}`), { description: `Template ${n}` }, empty)
}

const registered = (server: TestServer, kind: Kind): string[] =>
  Object.keys((server as unknown as Record<string, object>)[REGISTRY[kind]] ?? {})

describe.each(SDKS)('lockTools shadowing ($name)', (sdk) => {
  it('refuses a registration or rename in any other naming style of a registered name', async () => {
    await fc.assert(
      fc.asyncProperty(
        words,
        style,
        fc.constantFrom<Kind>('tool', 'prompt', 'template'),
        async (w, [, render], kind) => {
          const base = w.join('_')
          const variant = render(w)
          fc.pre(variant !== base && shadowKey(base) !== 'zzother')
          const server = sdk.bare()
          register(sdk, server, kind, base, 1)
          const other = register(sdk, server, kind, 'zz_other', 2)
          await lockTools(server, { lock: { version: 1, definitions: {} }, allowUnlocked: true })
          expect(issueCodes(() => register(sdk, server, kind, variant, 3))).toContain('ERR_CONTENT_SHADOWED_NAME')
          expect(issueCodes(() => other.update({ name: variant }))).toContain('ERR_CONTENT_SHADOWED_NAME')
          expect(registered(server, kind)).toEqual([base, 'zz_other'])
        },
      ),
      { numRuns: 60 },
    )
  })

  it('refuses at start-up two registered names that differ only in naming style', async () => {
    await fc.assert(
      fc.asyncProperty(words, style, async (w, [, render]) => {
        const variant = render(w)
        fc.pre(variant !== w.join('_'))
        const server = sdk.bare()
        register(sdk, server, 'tool', w.join('_'), 1)
        register(sdk, server, 'tool', variant, 2)
        const error = await lockTools(server, { lock: { version: 1, definitions: {} }, allowUnlocked: true }).catch(
          (e: unknown) => e,
        )
        expect(WardenError.isInstance(error)).toBe(true)
        const codes = ((error as WardenError).details as { issues: Array<{ code: string }> }).issues.map((i) => i.code)
        expect(codes).toContain('ERR_CONTENT_SHADOWED_NAME')
      }),
      { numRuns: 40 },
    )
  })

  it('refuses a local name equal to a known name from another server, or in any other naming style of it', async () => {
    await fc.assert(
      fc.asyncProperty(words, style, async (w, [, render]) => {
        const variant = render(w)
        const server = sdk.bare()
        register(sdk, server, 'tool', variant, 1)
        const error = await lockTools(server, {
          lock: { version: 1, definitions: {} },
          allowUnlocked: true,
          knownNames: [w.join('_')],
        }).catch((e: unknown) => e)
        expect(JSON.stringify((error as WardenError).details)).toContain('ERR_CONTENT_SHADOWED_NAME')
      }),
      { numRuns: 40 },
    )
  })

  it('accepts registrations and renames to names whose words differ, in any style (scan off)', async () => {
    await fc.assert(
      fc.asyncProperty(words, words, style, async (a, b, [, render]) => {
        const name = render(b)
        fc.pre(a.join('') !== b.join('') && ![a.join(''), b.join('')].includes('zzother'))
        const server = sdk.bare()
        register(sdk, server, 'tool', a.join('_'), 1)
        const tool = register(sdk, server, 'tool', 'zz_other', 2)
        await lockTools(server, { lock: { version: 1, definitions: {} }, allowUnlocked: true, scan: false })
        tool.update({ name })
        expect(registered(server, 'tool')).toEqual([a.join('_'), name])
        register(sdk, server, 'tool', 'zz_other', 3)
        expect(registered(server, 'tool')).toEqual([a.join('_'), name, 'zz_other'])
      }),
      { numRuns: 60 },
    )
  })
})
