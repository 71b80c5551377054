import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { canonicalJson, confusableSkeleton, type Finding, publishSecurityEvent, scanText } from '@mcp-warden/core'
import { CONTENT_ERROR_CODES, ContentError, type ContentErrorCode } from './content-error.js'
import type { Definition, DefinitionKind } from './definition.js'
import {
  DEFINITION_KINDS,
  definitionOf,
  definitionsOf,
  loadSchemaConversion,
  registryOf,
  serverViewOf,
} from './internal/definitions.js'

/** Default lockfile name, in the working directory. */
export const LOCKFILE_NAME = 'mcp-warden.lock.json'

/** One locked definition: the hash of the whole and of each part (to name what changed). */
export interface LockEntry {
  /** `sha256:` + hex digest of the canonical JSON of every part. */
  readonly hash: string
  /** Part name (`description`, `inputSchema`, ...) to its `sha256:` digest. */
  readonly parts: Readonly<Record<string, string>>
}

/** The content of `mcp-warden.lock.json`. Keys are `<kind>:<name>` (`tool:add`, `prompt:greet`). */
export interface LockFile {
  readonly version: 1
  readonly definitions: Readonly<Record<string, LockEntry>>
}

/** A problem found with a definition. */
export interface LockIssue {
  readonly code: ContentErrorCode
  readonly kind: DefinitionKind
  readonly name: string
  /** Names the primitive and the finding; never contains the definition's text. */
  readonly message: string
  readonly details: Readonly<Record<string, unknown>>
}

/** What `lockTools` checked. */
export interface LockReport {
  /** Number of definitions checked. */
  readonly checked: number
  /** Every issue found (in `refuse` mode, the call threw instead when this was non-empty). */
  readonly issues: readonly LockIssue[]
}

/** Options of `lockTools`. */
export interface LockToolsOptions {
  /**
   * The lock: a `LockFile` object, or the path of `mcp-warden.lock.json` (written by the
   * `mcp-warden-lock` command). Default: `mcp-warden.lock.json` in the working directory.
   */
  readonly lock?: LockFile | string
  /**
   * `refuse` (default): throw on any issue at start-up, and make a later registration or
   * `update()` that breaks the lock throw (and be undone). `report`: publish each issue as a
   * `content.tool_definition` security event and carry on.
   */
  readonly mode?: 'refuse' | 'report'
  /** Accept definitions that are not in the lock (only changes are refused). Default `false`. */
  readonly allowUnlocked?: boolean
  /**
   * Scan every string of each definition (descriptions, titles, schema descriptions) for hidden
   * instructions, invisible characters and terminal escapes, and names for mixed scripts.
   * Default `true`.
   */
  readonly scan?: boolean
  /**
   * Names of tools from other servers the same client uses (`send_email`, `read_file`): a local
   * name that is a look-alike (case, separator or homoglyph variant) but not equal is refused as
   * shadowing. Default none.
   */
  readonly knownNames?: readonly string[]
}

const KNOWN = new Set(['lock', 'mode', 'allowUnlocked', 'scan', 'knownNames'])
const INSTALLED = Symbol.for('mcp-warden.lock-tools')

const digest = (value: unknown): string => `sha256:${createHash('sha256').update(canonicalJson(value)).digest('hex')}`
const keyOf = (kind: DefinitionKind, name: string): string => `${kind}:${name}`

/**
 * The lock entry of one definition: a SHA-256 over the canonical JSON (sorted keys, no whitespace)
 * of its parts, and one per part.
 */
export function hashDefinition(definition: Definition): LockEntry {
  const parts: Record<string, string> = {}
  for (const [name, value] of Object.entries(definition.parts)) parts[name] = digest(value)
  return { hash: digest(definition.parts), parts }
}

/**
 * Builds the lock of a server's current tools, prompts and resource templates, from their
 * definitions exactly as clients see them (JSON schemas converted as the server's SDK converts
 * them).
 *
 * @throws TypeError when `server` is not an `McpServer` of `@modelcontextprotocol/sdk` 1.x or
 * `@modelcontextprotocol/server` 2.x, or when a schema cannot be converted to JSON Schema.
 * @example
 * ```ts
 * writeFileSync('mcp-warden.lock.json', JSON.stringify(await createLockFile(server), null, 2))
 * ```
 */
