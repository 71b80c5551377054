#!/usr/bin/env node
/**
 * `mcp-warden-audit-verify <file> [--key-env NAME]`: checks the hash chain of an audit log written
 * with `hashChain`. Exit code 0 when intact, 1 with the first broken line when not, 2 on usage or
 * read errors. The HMAC key is read from the environment variable NAME, never from the command line
 * (where other users could see it).
 */
import { verifyAuditFile } from '../verify-audit-chain.js'

const USAGE = 'usage: mcp-warden-audit-verify <file.jsonl> [--key-env NAME]'

async function main(argv: readonly string[]): Promise<number> {
  let file: string | undefined
  let keyEnv: string | undefined
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] as string
    if (arg === '--key-env') {
      keyEnv = argv[i + 1]
      i += 1
      if (keyEnv === undefined || keyEnv === '') {
        process.stderr.write(`${USAGE}\n`)
        return 2
      }
    } else if (arg === '-h' || arg === '--help') {
      process.stdout.write(`${USAGE}\n`)
      return 0
    } else if (file === undefined && !arg.startsWith('-')) {
      file = arg
    } else {
      process.stderr.write(`${USAGE}\n`)
      return 2
    }
  }
  if (file === undefined) {
    process.stderr.write(`${USAGE}\n`)
    return 2
  }
  let key: string | undefined
  if (keyEnv !== undefined) {
    key = process.env[keyEnv]
    if (key === undefined || key === '') {
      process.stderr.write(`mcp-warden-audit-verify: environment variable ${keyEnv} is not set\n`)
      return 2
    }
  }
  try {
    const result = await verifyAuditFile(file, key === undefined ? {} : { key })
    if (result.ok) {
      process.stdout.write(`ok: ${result.events} events, ${result.segments} chain segment(s)\n`)
      return 0
    }
    process.stdout.write(
      `broken at line ${result.line}: ${result.reason} (${result.events} events verified before it)\n`,
    )
    return 1
  } catch (err) {
    const code = (err as { code?: unknown }).code
    process.stderr.write(
      `mcp-warden-audit-verify: cannot read ${file}${typeof code === 'string' ? ` (${code})` : ''}\n`,
    )
    return 2
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code
  },
  () => {
    process.exitCode = 2
  },
)
