/**
 * The server and calls both audit examples run: a tickets server secured with auditSpans and an
 * audit log, and a client that calls it over the in-memory transport, continuing its own trace.
 */
import { type AuditSink, auditSpans, createAuditLog } from '@mcp-warden/audit'
import { requireAuth } from '@mcp-warden/auth'
import { secure } from '@mcp-warden/core/sdk-v1'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js'
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { z } from 'zod'

/** Runs three calls (allowed, failing, denied) and closes the audit log, which flushes it. */
export async function runAuditDemo(sinks: readonly AuditSink[]): Promise<void> {
  const audit = createAuditLog({ sinks, hashChain: true })
  const server = secure(new McpServer({ name: 'tickets', version: '1.0.0' }), {
    // auditSpans first, so it sees every denial; the audit middleware right after it.
    use: [auditSpans(), audit.middleware],
  })
  server.registerTool('get_ticket', { inputSchema: { id: z.string() } }, async ({ id }) => ({
    content: [{ type: 'text', text: `ticket ${id}: open` }],
  }))
  server.registerTool('close_ticket', { inputSchema: { id: z.string() } }, async ({ id }) => ({
    content: [{ type: 'text', text: `ticket ${id} is locked` }],
    isError: true,
  }))
  server.registerTool(
    'delete_ticket',
    { inputSchema: { id: z.string() }, annotations: { destructiveHint: true } },
    // No principal on this in-memory connection: the tool is hidden from the caller, who is told
    // "not found"; the audit trail records the denial as ERR_CORE_HIDDEN.
    server.guard(requireAuth()).wrap(async ({ id }) => ({
      content: [{ type: 'text', text: `deleted ${id}` }],
    })),
  )
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair()
  const client = new Client({ name: 'demo-client', version: '1.0.0' })
  await server.connect(serverTransport)
  await client.connect(clientTransport)
  // The client's trace context travels in params._meta and parents the server spans.
  const _meta = { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' }
  try {
    await client.callTool({ name: 'get_ticket', arguments: { id: 'T-1' }, _meta })
    await client.callTool({ name: 'close_ticket', arguments: { id: 'T-1' }, _meta })
    const denied = await client.callTool({ name: 'delete_ticket', arguments: { id: 'T-1' }, _meta })
    console.error(`delete_ticket answered: ${JSON.stringify(denied.content)}`)
  } finally {
    await client.close()
    await server.close()
    await audit.close()
    const stats = audit.stats()
    console.error(`audit events: ${stats.emitted}, dropped: ${stats.dropped}`)
  }
}
