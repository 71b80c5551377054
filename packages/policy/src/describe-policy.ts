import { getSecuredItems, type MiddlewareDescription, type PrimitiveKind } from '@mcp-warden/core'
import { escapeUnsafe } from './internal/chars.js'
import { describeForOf } from './internal/describe-for.js'

/** What applies to one registered primitive. */
export interface PolicyReportEntry {
  readonly kind: PrimitiveKind
  readonly name: string
  /** For resources: the URI or URI template. */
  readonly uri?: string
  readonly enabled: boolean
  /** The tool's declared behaviour hints (tools only). */
  readonly annotations?: {
    readonly readOnlyHint?: boolean
    readonly destructiveHint?: boolean
    readonly idempotentHint?: boolean
    readonly openWorldHint?: boolean
  }
  /** Scopes required: every one of `all`, and at least one of each group in `any`. */
  readonly scopes: { readonly all: readonly string[]; readonly any: readonly (readonly string[])[] }
  /** Names of the contextual rules that run, in order. */
  readonly rules: readonly string[]
  /** Every middleware that runs, outermost first, by its self-described or function name. */
  readonly guards: readonly string[]
  /** Findings worth a reviewer's look (over-broad or missing scopes). */
  readonly warnings: readonly string[]
}

/** The whole permission surface of a secured server. */
export interface PolicyReport {
  readonly items: readonly PolicyReportEntry[]
  /** For every required scope, the primitives that require it (`kind:name`). */
  readonly scopes: Readonly<Record<string, readonly string[]>>
  /** Server-wide findings (a scope that guards both read-only and destructive tools, ...). */
  readonly warnings: readonly string[]
}

function isWildcard(scope: string): boolean {
  return scope === '*' || scope.endsWith(':*') || scope.endsWith('.*') || scope.endsWith('/*')
}

function stringList(value: unknown): readonly string[] | undefined {
  return Array.isArray(value) && value.every((s) => typeof s === 'string') ? (value as string[]) : undefined
}

/**
 * Reports, for every tool, resource and prompt of a server returned by `secure()`, the scopes and
 * rules that apply, so an author or reviewer sees the whole permission surface and spots
 * over-broad scopes. Built on the self-descriptions of the middlewares (`describe`) that
 * `getSecuredItems` lists: scope guards of this package, `scopesFromAnnotations` resolved against
 * each tool's annotations, rules and declarative policies by rule name. Other middlewares appear
 * by name under `guards`.
 *
 * Warnings flag: write tools (not `readOnlyHint`) without any scope requirement, wildcard scopes
 * required by a tool, primitives without any guard, and scopes that guard both read-only and
 * destructive tools.
 *
 * @throws TypeError when `server` was not secured with `secure()`.
 * @see `getSecuredItems` (`@mcp-warden/core`); MCP security best practices, scope minimization
 * @example
 * ```ts
 * console.log(formatPolicyTable(describePolicy(server)))
 * await writeFile('policy-report.json', JSON.stringify(describePolicy(server), null, 2))
 * ```
 */
