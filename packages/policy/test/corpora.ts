/**
 * Corpus checks of the argument guards and the lockfile's poisoning heuristics, run by
 * `pnpm eval -- <corpus dir>` (scripts/eval-sanitizers.ts), never by the unit tests, which use the
 * hand-written hostile fixtures in their own files.
 */
import { mkdirSync, mkdtempSync, realpathSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { WardenError } from '@mcp-warden/core'
import { type CorpusCheck, check, readCorpus } from '../../core/test/corpora.js'
import { SDKS } from '../../core/test/harness.js'
import { lockTools } from '../src/lock-tools.js'
import { safePath } from '../src/safe-path.js'
import { type HostResolver, safeUrl } from '../src/safe-url.js'

const PUBLIC = '93.184.215.14'

/** What the names of the SSRF corpus resolve to in the real world (an attacker's DNS, modelled). */
const REAL_WORLD: Readonly<Record<string, readonly string[]>> = {
  'example.com': [PUBLIC],
  '307.r3dir.me': ['52.1.2.3'],
  '62epax5fhvj3zzmzigyoe5ipkbn7fysllvges3a.302.r3dir.me': ['52.1.2.3'],
  'localtest.me': ['127.0.0.1'],
  'localh.st': ['127.0.0.1'],
  'company.127.0.0.1.nip.io': ['127.0.0.1'],
  'evil.com': [PUBLIC],
  attacker: [PUBLIC],
}
const realWorld: HostResolver = async (hostname) => {
  const answer = REAL_WORLD[hostname]
  if (answer === undefined) throw Object.assign(new Error(`ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' })
  return answer
}

/** The public hosts of the SSRF corpus: fetch refuses the redirects they answer with; the enclosed-alphanumeric host is example.com. */
const PUBLIC_SSRF = [
  'http://ⓔⓧⓐⓜⓟⓛⓔ.ⓒⓞⓜ',
  'https://307.r3dir.me/--to/?url=http://localhost',
  'https://62epax5fhvj3zzmzigyoe5ipkbn7fysllvges3a.302.r3dir.me',
]

/** Values `check` accepted, and values it refused with something other than a WardenError. */
async function sweep(
  values: readonly string[],
  checkValue: (value: string) => Promise<unknown>,
): Promise<{ accepted: string[]; untyped: string[] }> {
  const accepted: string[] = []
  const untyped: string[] = []
  for (const value of values) {
    try {
      await checkValue(value)
      accepted.push(value)
    } catch (error) {
      if (!WardenError.isInstance(error)) untyped.push(value)
    }
  }
  return { accepted, untyped }
}

const list = (values: readonly string[]): string =>
  values.length === 0 ? '' : `: ${values.map((v) => JSON.stringify(v)).join(', ')}`

/** The policy corpus checks, against the corpus folder `dir`. */
export async function policyChecks(dir: string): Promise<readonly CorpusCheck[]> {
  const results: CorpusCheck[] = []
  results.push(
    await check(
      'safeUrl: refuses all 59 SSRF payloads with a typed error when every name resolves internally',
      async () => {
        const lines = readCorpus(dir, 'payloadsallthethings/ssrf.jsonl')
        const rebinding = safeUrl({ allow: ['http', 'https'], resolve: async () => ['127.0.0.1'] })
        const { accepted, untyped } = await sweep(
          lines.map((l) => l.text),
          (v) => rebinding.check(v),
        )
        return [
          lines.length === 59 && accepted.length === 0 && untyped.length === 0,
          `${lines.length} payloads (required 59); accepted ${accepted.length}${list(accepted)}; untyped errors ${untyped.length}${list(untyped)}`,
        ]
      },
    ),
  )
  results.push(
    await check('safeUrl: with real-world DNS, accepts only the 3 public SSRF hosts', async () => {
      const realistic = safeUrl({ allow: ['http', 'https'], resolve: realWorld })
      const { accepted } = await sweep(
        readCorpus(dir, 'payloadsallthethings/ssrf.jsonl').map((l) => l.text),
        (v) => realistic.check(v),
      )
      const passed = JSON.stringify(accepted) === JSON.stringify(PUBLIC_SSRF)
      return [passed, `accepted ${accepted.length}${list(accepted)} (required exactly${list(PUBLIC_SSRF)})`]
    }),
  )
  results.push(
    await check('safeUrl: accepts every benign URL when names resolve publicly', async () => {
      const g = safeUrl({ allow: ['http', 'https'], resolve: async () => [PUBLIC] })
      const lines = readCorpus(dir, 'authored/benign-urls.jsonl').map((l) => l.text)
      const { accepted } = await sweep(lines, (v) => g.check(v))
      const refused = lines.filter((v) => !accepted.includes(v))
      return [
        lines.length > 0 && refused.length === 0,
        `refused ${refused.length}/${lines.length} (required 0)${list(refused)}`,
      ]
    }),
  )
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'mcp-warden-eval-')))
  try {
    mkdirSync(join(root, 'docs'))
    const sandbox = safePath({ roots: [join(root, 'docs')] })
    results.push(
      await check('safePath: refuses all 140 path-traversal payloads with a typed error', async () => {
        const lines = readCorpus(dir, 'payloadsallthethings/path-traversal.jsonl')
        const { accepted, untyped } = await sweep(
          lines.map((l) => l.text),
          (v) => sandbox.check(v),
        )
        return [
          lines.length === 140 && accepted.length === 0 && untyped.length === 0,
          `${lines.length} payloads (required 140); accepted ${accepted.length}${list(accepted)}; untyped errors ${untyped.length}${list(untyped)}`,
        ]
      }),
    )
    results.push(
      await check('safePath: accepts every benign path', async () => {
        const lines = readCorpus(dir, 'authored/benign-paths.jsonl').map((l) => l.text)
        const { accepted } = await sweep(lines, (v) => sandbox.check(v))
        const refused = lines.filter((v) => !accepted.includes(v))
        return [
          lines.length > 0 && refused.length === 0,
          `refused ${refused.length}/${lines.length} (required 0)${list(refused)}`,
        ]
      }),
    )
  } finally {
    rmSync(root, { recursive: true, force: true })
  }
  for (const sdk of SDKS) {
    results.push(
      await check(`lockTools (${sdk.name}): reports no issue on any benign tool description`, async () => {
        const rows = readCorpus(dir, 'mcp-scanner/remote-benign-tools.jsonl')
        const server = sdk.bare()
        rows.forEach((row, i) => {
          server.registerTool(`tool_${i}`, { description: row.text }, async () => ({ content: [] }))
        })
        const report = await lockTools(server, { lock: { version: 1, definitions: {} }, allowUnlocked: true })
        const issues = report.issues.map((issue) => `${issue.code} ${issue.message}`.slice(0, 200))
        return [
          rows.length > 0 && issues.length === 0,
          `${rows.length} descriptions, ${issues.length} issues (required 0)${issues.length > 0 ? `: ${issues.join('; ')}` : ''}`,
        ]
      }),
    )
  }
  return results
}
