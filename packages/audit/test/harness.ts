import {
  type GuardContext,
  type Middleware,
  PRINCIPAL_AUTH_EXTRA_KEY,
  type Principal,
  WardenError,
} from '@mcp-warden/core'
import { type SecuredMcpServer, secure } from '@mcp-warden/core/sdk-v1'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js'
import { McpServer, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js'
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js'
import { z } from 'zod'

/** A denial as another package would throw it (same shape as policy's and auth's errors). */
export class TestDenial extends WardenError {
  constructor(code: string, name: string, details: Record<string, unknown> = {}) {
    super(code, `Denied (${code})`, { details })
    this.name = name
  }
}

/** A guard that denies every call with `code`. */
export function denyWith(code: string, errorName = 'PolicyError', details: Record<string, unknown> = {}): Middleware {
  const denyMiddleware = async (_ctx: GuardContext, _next: () => ReturnType<Middleware>) => {
    throw new TestDenial(code, errorName, details)
  }
  return denyMiddleware
}

export const PRINCIPAL: Principal = {
  id: 'https://issuer.example#alice@example.com',
  issuer: 'https://issuer.example',
  subject: 'alice@example.com',
  clientId: 'client-42',
  scopes: ['tickets:read'],
  claims: {},
}

export interface Harness {
  readonly server: SecuredMcpServer
  readonly client: Client
  call(name: string, args?: Record<string, unknown>, meta?: Record<string, unknown>): Promise<CallToolResult>
  close(): Promise<void>
}

/**
 * A real McpServer secured with `use`, connected to a real Client over the in-memory transport.
 * Tools: `echo`, `fail_tool` (isError result), `throw_tool` (throws a RangeError quoting its input),
 * plus whatever `register` adds; resource `config://app`, template `notes://{id}`, prompt `greet`.
 * With `principal`, every request carries it in the transport's auth info, as the HTTP layer does.
 */
export async function startHarness(
  use: readonly unknown[],
  register?: (server: SecuredMcpServer) => void,
  principal?: Principal,
): Promise<Harness> {
  const server = secure(new McpServer({ name: 'audit-test', version: '1.0.0' }), { use })
  server.registerTool('echo', { inputSchema: { text: z.string() } }, async ({ text }) => ({
    content: [{ type: 'text', text }],
  }))
  server.registerTool('fail_tool', { inputSchema: { text: z.string() } }, async () => ({
    content: [{ type: 'text', text: 'nope' }],
    isError: true,
  }))
  server.registerTool('throw_tool', { inputSchema: { text: z.string() } }, async ({ text }) => {
    throw new RangeError(`bad input ${text}`)
  })
  server.registerResource('config', 'config://app', {}, async (uri) => ({
    contents: [{ uri: uri.href, text: 'mode=test' }],
  }))
  server.registerResource(
    'notes',
    new ResourceTemplate('notes://{id}', { list: undefined }),
    {},
    async (uri, vars) => ({
      contents: [{ uri: uri.href, text: `note ${String(vars.id)}` }],
    }),
  )
  server.registerPrompt('greet', { argsSchema: { name: z.string() } }, async ({ name }) => ({
    messages: [{ role: 'user', content: { type: 'text', text: `Hello ${name}` } }],
  }))
  register?.(server)
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair()
  if (principal !== undefined) {
    const send = clientTransport.send.bind(clientTransport)
    clientTransport.send = (message, options) =>
      send(message, {
        ...options,
        authInfo: {
          token: 'opaque',
          clientId: principal.clientId ?? 'c',
          scopes: [...principal.scopes],
          extra: { [PRINCIPAL_AUTH_EXTRA_KEY]: principal },
        },
      })
  }
  const client = new Client({ name: 'audit-test-client', version: '1.0.0' })
  await server.connect(serverTransport)
  await client.connect(clientTransport)
  return {
    server,
    client,
    async call(name, args = {}, meta) {
      return (await client.callTool({
        name,
        arguments: args,
        ...(meta === undefined ? {} : { _meta: meta }),
      })) as CallToolResult
    },
    async close() {
      await client.close()
      await server.close()
    },
  }
}
