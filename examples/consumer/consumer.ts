// Type-checks against the built declarations (.d.ts / .d.cts), not the sources.

import { requireAuth } from '@mcp-warden/auth'
import { createGuard, type GuardContext, type Middleware } from '@mcp-warden/core'
import { secure } from '@mcp-warden/core/sdk-v1'
import { requireScopes } from '@mcp-warden/policy'
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'

const log: Middleware<GuardContext> = async (ctx, next) => {
  ctx.correlationId.toUpperCase()
  return next()
}
const server = secure(new McpServer({ name: 'c', version: '1' }), { use: [log] })
export const guard = createGuard().use(requireAuth()).use(requireScopes('x'))
export const handler = server.guard(requireAuth()).wrap(async (_args: unknown, ctx) => ({
  content: [{ type: 'text' as const, text: ctx.principal.subject }],
}))
