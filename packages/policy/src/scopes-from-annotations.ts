import type {
  GuardContext,
  ListContext,
  Middleware,
  PrimitiveKind,
  PrimitiveMetadata,
  PrimitiveResult,
  ToolAnnotations,
} from '@mcp-warden/core'
import { POLICY_ERROR_CODES, PolicyError } from './errors.js'
import { DESCRIBE_FOR } from './internal/describe-for.js'
import { DEFAULT_SCOPE_HIERARCHY, isScopeToken, type ScopeHierarchy } from './scope-hierarchy.js'

/** The annotation-derived scopes of one primitive, before the author's override. */
export type AnnotationScopeMapping = (
  annotations: ToolAnnotations | undefined,
  kind: PrimitiveKind,
) => readonly string[]

/** Options of `scopesFromAnnotations`. */
export interface ScopesFromAnnotationsOptions {
  /** Scopes (all of) for tools with `readOnlyHint: true`, and for resources and prompts. Required. */
  readonly read: string | readonly string[]
  /** Scopes (all of) for every other tool: `readOnlyHint` absent or `false`. Required. */
  readonly write: string | readonly string[]
  /**
   * Extra scopes for write tools that may be destructive: `destructiveHint` not `false` (the MCP
   * default is `true`). Default: none.
   */
  readonly destructive?: string | readonly string[]
  /**
   * Extra scopes for write tools that are neither read-only nor idempotent
   * (`idempotentHint` not `true`; MCP default `false`). Default: none.
   */
  readonly nonIdempotent?: string | readonly string[]
  /**
   * Extra scopes for tools that reach an open world (`openWorldHint` not `false`; MCP default
   * `true`), read-only or not. Default: none.
   */
  readonly openWorld?: string | readonly string[]
  /**
   * Replaces the mapping above: receives the tool's annotations (`undefined` for resources,
   * prompts and tools without annotations) and the primitive kind, and returns the scopes (all
   * of) to require. `defaultMapping` is the mapping built from the other options. Must be pure:
   * its result is cached per primitive.
   */
  readonly map?: (
    annotations: ToolAnnotations | undefined,
    kind: PrimitiveKind,
    defaultMapping: AnnotationScopeMapping,
  ) => readonly string[]
  /** Scope hierarchy used to compare granted and required scopes. Default `DEFAULT_SCOPE_HIERARCHY`. */
  readonly hierarchy?: ScopeHierarchy
  /**
   * Hide primitives from lists for callers lacking their scopes (a call is then answered like a
   * call to an unknown tool); `false` keeps them listed and refuses calls naming the missing
   * scopes. Default `true`.
   */
  readonly hideFromLists?: boolean
}

const KNOWN = new Set([
  'read',
  'write',
  'destructive',
  'nonIdempotent',
  'openWorld',
  'map',
  'hierarchy',
  'hideFromLists',
])
const NONE: readonly string[] = Object.freeze([])

function scopeList(where: string, key: string, value: unknown, required: boolean): readonly string[] {
  if (value === undefined && !required) return NONE
  const list = typeof value === 'string' ? [value] : value
  if (!Array.isArray(list) || (required && list.length === 0) || !list.every(isScopeToken)) {
    throw new TypeError(`${where}: \`${key}\` must be a scope token or an array of scope tokens`)
  }
  return Object.freeze([...new Set(list as string[])])
}

/**
 * Derives the scopes a call needs from the primitive's own annotations, so a server states once
 * "read tools need `x:read`, everything else `x:write`". The annotations are those the server
 * registered (`ctx.metadata.annotations`), never anything the client sent. A tool without
 * annotations counts as a write tool (MCP defaults: `readOnlyHint: false`,
 * `destructiveHint: true`, `idempotentHint: false`, `openWorldHint: true`); resources and prompts
 * count as reads. Callers lacking the scopes do not see the primitive in lists.
 *
 * @throws TypeError at creation on unknown options or scopes that are not scope tokens; at call
 * time when a custom `map` returns something other than an array of scope tokens.
 * @throws PolicyError `ERR_POLICY_NO_PRINCIPAL` (401), `ERR_POLICY_INSUFFICIENT_SCOPE` with
 * `details.missing`.
 * @see MCP specification, server/tools `ToolAnnotations`
 * @example
 * ```ts
 * const server = secure(new McpServer(info), {
 *   use: [scopesFromAnnotations({ read: 'tickets:read', write: 'tickets:write', destructive: 'tickets:admin' })],
 * })
 * ```
 */
