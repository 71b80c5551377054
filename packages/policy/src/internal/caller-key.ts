import type { GuardContext, ListContext } from '@mcp-warden/core'

/**
 * Who is calling, as a key for limits and remembered approvals: the principal id, else the OAuth
 * client id, else the transport session, else `anonymous`. Prefixed by kind so that a session id
 * can never collide with a principal id.
 */
export function callerKey(ctx: Pick<GuardContext | ListContext, 'principal' | 'auth' | 'sessionId'>): string {
  if (ctx.principal !== undefined) return `p:${ctx.principal.id}`
  const clientId = ctx.auth?.clientId
  if (clientId !== undefined && clientId !== '') return `c:${clientId}`
  if (ctx.sessionId !== undefined && ctx.sessionId !== '') return `s:${ctx.sessionId}`
  return 'anonymous'
}