export function describePolicy(server: object): PolicyReport {
  const entries: PolicyReportEntry[] = []
  const byScope = new Map<string, string[]>()
  const readScopes = new Set<string>()
  const destructiveScopes = new Set<string>()
  for (const item of getSecuredItems(server)) {
    const all = new Set<string>()
    const any: string[][] = []
    const rules: string[] = []
    const guards: string[] = []
    for (const middleware of item.middlewares) {
      const dynamic = describeForOf(middleware)
      const description: MiddlewareDescription | undefined =
        dynamic !== undefined
          ? dynamic(item.kind, item.metadata)
          : ((middleware as { describe?: MiddlewareDescription }).describe ?? undefined)
      guards.push(typeof description?.name === 'string' ? description.name : middleware.name || 'anonymous')
      if (description === undefined) continue
      for (const scope of stringList(description.scopes?.all) ?? []) all.add(scope)
      const group = stringList(description.scopes?.any)
      if (group !== undefined && group.length > 0) any.push([...group])
      for (const name of stringList(description.rules) ?? []) rules.push(name)
    }
    const annotations = item.kind === 'tool' ? item.metadata.annotations : undefined
    const readOnly = item.kind !== 'tool' || annotations?.readOnlyHint === true
    const destructive = item.kind === 'tool' && !readOnly && annotations?.destructiveHint !== false
    const required = [...all, ...any.flat()]
    const warnings: string[] = []
    if (item.middlewares.length === 0) warnings.push('no guard')
    if (!readOnly && required.length === 0) warnings.push('write tool without a scope requirement')
    for (const scope of required) if (isWildcard(scope)) warnings.push(`requires wildcard scope ${scope}`)
    const label = `${item.kind}:${item.name}`
    for (const scope of new Set(required)) {
      const list = byScope.get(scope) ?? []
      list.push(label)
      byScope.set(scope, list)
      if (readOnly) readScopes.add(scope)
      if (destructive) destructiveScopes.add(scope)
    }
    entries.push({
      kind: item.kind,
      name: item.name,
      ...(item.uri === undefined ? {} : { uri: item.uri }),
      enabled: item.enabled,
      ...(item.kind === 'tool'
        ? {
            annotations: {
              ...(annotations?.readOnlyHint === undefined ? {} : { readOnlyHint: annotations.readOnlyHint }),
              ...(annotations?.destructiveHint === undefined ? {} : { destructiveHint: annotations.destructiveHint }),
              ...(annotations?.idempotentHint === undefined ? {} : { idempotentHint: annotations.idempotentHint }),
              ...(annotations?.openWorldHint === undefined ? {} : { openWorldHint: annotations.openWorldHint }),
            },
          }
        : {}),
      scopes: { all: [...all], any },
      rules,
      guards,
      warnings,
    })
  }
  const warnings: string[] = []
  for (const scope of readScopes) {
    if (destructiveScopes.has(scope)) warnings.push(`scope ${scope} guards both read-only and destructive tools`)
  }
  return {
    items: entries,
    scopes: Object.fromEntries([...byScope].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
    warnings,
  }
}

function flags(entry: PolicyReportEntry): string {
  if (entry.kind !== 'tool') return '-'
  const a = entry.annotations ?? {}
  const out: string[] = []
  out.push(a.readOnlyHint === true ? 'read-only' : 'write')
  if (a.readOnlyHint !== true && a.destructiveHint !== false) out.push('destructive')
  if (a.idempotentHint === true) out.push('idempotent')
  if (a.openWorldHint !== false) out.push('open-world')
  return out.join(',')
}

/**
 * Renders a `PolicyReport` as a plain-text table (one row per primitive: kind, name, behaviour
 * from annotations, scopes, rules, warnings), followed by the server-wide warnings. Control
 * characters in names are shown escaped so a hostile name cannot rewrite the terminal.
 *
 * @example
 * ```ts
 * console.log(formatPolicyTable(describePolicy(server)))
 * // KIND  NAME           BEHAVIOUR                      SCOPES         RULES    WARNINGS
 * // tool  delete_ticket  write,destructive,open-world   tickets:write  no-prod  -
 * ```
 */
export function formatPolicyTable(report: PolicyReport): string {
  const safe = escapeUnsafe
  const header = ['KIND', 'NAME', 'BEHAVIOUR', 'SCOPES', 'RULES', 'WARNINGS']
  const rows = report.items.map((e) => [
    e.kind,
    safe(e.name) + (e.enabled ? '' : ' (disabled)'),
    flags(e),
    [...e.scopes.all, ...e.scopes.any.map((g) => `any(${g.join('|')})`)].join(' ') || '-',
    e.rules.join(' ') || '-',
    e.warnings.join('; ') || '-',
  ])
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)))
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] as number)))
      .join('  ')
      .trimEnd()
  const out = [line(header), ...rows.map(line)]
  if (report.warnings.length > 0) out.push('', ...report.warnings.map((w) => `warning: ${w}`))
  return out.join('\n')
}