export async function createLockFile(server: object): Promise<LockFile> {
  const { major, registries } = serverViewOf(server, 'createLockFile')
  const sdk = await loadSchemaConversion(major)
  const definitions: Record<string, LockEntry> = {}
  for (const d of definitionsOf(registries, sdk).sort((a, b) =>
    keyOf(a.kind, a.name).localeCompare(keyOf(b.kind, b.name)),
  )) {
    definitions[keyOf(d.kind, d.name)] = hashDefinition(d)
  }
  return { version: 1, definitions }
}

function readLock(lock: LockFile | string): LockFile {
  let value: unknown = lock
  if (typeof lock === 'string') {
    let text: string
    try {
      text = readFileSync(lock, 'utf8')
    } catch (cause) {
      throw new TypeError(`lockTools: cannot read lockfile ${lock}; create it with the mcp-warden-lock command`, {
        cause,
      })
    }
    try {
      value = JSON.parse(text)
    } catch (cause) {
      throw new TypeError(`lockTools: lockfile ${lock} is not valid JSON`, { cause })
    }
  }
  const file = value as Partial<LockFile> | null
  if (
    typeof file !== 'object' ||
    file === null ||
    file.version !== 1 ||
    typeof file.definitions !== 'object' ||
    file.definitions === null
  ) {
    throw new TypeError('lockTools: the lock must be { version: 1, definitions: { ... } }')
  }
  for (const [key, entry] of Object.entries(file.definitions)) {
    if (typeof entry?.hash !== 'string' || typeof entry.parts !== 'object' || entry.parts === null) {
      throw new TypeError(`lockTools: malformed lock entry "${key}"`)
    }
  }
  return file as LockFile
}

const LABEL: Readonly<Record<DefinitionKind, string>> = {
  tool: 'Tool',
  prompt: 'Prompt',
  'resource-template': 'Resource template',
}

/** Every string inside a JSON value, with its JSON Pointer. */
function* strings(value: unknown, path: string, depth = 0): Generator<readonly [string, string]> {
  if (depth > 64) return
  if (typeof value === 'string') yield [path, value]
  else if (Array.isArray(value))
    for (let i = 0; i < value.length; i++) yield* strings(value[i], `${path}/${i}`, depth + 1)
  else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value))
      yield* strings(v, `${path}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`, depth + 1)
  }
}

interface Checker {
  readonly lock: LockFile
  readonly allowUnlocked: boolean
  readonly scan: boolean
  readonly knownNames: readonly string[]
}

/** Lock, poisoning and shadowing checks of `subject` against every definition in `all`. */
function check(subject: readonly Definition[], all: readonly Definition[], checker: Checker): LockIssue[] {
  const issues: LockIssue[] = []
  const issue = (code: ContentErrorCode, d: Definition, message: string, details: Record<string, unknown>) =>
    issues.push({ code, kind: d.kind, name: d.name, message: `${LABEL[d.kind]} "${d.name}": ${message}`, details })
  for (const d of subject) {
    const locked = checker.lock.definitions[keyOf(d.kind, d.name)]
    if (locked === undefined) {
      if (!checker.allowUnlocked) issue(CONTENT_ERROR_CODES.ERR_CONTENT_LOCK_MISSING, d, 'not in the lockfile', {})
    } else {
      const entry = hashDefinition(d)
      if (entry.hash !== locked.hash) {
        const names = new Set([...Object.keys(entry.parts), ...Object.keys(locked.parts)])
        const changed = [...names].filter((p) => entry.parts[p] !== locked.parts[p]).sort()
        issue(
          CONTENT_ERROR_CODES.ERR_CONTENT_LOCK_MISMATCH,
          d,
          `definition differs from the lockfile (${changed.join(', ')})`,
          { changed },
        )
      }
    }
    if (checker.scan) {
      const nameFindings = scanText(d.name, { categories: { confusable: true, secret: false, pii: false } }).findings
      for (const [path, text] of strings(d.parts, '')) {
        const findings: readonly Finding[] =
          path === '/name' ? nameFindings : scanText(text, { categories: { secret: false, pii: false } }).findings
        const first = findings[0]
        if (first !== undefined) {
          issue(
            CONTENT_ERROR_CODES.ERR_CONTENT_POISONED_DEFINITION,
            d,
            `${first.message} (${first.category}/${first.detector}) in ${path} at ${first.start}`,
            {
              path,
              category: first.category,
              detector: first.detector,
              start: first.start,
              end: first.end,
              count: findings.length,
            },
          )
        }
      }
    }
    const skeleton = confusableSkeleton(d.name)
    for (const other of all) {
      if (other === d || other.kind !== d.kind || other.name === d.name) continue
      if (confusableSkeleton(other.name) === skeleton) {
        issue(
          CONTENT_ERROR_CODES.ERR_CONTENT_SHADOWED_NAME,
          d,
          `name looks like ${LABEL[other.kind].toLowerCase()} "${other.name}"`,
          {
            shadows: other.name,
          },
        )
      }
    }
    for (const known of checker.knownNames) {
      if (known !== d.name && confusableSkeleton(known) === skeleton) {
        issue(CONTENT_ERROR_CODES.ERR_CONTENT_SHADOWED_NAME, d, `name looks like the known tool "${known}"`, {
          shadows: known,
        })
      }
    }
  }
  return issues
}

