import type { ApprovalRequirement, GuardContext } from './types.js'

/**
 * The `approvalRequired` list with `requirement` appended, for a guard to pass on:
 * `return next({ approvalRequired: demandApproval(ctx, { by: 'myRule', reason: '...' }) })`.
 * The handler then runs only if an approval gate later in the chain grants the call.
 */
export function demandApproval(ctx: GuardContext, requirement: ApprovalRequirement): readonly ApprovalRequirement[] {
  return Object.freeze([...(ctx.approvalRequired ?? []), Object.freeze({ ...requirement })])
}
