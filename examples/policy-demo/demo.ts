/**
 * Policy demo: per-caller tool lists, a write tool refused with the missing scope named, a rule
 * denying an argument pattern, path and URL argument guards, and the scope report as JSON and as
 * a table. Runs in process over InMemoryTransport; the caller's principal is placed where the
 * HTTP layer of @mcp-warden/auth puts it (authInfo.extra).
 */
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { denialCodeOf, ERROR_META_KEY, PRINCIPAL_AUTH_EXTRA_KEY, type Principal } from '@mcp-warden/core'
import { secure } from '@mcp-warden/core/sdk-v1'
import {
  allow,
  deny,
  describePolicy,
  formatPolicyTable,
  loadPolicy,
  requireScopes,
  rule,
  safePath,
  safeUrl,
} from '@mcp-warden/policy'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js'
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { z } from 'zod'

function caller(subject: string, scopes: string[]): Principal {
  return { id: `https://auth.example#${subject}`, issuer: 'https://auth.example', subject, scopes, claims: {} }
}

function buildServer(docs: string, hideFromLists: boolean) {
  const server = secure(new McpServer({ name: 'tickets', version: '1.0.0' }), {
    use: [
      loadPolicy({
        version: 1,
        rules: [
          {
            name: 'no-bulk-delete',
            effect: 'deny',
            reason: 'Bulk deletes are not allowed',
            tools: ['delete_ticket'],
            arguments: [{ arg: 'id', glob: '*\\*' }],
          },
        ],
      }),
    ],
  })
  // Hidden tools are answered like unknown ones; listed ones are refused naming the missing scope,
  // which lets a client step up.
  const scopes = requireScopes.with({ hideFromLists })
  const files = safePath({ roots: [docs], args: ['path'] })
  const urls = safeUrl({ allow: ['https'], args: ['url'] })
  server.registerTool(
    'search_tickets',
    { description: 'Search tickets', inputSchema: { query: z.string() }, annotations: { readOnlyHint: true } },
    server.guard(scopes('tickets:read')).wrap(async ({ query }) => ({
      content: [{ type: 'text', text: `3 tickets match "${query}"` }],
    })),
  )
  server.registerTool(
    'read_attachment',
    { description: 'Read an attachment', inputSchema: { path: z.string() }, annotations: { readOnlyHint: true } },
    server.guard(scopes('tickets:read'), files).wrap(async ({ path }) => ({
      content: [{ type: 'text', text: `attachment ${path}` }],
    })),
  )
  server.registerTool(
    'import_from_url',
    {
      description: 'Import a ticket from a URL',
      inputSchema: { url: z.string() },
      annotations: { openWorldHint: true },
    },
    server.guard(scopes('tickets:write'), urls).wrap(async ({ url }) => ({ content: [{ type: 'text', text: url }] })),
  )
  server.registerTool(
    'delete_ticket',
    {
      description: 'Delete a ticket',
      inputSchema: { id: z.string(), env: z.string() },
      annotations: { destructiveHint: true },
    },
    server
      .guard(
        scopes('tickets:write'),
        rule('no-prod-deletes', (ctx) =>
          ctx.arguments.env === 'prod' ? deny('Deleting in prod is not allowed') : allow(),
        ),
      )
      .wrap(async ({ id }) => ({ content: [{ type: 'text', text: `deleted ${id}` }] })),
  )
  server.registerTool(
    'admin_purge',
    { description: 'Purge everything', annotations: { destructiveHint: true } },
    server.guard(scopes('tickets:*')).wrap(async () => ({ content: [{ type: 'text', text: 'purged' }] })),
  )
  return server
}

async function connect(server: McpServer, principal: Principal): Promise<Client> {
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair()
  const send = clientTransport.send.bind(clientTransport)
  clientTransport.send = (message, options) =>
    send(message, {
      ...options,
      authInfo: {
        token: 'demo',
        clientId: 'demo-client',
        scopes: [...principal.scopes],
        extra: { [PRINCIPAL_AUTH_EXTRA_KEY]: principal },
      },
    })
  const client = new Client({ name: 'demo-client', version: '1.0.0' })
  await server.connect(serverTransport)
  await client.connect(clientTransport)
  return client
}

function show(result: Awaited<ReturnType<Client['callTool']>>): string {
  const text = (result.content as { text?: string }[]).map((c) => c.text ?? '').join('')
  if (!result.isError) return `ok: ${text}`
  const code = denialCodeOf(result)
  if (code === undefined) return `error: ${text}`
  const details = (result._meta as Record<string, unknown> | undefined)?.[ERROR_META_KEY]
  return `refused ${code}: ${text} ${JSON.stringify(details)}`
}

/** Runs the demo and returns its transcript, one line per step. */
export async function runPolicyDemo(): Promise<string[]> {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'mcp-warden-demo-')))
  mkdirSync(join(dir, 'attachments'))
  writeFileSync(join(dir, 'attachments', 'log.txt'), 'log')
  const out: string[] = []
  const server = buildServer(join(dir, 'attachments'), true)
  const stepUpServer = buildServer(join(dir, 'attachments'), false)
  const writerServer = buildServer(join(dir, 'attachments'), true)
  try {
    const reader = await connect(server, caller('reader', ['tickets:read']))
    out.push(`reader sees: ${(await reader.listTools()).tools.map((t) => t.name).join(', ')}`)
    out.push(
      `reader search_tickets: ${show(await reader.callTool({ name: 'search_tickets', arguments: { query: 'printer' } }))}`,
    )
    out.push(
      `reader delete_ticket (hidden): ${show(await reader.callTool({ name: 'delete_ticket', arguments: { id: 'T-1', env: 'dev' } }))}`,
    )
    const stepUp = await connect(stepUpServer, caller('reader', ['tickets:read']))
    out.push(
      `reader delete_ticket (listed for step-up): ${show(await stepUp.callTool({ name: 'delete_ticket', arguments: { id: 'T-1', env: 'dev' } }))}`,
    )
    await stepUp.close()
    out.push(
      `reader read_attachment ../../etc/passwd: ${show(await reader.callTool({ name: 'read_attachment', arguments: { path: '../../etc/passwd' } }))}`,
    )
    const writer = await connect(writerServer, caller('writer', ['tickets:read', 'tickets:write']))
    out.push(`writer sees: ${(await writer.listTools()).tools.map((t) => t.name).join(', ')}`)
    out.push(
      `writer delete_ticket dev: ${show(await writer.callTool({ name: 'delete_ticket', arguments: { id: 'T-1', env: 'dev' } }))}`,
    )
    out.push(
      `writer delete_ticket prod: ${show(await writer.callTool({ name: 'delete_ticket', arguments: { id: 'T-1', env: 'prod' } }))}`,
    )
    out.push(
      `writer delete_ticket T-*: ${show(await writer.callTool({ name: 'delete_ticket', arguments: { id: 'T-*', env: 'dev' } }))}`,
    )
    out.push(
      `writer import_from_url metadata: ${show(await writer.callTool({ name: 'import_from_url', arguments: { url: 'https://169.254.169.254/latest/meta-data/' } }))}`,
    )
    await reader.close()
    await writer.close()
    const report = describePolicy(server)
    out.push('', formatPolicyTable(report), '', JSON.stringify(report.items[3], null, 2))
  } finally {
    await server.close()
    await stepUpServer.close()
    await writerServer.close()
    rmSync(dir, { recursive: true, force: true })
  }
  return out
}
