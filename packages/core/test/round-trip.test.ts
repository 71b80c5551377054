/**
 * Protocol 2026-07-28 multi round trip through the pipeline: a middleware returns an
 * `input_required` result, the SDK 2.x client fulfils it and retries, and the retried call's
 * `ctx.client.inputResponses` and raw `ctx.client.requestState` reach the guards.
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client'
import { createMcpHandler, McpServer } from '@modelcontextprotocol/server'
import { afterEach, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { secure } from '../src/sdk-v2/index.js'
import type { GuardContext, PrimitiveResult } from '../src/types.js'
import { SDKS } from './harness.js'

describe('secure (sdk-v2, 2026-07-28)', () => {
  const cleanup: (() => Promise<void>)[] = []
  afterEach(async () => {
    for (const close of cleanup.splice(0).reverse()) await close()
  })

  it('passes a middleware input_required result to the client and exposes the retry to guards', async () => {
    const seen: { inputResponses: unknown; requestState: unknown; protocolVersion: unknown }[] = []
    const ask = async (ctx: GuardContext, next: () => Promise<PrimitiveResult>): Promise<PrimitiveResult> => {
      seen.push({
        inputResponses: ctx.client.inputResponses,
        requestState: ctx.client.requestState,
        protocolVersion: ctx.protocolVersion,
      })
      if (ctx.client.requestState === undefined) {
        return {
          resultType: 'input_required',
          inputRequests: {
            ok: {
              method: 'elicitation/create',
              params: {
                mode: 'form',
                message: 'Proceed?',
                requestedSchema: { type: 'object', properties: { go: { type: 'boolean' } }, required: ['go'] },
              },
            },
          },
          requestState: 'opaque-state-ü',
        }
      }
      return next()
    }
    const handler = createMcpHandler(() => {
      const server = secure(new McpServer({ name: 'mrtr', version: '1.0.0' }), { use: [ask] })
      server.registerTool('t', { inputSchema: z.object({ a: z.string() }) }, async ({ a }: { a: string }) => ({
        content: [{ type: 'text' as const, text: `ran ${a}` }],
      }))
      return server
    })
    const http: Server = createServer(async (req, res) => {
      const chunks: Buffer[] = []
      for await (const chunk of req) chunks.push(chunk as Buffer)
      const headers = new Headers()
      for (const [name, value] of Object.entries(req.headers)) if (typeof value === 'string') headers.set(name, value)
      const response = await handler.fetch(
        new Request(`http://127.0.0.1${req.url ?? '/'}`, {
          method: req.method ?? 'GET',
          headers,
          ...(req.method === 'POST' ? { body: Buffer.concat(chunks) } : {}),
        }),
      )
      res.writeHead(response.status, Object.fromEntries(response.headers))
      res.end(Buffer.from(await response.arrayBuffer()))
    })
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
    cleanup.push(async () => {
      await handler.close()
      http.closeAllConnections()
      await new Promise<void>((resolve) => http.close(() => resolve()))
    })
    const client = new Client(
      { name: 'c', version: '1.0.0' },
      { capabilities: { elicitation: {} }, versionNegotiation: { mode: { pin: '2026-07-28' } } },
    )
    client.setRequestHandler('elicitation/create', async () => ({ action: 'accept', content: { go: true } }))
    const { port } = http.address() as AddressInfo
    await client.connect(new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${port}/mcp`)))
    cleanup.push(() => client.close())

    const result = await client.callTool({ name: 't', arguments: { a: 'x' } })
    expect(result.content).toEqual([{ type: 'text', text: 'ran x' }])
    expect(seen).toEqual([
      { inputResponses: undefined, requestState: undefined, protocolVersion: '2026-07-28' },
      {
        inputResponses: { ok: { action: 'accept', content: { go: true } } },
        requestState: 'opaque-state-ü',
        protocolVersion: '2026-07-28',
      },
    ])
  })

  it.each(SDKS)('leaves inputResponses and requestState undefined on 2025 revisions ($name)', async (sdk) => {
    const seen: unknown[] = []
    const server = sdk.secured({
      use: [
        async (ctx: GuardContext, next: () => Promise<PrimitiveResult>) => {
          seen.push([ctx.client.inputResponses, ctx.client.requestState])
          return next()
        },
      ],
    })
    server.registerTool('t', {}, async () => ({ content: [] }))
    const client = await sdk.connect(server)
    cleanup.push(() => client.close())
    await client.callTool({ name: 't', arguments: {} })
    expect(seen).toEqual([[undefined, undefined]])
  })
})
