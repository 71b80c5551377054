import { createLocalPrincipal, requireAuth } from '@mcp-warden/auth'
import { secure } from '@mcp-warden/core/sdk-v1'
import { requireScopes } from '@mcp-warden/policy'
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js'
import { z } from 'zod'

// A stdio server has no tokens: it acts for the local user, with the scopes granted here.
const me = createLocalPrincipal({ scopes: ['tickets:read'] })
const server = secure(new McpServer({ name: 'tickets', version: '1.0.0' }), {
  use: [requireAuth({ localPrincipal: me })],
})
const tickets = new Map([['T-1', 'Printer on fire']])

server.registerTool(
  'get_ticket',
  { description: 'Read a ticket', inputSchema: { id: z.string() }, annotations: { readOnlyHint: true } },
  server.guard(requireAuth(), requireScopes('tickets:read')).wrap(async ({ id }, ctx) => ({
    content: [
      { type: 'text', text: `${id}: ${tickets.get(id) ?? 'no such ticket'} (read by ${ctx.principal.subject})` },
    ],
  })),
)
server.registerTool(
  'delete_ticket',
  { description: 'Delete a ticket', inputSchema: { id: z.string() }, annotations: { destructiveHint: true } },
  server.guard(requireAuth(), requireScopes('tickets:write')).wrap(async ({ id }, ctx) => ({
    content: [{ type: 'text', text: tickets.delete(id) ? `${id} deleted by ${ctx.principal.subject}` : `no ${id}` }],
  })),
)

await server.connect(new StdioServerTransport())
