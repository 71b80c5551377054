import type { GuardContext } from '@mcp-warden/core'
import { z } from 'zod'
import { POLICY_ERROR_CODES, PolicyError } from './errors.js'
import type { RuleEntry } from './internal/evaluate-rules.js'
import { anyGlob, globMatch } from './internal/glob.js'
import { allow, deny, needsApproval, type Rule, ruleMiddleware } from './rule.js'
import type { Verdict } from './types.js'

/** Longest string argument a glob condition evaluates; longer values deny (fail closed). */
const MAX_GLOB_INPUT = 65_536

const pattern = z.string().min(1).max(256)
const patterns = z.array(pattern).min(1).max(1000)
const primitive = z.union([z.string().max(4096), z.number(), z.boolean(), z.null()])

const argumentCondition = z
  .strictObject({
    /** Dotted path into the arguments: `target.env`, `items.0.id`. */
    arg: z
      .string()
      .min(1)
      .max(256)
      .regex(/^[^.]+(\.[^.]+)*$/, 'expected a dotted path like "a.b.0"'),
    equals: primitive.optional(),
    notEquals: primitive.optional(),
    in: z.array(primitive).min(1).max(1000).optional(),
    notIn: z.array(primitive).min(1).max(1000).optional(),
    glob: pattern.optional(),
    notGlob: pattern.optional(),
    min: z.number().optional(),
    max: z.number().optional(),
    maxLength: z.number().int().nonnegative().optional(),
    exists: z.boolean().optional(),
  })
  .refine((c) => Object.keys(c).length > 1, { message: 'a condition needs at least one operator besides "arg"' })

const statement = z.strictObject({
  name: z.string().regex(/^[\w.:/@-]{1,128}$/u, 'expected 1-128 characters of [A-Za-z0-9_.:/@-]'),
  effect: z.enum(['allow', 'deny', 'approval']),
  /** Client-visible reason of a deny or approval. Default: "Denied by policy rule <name>". */
  reason: z.string().min(1).max(500).optional(),
  tools: patterns.optional(),
  notTools: patterns.optional(),
  principals: patterns.optional(),
  clients: patterns.optional(),
  arguments: z.array(argumentCondition).min(1).max(100).optional(),
})

const documentSchema = z.strictObject({
  version: z.literal(1),
  /** `deny`: a call must match an `allow` statement (allowlist). Default `allow` (denylist). */
  default: z.enum(['allow', 'deny']).default('allow'),
  rules: z.array(statement).max(1000),
})

/** A declarative policy document, as `loadPolicy` accepts it (JSON, or any parsed YAML/TOML). */
export type PolicyDocument = z.input<typeof documentSchema>
type Statement = z.output<typeof statement>
type Condition = z.output<typeof argumentCondition>

function pathOf(path: readonly PropertyKey[]): string {
  let out = ''
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : out === '' ? String(key) : `.${String(key)}`
  return out === '' ? '(root)' : out
}

function argumentAt(args: Readonly<Record<string, unknown>>, path: string): unknown {
  let current: unknown = args
  for (const key of path.split('.')) {
    if (typeof current !== 'object' || current === null || !Object.hasOwn(current, key)) return undefined
    current = (current as Record<string, unknown>)[key]
  }
  return current
}

function tooLong(): never {
  throw new PolicyError(POLICY_ERROR_CODES.ERR_POLICY_RULE_FAILED, 'Argument too long to evaluate the policy', {
    details: { limit: MAX_GLOB_INPUT },
  })
}

function conditionHolds(c: Condition, args: Readonly<Record<string, unknown>>): boolean {
  const value = argumentAt(args, c.arg)
  if (c.exists !== undefined && (value !== undefined) !== c.exists) return false
  if (value === undefined) return c.exists === false
  if (c.equals !== undefined && value !== c.equals) return false
  if (c.notEquals !== undefined && value === c.notEquals) return false
  if (c.in !== undefined && !c.in.includes(value as string)) return false
  if (c.notIn?.includes(value as string)) return false
  if (c.glob !== undefined || c.notGlob !== undefined) {
    if (typeof value !== 'string') return false
    if (value.length > MAX_GLOB_INPUT) tooLong()
    if (c.glob !== undefined && !globMatch(c.glob, value)) return false
    if (c.notGlob !== undefined && globMatch(c.notGlob, value)) return false
  }
  if (c.min !== undefined || c.max !== undefined) {
    if (typeof value !== 'number') return false
    if (c.min !== undefined && value < c.min) return false
    if (c.max !== undefined && value > c.max) return false
  }
  if (c.maxLength !== undefined) {
    const length = typeof value === 'string' || Array.isArray(value) ? value.length : undefined
    if (length === undefined || length > c.maxLength) return false
  }
  return true
}

