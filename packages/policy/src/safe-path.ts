import { lstatSync, realpathSync, statSync } from 'node:fs'
import * as path from 'node:path'
import { POLICY_ERROR_CODES, PolicyError } from './errors.js'
import { argumentGuard, argumentNames, knownOptions, positiveInteger } from './internal/argument-guard.js'
import { hasUnsafeCharacter } from './internal/chars.js'
import { anyGlob } from './internal/glob.js'
import type { ArgumentGuard } from './types.js'

/**
 * Names refused by default anywhere in a path (matched per segment, case-insensitively, `*` and
 * `?` globs): version-control metadata, credentials and server configuration files.
 */
export const DEFAULT_DENIED_PATH_NAMES: readonly string[] = Object.freeze([
  '.git',
  '.hg',
  '.svn',
  '.env',
  '.env.*',
  '.ssh',
  '.gnupg',
  '.aws',
  '.azure',
  '.kube',
  '.docker',
  '.npmrc',
  '.pypirc',
  '.netrc',
  '.pgpass',
  '.htaccess',
  '.htpasswd',
  'id_rsa*',
  'id_dsa*',
  'id_ecdsa*',
  'id_ed25519*',
])

/** Options of `safePath`. */
export interface SafePathOptions {
  /**
   * Directories the path must stay inside, after `..`, symlinks and every decoding are resolved.
   * Must exist; resolved with `realpath` at creation. Required, non-empty.
   */
  readonly roots: readonly string[]
  /** Directory relative paths resolve against. Default: the first root. */
  readonly base?: string
  /**
   * Path segments refused inside the roots, as case-insensitive globs. Default
   * `DEFAULT_DENIED_PATH_NAMES`; `[]` refuses none.
   */
  readonly deniedNames?: readonly string[]
  /** Longest accepted path, in UTF-16 code units. Default 4096. */
  readonly maxLength?: number
  /**
   * Arguments the middleware checks (strings or arrays of strings). Default: every top-level
   * string and array-of-strings argument.
   */
  readonly args?: readonly string[]
}

const KNOWN = new Set(['roots', 'base', 'deniedNames', 'maxLength', 'args'])
/** Percent-decoding rounds tried; a value still changing after them is refused. */
const DECODE_ROUNDS = 3
const fatalUtf8 = new TextDecoder('utf-8', { fatal: true })

function hexValue(code: number): number {
  if (code >= 48 && code <= 57) return code - 48
  const lower = code | 0x20
  if (lower >= 97 && lower <= 102) return lower - 87
  return -1
}

/**
 * Decodes every `%XX`, then reads the bytes as strict UTF-8. `undefined` when a `%` starts no
 * escape (`%%32%65`, a trailing `%`) or on invalid UTF-8 (overlong forms such as `%c0%af`).
 */
function percentDecode(text: string): string | undefined {
  if (!text.includes('%')) return text
  const source = Buffer.from(text, 'utf8')
  const out = Buffer.allocUnsafe(source.length)
  let length = 0
  for (let i = 0; i < source.length; i++) {
    const byte = source[i] as number
    if (byte === 37) {
      const hi = i + 2 < source.length ? hexValue(source[i + 1] as number) : -1
      const lo = i + 2 < source.length ? hexValue(source[i + 2] as number) : -1
      // A `%` that starts no escape is read differently by different decoders: refuse it.
      if (hi < 0 || lo < 0) return undefined
      out[length++] = hi * 16 + lo
      i += 2
      continue
    }
    out[length++] = byte
  }
  try {
    return fatalUtf8.decode(out.subarray(0, length))
  } catch {
    return undefined
  }
}

function invalid(message: string, reason: string): PolicyError {
  return new PolicyError(POLICY_ERROR_CODES.ERR_POLICY_PATH_INVALID, message, { details: { reason } })
}

function outside(): PolicyError {
  return new PolicyError(POLICY_ERROR_CODES.ERR_POLICY_PATH_OUTSIDE_ROOTS, 'Path is outside the allowed directories')
}

