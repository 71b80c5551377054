/**
 * Overhead of the pipeline: the same tool called through a bare McpServer and through secured
 * servers (empty chain, and one pass-through middleware), each over InMemoryTransport in this one
 * process. Rounds alternate between the servers so drift hits all of them alike; the median round
 * is reported.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js'
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { z } from 'zod'
import { secure } from '../src/sdk-v1/index.js'
import type { GuardContext, PrimitiveResult } from '../src/types.js'
import { printTable, type Row, recordSummary, timeRounds } from './util.js'

type Setup = (server: McpServer) => McpServer

async function connect(setup: Setup): Promise<{ call: () => Promise<unknown>; close: () => Promise<void> }> {
  const server = setup(new McpServer({ name: 'bench', version: '1.0.0' }))
  server.registerTool('echo', { inputSchema: { text: z.string() } }, async ({ text }) => ({
    content: [{ type: 'text', text }],
  }))
  const [serverSide, clientSide] = InMemoryTransport.createLinkedPair()
  await server.connect(serverSide)
  const client = new Client({ name: 'bench', version: '1.0.0' })
  await client.connect(clientSide)
  const params = { name: 'echo', arguments: { text: 'hello' } }
  return { call: () => client.callTool(params), close: () => client.close() }
}

const pass = async (_ctx: GuardContext, next: () => Promise<PrimitiveResult>) => next()
const variants: Record<string, Setup> = {
  'bare McpServer': (server) => server,
  'secure(), empty chain': (server) => secure(server, { use: [] }),
  'secure(), one pass-through guard': (server) => secure(server, { use: [pass] }),
}

/**
 * The pipeline's own cost, without transport noise: the registered (wrapped) callback invoked
 * directly, as the SDK invokes it, against the author's handler invoked directly.
 */
async function wrapperCost(): Promise<{ bareUs: number; wrappedUs: number }> {
  const handler = async ({ text }: { text: string }) => ({ content: [{ type: 'text' as const, text }] })
  const server = secure(new McpServer({ name: 'bench', version: '1.0.0' }), { use: [] })
  server.registerTool('echo', { inputSchema: { text: z.string() } }, handler)
  const registry = (server as unknown as { _registeredTools: Record<string, { handler: typeof handler }> })
    ._registeredTools
  const wrapped = registry.echo?.handler as unknown as (args: unknown, extra: unknown) => Promise<unknown>
  const extra = {
    signal: new AbortController().signal,
    requestId: 1,
    sendNotification: async () => {},
    sendRequest: async () => ({}),
  }
  const args = { text: 'hello' }
  const bare = { name: 'bare', call: () => handler(args) }
  const guarded = { name: 'wrapped', call: () => wrapped(args, extra) }
  const medians = await timeRounds([bare, guarded], { warmup: 20_000, perRound: 50_000, rounds: 9 })
  return { bareUs: medians.get('bare') as number, wrappedUs: medians.get('wrapped') as number }
}

export async function runPipelineBench(): Promise<Row[]> {
  const servers = await Promise.all(
    Object.entries(variants).map(async ([name, setup]) => ({ name, ...(await connect(setup)) })),
  )
  const medians = await timeRounds(servers, { warmup: 2_000, perRound: 2_000, rounds: 9 })
  await Promise.all(servers.map((s) => s.close()))
  const bare = medians.get('bare McpServer') as number
  const rows: Row[] = servers.map(({ name }) => {
    const perCall = medians.get(name) as number
    return { scenario: `in-process tools/call: ${name}`, baselineUs: bare, valueUs: perCall, ratio: perCall / bare }
  })
  const cost = await wrapperCost()
  const added = cost.wrappedUs - cost.bareUs
  rows.push({
    scenario: 'empty chain: added µs per call, over a bare in-process call',
    baselineUs: bare,
    valueUs: bare + added,
    ratio: (bare + added) / bare,
  })
  return rows
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const rows = await runPipelineBench()
  printTable(rows)
  recordSummary(
    'pipeline',
    rows
      .filter((row) => row.baselineUs !== row.valueUs || row.scenario.startsWith('empty'))
      .map((row) => ({ scenario: row.scenario, bare: row.baselineUs, guarded: row.valueUs, unit: 'µs/call' })),
  )
}
