/**
 * mcp-warden demo: a ticket server secured in-process, called by a real MCP client as different
 * users, showing each protection at work and the audit trail it leaves.
 * Run: pnpm demo
 */
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type AuditEvent, createAuditLog, verifyAuditChain } from '@mcp-warden/audit'
import { denialCodeOf, type Principal } from '@mcp-warden/core'
import { describePolicy, formatPolicyTable } from '@mcp-warden/policy'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js'
import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js'
import { createDemoState, createTicketServer, type DemoState } from './tickets-server.js'

const tty = process.stdout.isTTY === true
const paint = (code: number) => (s: string) => (tty ? `\x1b[${code}m${s}\x1b[0m` : s)
const [green, red, dim, bold, yellow] = [paint(32), paint(31), paint(2), paint(1), paint(33)]

function person(subject: string, scopes: string[]): Principal {
  return { id: `local#${subject}`, issuer: 'local', subject, scopes, claims: {} }
}

/** Connects as `caller`; the client answers confirmation requests as `decide` says. */
async function connectAs(caller: Principal, state: DemoState, decide?: (message: string) => boolean): Promise<Client> {
  const server = createTicketServer(caller, state)
  const client = new Client(
    { name: 'demo-client', version: '1.0.0' },
    decide === undefined ? {} : { capabilities: { elicitation: {} } },
  )
  if (decide !== undefined) {
    client.setRequestHandler(ElicitRequestSchema, async (request) => {
      const params = request.params as {
        message: string
        requestedSchema: { properties: Record<string, { enum?: string[] }> }
      }
      const yes = decide(params.message)
      const lines = params.message.split('\n')
      const shown = lines.find((line) => line.startsWith('Reason:')) ?? lines[0] ?? ''
      console.log(`  ${yellow('?')} the user is asked: ${dim(oneLine(shown, 200))} → ${yes ? 'accepts' : 'declines'}`)
      return yes
        ? {
            action: 'accept',
            content: { confirmation: params.requestedSchema.properties.confirmation?.enum?.[0] ?? '' },
          }
        : { action: 'decline' }
    })
  }
  const [serverSide, clientSide] = InMemoryTransport.createLinkedPair()
  await server.connect(serverSide)
  await client.connect(clientSide)
  return client
}

async function call(client: Client, name: string, args: Record<string, unknown> = {}): Promise<void> {
  const shown = `${name} ${Object.keys(args).length === 0 ? '' : JSON.stringify(args)}`
  const result = await client.callTool({ name, arguments: args })
  const text = (result.content as { text?: string }[]).map((c) => c.text ?? '').join(' / ')
  if (result.isError) {
    const code = denialCodeOf(result) ?? 'not found'
    const reason = text.replace(` (${code})`, '')
    console.log(`  ${red('✘ denied ')} ${shown.padEnd(44)} ${code}: ${oneLine(reason)}`)
  } else {
    console.log(`  ${green('✔ allowed')} ${shown.padEnd(44)} ${dim(oneLine(text))}`)
  }
}

const oneLine = (text: string, max = 110) => {
  const flat = text.replaceAll('\n', ' | ')
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat
}
const section = (title: string) => console.log(`\n${bold(title)}`)

/**
 * The trail as a table in time order, every event and every column in full. A call's decision
 * event carries the time the call started but is written when it ends, after the security events
 * raised during the call; the chain keeps write order, so `#` (the chain position) shows it.
 */