function refuse(issues: readonly LockIssue[]): ContentError {
  const first = issues[0] as LockIssue
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more issue(s))` : ''
  return new ContentError(first.code, `${first.message}${more}`, {
    details: { issues: issues.map(({ code, kind, name, details }) => ({ code, kind, name, ...details })) },
  })
}

function publish(issues: readonly LockIssue[]): void {
  for (const i of issues) {
    publishSecurityEvent({
      type: 'content.tool_definition',
      code: i.code,
      name: i.name,
      detail: { kind: i.kind, ...i.details },
    })
  }
}

type Loose = Record<string, unknown>
type Fn = (...args: unknown[]) => unknown

/**
 * Puts back every own field of a registered item as `before` (a shallow copy) had it. This also
 * covers what the SDK derives in `update()` (SDK 2.x: the executor, the prompt handler, the cached
 * output JSON Schema), not only the listed fields.
 */
function restore(item: Loose, before: Loose): void {
  for (const key of Object.keys(item)) if (!Object.hasOwn(before, key)) delete item[key]
  for (const [key, value] of Object.entries(before)) if (item[key] !== value) item[key] = value
}

/**
 * Verifies a server's tool, prompt and resource-template definitions against
 * `mcp-warden.lock.json` (rug-pull protection), scans them for tool poisoning (hidden
 * instructions, invisible characters, escape sequences, mixed-script names), and refuses duplicate
 * or look-alike names (tool shadowing). Call it after registering everything and before
 * `server.connect()`. From then on, every new registration and every `update()` is checked the
 * same way: in `refuse` mode a definition that breaks the lock makes the call throw and is undone
 * (a new registration is removed; an update is rolled back), so neither a dependency nor a runtime
 * change can silently rewrite what the model reads.
 *
 * The hashed parts are what clients see in `tools/list` (name, title, description, input and output
 * JSON schemas as the SDK converts them, annotations), `prompts/list` (name, title, description,
 * arguments) and `resources/templates/list` (name, URI template, title, description, MIME type).
 *
 * @throws TypeError on bad options, a missing or malformed lockfile, a server that is not an
 * `McpServer` of `@modelcontextprotocol/sdk` 1.x or `@modelcontextprotocol/server` 2.x, or a
 * schema that cannot be converted to JSON Schema (the SDK's list handler would fail on it too).
 * @throws ContentError in `refuse` mode: `ERR_CONTENT_LOCK_MISMATCH` (details name the changed
 * parts), `ERR_CONTENT_LOCK_MISSING`, `ERR_CONTENT_POISONED_DEFINITION` (path, category,
 * detector), `ERR_CONTENT_SHADOWED_NAME` (the shadowed name). The message names the primitive.
 * @see https://modelcontextprotocol.io/specification/draft/basic/security_best_practices
 * @example
 * ```ts
 * const server = secure(new McpServer({ name: 'tickets', version: '1.0.0' }))
 * server.registerTool('add', { description: 'Adds two numbers', inputSchema: { a: z.number(), b: z.number() } }, add)
 * await lockTools(server, { lock: 'mcp-warden.lock.json' })
 * await server.connect(new StdioServerTransport())
 * ```
 */
export async function lockTools(server: object, options: LockToolsOptions = {}): Promise<LockReport> {
  if (typeof options !== 'object' || options === null) throw new TypeError('lockTools: options must be an object')
  for (const key of Object.keys(options)) {
    if (!KNOWN.has(key)) throw new TypeError(`lockTools: unknown option "${key}"`)
  }
  const mode = options.mode ?? 'refuse'
  if (mode !== 'refuse' && mode !== 'report') throw new TypeError('lockTools: `mode` must be "refuse" or "report"')
  for (const key of ['allowUnlocked', 'scan'] as const) {
    if (options[key] !== undefined && typeof options[key] !== 'boolean')
      throw new TypeError(`lockTools: \`${key}\` must be a boolean`)
  }
  const knownNames = options.knownNames ?? []
  if (!Array.isArray(knownNames) || knownNames.some((n) => typeof n !== 'string')) {
    throw new TypeError('lockTools: `knownNames` must be an array of strings')
  }
  const { major, registries } = serverViewOf(server, 'lockTools')
  if ((server as Record<symbol, unknown>)[INSTALLED] === true)
    throw new TypeError('lockTools: already installed on this server')
  const checker: Checker = {
    lock: readLock(options.lock ?? LOCKFILE_NAME),
    allowUnlocked: options.allowUnlocked ?? false,
    scan: options.scan ?? true,
    knownNames,
  }
  const sdk = await loadSchemaConversion(major)
  const all = (): Definition[] => definitionsOf(registries, sdk)
  const current = all()
  const issues = check(current, current, checker)
  if (issues.length > 0) {
    if (mode === 'refuse') throw refuse(issues)
    publish(issues)
  }

  /**
   * Checks one item after a change. A definition that cannot be read, or an issue in refuse mode,
   * runs `undo` and throws; in report mode, issues are published.
   */
  const recheck = (kind: DefinitionKind, name: string, item: Loose, undo: () => void): void => {
    let found: LockIssue[]
    try {
      found = check([definitionOf(kind, name, item, sdk)], all(), checker)
    } catch (err) {
      undo()
      throw err
    }
    if (found.length === 0) return
    if (mode === 'refuse') {
      undo()
      throw refuse(found)
    }
    publish(found)
  }
  const nameOf = (kind: DefinitionKind, item: Loose): string | undefined =>
    Object.entries(registryOf(registries, kind)).find(([, v]) => v === item)?.[0]
  const guardUpdates = (kind: DefinitionKind, item: Loose): void => {
    const update = item.update as Fn | undefined
    if (typeof update !== 'function') return
    item.update = function lockedUpdate(updates: unknown) {
      const before = { ...item }
      const name = nameOf(kind, item) ?? ''
      update.call(item, updates)
      const renamed = nameOf(kind, item)
      if (renamed === undefined) return // removed
      recheck(kind, renamed, item, () => {
        // Roll back: restore the fields, then the name, then let the SDK re-announce the list.
        restore(item, before)
        update.call(item, renamed === name ? {} : { name })
      })
    }
  }
  for (const kind of DEFINITION_KINDS) {
    for (const item of Object.values(registryOf(registries, kind))) guardUpdates(kind, item)
  }

  const methods: ReadonlyArray<readonly [string, DefinitionKind | 'resource']> = [
    ['registerTool', 'tool'],
    ['tool', 'tool'],
    ['registerPrompt', 'prompt'],
    ['prompt', 'prompt'],
    ['registerResource', 'resource'],
    ['resource', 'resource'],
  ]
  for (const [method, kind] of methods) {
    const original = (server as Loose)[method]
    if (typeof original !== 'function') continue
    Object.defineProperty(server, method, {
      configurable: true,
      writable: true,
      value: function lockedRegister(this: unknown, ...args: unknown[]) {
        const item = (original as Fn).apply(server, args) as Loose
        const name = String(args[0])
        const actual: DefinitionKind | undefined =
          kind !== 'resource'
            ? kind
            : registries._registeredResourceTemplates[name] === item
              ? 'resource-template'
              : undefined
        if (actual === undefined) return item // fixed resources are not locked
        recheck(actual, name, item, () => (item.remove as Fn | undefined)?.call(item))
        guardUpdates(actual, item)
        return item
      },
    })
  }
  Object.defineProperty(server, INSTALLED, { value: true })
  return { checked: current.length, issues }
}