export function scopesFromAnnotations(options: ScopesFromAnnotationsOptions): Middleware {
  const where = 'scopesFromAnnotations'
  if (typeof options !== 'object' || options === null) throw new TypeError(`${where}: options are required`)
  for (const key of Object.keys(options)) {
    if (!KNOWN.has(key)) throw new TypeError(`${where}: unknown option "${key}"`)
  }
  const read = scopeList(where, 'read', options.read, true)
  const write = scopeList(where, 'write', options.write, true)
  const destructive = scopeList(where, 'destructive', options.destructive, false)
  const nonIdempotent = scopeList(where, 'nonIdempotent', options.nonIdempotent, false)
  const openWorld = scopeList(where, 'openWorld', options.openWorld, false)
  const map = options.map
  if (map !== undefined && typeof map !== 'function') throw new TypeError(`${where}: \`map\` must be a function`)
  const hierarchy = options.hierarchy ?? DEFAULT_SCOPE_HIERARCHY
  if (typeof hierarchy?.missing !== 'function')
    throw new TypeError(`${where}: \`hierarchy\` must come from createScopeHierarchy()`)

  const hideFromLists = options.hideFromLists ?? true
  if (typeof hideFromLists !== 'boolean') throw new TypeError(`${where}: \`hideFromLists\` must be a boolean`)

  const defaultMapping: AnnotationScopeMapping = (annotations, kind) => {
    if (kind !== 'tool') return read
    const readOnly = annotations?.readOnlyHint === true
    const scopes = [...(readOnly ? read : write)]
    if (!readOnly && annotations?.destructiveHint !== false) scopes.push(...destructive)
    if (!readOnly && annotations?.idempotentHint !== true) scopes.push(...nonIdempotent)
    if (annotations?.openWorldHint !== false) scopes.push(...openWorld)
    return Object.freeze([...new Set(scopes)])
  }
  // Metadata objects are frozen per registration and replaced on update, so they key the cache.
  const cache = new WeakMap<PrimitiveMetadata, readonly string[]>()
  const requiredFor = (kind: PrimitiveKind, metadata: PrimitiveMetadata): readonly string[] => {
    const hit = cache.get(metadata)
    if (hit !== undefined) return hit
    let scopes = defaultMapping(metadata.annotations, kind)
    if (map !== undefined) {
      const custom: unknown = map(metadata.annotations, kind, defaultMapping)
      if (!Array.isArray(custom) || !custom.every(isScopeToken)) {
        throw new TypeError(`${where}: \`map\` must return an array of scope tokens`)
      }
      scopes = Object.freeze([...new Set(custom as string[])])
    }
    cache.set(metadata, scopes)
    return scopes
  }

  const scopesFromAnnotationsMiddleware = async (ctx: GuardContext, next: () => Promise<PrimitiveResult>) => {
    const required = requiredFor(ctx.kind, ctx.metadata)
    if (required.length === 0) return next()
    if (ctx.principal === undefined) {
      throw new PolicyError(POLICY_ERROR_CODES.ERR_POLICY_NO_PRINCIPAL, 'Authentication required', { status: 401 })
    }
    const missing = hierarchy.missing(ctx.principal.scopes, required)
    if (missing.length > 0) {
      throw new PolicyError(POLICY_ERROR_CODES.ERR_POLICY_INSUFFICIENT_SCOPE, `Missing scope: ${missing.join(' ')}`, {
        details: { missing, required },
      })
    }
    return next()
  }
  const describeFor = (kind: PrimitiveKind, metadata: PrimitiveMetadata) => ({
    name: 'scopesFromAnnotations',
    scopes: { all: requiredFor(kind, metadata) },
  })
  Object.defineProperty(scopesFromAnnotationsMiddleware, DESCRIBE_FOR, { value: describeFor })
  const describe = {
    name: 'scopesFromAnnotations',
    requires: ['principal'] as const,
    read,
    write,
    destructive,
    nonIdempotent,
    openWorld,
    custom: map !== undefined,
  }
  if (!hideFromLists) return Object.assign(scopesFromAnnotationsMiddleware, { describe })
  return Object.assign(scopesFromAnnotationsMiddleware, {
    describe,
    visibility: (ctx: ListContext) => {
      const required = requiredFor(ctx.kind, ctx.metadata)
      if (required.length === 0) return true
      return ctx.principal !== undefined && hierarchy.missing(ctx.principal.scopes, required).length === 0
    },
  })
}
