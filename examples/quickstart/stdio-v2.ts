import { createLocalPrincipal, requireAuth } from '@mcp-warden/auth'
import { secure } from '@mcp-warden/core/sdk-v2'
import { requireScopes } from '@mcp-warden/policy'
import { McpServer } from '@modelcontextprotocol/server'
import { serveStdio } from '@modelcontextprotocol/server/stdio'
import { z } from 'zod'

const me = createLocalPrincipal({ scopes: ['tickets:read'] })
const tickets = new Map([['T-1', 'Printer on fire']])

// One secured server per connection; serveStdio answers 2026-07-28 and 2025-11-25 clients.
serveStdio(() => {
  const server = secure(new McpServer({ name: 'tickets', version: '1.0.0' }), {
    use: [requireAuth({ localPrincipal: me })],
  })
  server.registerTool(
    'get_ticket',
    { description: 'Read a ticket', inputSchema: z.object({ id: z.string() }), annotations: { readOnlyHint: true } },
    server.guard(requireAuth(), requireScopes('tickets:read')).wrap(async ({ id }, ctx) => ({
      content: [
        { type: 'text', text: `${id}: ${tickets.get(id) ?? 'no such ticket'} (read by ${ctx.principal.subject})` },
      ],
    })),
  )
  server.registerTool(
    'delete_ticket',
    {
      description: 'Delete a ticket',
      inputSchema: z.object({ id: z.string() }),
      annotations: { destructiveHint: true },
    },
    server.guard(requireAuth(), requireScopes('tickets:write')).wrap(async ({ id }, ctx) => ({
      content: [{ type: 'text', text: tickets.delete(id) ? `${id} deleted by ${ctx.principal.subject}` : `no ${id}` }],
    })),
  )
  return server
})
