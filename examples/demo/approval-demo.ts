/**
 * mcp-warden demo: a destructive tool that asks the user for confirmation, and a rate limit.
 * Run: npx tsx examples/demo/approval-demo.ts
 */
import { denialCodeOf } from '@mcp-warden/core'
import { secure } from '@mcp-warden/core/sdk-v1'
import { rateLimit, requireApproval } from '@mcp-warden/policy'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js'
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js'
import { z } from 'zod'

const tickets = new Map([
  ['T-1', 'Printer on fire'],
  ['T-2', 'VPN drops every hour'],
])

function createServer(): McpServer {
  const server = secure(new McpServer({ name: 'tickets', version: '1.0.0' }), {
    use: [rateLimit({ limit: 3, windowMs: 60_000 })],
  })
  server.registerTool(
    'delete_ticket',
    { description: 'Delete a ticket', inputSchema: { id: z.string() }, annotations: { destructiveHint: true } },
    server.guard(requireApproval({ when: 'destructive' })).wrap(async ({ id }: { id: string }) => ({
      content: [{ type: 'text', text: tickets.delete(id) ? `${id} deleted` : `${id} not found` }],
    })),
  )
  return server
}

/** The user's side: shows the question and answers as `decide` says. */
async function connect(decide: (message: string) => 'accept' | 'decline'): Promise<Client> {
  const server = createServer()
  const client = new Client({ name: 'demo-client', version: '1.0.0' }, { capabilities: { elicitation: {} } })
  client.setRequestHandler(ElicitRequestSchema, async (request) => {
    const { message, requestedSchema } = request.params as unknown as {
      message: string
      requestedSchema: { properties: { confirmation: { enum: string[] } } }
    }
    console.log(`    the user is asked:\n${message.replace(/^/gm, '      │ ')}`)
    const action = decide(message)
    console.log(`    the user chooses: ${action}`)
    return action === 'accept'
      ? { action, content: { confirmation: requestedSchema.properties.confirmation.enum[0] } }
      : { action }
  })
  const [serverSide, clientSide] = InMemoryTransport.createLinkedPair()
  await server.connect(serverSide)
  await client.connect(clientSide)
  return client
}

async function call(client: Client, name: string, args: Record<string, unknown>): Promise<void> {
  const result = await client.callTool({ name, arguments: args })
  const text = (result.content as { text?: string }[]).map((c) => c.text ?? '').join(' ')
  const code = denialCodeOf(result)
  console.log(result.isError ? `  ✘ denied  ${code}: ${text}\n` : `  ✔ allowed ${text}\n`)
}

console.log('delete_ticket is annotated destructiveHint: true, so it asks before running\n')
const client = await connect((message) => (message.includes('"T-1"') ? 'accept' : 'decline'))
console.log('delete_ticket {"id":"T-1"}')
await call(client, 'delete_ticket', { id: 'T-1' })
console.log('delete_ticket {"id":"T-2"}')
await call(client, 'delete_ticket', { id: 'T-2' })
console.log('the rate limit (3 calls a minute per caller) refuses what follows, with retryAfterMs')
for (let i = 0; i < 3; i++) {
  const result = await client.callTool({ name: 'delete_ticket', arguments: { id: 'T-9' } })
  const error = (result._meta as Record<string, { code?: string; retryAfterMs?: number }> | undefined)?.[
    'mcp-warden/error'
  ]
  console.log(
    `  ✘ denied  ${error?.code}${error?.retryAfterMs === undefined ? '' : `, retry after ${error.retryAfterMs} ms`}`,
  )
}
await client.close()
