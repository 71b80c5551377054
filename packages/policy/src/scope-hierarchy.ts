/**
 * Scope hierarchies, in one place: every scope check of this package (`requireScopes`,
 * `scopesFromAnnotations`, list filtering, `describePolicy`) asks a `ScopeHierarchy` whether a
 * granted scope covers a required one.
 */

/** Decides whether a granted scope satisfies a required one. */
export interface ScopeHierarchy {
  /** Whether holding `granted` satisfies a requirement of `required`. */
  covers(granted: string, required: string): boolean
  /** The required scopes not covered by any of `granted`, in the order given. */
  missing(granted: readonly string[] | undefined, required: readonly string[]): string[]
  /** JSON description, for reports. */
  readonly description: {
    readonly separator: string
    readonly wildcard: string | false
    readonly implies: Readonly<Record<string, readonly string[]>>
  }
}

/** Options of `createScopeHierarchy`. */
export interface ScopeHierarchyOptions {
  /** Separates the levels of a scope (`tickets:write`). Default `':'`. */
  readonly separator?: string
  /**
   * The last level that stands for every scope below its prefix: with the defaults `tickets:*`
   * covers `tickets:write` and `tickets:comments:read`. A bare wildcard (`*`) is never special.
   * `false` turns wildcards off. Default `'*'`.
   */
  readonly wildcard?: string | false
  /**
   * Explicit implications, applied transitively: `{ 'tickets:admin': ['tickets:write'],
   * 'tickets:write': ['tickets:read'] }` lets `tickets:admin` satisfy `tickets:read`. Default `{}`.
   */
  readonly implies?: Readonly<Record<string, readonly string[]>>
}

const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/
const KNOWN = new Set(['separator', 'wildcard', 'implies'])

/** Whether `value` is a valid RFC 6749 §3.3 scope token. */
export function isScopeToken(value: unknown): value is string {
  return typeof value === 'string' && value.length <= 256 && SCOPE_TOKEN.test(value)
}

/**
 * Builds a scope hierarchy: exact matches, `prefix<sep>*` wildcards and explicit implications.
 *
 * @throws TypeError on unknown options, an empty separator, or implications that are not scope
 * tokens.
 * @see RFC 6749 §3.3 (scope tokens)
 * @example
 * ```ts
 * const hierarchy = createScopeHierarchy({ implies: { 'tickets:write': ['tickets:read'] } })
 * hierarchy.covers('tickets:*', 'tickets:write') // true
 * hierarchy.covers('tickets:write', 'tickets:read') // true
 * ```
 */
export function createScopeHierarchy(options: ScopeHierarchyOptions = {}): ScopeHierarchy {
  if (typeof options !== 'object' || options === null)
    throw new TypeError('createScopeHierarchy: options must be an object')
  for (const key of Object.keys(options)) {
    if (!KNOWN.has(key)) throw new TypeError(`createScopeHierarchy: unknown option "${key}"`)
  }
  const separator = options.separator ?? ':'
  if (typeof separator !== 'string' || separator.length === 0) {
    throw new TypeError('createScopeHierarchy: `separator` must be a non-empty string')
  }
  const wildcard = options.wildcard ?? '*'
  if (wildcard !== false && (typeof wildcard !== 'string' || wildcard.length === 0)) {
    throw new TypeError('createScopeHierarchy: `wildcard` must be a non-empty string or false')
  }
  const implies = options.implies ?? {}
  if (typeof implies !== 'object' || implies === null || Array.isArray(implies)) {
    throw new TypeError('createScopeHierarchy: `implies` must be an object of scope lists')
  }
  const direct = new Map<string, readonly string[]>()
  for (const [scope, list] of Object.entries(implies)) {
    if (!isScopeToken(scope))
      throw new TypeError(`createScopeHierarchy: invalid scope ${JSON.stringify(scope)} in \`implies\``)
    if (!Array.isArray(list) || !list.every(isScopeToken)) {
      throw new TypeError(`createScopeHierarchy: \`implies.${scope}\` must be an array of scope tokens`)
    }
    direct.set(scope, Object.freeze([...list]))
  }
  // Transitive closure computed once, cycle-safe, so a check is a bounded walk over small lists.
  const closure = new Map<string, readonly string[]>()
  for (const scope of direct.keys()) {
    const seen = new Set<string>()
    const stack = [...(direct.get(scope) ?? [])]
    while (stack.length > 0) {
      const next = stack.pop() as string
      if (seen.has(next) || next === scope) continue
      seen.add(next)
      for (const more of direct.get(next) ?? []) stack.push(more)
    }
    closure.set(scope, Object.freeze([...seen]))
  }
  const suffix = wildcard === false ? undefined : `${separator}${wildcard}`
  const wildcardCovers = (granted: string, required: string): boolean => {
    if (suffix === undefined || granted.length <= suffix.length || !granted.endsWith(suffix)) return false
    // The prefix keeps its separator: `tickets:*` covers `tickets:x` but not `ticketsx` or `tickets`.
    const prefix = granted.slice(0, granted.length - suffix.length + separator.length)
    return required.length > prefix.length && required.startsWith(prefix)
  }
  const coversOne = (granted: string, required: string): boolean =>
    granted === required || wildcardCovers(granted, required)
  const covers = (granted: string, required: string): boolean => {
    if (coversOne(granted, required)) return true
    const implied = closure.get(granted)
    if (implied === undefined) return false
    for (const scope of implied) if (coversOne(scope, required)) return true
    return false
  }
  const missing = (granted: readonly string[] | undefined, required: readonly string[]): string[] => {
    const out: string[] = []
    for (const scope of required) {
      let ok = false
      if (granted !== undefined) {
        for (const held of granted) {
          if (typeof held === 'string' && covers(held, scope)) {
            ok = true
            break
          }
        }
      }
      if (!ok) out.push(scope)
    }
    return out
  }
  return Object.freeze({
    covers,
    missing,
    description: Object.freeze({ separator, wildcard, implies: Object.freeze(Object.fromEntries(direct)) }),
  })
}

/** The hierarchy used when none is configured: `:` separator, `*` wildcard, no implications. */
export const DEFAULT_SCOPE_HIERARCHY: ScopeHierarchy = createScopeHierarchy()
