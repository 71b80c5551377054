/**
 * What a user does, outside the workspace: the packages packed with pnpm are installed with npm
 * into a new project in a temporary directory, next to `@modelcontextprotocol/sdk` (1.x),
 * `@modelcontextprotocol/server` and `@modelcontextprotocol/client` (2.x) and zod from the registry
 * (the versions of the workspace lockfile). The README's quick-start code blocks (marked
 * `<!-- quickstart:v1 -->`, `<!-- quickstart:v2 -->`, `<!-- quickstart:http -->`), every `ts` block
 * of the SDK 2.x guide shipped in `@mcp-warden/core` and the blocks of the shipped READMEs marked
 * `<!-- typecheck -->` are written into it as they are, typechecked with
 * tsc against the installed packages, and the stdio quick starts are run under a real client of each
 * SDK major that asserts the allowed and the denied call (`examples/quickstart/client.ts`).
 * Run after `pnpm build`; `--keep` leaves the project on disk.
 */
import { execFileSync } from 'node:child_process'
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { codeBlocks } from './markdown.js'
import { packAll, root } from './pack-packages.js'

/** The version the workspace lockfile resolved for `name` in `importer` (`.` or `packages/core`). */
export function lockedVersion(lockfile: string, importer: string, name: string): string {
  const lines = lockfile.split('\n')
  const start = lines.indexOf(`  ${importer}:`)
  if (start < 0) throw new Error(`pnpm-lock.yaml: no importer ${importer}`)
  const key = /[@/]/.test(name) ? `'${name}':` : `${name}:`
  for (let i = start + 1; i < lines.length && /^( {4}| *$)/.test(lines[i] as string); i += 1) {
    if ((lines[i] as string).trim() === key) {
      const version = /^\s+version: ([^(\s]+)/.exec(lines[i + 2] ?? '')?.[1]
      if (version !== undefined) return version
    }
  }
  throw new Error(`pnpm-lock.yaml: ${name} not locked for ${importer}`)
}

function sh(command: string, args: readonly string[], cwd: string): string {
  try {
    return execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 300_000 })
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string }
    throw new Error(`${command} ${args.join(' ')} failed in ${cwd}\n${stdout}${stderr}`)
  }
}

const started = Date.now()
const keep = process.argv.includes('--keep')
const work = mkdtempSync(join(tmpdir(), 'mcp-warden-consumer-'))
const project = join(work, 'app')
mkdirSync(join(project, 'src'), { recursive: true })

const lockfile = readFileSync(join(root, 'pnpm-lock.yaml'), 'utf8')
const registryPackages = [
  ['@modelcontextprotocol/sdk', 'packages/core'],
  ['@modelcontextprotocol/server', 'packages/core'],
  ['@modelcontextprotocol/client', 'packages/core'],
  ['zod', 'packages/core'],
  ['typescript', '.'],
  ['@types/node', '.'],
].map(([name, importer]) => `${name}@${lockedVersion(lockfile, importer as string, name as string)}`)

const tarballs = packAll(join(work, 'tarballs'))
console.log(`packed ${tarballs.map((t) => t.name).join(', ')}`)

writeFileSync(
  join(project, 'package.json'),
  `${JSON.stringify({ name: 'consumer', private: true, type: 'module' }, null, 2)}\n`,
)
sh(
  'npm',
  ['install', '--no-audit', '--no-fund', '--loglevel=error', ...tarballs.map((t) => t.file), ...registryPackages],
  project,
)
console.log(`installed with npm: the tarballs and ${registryPackages.join(', ')}`)

// The README's quick starts, exactly as written.
const readme = readFileSync(join(root, 'README.md'), 'utf8')
const files: string[] = []
for (const marker of ['quickstart:v1', 'quickstart:v2', 'quickstart:http']) {
  const blocks = codeBlocks(readme).filter((b) => b.marker === marker)
  if (blocks.length !== 1 || blocks[0]?.lang !== 'ts')
    throw new Error(`README.md: expected one ts block <!-- ${marker} -->`)
  const file = `${marker.replace(':', '-')}.ts`
  writeFileSync(join(project, 'src', file), `${(blocks[0] as { code: string }).code}\n`)
  files.push(file)
}
// The SDK 2.x guide, as the installed package ships it: every ts block is a complete module.
const guide = readFileSync(join(project, 'node_modules/@mcp-warden/core/README-sdk-v2.md'), 'utf8')
for (const [index, block] of codeBlocks(guide)
  .filter((b) => b.lang === 'ts')
  .entries()) {
  const file = `sdk-v2-guide-${index + 1}-line-${block.line}.ts`
  writeFileSync(join(project, 'src', file), `${block.code}\nexport {}\n`)
  files.push(file)
}
// The blocks of the packages' READMEs marked `<!-- typecheck -->`, as shipped.
for (const tarball of tarballs) {
  const dir = join(project, 'node_modules', tarball.name)
  for (const doc of tarball.files.filter((f) => f.endsWith('.md') && f !== 'README-sdk-v2.md')) {
    for (const block of codeBlocks(readFileSync(join(dir, doc), 'utf8')).filter((b) => b.marker === 'typecheck')) {
      const file = `${tarball.folder}-${doc.replace(/\.md$/, '')}-line-${block.line}.ts`
      writeFileSync(join(project, 'src', file), `${block.code}\nexport {}\n`)
      files.push(file)
    }
  }
}
copyFileSync(join(root, 'examples/quickstart/client.ts'), join(project, 'src/client.ts'))

writeFileSync(
  join(project, 'tsconfig.json'),
  `${JSON.stringify(
    {
      compilerOptions: {
        target: 'ES2022',
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        strict: true,
        exactOptionalPropertyTypes: true,
        noUncheckedIndexedAccess: true,
        skipLibCheck: true,
        types: ['node'],
        outDir: 'dist',
        rootDir: 'src',
      },
      include: ['src'],
    },
    null,
    2,
  )}\n`,
)
sh(join(project, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.json'], project)
console.log(`typechecked against the installed packages: ${files.join(', ')}`)

for (const [mode, file] of [
  ['v1', 'quickstart-v1.js'],
  ['v2', 'quickstart-v2.js'],
  ['v2-2026', 'quickstart-v2.js'],
] as const) {
  process.stdout.write(sh(process.execPath, ['dist/client.js', mode, process.execPath, `dist/${file}`], project))
}

if (keep) console.log(`project kept in ${project}`)
else rmSync(work, { recursive: true, force: true })
console.log(`\ntarball consumer passed in ${Math.round((Date.now() - started) / 1000)} s`)
