/**
 * The demo's ticket server: an ordinary McpServer, secured with mcp-warden in a few lines.
 */
import { requireAuth } from '@mcp-warden/auth'
import type { Principal } from '@mcp-warden/core'
import { secure } from '@mcp-warden/core/sdk-v1'
import { requireScopes } from '@mcp-warden/policy'
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { z } from 'zod'

const tickets = new Map([
  ['T-1', 'Printer on fire'],
  ['T-2', 'VPN drops every hour'],
  ['T-3', 'Coffee machine asks for admin rights'],
])

/**
 * One server per connection, as over stdio or per HTTP session: `caller` is who connected
 * (on stdio, the local user; over HTTP it comes from the verified token instead).
 */
export function createTicketServer(caller: Principal): McpServer {
  const server = secure(new McpServer({ name: 'tickets', version: '1.0.0' }), {
    use: [requireAuth({ localPrincipal: caller })],
  })

  server.registerTool(
    'list_tickets',
    { description: 'List open tickets', annotations: { readOnlyHint: true } },
    server.guard(requireScopes('tickets:read')).wrap(async () => ({
      content: [{ type: 'text', text: [...tickets].map(([id, title]) => `${id} ${title}`).join('\n') }],
    })),
  )

  server.registerTool(
    'delete_ticket',
    { description: 'Delete a ticket', inputSchema: { id: z.string() }, annotations: { destructiveHint: true } },
    server.guard(requireScopes('tickets:write')).wrap(async ({ id }: { id: string }, ctx) => {
      const existed = tickets.delete(id)
      return {
        content: [{ type: 'text', text: existed ? `${id} deleted by ${ctx.principal?.subject}` : `${id} not found` }],
      }
    }),
  )

  server.registerTool('whoami', { description: 'Who is calling' }, async () => ({
    content: [{ type: 'text', text: `${caller.subject} (${caller.scopes.join(' ')})` }],
  }))

  return server
}
