/**
 * Runs every benchmark (`packages/<name>/bench/*.bench.ts`, and the full-stack comparison in
 * `examples/bench`), one process each so
 * they cannot disturb one another, and prints their tables. Pass a substring to run only the
 * matching files: `pnpm bench pipeline`.
 */
import { spawnSync } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const filter = process.argv[2]
const benchDirs = [...readdirSync(`${root}packages`).map((pkg) => `packages/${pkg}/bench`), 'examples/bench']
const files = benchDirs
  .flatMap((dir) => {
    try {
      return readdirSync(`${root}${dir}`)
        .filter((file) => file.endsWith('.bench.ts'))
        .map((file) => `${dir}/${file}`)
    } catch {
      return []
    }
  })
  .filter((file) => filter === undefined || file.includes(filter))
  .sort()

if (files.length === 0) {
  console.error(`no benchmark matches ${filter ?? '(all)'}`)
  process.exit(1)
}
console.log(`node ${process.version}, ${process.platform}/${process.arch}\n`)
let failed = 0
for (const file of files) {
  console.log(`## ${file}`)
  const result = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', file], { cwd: root, stdio: 'inherit' })
  if (result.status !== 0) failed++
  console.log()
}
process.exit(failed === 0 ? 0 : 1)
