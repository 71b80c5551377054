/** A secured MCP server with guarded tools, as an author would write it, for the HTTP tests. */

import { randomUUID } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { type GuardContext, type Middleware, WardenError } from '@mcp-warden/core'
import { secure } from '@mcp-warden/core/sdk-v1'
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js'
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js'
import { z } from 'zod'
import { requireAuth } from '../../src/require-auth.js'
import type { McpAuthInfo } from '../../src/types.js'

/**
 * A scope guard written here (auth never imports policy): it declares its scopes in
 * `describe.scopes`, which the HTTP layer reads for step-up, and checks them in-process.
 */
export function needScopes(...all: string[]): Middleware {
  const needScopesMiddleware = async (ctx: GuardContext, next: () => ReturnType<Middleware>) => {
    const granted = ctx.principal?.scopes ?? []
    if (!all.every((scope) => granted.includes(scope))) {
      throw new WardenError('ERR_TEST_INSUFFICIENT_SCOPE', 'Missing scope')
    }
    return next()
  }
  return Object.assign(needScopesMiddleware, { describe: { name: 'needScopes', scopes: { all } } })
}

export interface ToolCalls {
  whoami: number
  deleteTicket: number
}

export function buildSecuredServer(calls: ToolCalls = { whoami: 0, deleteTicket: 0 }) {
  const server = secure(new McpServer({ name: 'tickets', version: '1.0.0' }))
  server.registerTool(
    'whoami',
    { description: 'Who is calling', inputSchema: {} },
    server.guard(requireAuth()).wrap(async (_args, ctx) => {
      calls.whoami++
      const extra = ctx.extra as { authInfo?: { token?: string } }
      return {
        content: [
          {
            type: 'text' as const,
            text: JSON.stringify({ id: ctx.principal.id, token: extra.authInfo?.token ?? null }),
          },
        ],
      }
    }),
  )
  server.registerTool(
    'delete_ticket',
    { description: 'Delete a ticket', inputSchema: { id: z.string() } },
    server.guard(requireAuth(), needScopes('tickets:write')).wrap(async ({ id }) => {
      calls.deleteTicket++
      return { content: [{ type: 'text' as const, text: `deleted ${String(id)}` }] }
    }),
  )
  server.registerPrompt(
    'secret_prompt',
    { description: 'A prompt for reviewers' },
    server.guard(requireAuth(), needScopes('prompts:secret')).wrap(async () => ({
      messages: [{ role: 'user' as const, content: { type: 'text' as const, text: 'secret' } }],
    })),
  )
  server.registerResource(
    'secret_file',
    'file:///secret.txt',
    { description: 'A protected file' },
    server.guard(requireAuth(), needScopes('files:secret')).wrap(async (uri: URL) => ({
      contents: [{ uri: uri.href, text: 'secret' }],
    })),
  )
  return { server, calls }
}

/**
 * One secured server per MCP session, as a multi-client Streamable HTTP deployment runs them.
 * `template` is an identical server for step-up: every session's tools declare the same scopes.
 */
export function sessionRouter() {
  const calls: ToolCalls = { whoami: 0, deleteTicket: 0 }
  const template = buildSecuredServer(calls).server
  const sessions = new Map<string, StreamableHTTPServerTransport>()
  const web = new Map<string, WebStandardStreamableHTTPServerTransport>()
  const servers: { close(): Promise<void> }[] = []
  return {
    calls,
    template,
    async node(req: IncomingMessage, res: ServerResponse, body: unknown): Promise<void> {
      const id = req.headers['mcp-session-id']
      let transport = typeof id === 'string' ? sessions.get(id) : undefined
      if (transport === undefined) {
        const created = new StreamableHTTPServerTransport({
          sessionIdGenerator: () => randomUUID(),
          onsessioninitialized: (sessionId) => {
            sessions.set(sessionId, created)
          },
        })
        const { server } = buildSecuredServer(calls)
        servers.push(server)
        await server.connect(created)
        transport = created
      }
      await transport.handleRequest(req, res, body)
    },
    async web(request: Request, authInfo: McpAuthInfo | undefined): Promise<Response> {
      const id = request.headers.get('mcp-session-id')
      let transport = id === null ? undefined : web.get(id)
      if (transport === undefined) {
        const created = new WebStandardStreamableHTTPServerTransport({
          sessionIdGenerator: () => randomUUID(),
          onsessioninitialized: (sessionId) => {
            web.set(sessionId, created)
          },
        })
        const { server } = buildSecuredServer(calls)
        servers.push(server)
        await server.connect(created)
        transport = created
      }
      return transport.handleRequest(request, authInfo === undefined ? {} : { authInfo: authInfo as never })
    },
    async close(): Promise<void> {
      for (const server of servers) await server.close()
      await template.close()
    },
  }
}
