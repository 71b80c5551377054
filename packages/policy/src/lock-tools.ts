import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { canonicalJson, confusableSkeleton, type Finding, publishSecurityEvent, scanText } from '@mcp-warden/core'
import { CONTENT_ERROR_CODES, ContentError, type ContentErrorCode } from './content-error.js'
import type { Definition, LockedKind } from './definition.js'
import {
  DEFINITION_KINDS,
  definitionOf,
  definitionsOf,
  freezeInstructions,
  loadSchemaConversion,
  type RegistryKind,
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
  readonly kind: LockedKind
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
   * Scan every string of each definition (descriptions, titles, every schema string and property
   * name, `_meta`, the server's instructions) for hidden instructions, invisible characters and
   * terminal escapes, and names for mixed scripts. Default `true`.
   */
  readonly scan?: boolean
  /**
   * Names of tools from other servers the same client uses (`send_email`, `read_file`): a local
   * name equal to one, or a look-alike (case, separator, naming style, width, invisible-character
   * or homoglyph variant: `sendEmail`, `send-email`, `sendemail`), is refused as shadowing. List
   * only other servers' names here. Default none.
   */
  readonly knownNames?: readonly string[]
}

const KNOWN = new Set(['lock', 'mode', 'allowUnlocked', 'scan', 'knownNames'])
const INSTALLED = Symbol.for('mcp-warden.lock-tools')

const digest = (value: unknown): string => `sha256:${createHash('sha256').update(canonicalJson(value)).digest('hex')}`
const keyOf = (kind: LockedKind, name: string): string => `${kind}:${name}`

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

const LABEL: Readonly<Record<LockedKind, string>> = {
  tool: 'Tool',
  prompt: 'Prompt',
  resource: 'Resource',
  'resource-template': 'Resource template',
  server: 'Server',
}

/** Nesting deeper than this is not scanned string by string: the definition is refused instead. */
const MAX_SCAN_DEPTH = 64

/** Every string inside a JSON value, object keys included (path + ` (key)`), with its JSON Pointer. */
function strings(value: unknown): { readonly found: Array<readonly [string, string]>; readonly tooDeep: boolean } {
  const found: Array<readonly [string, string]> = []
  let tooDeep = false
  const walk = (v: unknown, path: string, depth: number): void => {
    if (depth > MAX_SCAN_DEPTH) {
      tooDeep = true
      return
    }
    if (typeof v === 'string') found.push([path, v])
    else if (Array.isArray(v)) for (let i = 0; i < v.length; i++) walk(v[i], `${path}/${i}`, depth + 1)
    else if (typeof v === 'object' && v !== null) {
      for (const [k, child] of Object.entries(v)) {
        const at = `${path}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`
        found.push([`${at} (key)`, k])
        walk(child, at, depth + 1)
      }
    }
  }
  walk(value, '', 0)
  return { found, tooDeep }
}

/** Kinds whose names a client or model picks by name, so a look-alike name can shadow another. */
const NAMED_KINDS: ReadonlySet<LockedKind> = new Set(['tool', 'prompt', 'resource-template'])

/**
 * The key two names share when they would be taken for each other: the confusable skeleton
 * (NFKC, lower case, invisible characters removed, Cyrillic/Greek look-alikes folded), then
 * decomposed with every mark, separator, punctuation and other non-alphanumeric character removed.
 * `list_issues`, `list__issues`, `listIssues`, `ListIssues`, `list-issues`, `listissues`,
 * `list.issues`, `ｌｉｓｔ＿ｉｓｓｕｅｓ` and `lіst_issues` (Cyrillic і) all share `listissues`.
 */
export function shadowKey(name: string): string {
  const strip = (text: string): string => text.normalize('NFKD').replace(/[^\p{L}\p{N}]/gu, '')
  return strip(confusableSkeleton(strip(confusableSkeleton(name))))
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
      const { found, tooDeep } = strings(d.parts)
      if (tooDeep) {
        issue(
          CONTENT_ERROR_CODES.ERR_CONTENT_POISONED_DEFINITION,
          d,
          `nested deeper than ${MAX_SCAN_DEPTH} levels, too deep to scan`,
          { path: '', category: 'structure', detector: 'depth', start: 0, end: 0, count: 1 },
        )
      }
      for (const [path, text] of found) {
        const isName = path === '/name' || (d.kind === 'resource' && path === '/uri')
        const findings: readonly Finding[] = scanText(text, {
          categories: { confusable: isName, secret: false, pii: false },
        }).findings
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
    if (!NAMED_KINDS.has(d.kind)) continue
    const key = shadowKey(d.name)
    for (const other of all) {
      if (other === d || other.kind !== d.kind || other.name === d.name) continue
      if (shadowKey(other.name) === key) {
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
      if (shadowKey(known) === key) {
        const how = known === d.name ? 'is the name of' : 'looks like'
        issue(CONTENT_ERROR_CODES.ERR_CONTENT_SHADOWED_NAME, d, `name ${how} the known tool "${known}"`, {
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

/** Puts a registry back as `entries` had it: the same keys, items and order (the list order). */
function restoreRegistry(registry: Loose, entries: ReadonlyArray<readonly [string, unknown]>): void {
  const now = Object.entries(registry)
  if (now.length === entries.length && now.every(([k, v], i) => entries[i]?.[0] === k && entries[i]?.[1] === v)) return
  for (const key of Object.keys(registry)) delete registry[key]
  for (const [key, value] of entries) registry[key] = value
}

/** The fields of a registered item that its definition is read from. */
const DEFINITION_FIELDS: Readonly<Record<RegistryKind, readonly string[]>> = {
  tool: ['title', 'description', 'inputSchema', 'outputSchema', 'annotations', 'icons', 'execution', '_meta'],
  prompt: ['title', 'description', 'argsSchema', 'icons', '_meta'],
  resource: ['name', 'metadata'],
  'resource-template': ['resourceTemplate', 'metadata'],
}

/** The update field that renames an item: fixed resources are keyed by URI. */
const renameField = (kind: RegistryKind): string => (kind === 'resource' ? 'uri' : 'name')

/**
 * SDK 2.x: the name and definition fields `update(updates)` would leave, or `undefined` when it
 * removes the item. SDK 2.x stores each updated value as given (a template's or resource's `title`
 * is also copied into its metadata), so the update can be checked before it is applied, and a
 * refused one never reaches the state the SDK keeps in closures (a prompt's arguments schema and
 * callback, a tool's name and handler).
 */
function previewV2(
  kind: RegistryKind,
  name: string,
  item: Loose,
  updates: Loose,
): { name: string; item: Loose } | undefined {
  const renamed = updates[renameField(kind)]
  if (renamed !== undefined && !renamed) return undefined
  const next: Loose = {}
  for (const field of DEFINITION_FIELDS[kind]) next[field] = item[field]
  const take = (from: string, to = from): void => {
    if (updates[from] !== undefined) next[to] = updates[from]
  }
  switch (kind) {
    case 'tool':
      for (const f of ['title', 'description', 'outputSchema', 'annotations', 'icons', '_meta']) take(f)
      take('paramsSchema', 'inputSchema')
      break
    case 'prompt':
      for (const f of ['title', 'description', 'argsSchema', 'icons', '_meta']) take(f)
      break
    case 'resource':
      take('name')
      take('metadata')
      break
    case 'resource-template':
      take('template', 'resourceTemplate')
      take('metadata')
      break
  }
  if ((kind === 'resource' || kind === 'resource-template') && updates.title !== undefined) {
    next.metadata = { ...(next.metadata as Loose | undefined), title: updates.title }
  }
  return { name: renamed === undefined ? name : String(renamed), item: next }
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
 * The hashed parts are the whole entries clients see in `tools/list` (name, title, description,
 * input and output JSON schemas as the SDK converts them, annotations, icons, `execution`, `_meta`),
 * `prompts/list` (name, title, description, arguments, icons, `_meta`), `resources/list` (fixed
 * resources, keyed by URI: URI, name, every metadata field) and `resources/templates/list` (name,
 * URI template, every metadata field), and the server's `instructions` (`server:instructions`),
 * which are also scanned like a description and made read-only on the server.
 *
 * A refused `update()` is undone whole: fields, name, registry order and callback (a new callback
 * is applied only after the rest passed). Names of the same kind, and `knownNames`, that differ
 * only in case, separators, naming style, width, invisible characters or look-alike letters
 * (`list_issues`, `listIssues`, `list-issues`, `listissues`) are refused as shadows.
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
  const recheck = (kind: RegistryKind, name: string, item: Loose, undo: () => void): void => {
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
  const nameOf = (kind: RegistryKind, item: Loose): string | undefined =>
    Object.entries(registryOf(registries, kind)).find(([, v]) => v === item)?.[0]

  /** Refuses (or reports) a rename onto a name another item of the same kind holds. */
  const refuseTaken = (kind: RegistryKind, name: string, target: unknown, item: Loose): void => {
    const registry = registryOf(registries, kind)
    if (!target) return // no rename, or a removal
    const key = String(target) // the SDKs use the value as a property key
    if (key === name || !Object.hasOwn(registry, key) || registry[key] === item) return
    const found: LockIssue[] = [
      {
        code: CONTENT_ERROR_CODES.ERR_CONTENT_SHADOWED_NAME,
        kind,
        name: key,
        message: `${LABEL[kind]} "${name}": renaming to "${key}" would replace the ${LABEL[kind].toLowerCase()} registered under that name`,
        details: { shadows: key },
      },
    ]
    if (mode === 'refuse') throw refuse(found)
    publish(found)
  }

  /** One guarded `update()`: checked before (SDK 2.x), applied, checked after, undone if refused. */
  const apply = (kind: RegistryKind, item: Loose, update: Fn, updates: unknown): void => {
    const registry = registryOf(registries, kind)
    const name = nameOf(kind, item)
    const fields = typeof updates === 'object' && updates !== null ? (updates as Loose) : {}
    if (name !== undefined) {
      refuseTaken(kind, name, fields[renameField(kind)], item)
      const next = major === 2 && mode === 'refuse' ? previewV2(kind, name, item, fields) : undefined
      if (next !== undefined) {
        const others = all().filter((d) => d.kind !== kind || d.name !== name)
        const found = check([definitionOf(kind, next.name, next.item, sdk)], others, checker)
        if (found.length > 0) throw refuse(found)
      }
    }
    const entries = Object.entries(registry)
    const before = { ...item }
    /** Best effort through the SDK (its closures); the fields and the registry are restored anyway. */
    const resync = (updates: Loose): void => {
      try {
        update.call(item, updates)
      } catch {
        // The restores below still put back everything a client sees.
      }
    }
    const undo = (): void => {
      restore(item, before)
      const now = nameOf(kind, item)
      // SDK 2.x keeps a tool's name in a closure that update() moves: move it back the same way.
      if (name !== undefined && now !== undefined && now !== name) resync({ [renameField(kind)]: name })
      // SDK 2.x keeps a prompt's arguments schema in a closure too (its argument validation).
      if (before.argsSchema !== undefined && fields.argsSchema !== undefined) resync({ argsSchema: before.argsSchema })
      restoreRegistry(registry, entries)
      restore(item, before)
      // Wrappers of update() installed before the lock (secure() keeps the name, annotations and
      // `_meta` its guards and flow labels read) saw the refused values: an empty update lets them
      // read the restored item again.
      resync({})
      restoreRegistry(registry, entries)
      restore(item, before)
    }
    try {
      update.call(item, updates)
    } catch (err) {
      undo()
      throw err
    }
    // A rename moves the item and touches nothing else. The SDKs key the registry by the name the
    // item was created with (SDK 1.x for every kind, SDK 2.x for all but tools), so after one
    // rename their next rename or removal leaves the item under its previous name too, or deletes
    // another item that took the original name: settle the registry as a move would leave it.
    const target = fields[renameField(kind)]
    if (target !== undefined && name !== undefined) {
      const key = target ? String(target) : undefined
      restoreRegistry(
        registry,
        key === name
          ? entries
          : [...entries.filter(([, v]) => v !== item), ...(key === undefined ? [] : [[key, item] as const])],
      )
    }
    const renamed = nameOf(kind, item)
    if (renamed === undefined) return // removed
    recheck(kind, renamed, item, undo)
  }

  const guardUpdates = (kind: RegistryKind, item: Loose): void => {
    const update = item.update as Fn | undefined
    if (typeof update !== 'function') return
    item.update = function lockedUpdate(updates: unknown) {
      if (typeof updates !== 'object' || updates === null) {
        apply(kind, item, update, updates)
        return
      }
      // One read of each field: the check and the SDK see the same values (a getter cannot answer
      // the check one thing and the SDK another). Inherited fields are dropped, as secure() does.
      const { callback, ...rest } = { ...updates } as Loose
      // A new callback is applied only once the rest of the update passed: a refused update must
      // not leave it in the SDK's closures (SDK 2.x rebuilds a tool's executor or a prompt's
      // handler from them on a later update).
      if (callback === undefined || Object.keys(rest).length === 0) {
        apply(kind, item, update, callback === undefined ? rest : { ...rest, callback })
        return
      }
      apply(kind, item, update, rest)
      if (nameOf(kind, item) !== undefined) apply(kind, item, update, { callback })
    }
  }
  for (const kind of DEFINITION_KINDS) {
    for (const item of Object.values(registryOf(registries, kind))) guardUpdates(kind, item)
  }

  const methods: ReadonlyArray<readonly [string, 'tool' | 'prompt' | 'resource']> = [
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
        const templateName = String(args[0])
        const actual: RegistryKind | undefined =
          kind !== 'resource'
            ? kind
            : registries._registeredResourceTemplates[templateName] === item
              ? 'resource-template'
              : nameOf('resource', item) !== undefined
                ? 'resource'
                : undefined
        const name = actual === 'resource' ? nameOf('resource', item) : templateName
        if (actual === undefined || name === undefined) {
          ;(item.remove as Fn | undefined)?.call(item)
          throw new TypeError(`lockTools: ${method}() registered something this lock cannot find; it was removed`)
        }
        recheck(actual, name, item, () => (item.remove as Fn | undefined)?.call(item))
        guardUpdates(actual, item)
        return item
      },
    })
  }
  freezeInstructions(registries)
  Object.defineProperty(server, INSTALLED, { value: true })
  return { checked: current.length, issues }
}
