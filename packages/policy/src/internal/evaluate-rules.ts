import { type GuardContext, publishSecurityEvent, WardenError } from '@mcp-warden/core'
import { POLICY_ERROR_CODES, PolicyError } from '../errors.js'
import type { ApprovalDecision, ApprovalGate, Decision, Verdict } from '../types.js'

/** A named rule as the evaluator runs it. */
export interface RuleEntry {
  readonly name: string
  readonly decide: (ctx: GuardContext) => Verdict | Promise<Verdict>
  /** Whether the decision depends on the principal (checked against chain order at start-up). */
  readonly requiresPrincipal?: boolean
  /** Whether the entry can ask for approval (so the approval gate must come after it). */
  readonly demandsApproval?: boolean
}

const MAX_REASON = 500

function asVerdict(value: unknown): Verdict | undefined {
  if (typeof value !== 'object' || value === null) return undefined
  const { effect, reason } = value as { effect?: unknown; reason?: unknown }
  if (effect === 'allow') return reason === undefined || typeof reason === 'string' ? (value as Verdict) : undefined
  if ((effect === 'deny' || effect === 'approval') && typeof reason === 'string') return value as Verdict
  return undefined
}

function failed(entry: RuleEntry, err: unknown): PolicyError {
  return new PolicyError(POLICY_ERROR_CODES.ERR_POLICY_RULE_FAILED, `Policy rule "${entry.name}" failed`, {
    details: { rule: entry.name },
    cause: err,
  })
}

function toDecision(entry: RuleEntry, raw: unknown): Decision {
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

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function'
}

/** Runs one rule; a throw or a non-verdict becomes a denial (fail closed) that names the rule. */
export async function decideOne(entry: RuleEntry, ctx: GuardContext): Promise<Decision> {
  let raw: unknown
  try {
    raw = await entry.decide(ctx)
  } catch (err) {
    if (WardenError.isInstance(err)) throw err
    throw failed(entry, err)
  }
  return toDecision(entry, raw)
}

function clip(reason: string): string {
  return reason.length > MAX_REASON ? `${reason.slice(0, MAX_REASON)}…` : reason
}

/**
 * Applies one rule's raw answer; returns the approvals collected so far. An `allow` allocates
 * nothing: only denials and approvals become `Decision` objects.
 */
function apply(ctx: GuardContext, entry: RuleEntry, raw: unknown, approvals: ApprovalDecision[] | undefined) {
  if (typeof raw === 'object' && raw !== null) {
    const { effect, reason } = raw as { effect?: unknown; reason?: unknown }
    if (effect === 'allow' && (reason === undefined || typeof reason === 'string')) return approvals
  }
  const decision = toDecision(entry, raw)
  if (decision.effect === 'deny') {
    publish(ctx, POLICY_ERROR_CODES.ERR_POLICY_RULE_DENIED, decision)
    throw new PolicyError(POLICY_ERROR_CODES.ERR_POLICY_RULE_DENIED, clip(decision.reason), {
      details: { rule: decision.rule, reason: clip(decision.reason) },
    })
  }
  if (decision.effect !== 'approval') return approvals
  const list = approvals ?? []
  list.push(decision)
  return list
}

/**
 * Hands approvals to the gate in the context when there is one (placed before the rules);
 * otherwise returns them, and the rules middleware passes them on as core approval requirements
 * for a gate placed after it. Without any gate the pipeline denies the call
 * (`ERR_CORE_APPROVAL_REQUIRED`): never silently run.
 */
function settleApprovals(ctx: GuardContext, approvals: ApprovalDecision[]): Promise<undefined> | ApprovalDecision[] {
  const gate = (ctx as GuardContext & { approvalGate?: ApprovalGate }).approvalGate
  if (gate === undefined || typeof gate.request !== 'function') {
    for (const decision of approvals) publish(ctx, POLICY_ERROR_CODES.ERR_POLICY_APPROVAL_REQUIRED, decision)
    return approvals
  }
  return gate.request(approvals, ctx).then(() => undefined)
}

async function enforceFrom(
  entries: readonly RuleEntry[],
  ctx: GuardContext,
  index: number,
  pending: PromiseLike<unknown>,
  approvals: ApprovalDecision[] | undefined,
): Promise<ApprovalDecision[] | undefined> {
  let raw: unknown
  try {
    raw = await pending
  } catch (err) {
    if (WardenError.isInstance(err)) throw err
    throw failed(entries[index] as RuleEntry, err)
  }
  let collected = apply(ctx, entries[index] as RuleEntry, raw, approvals)
  for (let i = index + 1; i < entries.length; i++) {
    const entry = entries[i] as RuleEntry
    let next: unknown
    try {
      next = await entry.decide(ctx)
    } catch (err) {
      if (WardenError.isInstance(err)) throw err
      throw failed(entry, err)
    }
    collected = apply(ctx, entry, next, collected)
  }
  return collected === undefined ? undefined : settleApprovals(ctx, collected)
}

/**
 * First-deny-wins: rules run in order; the first `deny` ends evaluation and refuses the call.
 * Approvals are collected and, when no rule denied, handed to the approval gate in the context,
 * or returned for the caller to pass on as approval requirements when there is none.
 *
 * Synchronous rules are evaluated without a promise: the result is `undefined` when every rule
 * decided synchronously and none asked for approval, so the common path costs no microtask.
 * Denials are thrown synchronously then; callers run it inside an async function.
 */
export function enforce(
  entries: readonly RuleEntry[],
  ctx: GuardContext,
): Promise<ApprovalDecision[] | undefined> | ApprovalDecision[] | undefined {
  let approvals: ApprovalDecision[] | undefined
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i] as RuleEntry
    let raw: unknown
    try {
      raw = entry.decide(ctx)
    } catch (err) {
      if (WardenError.isInstance(err)) throw err
      throw failed(entry, err)
    }
    if (isThenable(raw)) return enforceFrom(entries, ctx, i, raw, approvals)
    approvals = apply(ctx, entry, raw, approvals)
  }
  return approvals === undefined ? undefined : settleApprovals(ctx, approvals)
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
