/** The README's quick start, kept here so the type checker proves it compiles. */

import { requireAuth } from '@mcp-warden/auth'
import { secure } from '@mcp-warden/core/sdk-v1' // '@mcp-warden/core/sdk-v2' for @modelcontextprotocol/server
import { requireScopes } from '@mcp-warden/policy'
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { z } from 'zod'

const server = secure(new McpServer({ name: 'tickets', version: '1.0.0' }), { use: [requireAuth()] })
const writers = server.guard(requireAuth(), requireScopes('tickets:write'))
const config = { inputSchema: { id: z.string() }, annotations: { destructiveHint: true } }
const deleteTicket = writers.wrap(async ({ id }: { id: string }, ctx) => ({
  content: [{ type: 'text' as const, text: `${id} deleted by ${ctx.principal.subject}` }],
}))
server.registerTool('delete_ticket', config, deleteTicket)
