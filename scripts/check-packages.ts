/**
 * Checks the built packages as a consumer would meet them: publint and arethetypeswrong on each
 * package, then an ESM and a CommonJS consumer that import every entry point, and a type check
 * against the built declarations. Run after `pnpm build`.
 */
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const packages = ['core', 'auth', 'policy', 'audit']
const failures: string[] = []

function run(label: string, command: string, args: string[], cwd: string): void {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' } })
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`
    .split('\n')
    .filter((line) => !line.includes('Unknown user config'))
    .join('\n')
    .trim()
  if (result.status === 0) {
    console.log(`ok   ${label}`)
  } else {
    failures.push(label)
    console.log(`FAIL ${label}\n${output}`)
  }
}

for (const name of packages) {
  const dir = `${root}packages/${name}`
  run(`publint @mcp-warden/${name}`, 'npx', ['publint', '--strict', '--pack', 'npm'], dir)
  run(`attw @mcp-warden/${name}`, 'npx', ['attw', '--pack', '.', '--profile', 'node16'], dir)
}
const examples = `${root}examples`
run('ESM consumer', 'node', ['consumer/consumer.mjs'], examples)
run('CJS consumer', 'node', ['consumer/consumer.cjs'], examples)
run('types from built declarations', 'npx', ['tsc', '-p', 'consumer/tsconfig.json'], examples)

if (failures.length > 0) {
  console.error(`\n${failures.length} package check(s) failed: ${failures.join(', ')}`)
  process.exit(1)
}
console.log('\nall package checks passed')
