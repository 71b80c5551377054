import { type GuardContext, publishSecurityEvent, WardenError } from '@mcp-warden/core'
import { POLICY_ERROR_CODES, PolicyError } from '../errors.js'
import type { ApprovalDecision, ApprovalGate, Decision, Verdict } from '../types.js'

/** A named rule as the evaluator runs it. */
export interface RuleEntry {
  readonly name: string
  readonly decide: (ctx: GuardContext) => Verdict | Promise<Verdict>
}

const MAX_REASON = 500

function asVerdict(value: unknown): Verdict | undefined {
  if (typeof value !== 'object' || value === null) return undefined
  const { effect, reason } = value as { effect?: unknown; reason?: unknown }
  if (effect === 'allow') return reason === undefined || typeof reason === 'string' ? (value as Verdict) : undefined
  if ((effect === 'deny' || effect === 'approval') && typeof reason === 'string') return value as Verdict
  return undefined
}

/** Runs one rule; a throw or a non-verdict becomes a denial (fail closed) that names the rule. */
export async function decideOne(entry: RuleEntry, ctx: GuardContext): Promise<Decision> {
  let raw: unknown
  try {
    raw = await entry.decide(ctx)
  } catch (err) {
    if (WardenError.isInstance(err)) throw err
    throw new PolicyError(POLICY_ERROR_CODES.ERR_POLICY_RULE_FAILED, `Policy rule "${entry.name}" failed`, {
      details: { rule: entry.name },
      cause: err,
    })
  }
  const verdict = asVerdict(raw)
  if (verdict === undefined) {
    throw new PolicyError(
      POLICY_ERROR_CODES.ERR_POLICY_RULE_FAILED,
      `Policy rule "${entry.name}" returned no decision`,
      {
        details: { rule: entry.name },
      },
    )
  }
  return { ...verdict, rule: entry.name }
}

function clip(reason: string): string {
  return reason.length > MAX_REASON ? `${reason.slice(0, MAX_REASON)}…` : reason
}

/**
 * First-deny-wins: rules run in order; the first `deny` ends evaluation and refuses the call.
 * Approvals are collected and, when no rule denied, handed to the approval gate in the context
 * (or refused with `ERR_POLICY_APPROVAL_REQUIRED` when there is none).
 */
export async function enforce(entries: readonly RuleEntry[], ctx: GuardContext): Promise<readonly Decision[]> {
  const decisions: Decision[] = []
  let approvals: ApprovalDecision[] | undefined
  for (const entry of entries) {
    const decision = await decideOne(entry, ctx)
    decisions.push(decision)
    if (decision.effect === 'deny') {
      publish(ctx, POLICY_ERROR_CODES.ERR_POLICY_RULE_DENIED, decision)
      throw new PolicyError(POLICY_ERROR_CODES.ERR_POLICY_RULE_DENIED, clip(decision.reason), {
        details: { rule: decision.rule, reason: clip(decision.reason) },
      })
    }
    if (decision.effect === 'approval') {
      approvals ??= []
      approvals.push(decision)
    }
  }
  if (approvals !== undefined) {
    const gate = (ctx as GuardContext & { approvalGate?: ApprovalGate }).approvalGate
    if (gate === undefined || typeof gate.request !== 'function') {
      const first = approvals[0] as ApprovalDecision
      publish(ctx, POLICY_ERROR_CODES.ERR_POLICY_APPROVAL_REQUIRED, first)
      throw new PolicyError(POLICY_ERROR_CODES.ERR_POLICY_APPROVAL_REQUIRED, clip(first.reason), {
        details: { rule: first.rule, reason: clip(first.reason), rules: approvals.map((d) => d.rule) },
      })
    }
    await gate.request(approvals, ctx)
  }
  return decisions
}

function publish(ctx: GuardContext, code: string, decision: Decision): void {
  publishSecurityEvent({
    type: decision.effect === 'deny' ? 'policy.rule_denied' : 'policy.approval_required',
    code,
    correlationId: ctx.correlationId,
    ...(ctx.principal === undefined ? {} : { principalId: ctx.principal.id }),
    ...(ctx.principal?.clientId === undefined ? {} : { clientId: ctx.principal.clientId }),
    kind: ctx.kind,
    name: ctx.name,
    detail: { rule: decision.rule, reason: 'reason' in decision ? decision.reason : undefined },
  })
}
