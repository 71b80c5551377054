/**
 * Packs the published packages exactly as a release does (`pnpm pack`, which replaces the
 * `workspace:^` ranges with versions), and reads the tarballs back. Shared by
 * `scripts/check-packages.ts` and `scripts/tarball-consumer.ts`. Run after `pnpm build`.
 */
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const root = fileURLToPath(new URL('..', import.meta.url))
/** The published packages, by folder under `packages/`. */
export const PACKAGES = ['core', 'auth', 'policy', 'audit'] as const
export type PackageFolder = (typeof PACKAGES)[number]

/** The pnpm the workspace pins: the one running this script when it runs under pnpm, else fetched through npx. */
function pnpmCommand(): [string, string[]] {
  const execPath = process.env.npm_execpath ?? ''
  if (/pnpm/.test(execPath) && execPath.endsWith('.cjs')) return [process.execPath, [execPath]]
  return ['npx', ['-y', 'pnpm@10.34.8']]
}

/** Runs pnpm with `args` in `cwd`, returning its standard output. Throws when pnpm fails. */
export function pnpm(args: readonly string[], cwd: string): string {
  const [command, prefix] = pnpmCommand()
  return execFileSync(command, [...prefix, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, FORCE_COLOR: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
}

/** A packed package. */
export interface Tarball {
  readonly folder: PackageFolder
  readonly name: string
  /** Absolute path of the `.tgz`. */
  readonly file: string
  /** Paths inside the package (without the `package/` prefix). */
  readonly files: readonly string[]
  /** The package.json as published. */
  readonly manifest: Record<string, unknown>
}

/** Packs every published package with pnpm into a new temporary directory (or `dest`). */
export function packAll(dest: string = mkdtempSync(join(tmpdir(), 'mcp-warden-pack-'))): Tarball[] {
  mkdirSync(dest, { recursive: true })
  return PACKAGES.map((folder) => {
    const dir = join(root, 'packages', folder)
    const before = new Set(readdirSync(dest))
    pnpm(['pack', '--pack-destination', dest], dir)
    const made = readdirSync(dest).filter((f) => f.endsWith('.tgz') && !before.has(f))
    if (made.length !== 1) throw new Error(`pnpm pack in packages/${folder} made ${made.length} tarballs`)
    const file = join(dest, made[0] as string)
    const files = execFileSync('tar', ['-tzf', file], { encoding: 'utf8' })
      .split('\n')
      .filter((line) => line.length > 0 && !line.endsWith('/'))
      .map((line) => line.replace(/^package\//, ''))
    const manifest = JSON.parse(readFromTarball(file, 'package.json')) as Record<string, unknown>
    return { folder, name: String(manifest.name), file, files, manifest }
  })
}

/** The text of one file of a tarball. */
export function readFromTarball(file: string, path: string): string {
  return execFileSync('tar', ['-xzOf', file, `package/${path}`], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
}
