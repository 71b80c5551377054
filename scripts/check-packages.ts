/**
 * Checks the built packages as a consumer would meet them. Each package is packed with pnpm, as a
 * release does, and the tarball is checked: no `workspace:` range left, LICENSE, README and
 * CHANGELOG shipped, every bin present, every relative link of every shipped Markdown file
 * resolving inside the tarball (anchors included), publint and arethetypeswrong on the tarball.
 * Then `npm pack` is refused by the packages' `prepack` guard, and an ESM and a CommonJS consumer
 * import every entry point, with a type check against the built declarations.
 * Run after `pnpm build`.
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, posix } from 'node:path'
import { headingAnchors, isExternal, links } from './markdown.js'
import { packAll, readFromTarball, root, type Tarball } from './pack-packages.js'

const failures: string[] = []

function report(label: string, problems: readonly string[]): void {
  if (problems.length === 0) {
    console.log(`ok   ${label}`)
  } else {
    failures.push(label)
    console.log(`FAIL ${label}\n${problems.map((p) => `  ${p}`).join('\n')}`)
  }
}

function run(label: string, command: string, args: string[], cwd: string, expectFailure = false): void {
  const env: NodeJS.ProcessEnv = { ...process.env, FORCE_COLOR: '0' }
  // Under `pnpm check:packages` these name pnpm; a child npm would take them as its own.
  for (const key of Object.keys(env)) if (/^npm_/i.test(key)) delete env[key]
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', env })
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`
    .split('\n')
    .filter((line) => !line.includes('Unknown user config'))
    .join('\n')
    .trim()
  const passed = expectFailure ? result.status !== 0 : result.status === 0
  report(label, passed ? [] : [output || `exit code ${result.status}`])
}

/** `workspace:` ranges left in the published manifest: npm cannot install such a package. */
function workspaceRanges(tarball: Tarball): string[] {
  const problems: string[] = []
  for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies', 'devDependencies']) {
    const deps = tarball.manifest[field]
    if (typeof deps !== 'object' || deps === null) continue
    for (const [name, range] of Object.entries(deps)) {
      if (typeof range === 'string' && range.startsWith('workspace:')) problems.push(`${field}.${name} is "${range}"`)
    }
  }
  return problems
}

/** Files every package ships, and the targets of its bins. */
function shippedFiles(tarball: Tarball): string[] {
  const problems: string[] = []
  const files = new Set(tarball.files)
  for (const required of ['package.json', 'README.md', 'CHANGELOG.md', 'LICENSE']) {
    if (!files.has(required)) problems.push(`${required} is not in the tarball`)
  }
  if (files.has('LICENSE') && !readFromTarball(tarball.file, 'LICENSE').includes('Apache License')) {
    problems.push('LICENSE is not the Apache License text')
  }
  const bin = tarball.manifest.bin
  if (typeof bin === 'object' && bin !== null) {
    for (const [name, target] of Object.entries(bin)) {
      const path = posix.normalize(String(target))
      if (!files.has(path)) {
        problems.push(`bin ${name} → ${path} is not in the tarball`)
        continue
      }
      // The bin is a shim importing the built command: that file must ship too.
      for (const match of readFromTarball(tarball.file, path).matchAll(/import\s+'([^']+)'/g)) {
        const imported = posix.join(posix.dirname(path), match[1] as string)
        if (!files.has(imported)) problems.push(`bin ${name} imports ${imported}, which is not in the tarball`)
      }
    }
  }
  return problems
}

/** Relative links of the shipped Markdown files that do not resolve inside the tarball. */
function danglingLinks(tarball: Tarball): string[] {
  const problems: string[] = []
  const files = new Set(tarball.files)
  const markdown = tarball.files.filter((f) => f.endsWith('.md'))
  const anchors = new Map(markdown.map((f) => [f, headingAnchors(readFromTarball(tarball.file, f))]))
  for (const doc of markdown) {
    for (const { target, line } of links(readFromTarball(tarball.file, doc))) {
      if (isExternal(target)) continue
      const [pathPart = '', anchor] = target.split('#', 2)
      const decoded = decodeURIComponent(pathPart)
      const path = decoded === '' ? doc : posix.normalize(posix.join(posix.dirname(doc), decoded))
      const where = `${doc}:${line} → ${target}`
      if (path.startsWith('../') || posix.isAbsolute(path)) {
        problems.push(`${where}: leaves the package`)
      } else if (!files.has(path) && !tarball.files.some((f) => f.startsWith(`${path.replace(/\/$/, '')}/`))) {
        problems.push(`${where}: ${path} is not in the tarball`)
      } else if (anchor !== undefined && anchor !== '' && path.endsWith('.md')) {
        if (!anchors.get(path)?.has(decodeURIComponent(anchor).toLowerCase())) {
          problems.push(`${where}: no heading #${anchor} in ${path}`)
        }
      }
    }
  }
  return problems
}

const packDest = mkdtempSync(join(tmpdir(), 'mcp-warden-pack-'))
const tarballs = packAll(packDest)
for (const tarball of tarballs) {
  report(`${tarball.name}: packed by pnpm, no workspace: ranges`, workspaceRanges(tarball))
  report(`${tarball.name}: LICENSE, README, CHANGELOG and bins shipped`, shippedFiles(tarball))
  report(
    `${tarball.name}: relative links of ${tarball.files.filter((f) => f.endsWith('.md')).join(', ')}`,
    danglingLinks(tarball),
  )
  run(`publint ${tarball.name}`, 'npx', ['publint', 'run', tarball.file, '--strict'], root)
  run(`attw ${tarball.name}`, 'npx', ['attw', tarball.file, '--profile', 'node16'], root)
}
// The guard that keeps `npm pack` / `npm publish` from shipping `workspace:^` ranges.
const npmDest = mkdtempSync(join(tmpdir(), 'mcp-warden-npm-pack-'))
for (const tarball of tarballs) {
  const dir = `${root}packages/${tarball.folder}`
  run(
    `npm pack is refused for ${tarball.name} (prepack guard)`,
    'npm',
    ['pack', '--pack-destination', npmDest],
    dir,
    true,
  )
}
rmSync(npmDest, { recursive: true, force: true })
rmSync(packDest, { recursive: true, force: true })

const examples = `${root}examples`
run('ESM consumer', 'node', ['consumer/consumer.mjs'], examples)
run('CJS consumer', 'node', ['consumer/consumer.cjs'], examples)
run('types from built declarations', 'npx', ['tsc', '-p', 'consumer/tsconfig.json'], examples)

if (failures.length > 0) {
  console.error(`\n${failures.length} package check(s) failed: ${failures.join(', ')}`)
  process.exit(1)
}
console.log('\nall package checks passed')