/** `candidate` relative to `root` when inside it (`''` for the root itself), else `undefined`. */
function inside(root: string, candidate: string): string | undefined {
  if (candidate === root) return ''
  // Both are absolute and normalized (path.resolve / realpath): a prefix test is exact.
  const prefix = root.endsWith(path.sep) ? root : root + path.sep
  return candidate.startsWith(prefix) ? candidate.slice(prefix.length) : undefined
}

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false
  return true
}

function isSymlink(target: string): boolean {
  try {
    return lstatSync(target).isSymbolicLink()
  } catch {
    return false
  }
}

/**
 * `realpath` of the deepest existing ancestor, with the rest (which cannot be a symlink) appended.
 * Uses the native synchronous `realpath(3)`: one system call, no thread-pool round trip, and the
 * answer cannot change between the check and the await that would otherwise follow it.
 */
function realpathDeep(target: string): string {
  let current = target
  const rest: string[] = []
  for (;;) {
    try {
      const real = realpathSync.native(current)
      return rest.length === 0 ? real : path.join(real, ...rest.reverse())
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw err
      // A dangling symlink also answers ENOENT, but writing through it would create its target,
      // wherever that is.
      if (isSymlink(current)) throw new Error('dangling symbolic link')
      const parent = path.dirname(current)
      if (parent === current) throw err
      rest.push(path.basename(current))
      current = parent
    }
  }
}

/**
 * Argument guard for file-system paths: accepts a path only if it stays inside one of `roots`
 * under every reading an attacker could count on, and resolves to its real path.
 *
 * Refused: non-strings, empty or over-long values, control characters (null bytes included) and
 * bidi/invisible characters, malformed percent-escapes (a `%` not followed by two hex digits),
 * invalid UTF-8 after percent-decoding (overlong `%c0%af`), values still changing after three
 * rounds of percent-decoding, Windows drive-letter paths on POSIX, dangling symlinks, and
 * anything that leaves the roots once `..` is resolved, under any of these readings: literal,
 * percent-decoded (once, repeatedly, or after unwrapping `%25`), NFKC-normalized, with `\` read as
 * a separator, with `\` stripped. The real path (symlinks followed with `realpath`; for a path
 * that does not exist yet, its deepest existing ancestor) must stay inside the roots too.
 * Segments matching `deniedNames` (`.git`, `.env`, ...) are refused inside the roots as well.
 * `check` resolves to the real path.
 *
 * Messages never echo the path or reveal the roots.
 *
 * @throws TypeError at creation on unknown options, no roots, or a root that is not an existing
 * directory.
 * @throws PolicyError `ERR_POLICY_PATH_INVALID` (details `reason`), `ERR_POLICY_PATH_OUTSIDE_ROOTS`,
 * `ERR_POLICY_PATH_FORBIDDEN` (details `argument` when raised by the middleware).
 * @see OWASP Path Traversal; MCP security best practices, local server compromise
 * @example
 * ```ts
 * const files = safePath({ roots: ['/srv/docs'], args: ['path'] })
 * server.registerTool('read_doc', { inputSchema: { path: z.string().superRefine(files.refine) } },
 *   server.guard(files).wrap(async ({ path }) => ({ content: [{ type: 'text', text: await readFile(await files.check(path), 'utf8') }] })))
 * ```
 */
