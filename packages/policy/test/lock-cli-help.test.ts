import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { HELP, runLockCli } from '../src/internal/lock-cli.js'

const cli = fileURLToPath(new URL('../src/cli.ts', import.meta.url))
const run = promisify(execFile)

describe('runLockCli', () => {
  it.each([['--help'], ['-h'], ['server.mjs', '--help'], ['--check', '-h', '--bogus']])(
    'prints the usage and returns 0 when given %s',
    async (...argv) => {
      const lines: string[] = []
      expect(await runLockCli(argv, (l) => lines.push(l))).toBe(0)
      expect(lines).toEqual([HELP])
      expect(HELP).toMatch(/^usage: mcp-warden-lock <module>/)
      for (const option of ['--export <name>', '--out <file>', '--check', '-h, --help']) expect(HELP).toContain(option)
    },
  )

  it('still refuses unknown options, single-dash ones included', async () => {
    await expect(runLockCli(['server.mjs', '--bogus'])).rejects.toThrow(/unknown option --bogus/)
    await expect(runLockCli(['server.mjs', '-x'])).rejects.toThrow(/unknown option -x/)
  })
})

describe('mcp-warden-lock', () => {
  it('exits 0 with the usage on stdout for --help and -h', async () => {
    for (const flag of ['--help', '-h']) {
      const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', cli, flag], { timeout: 30_000 })
      expect(stdout).toBe(`${HELP}\n`)
      expect(stderr).toBe('')
    }
  })

  it('exits 2 on an unknown option', async () => {
    const failed = await run(process.execPath, ['--import', 'tsx', cli, '--bogus'], { timeout: 30_000 }).catch(
      (e: unknown) => e as { code: number; stderr: string },
    )
    expect(failed).toMatchObject({ code: 2, stderr: expect.stringContaining('unknown option --bogus') })
  })
})