export function formatTrail(trail: readonly AuditEvent[]): string[] {
  const ordered = [...trail].sort((a, b) => a.time.localeCompare(b.time) || (a.seq ?? 0) - (b.seq ?? 0))
  const rows = ordered.map((event) => {
    const outcome =
      event.decision === 'deny'
        ? (event.code ?? 'deny')
        : event.decision === 'allow'
          ? 'allow'
          : `${event.type}${event.code === undefined ? '' : ` ${event.code}`}`
    return {
      seq: `#${event.seq ?? '?'}`,
      time: event.time.slice(11, 23),
      who: (event.principal ?? '-').replace(/^local#/, ''),
      what: event.name ?? '-',
      outcome,
      paint: event.decision === 'deny' ? red : event.decision === 'allow' ? green : yellow,
    }
  })
  const width = (pick: (row: (typeof rows)[number]) => string) => Math.max(0, ...rows.map((row) => pick(row).length))
  const [seqW, whoW, whatW] = [width((r) => r.seq), width((r) => r.who), width((r) => r.what)]
  const lines = rows.map(
    (r) =>
      `  ${dim(r.seq.padStart(seqW))} ${dim(r.time)} ${r.who.padEnd(whoW)} ${r.what.padEnd(whatW)} ${r.paint(r.outcome)}`,
  )
  const chain = verifyAuditChain(trail.map((event) => JSON.stringify(event)))
  lines.push(
    dim(
      `  ${trail.length} events; chain ${chain.ok ? 'verified' : `broken at line ${chain.line}: ${chain.reason}`}` +
        ' (a decision is dated when its call started and written when it ended)',
    ),
  )
  return lines
}

/** Runs the whole story; prints to the console. */
export async function main(): Promise<void> {
  const trail: AuditEvent[] = []
  const audit = createAuditLog({ sinks: [{ name: 'demo', write: (event) => void trail.push(event) }], hashChain: true })
  const state = createDemoState(audit)
  console.log('mcp-warden demo: a ticket server secured in-process, called by a real MCP client')

  const alice = person('alice', ['tickets:read'])
  section('1. Scopes and visibility — alice holds tickets:read')
  const asAlice = await connectAs(alice, state)
  console.log(`  tools/list shows ${(await asAlice.listTools()).tools.map((t) => t.name).join(', ')}`)
  console.log(dim('  (delete_ticket and show_config are hidden: they need tickets:write and tickets:admin)'))
  await call(asAlice, 'list_tickets')
  await call(asAlice, 'close_ticket', { id: 'T-2' })
  await call(asAlice, 'delete_ticket', { id: 'T-2' })

  const bob = person('bob', ['tickets:read', 'tickets:write'])
  section('2. A rule on arguments, and confirmation before a destructive call — bob holds tickets:write')
  const asBob = await connectAs(bob, state, (message) => message.includes('"T-3"') || message.includes('"T-1"'))
  await call(asBob, 'delete_ticket', { id: 'T-1' })
  await call(asBob, 'delete_ticket', { id: 'T-3' })
  await call(asBob, 'delete_ticket', { id: 'T-2' })

  section('3. Untrusted content cannot drive an outward action')
  await call(asBob, 'fetch_status_page')
  console.log(
    dim('  (the page was wrapped in random-boundary markers as data, and its zero-width characters stripped)'),
  )
  await call(asBob, 'email_ticket', { id: 'T-2', to: 'attacker@evil.test' })
  console.log(dim(`  (outbox: ${state.outbox.length} messages)`))

  const carol = person('carol', ['tickets:read', 'tickets:admin'])
  section('4. Secrets never leave in output — carol holds tickets:admin')
  const asCarol = await connectAs(carol, state)
  await call(asCarol, 'show_config')

  section('5. Rate limits — search_tickets allows 3 calls a minute per caller')
  for (let i = 0; i < 4; i++) await call(asCarol, 'search_tickets', { q: 'VPN' })

  for (const client of [asAlice, asBob, asCarol]) await client.close()
  await audit.close()

  section('6. The audit trail (hash-chained, one event per decision or security event)')
  for (const line of formatTrail(trail)) console.log(line)

  section('7. The permission surface, for a reviewer (describePolicy)')
  const reviewer = createTicketServer(
    bob,
    createDemoState(createAuditLog({ sinks: [{ name: 'none', write: () => {} }] })),
  )
  console.log(
    formatPolicyTable(describePolicy(reviewer))
      .split('\n')
      .map((line) => `  ${line}`)
      .join('\n'),
  )
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main()
