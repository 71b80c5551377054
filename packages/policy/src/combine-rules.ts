import { type Rule, ruleEntriesOf, ruleMiddleware } from './rule.js'

/**
 * Combines rules into one middleware that evaluates them in order, first-deny-wins: the first
 * `deny` refuses the call (later rules do not run), approvals are collected and handed to the
 * approval gate once no rule denied, `allow` raises no objection. Equivalent to placing the rules
 * one after another in a chain, in one step.
 *
 * @throws TypeError at creation when an argument is not a rule (from `rule`, `combineRules` or
 * `loadPolicy`), when none is given, or when two rules share a name (decisions must name one rule).
 * @throws PolicyError at call time, as `rule()` does.
 * @see `rule`
 * @example
 * ```ts
 * const policy = combineRules(businessHours, noProdDeletes, approveLargeRefunds)
 * const server = secure(new McpServer(info), { use: [requireAuth(), policy] })
 * ```
 */
export function combineRules(...rules: Rule[]): Rule {
  if (rules.length === 0) throw new TypeError('combineRules: at least one rule is required')
  const entries = rules.flatMap((r, index) => {
    const found = ruleEntriesOf(r)
    if (found === undefined) throw new TypeError(`combineRules: argument ${index} is not a rule`)
    return found
  })
  const seen = new Set<string>()
  for (const entry of entries) {
    if (seen.has(entry.name)) throw new TypeError(`combineRules: duplicate rule name "${entry.name}"`)
    seen.add(entry.name)
  }
  return ruleMiddleware(entries.map((e) => e.name).join('+'), entries, 'rules')
}