export function safePath(options: SafePathOptions): ArgumentGuard<string> {
  const where = 'safePath'
  knownOptions(where, options, KNOWN)
  if (!Array.isArray(options.roots) || options.roots.length === 0) {
    throw new TypeError(`${where}: \`roots\` must be a non-empty array of directories`)
  }
  const lexicalRoots: string[] = []
  const realRoots: string[] = []
  for (const root of options.roots) {
    if (typeof root !== 'string' || root.length === 0 || root.includes('\u0000')) {
      throw new TypeError(`${where}: every root must be a non-empty path`)
    }
    const resolved = path.resolve(root)
    let real: string
    try {
      real = realpathSync(resolved)
      if (!statSync(real).isDirectory()) throw new Error('not a directory')
    } catch {
      throw new TypeError(`${where}: root ${JSON.stringify(root)} is not an existing directory`)
    }
    lexicalRoots.push(resolved)
    realRoots.push(real)
  }
  const base = options.base === undefined ? (lexicalRoots[0] as string) : path.resolve(options.base)
  const denied = options.deniedNames ?? DEFAULT_DENIED_PATH_NAMES
  if (!Array.isArray(denied) || !denied.every((n) => typeof n === 'string' && n.length > 0)) {
    throw new TypeError(`${where}: \`deniedNames\` must be an array of non-empty strings`)
  }
  const deniedLower = Object.freeze(denied.map((n) => n.toLowerCase()))
  // Plain names are a set lookup; only patterns with `*` or `?` go through the glob matcher.
  const deniedExact = new Set(deniedLower.filter((n) => !n.includes('*') && !n.includes('?')))
  const deniedGlobs = deniedLower.filter((n) => n.includes('*') || n.includes('?'))
  const maxLength = positiveInteger(where, 'maxLength', options.maxLength, 4096)
  const args = argumentNames(where, options.args)
  const windows = process.platform === 'win32'

  const forbiddenIn = (relative: string): boolean => {
    if (deniedLower.length === 0 || relative === '') return false
    for (const segment of relative.split(path.sep)) {
      const lower = segment.toLowerCase()
      if (deniedExact.has(lower) || anyGlob(deniedGlobs, lower)) return true
    }
    return false
  }
  const containing = (roots: readonly string[], candidate: string): string | undefined => {
    for (const root of roots) {
      const relative = inside(root, candidate)
      if (relative !== undefined) return relative
    }
    return undefined
  }

  const check = async (value: unknown): Promise<string> => {
    if (typeof value !== 'string') throw invalid('Path must be a string', 'type')
    if (value.length === 0) throw invalid('Path is empty', 'empty')
    if (value.length > maxLength) throw invalid('Path is too long', 'length')
    const readings = new Set<string>()
    // Decoders differ: some decode once, some until nothing changes, some unwrap `%25` first.
    const starts = value.includes('%') ? [value, value.replace(/%25/gi, '%')] : [value]
    for (const start of starts) {
      let current = start
      readings.add(current)
      for (let round = 0; ; round++) {
        const decoded = percentDecode(current)
        if (decoded === undefined) throw invalid('Path has an invalid encoding', 'encoding')
        if (decoded === current) break
        if (round === DECODE_ROUNDS) throw invalid('Path is encoded too many times', 'encoding')
        readings.add(decoded)
        current = decoded
      }
    }
    for (const reading of [...readings]) {
      if (!isAscii(reading)) readings.add(reading.normalize('NFKC'))
      // A filter that strips backslashes turns `.\\./` into `../`.
      if (reading.includes('\\')) readings.add(reading.replaceAll('\\', ''))
    }
    const resolved = new Set<string>()
    for (const reading of readings) {
      if (hasUnsafeCharacter(reading)) throw invalid('Path contains control or invisible characters', 'character')
      const slashed = reading.replaceAll('\\', '/')
      if (!windows && /^[A-Za-z]:/.test(slashed)) throw outside()
      const candidate = path.resolve(base, slashed)
      const relative = containing(lexicalRoots, candidate) ?? containing(realRoots, candidate)
      if (relative === undefined) throw outside()
      if (forbiddenIn(relative)) {
        throw new PolicyError(POLICY_ERROR_CODES.ERR_POLICY_PATH_FORBIDDEN, 'Path names a protected file or directory')
      }
      resolved.add(candidate)
    }
    let literal: string | undefined
    for (const candidate of resolved) {
      let real: string
      try {
        real = realpathDeep(candidate)
      } catch (err) {
        throw new PolicyError(POLICY_ERROR_CODES.ERR_POLICY_PATH_INVALID, 'Path cannot be resolved', {
          details: { reason: 'unresolvable' },
          cause: err,
        })
      }
      const relative = containing(realRoots, real)
      if (relative === undefined) throw outside()
      if (forbiddenIn(relative)) {
        throw new PolicyError(POLICY_ERROR_CODES.ERR_POLICY_PATH_FORBIDDEN, 'Path names a protected file or directory')
      }
      literal ??= real
    }
    return literal as string
  }

  return argumentGuard('safePath', args, POLICY_ERROR_CODES.ERR_POLICY_PATH_INVALID, check, {
    roots: lexicalRoots.length,
    deniedNames: deniedLower,
  })
}