function matches(s: Statement, ctx: GuardContext): boolean {
  if (s.tools !== undefined && !anyGlob(s.tools, ctx.name)) return false
  if (s.notTools !== undefined && anyGlob(s.notTools, ctx.name)) return false
  if (s.principals !== undefined && (ctx.principal === undefined || !anyGlob(s.principals, ctx.principal.id)))
    return false
  if (s.clients !== undefined) {
    const client = ctx.principal?.clientId
    if (client === undefined || !anyGlob(s.clients, client)) return false
  }
  if (s.arguments !== undefined) {
    for (const c of s.arguments) if (!conditionHolds(c, ctx.arguments)) return false
  }
  return true
}

/** Whether a statement's conditions read the principal (so the rule must run after it is known). */
function mentionsCaller(s: Statement): boolean {
  return s.principals !== undefined || s.clients !== undefined
}

function verdictOf(s: Statement): Verdict {
  const reason = s.reason ?? `Denied by policy rule ${s.name}`
  if (s.effect === 'deny') return deny(reason)
  if (s.effect === 'approval') return needsApproval(s.reason ?? `Approval required by policy rule ${s.name}`)
  return allow()
}

/**
 * Loads a declarative policy (allow/deny lists by tool name patterns, principals, clients and
 * argument conditions) and returns it as a rule middleware. The document is validated with zod at
 * start-up; nothing is checked lazily.
 *
 * Semantics: statements run in order, first-deny-wins. A statement applies when every condition
 * it states holds (`tools` and `notTools` glob the tool name, `principals` the principal id
 * `<issuer>#<subject>`, `clients` the OAuth client id, `arguments` test values at dotted paths).
 * An applying `deny` refuses the call, an applying `approval` asks the approval gate. With
 * `default: "deny"`, a call that no `allow` statement applies to is refused by the rule
 * `default`. Globs: `*` any run, `?` one character, `\` escapes the next one (`"\\*"` in
 * JSON matches a literal star); no regular expressions.
 *
 * @param source - JSON text, or an already parsed object (from YAML, TOML, a module...).
 * @throws TypeError at start-up when the text is not JSON or the document is malformed; the
 * message names the path to each problem (`rules[2].arguments[0].glob: ...`).
 * @throws PolicyError at call time as `rule()` does.
 * @see `rule` for the decision semantics; `cedarPolicy` (`@mcp-warden/policy/cedar`) for Cedar files
 * @example
 * ```ts
 * const policy = loadPolicy(await readFile('policy.json', 'utf8'))
 * // { "version": 1, "rules": [{ "name": "no-prod", "effect": "deny", "tools": ["delete_*"],
 * //   "arguments": [{ "arg": "env", "equals": "prod" }], "reason": "No deletes in prod" }] }
 * const server = secure(new McpServer(info), { use: [policy] })
 * ```
 */
export function loadPolicy(source: string | PolicyDocument): Rule {
  let raw: unknown = source
  if (typeof source === 'string') {
    try {
      raw = JSON.parse(source)
    } catch (err) {
      throw new TypeError(`loadPolicy: the policy is not valid JSON (${(err as Error).message})`)
    }
  }
  const parsed = documentSchema.safeParse(raw)
  if (!parsed.success) {
    const problems = parsed.error.issues.slice(0, 10).map((issue) => `${pathOf(issue.path)}: ${issue.message}`)
    throw new TypeError(`loadPolicy: invalid policy: ${problems.join('; ')}`)
  }
  const doc = parsed.data
  const names = new Set<string>()
  doc.rules.forEach((s, index) => {
    if (names.has(s.name) || s.name === 'default') {
      throw new TypeError(`loadPolicy: invalid policy: rules[${index}].name: duplicate or reserved name "${s.name}"`)
    }
    names.add(s.name)
  })
  const entries: RuleEntry[] = doc.rules.map((s) => {
    const verdict = verdictOf(s)
    return {
      name: s.name,
      decide: (ctx: GuardContext) => (matches(s, ctx) ? verdict : allow()),
      requiresPrincipal: mentionsCaller(s),
      demandsApproval: s.effect === 'approval',
    }
  })
  if (doc.default === 'deny') {
    const allows = doc.rules.filter((s) => s.effect === 'allow')
    const refused = deny('Not allowed by policy')
    entries.push({
      name: 'default',
      decide: (ctx: GuardContext) => (allows.some((s) => matches(s, ctx)) ? allow() : refused),
      requiresPrincipal: allows.some(mentionsCaller),
    })
  }
  if (entries.length === 0) return ruleMiddleware('policy', [{ name: 'default', decide: () => allow() }], 'policy')
  return ruleMiddleware('policy', entries, 'policy')
}
