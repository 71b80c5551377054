import { readFileSync, writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { createLockFile, LOCKFILE_NAME, type LockFile } from '../lock-tools.js'

const USAGE = 'usage: mcp-warden-lock <module> [--export <name>] [--out <file>] [--check] [--help]'

/** What `--help` prints. */
export const HELP = `${USAGE}

Writes (or checks) ${LOCKFILE_NAME}: the hash of every tool, prompt, resource, resource template
and the instructions of an MCP server, as clients see them. Review the diff before committing it.

  <module>          a JavaScript module exporting the server, or a function (sync or async)
                    returning it; it must not connect the server on import. TypeScript:
                    npx tsx node_modules/.bin/mcp-warden-lock src/server.ts
  --export <name>   the export to use (default: default, then server, then createServer)
  --out <file>      the lockfile to write or check (default: ${LOCKFILE_NAME})
  --check           do not write; exit 1 when the lockfile differs from the server (CI)
  -h, --help        print this help and exit

Exit codes: 0 written or up to date, 1 differs from the lock (--check), 2 usage or load error.`

/** Resolves the server from a module's exports: the named export, else default, server, createServer. */
export async function serverFromModule(path: string, exportName?: string): Promise<object> {
  const mod = (await import(pathToFileURL(resolve(path)).href)) as Record<string, unknown>
  const names = exportName === undefined ? ['default', 'server', 'createServer'] : [exportName]
  for (const name of names) {
    let value = mod[name]
    if (value === undefined) continue
    if (typeof value === 'function') value = await (value as () => unknown)()
    if (typeof value === 'object' && value !== null) return value
    throw new TypeError(`export "${name}" of ${path} is neither a server nor a function returning one`)
  }
  throw new TypeError(`${path} exports none of ${names.join(', ')}`)
}

/** The lock file as written: stable key order, two-space indent, final newline. */
export function formatLock(lock: LockFile): string {
  return `${JSON.stringify(lock, null, 2)}\n`
}

/**
 * Runs the command; returns the exit code. Messages go to `log` (stdout). `--help` or `-h`
 * anywhere in `argv` prints the help and returns 0 without loading anything.
 *
 * @throws TypeError on bad usage (unknown option, missing value or module) or a module that
 * exports no server.
 */
export async function runLockCli(argv: readonly string[], log: (line: string) => void = console.log): Promise<number> {
  let modulePath: string | undefined
  let exportName: string | undefined
  let out = LOCKFILE_NAME
  let checkOnly = false
  if (argv.some((arg) => arg === '--help' || arg === '-h')) {
    log(HELP)
    return 0
  }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string
    if (arg === '--check') checkOnly = true
    else if (arg === '--export' || arg === '--out') {
      const value = argv[++i]
      if (value === undefined) throw new TypeError(`${arg} needs a value. ${USAGE}`)
      if (arg === '--export') exportName = value
      else out = value
    } else if (arg.startsWith('-')) throw new TypeError(`unknown option ${arg}. ${USAGE}`)
    else if (modulePath === undefined) modulePath = arg
    else throw new TypeError(`unexpected argument ${arg}. ${USAGE}`)
  }
  if (modulePath === undefined) throw new TypeError(USAGE)
  const server = await serverFromModule(modulePath, exportName)
  const lock = await createLockFile(server)
  const text = formatLock(lock)
  const count = Object.keys(lock.definitions).length
  if (checkOnly) {
    let existing = ''
    try {
      existing = readFileSync(out, 'utf8')
    } catch {
      log(`${out} does not exist`)
      return 1
    }
    if (existing !== text) {
      log(`${out} is out of date: run mcp-warden-lock ${modulePath} to update it after reviewing the change`)
      return 1
    }
    log(`${out} is up to date (${count} definitions)`)
    return 0
  }
  writeFileSync(out, text)
  log(`wrote ${out} (${count} definitions)`)
  return 0
}
