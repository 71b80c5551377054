#!/usr/bin/env node
/**
 * `mcp-warden-lock`: writes (or checks) `mcp-warden.lock.json` for an MCP server.
 *
 *   mcp-warden-lock <module> [--export <name>] [--out <file>] [--check]
 *   mcp-warden-lock --help
 *
 * `<module>` is a JavaScript module (run through `tsx` for TypeScript: `npx tsx
 * node_modules/.bin/mcp-warden-lock src/server.ts`) that exports the server, or a function
 * (sync or async) returning it: the named `--export`, else `default`, `server`, `createServer`.
 * The module must not connect the server to a transport on import.
 *
 * Exit codes: 0 written, up to date or help printed, 1 differs from the lock (`--check`), 2 usage or load error.
 */
import { runLockCli } from './internal/lock-cli.js'

runLockCli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code
  },
  (err: unknown) => {
    console.error(`mcp-warden-lock: ${err instanceof Error ? err.message : String(err)}`)
    process.exitCode = 2
  },
)
