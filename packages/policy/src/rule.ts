import type { GuardContext, Middleware, PrimitiveResult } from '@mcp-warden/core'
import { decideOne, enforce, type RuleEntry } from './internal/evaluate-rules.js'
import type { Decision, Verdict } from './types.js'

/** A rule's decision function: sees the principal, tool, arguments, annotations, session and `_meta`. */
export type RuleFunction = (ctx: GuardContext) => Verdict | Promise<Verdict>

/**
 * A contextual rule: a middleware that enforces the rule on its own, and a value `combineRules`
 * and `describePolicy` understand.
 */
export type Rule = Middleware & {
  /** The rule's name: every decision it makes carries it. */
  readonly ruleName: string
  /** The rules this middleware enforces, in order (one for `rule()`, several for `combineRules`). */
  readonly rules: readonly string[]
  /**
   * Runs the rules without enforcing them: the decisions up to and including the first deny.
   * A rule that throws or returns a non-verdict is reported as a `deny`.
   */
  evaluate(ctx: GuardContext): Promise<readonly Decision[]>
}

const NAME = /^[\w.:/@-]{1,128}$/u
const RULE_ENTRIES = Symbol.for('mcp-warden.policy.ruleEntries')

const ALLOW: Verdict = Object.freeze({ effect: 'allow' })
const PRINCIPAL = Object.freeze(['principal'] as const)
const APPROVALS = Object.freeze(['approvalRequired'] as const)

/** No objection from this rule. It does not override another rule's deny. */
export function allow(reason?: string): Verdict {
  return reason === undefined ? ALLOW : { effect: 'allow', reason }
}

/**
 * Refuses the call. `reason` reaches the client (message and `details.reason`): write it for the
 * caller, without secrets or internals.
 */
export function deny(reason: string): Verdict {
  return { effect: 'deny', reason }
}

/**
 * Lets the call through only after a human approved it: handed to the approval gate in the
 * context, or passed on as approval requirements for a gate after the rules (denied with
 * `ERR_CORE_APPROVAL_REQUIRED` when no gate grants them).
 */
export function needsApproval(reason: string): Verdict {
  return { effect: 'approval', reason }
}

/** @internal Entries of a rule middleware, for `combineRules`. */
export function ruleEntriesOf(value: unknown): readonly RuleEntry[] | undefined {
  if (typeof value !== 'function') return undefined
  const entries = (value as unknown as Record<symbol, unknown>)[RULE_ENTRIES]
  return Array.isArray(entries) ? (entries as RuleEntry[]) : undefined
}

/** @internal Builds the middleware for a list of rule entries. */
export function ruleMiddleware(ruleName: string, entries: readonly RuleEntry[], describeName: string): Rule {
  const frozen = Object.freeze([...entries])
  const names = Object.freeze(frozen.map((e) => e.name))
  const ruleMiddlewareFn = async (
    ctx: GuardContext,
    next: (add?: Partial<Pick<GuardContext, 'approvalRequired'>>) => Promise<PrimitiveResult>,
  ) => {
    const outcome = enforce(frozen, ctx)
    const approvals = outcome !== undefined && !Array.isArray(outcome) ? await outcome : outcome
    if (approvals === undefined) return next()
    const approvalRequired = Object.freeze([
      ...(ctx.approvalRequired ?? []),
      ...approvals.map((decision) => ({
        by: `rule:${decision.rule}`,
        reason: decision.reason,
        details: { rule: decision.rule },
      })),
    ])
    return next({ approvalRequired })
  }
  const evaluate = async (ctx: GuardContext): Promise<readonly Decision[]> => {
    const decisions: Decision[] = []
    for (const entry of frozen) {
      let decision: Decision
      try {
        decision = await decideOne(entry, ctx)
      } catch {
        decision = { effect: 'deny', reason: 'rule failed', rule: entry.name }
      }
      decisions.push(decision)
      if (decision.effect === 'deny') break
    }
    return decisions
  }
  Object.defineProperty(ruleMiddlewareFn, RULE_ENTRIES, { value: frozen })
  Object.defineProperty(ruleMiddlewareFn, 'name', { value: `rule:${ruleName}` })
  return Object.assign(ruleMiddlewareFn, {
    ruleName,
    rules: names,
    evaluate,
    describe: {
      name: describeName,
      rules: names,
      ...(frozen.some((e) => e.requiresPrincipal === true) ? { requires: PRINCIPAL } : {}),
      ...(frozen.some((e) => e.demandsApproval === true) ? { provides: APPROVALS } : {}),
    },
  })
}

/**
 * Defines a contextual rule. The function sees the whole call context (principal, tool name,
 * arguments as validated by the SDK, the server's annotations, session id, request `_meta`) and
 * returns `allow()`, `deny(reason)` or `needsApproval(reason)`. Rules placed in a chain, or
 * combined with `combineRules`, compose first-deny-wins; every decision names its rule.
 *
 * A rule that throws, or returns anything but a verdict (including `undefined`), denies with
 * `ERR_POLICY_RULE_FAILED` (fail closed); the thrown error stays server-side.
 *
 * @throws TypeError at creation when `name` is not 1-128 word characters (`\w . : / @ -`) or
 * `decide` is not a function.
 * @throws PolicyError at call time: `ERR_POLICY_RULE_DENIED` (details `rule`, `reason`),
 * `ERR_POLICY_APPROVAL_REQUIRED`, `ERR_POLICY_RULE_FAILED`.
 * @see MCP security best practices (excessive scope, unintended high-impact actions); `combineRules`, `loadPolicy`
 * @example
 * ```ts
 * const noProd = rule('no-prod-deletes', (ctx) =>
 *   ctx.arguments.env === 'prod' ? deny('Deleting in prod is not allowed') : allow())
 * server.registerTool('delete', { inputSchema }, server.guard(requireScopes('x:write'), noProd).wrap(handler))
 * ```
 */
export function rule(name: string, decide: RuleFunction): Rule {
  checkRule(name, decide)
  return ruleMiddleware(name, [{ name, decide }], 'rule')
}

/**
 * @internal `rule()` for a decision that depends on the principal (Cedar): declares it, so a
 * chain placing the rule before the guard that provides the principal is refused at start-up.
 */
export function principalRule(name: string, decide: RuleFunction): Rule {
  checkRule(name, decide)
  return ruleMiddleware(name, [{ name, decide, requiresPrincipal: true }], 'rule')
}

function checkRule(name: string, decide: RuleFunction): void {
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw new TypeError(`rule: name must be 1-128 characters of [A-Za-z0-9_.:/@-], got ${JSON.stringify(name)}`)
  }
  if (typeof decide !== 'function') throw new TypeError(`rule "${name}": decide must be a function`)
}
