import { createServer } from 'node:http'
import {
  createProtectedResource,
  createSessionManager,
  createTokenVerifier,
  protectNodeHandler,
  requireAuth,
} from '@mcp-warden/auth'
import { secure } from '@mcp-warden/core/sdk-v1'
import { requireScopes } from '@mcp-warden/policy'
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { z } from 'zod'

const RESOURCE = 'http://127.0.0.1:3000/mcp' // this endpoint's URL: the audience its tokens must name
const ISSUER = 'https://auth.example.com' // the authorization server whose tokens it accepts

// One secured server per session; requireAuth() takes the principal the HTTP layer verified.
function ticketServer() {
  const server = secure(new McpServer({ name: 'tickets', version: '1.0.0' }), { use: [requireAuth()] })
  server.registerTool(
    'delete_ticket',
    { description: 'Delete a ticket', inputSchema: { id: z.string() }, annotations: { destructiveHint: true } },
    server.guard(requireAuth(), requireScopes('tickets:write')).wrap(async ({ id }, ctx) => ({
      content: [{ type: 'text', text: `${id} deleted by ${ctx.principal.subject}` }],
    })),
  )
  return server
}

const protectedResource = createProtectedResource({
  resource: RESOURCE,
  verifier: createTokenVerifier({ issuer: ISSUER, audience: RESOURCE, jwt: { algorithms: ['ES256', 'RS256'] } }),
  authorizationServers: [ISSUER],
  scopesSupported: ['tickets:read', 'tickets:write'],
  stepUp: { server: ticketServer() }, // a call lacking a tool's scopes gets 403 insufficient_scope
})
const sessions = createSessionManager({
  createServer: ticketServer,
  maxSessions: 1_000,
  maxSessionsPerPrincipal: 20,
  idleTimeoutMs: 15 * 60_000,
})

createServer(
  protectNodeHandler(protectedResource, async (req, res, body) => {
    if (req.url?.split('?')[0] === '/mcp') await sessions.handle(req, res, body)
    else res.writeHead(404).end()
  }),
).listen(3000, '127.0.0.1')
