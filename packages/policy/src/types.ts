/**
 * Public types of `@mcp-warden/policy`: rule verdicts and decisions, the approval-gate contract,
 * argument guards and scope hierarchies.
 */
import type { GuardContext, Middleware } from '@mcp-warden/core'

/**
 * What a rule says about one call. `allow` raises no objection (it does not override a later
 * deny), `deny` refuses with a client-visible reason, `approval` lets the call through only once
 * an approval gate obtained a human's consent.
 */
export type Verdict =
  | { readonly effect: 'allow'; readonly reason?: string }
  | { readonly effect: 'deny'; readonly reason: string }
  | { readonly effect: 'approval'; readonly reason: string }

/** A verdict together with the name of the rule that made it: every decision names its rule. */
export type Decision = Verdict & { readonly rule: string }

/** A decision that needs approval, as an approval gate receives it. */
export type ApprovalDecision = Extract<Decision, { readonly effect: 'approval' }>

/**
 * The contract between rules and an approval gate. A gate (a middleware placed before the rules,
 * globally or earlier in the tool's guard) adds itself to the context as `approvalGate` through
 * `next({ approvalGate })`; when rules ask for approval they call `request()`, which resolves
 * once the user approved and throws a `WardenError` to refuse. Without a gate in the context, the
 * rules pass their approvals on as `ctx.approvalRequired` for a gate placed after them; without any
 * gate the pipeline refuses the call (`ERR_CORE_APPROVAL_REQUIRED`).
 */
export interface ApprovalGate {
  request(decisions: readonly ApprovalDecision[], ctx: GuardContext): Promise<void>
}

/** The part of a zod refinement context an argument guard uses (`superRefine`'s second argument). */
export interface RefinementContext {
  addIssue(issue: { code: 'custom'; message: string; params?: Record<string, unknown> }): void
}

/**
 * An argument guard: a middleware that checks selected arguments of a call, and the same check
 * as a plain async function and as a zod refinement for the tool's input schema.
 *
 * @typeParam T - what `check` returns for an accepted value (the canonical form).
 */
export type ArgumentGuard<T> = Middleware & {
  /** Checks one value; resolves to its canonical form or rejects with a `PolicyError`. */
  check(value: unknown): Promise<T>
  /**
   * For `z.string().superRefine(guard.refine)`: adds a custom issue with the denial message (and
   * the code in `params.code`) instead of throwing. Use with `parseAsync` (the MCP SDK does).
   */
  readonly refine: (value: unknown, ctx: RefinementContext) => Promise<void>
}
