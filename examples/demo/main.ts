/**
 * mcp-warden demo: a ticket server secured in-process, driven by a real MCP client.
 * Run: pnpm demo
 */
import { denialCodeOf, type Principal } from '@mcp-warden/core'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js'
import { createTicketServer } from './tickets-server.js'

const green = (s: string) => (process.stdout.isTTY ? `\x1b[32m${s}\x1b[0m` : s)
const red = (s: string) => (process.stdout.isTTY ? `\x1b[31m${s}\x1b[0m` : s)
const dim = (s: string) => (process.stdout.isTTY ? `\x1b[2m${s}\x1b[0m` : s)

function person(subject: string, scopes: string[]): Principal {
  return { id: `local#${subject}`, issuer: 'local', subject, scopes, claims: {} }
}

async function connectAs(caller: Principal): Promise<Client> {
  const server = createTicketServer(caller)
  const [serverSide, clientSide] = InMemoryTransport.createLinkedPair()
  await server.connect(serverSide)
  const client = new Client({ name: 'demo-client', version: '1.0.0' })
  await client.connect(clientSide)
  return client
}

async function call(client: Client, name: string, args: Record<string, unknown> = {}): Promise<void> {
  const shown = `${name} ${JSON.stringify(args)}`
  const result = await client.callTool({ name, arguments: args })
  const content = result.content as { type: string; text?: string }[]
  const text = content.map((c) => c.text ?? '').join(' / ')
  const code = denialCodeOf(result)
  if (result.isError) {
    console.log(`  ${red('✘ denied ')} ${shown.padEnd(34)} ${code ?? 'not found'}: ${text}`)
  } else {
    console.log(`  ${green('✔ allowed')} ${shown.padEnd(34)} ${dim(text.replaceAll('\n', ' | '))}`)
  }
}

async function main(): Promise<void> {
  console.log('mcp-warden demo: a ticket server secured in-process, called by a real MCP client\n')

  const alice = person('alice', ['tickets:read'])
  console.log(`caller alice, scopes: ${alice.scopes.join(' ')}`)
  const asAlice = await connectAs(alice)
  const aliceTools = (await asAlice.listTools()).tools.map((t) => t.name)
  console.log(
    `  tools/list shows ${aliceTools.join(', ')}  ${dim('(delete_ticket is hidden: it needs tickets:write)')}`,
  )
  await call(asAlice, 'list_tickets')
  await call(asAlice, 'delete_ticket', { id: 'T-1' })
  await asAlice.close()

  const bob = person('bob', ['tickets:read', 'tickets:write'])
  console.log(`\ncaller bob, scopes: ${bob.scopes.join(' ')}`)
  const asBob = await connectAs(bob)
  console.log(`  tools/list shows ${(await asBob.listTools()).tools.map((t) => t.name).join(', ')}`)
  await call(asBob, 'delete_ticket', { id: 'T-1' })
  await call(asBob, 'list_tickets')
  await asBob.close()

  const mallory = person('mallory', [])
  console.log(`\ncaller mallory, no scopes`)
  const asMallory = await connectAs(mallory)
  console.log(`  tools/list shows ${(await asMallory.listTools()).tools.map((t) => t.name).join(', ')}`)
  await call(asMallory, 'list_tickets')
  await call(asMallory, 'whoami')
  await asMallory.close()
}

await main()
