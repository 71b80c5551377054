/**
 * A real MCP client for the README's stdio quick start: starts the server as a child process and
 * asserts what the README promises. `get_ticket` (scope `tickets:read`, which the local user has)
 * answers; `delete_ticket` (scope `tickets:write`, which it lacks) is not listed and is answered
 * exactly like a tool that does not exist: an error result on SDK 1.x, a thrown protocol error on
 * SDK 2.x.
 *
 *   node client.js <v1|v2|v2-2026> <command> [args...]     e.g. node client.js v1 node stdio-v1.js
 *
 * `scripts/tarball-consumer.ts` runs it on the README's code in a project that installed the packed
 * packages; in the workspace: `npx tsx examples/quickstart/client.ts v1 npx tsx examples/quickstart/stdio-v1.ts`.
 */
import { strict as assert } from 'node:assert'
import { Client as ClientV2 } from '@modelcontextprotocol/client'
import { StdioClientTransport as StdioV2 } from '@modelcontextprotocol/client/stdio'
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js'
import { StdioClientTransport as StdioV1 } from '@modelcontextprotocol/sdk/client/stdio.js'

interface Caller {
  listTools(): Promise<{ tools: { name: string }[] }>
  callTool(params: { name: string; arguments: Record<string, unknown> }): Promise<unknown>
  close(): Promise<void>
}

const [mode, command, ...args] = process.argv.slice(2)
if ((mode !== 'v1' && mode !== 'v2' && mode !== 'v2-2026') || command === undefined) {
  console.error('usage: client <v1|v2|v2-2026> <command> [args...]')
  process.exit(2)
}

async function connect(): Promise<Caller> {
  const params = { command: command as string, args, stderr: 'inherit' as const }
  if (mode === 'v1') {
    const client = new ClientV1({ name: 'quickstart-client', version: '1.0.0' })
    await client.connect(new StdioV1(params))
    return client as unknown as Caller
  }
  const client = new ClientV2(
    { name: 'quickstart-client', version: '1.0.0' },
    mode === 'v2-2026' ? { versionNegotiation: { mode: { pin: '2026-07-28' } } } : {},
  )
  await client.connect(new StdioV2(params))
  return client as unknown as Caller
}

/** What a call answers, as one comparable string: `result <isError> <text>` or `thrown <message>`. */
async function outcome(client: Caller, name: string): Promise<string> {
  try {
    const result = (await client.callTool({ name, arguments: { id: 'T-1' } })) as {
      isError?: boolean
      content?: { type: string; text?: string }[]
    }
    return `result ${result.isError === true} ${(result.content ?? []).map((c) => c.text ?? c.type).join(' ')}`
  } catch (error) {
    return `thrown ${error instanceof Error ? error.message : String(error)}`
  }
}

const client = await connect()
try {
  const listed = (await client.listTools()).tools.map((t) => t.name)
  assert.deepEqual(listed, ['get_ticket'], 'tools/list shows only the tool the local user may call')

  const allowed = await outcome(client, 'get_ticket')
  assert.match(allowed, /^result false T-1: Printer on fire \(read by .+\)$/, 'get_ticket is allowed')

  const denied = await outcome(client, 'delete_ticket')
  const unknown = await outcome(client, 'no_such_tool')
  assert.equal(denied.replaceAll('delete_ticket', 'X'), unknown.replaceAll('no_such_tool', 'X'), 'hidden = unknown')
  assert.match(denied, /not found/, 'delete_ticket is answered as not found')
  assert.match(denied, mode === 'v1' ? /^result true / : /^thrown /, 'SDK 1.x: error result; SDK 2.x: thrown error')

  // The denied tool did not run: the ticket is still there.
  assert.match(await outcome(client, 'get_ticket'), /Printer on fire/, 'the ticket survived')
  console.log(`ok   quickstart ${mode}: allowed "${allowed}", denied "${denied}"`)
} finally {
  await client.close()
}
