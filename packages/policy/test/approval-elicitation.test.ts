/**
 * requireApproval over the 2025 protocol revisions: a real McpServer secured by mcp-warden and a
 * real Client answering `elicitation/create`, on SDK 1.x and on SDK 2.x.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import { denialCodeOf, type Middleware, SECURITY_EVENT_CHANNEL } from '@mcp-warden/core'
import { secure as secureV1 } from '@mcp-warden/core/sdk-v1'
import { secure as secureV2 } from '@mcp-warden/core/sdk-v2'
import { Client as ClientV2, InMemoryTransport as MemoryV2 } from '@modelcontextprotocol/client'
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js'
import { InMemoryTransport as MemoryV1 } from '@modelcontextprotocol/sdk/inMemory.js'
import { McpServer as ServerV1 } from '@modelcontextprotocol/sdk/server/mcp.js'
import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js'
import { McpServer as ServerV2 } from '@modelcontextprotocol/server'
import { afterEach, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { type ApprovalRequest, requireApproval } from '../src/index.js'

type Answer = (params: {
  message: string
  requestedSchema: Record<string, unknown>
}) => Promise<Record<string, unknown>>

interface Setup {
  call(name: string, args: Record<string, unknown>): Promise<Record<string, unknown>>
  /** Elicitations the client received. */
  readonly asked: { message: string; requestedSchema: Record<string, unknown> }[]
  /** Handler runs per tool. */
  readonly ran: string[]
  close(): Promise<void>
}

interface ToolSpec {
  readonly name: string
  readonly guards: readonly Middleware[]
  readonly annotations?: Record<string, unknown>
}

const nonceOf = (schema: Record<string, unknown>): string => {
  const properties = schema.properties as Record<string, { enum?: string[] }>
  return properties.confirmation?.enum?.[0] ?? ''
}

const accept: Answer = async ({ requestedSchema }) => ({
  action: 'accept',
  content: { confirmation: nonceOf(requestedSchema) },
})

const SDKS = [
  {
    name: 'sdk-v1',
    async setup(tools: readonly ToolSpec[], answer: Answer | undefined): Promise<Setup> {
      const asked: Setup['asked'] = []
      const ran: string[] = []
      const server = secureV1(new ServerV1({ name: 'approvals', version: '1.0.0' }))
      for (const tool of tools) {
        server.registerTool(
          tool.name,
          {
            inputSchema: { id: z.string().optional(), note: z.string().optional() },
            annotations: tool.annotations ?? {},
          },
          server.guard(...tool.guards).wrap(async () => {
            ran.push(tool.name)
            return { content: [{ type: 'text' as const, text: `${tool.name} done` }] }
          }),
        )
      }
      const client = new ClientV1(
        { name: 'approver-client', version: '1.0.0' },
        answer === undefined ? {} : { capabilities: { elicitation: {} } },
      )
      if (answer !== undefined) {
        client.setRequestHandler(ElicitRequestSchema, async (request) => {
          const params = request.params as { message: string; requestedSchema: Record<string, unknown> }
          asked.push(params)
          return (await answer(params)) as never
        })
      }
      const [serverSide, clientSide] = MemoryV1.createLinkedPair()
      await server.connect(serverSide)
      await client.connect(clientSide)
      return {
        call: (name, args) => client.callTool({ name, arguments: args }) as Promise<Record<string, unknown>>,
        asked,
        ran,
        close: async () => {
          await client.close()
          await server.close()
        },
      }
    },
  },
  {
    name: 'sdk-v2',
    async setup(tools: readonly ToolSpec[], answer: Answer | undefined): Promise<Setup> {
      const asked: Setup['asked'] = []
      const ran: string[] = []
      const server = secureV2(new ServerV2({ name: 'approvals', version: '1.0.0' }))
      for (const tool of tools) {
        server.registerTool(
          tool.name,
          {
            inputSchema: z.object({ id: z.string().optional(), note: z.string().optional() }),
            annotations: tool.annotations ?? {},
          },
          server.guard(...tool.guards).wrap(async () => {
            ran.push(tool.name)
            return { content: [{ type: 'text' as const, text: `${tool.name} done` }] }
          }),
        )
      }
      const client = new ClientV2(
        { name: 'approver-client', version: '1.0.0' },
        answer === undefined ? {} : { capabilities: { elicitation: {} } },
      )
      if (answer !== undefined) {
        client.setRequestHandler('elicitation/create', async (request) => {
          const params = request.params as { message: string; requestedSchema: Record<string, unknown> }
          asked.push(params)
          return (await answer(params)) as never
        })
      }
      const [serverSide, clientSide] = MemoryV2.createLinkedPair()
      await server.connect(serverSide)
      await client.connect(clientSide)
      return {
        call: (name, args) => client.callTool({ name, arguments: args }) as Promise<Record<string, unknown>>,
        asked,
        ran,
        close: async () => {
          await client.close()
          await server.close()
        },
      }
    },
  },
] as const

describe.each(SDKS)('requireApproval ($name, elicitation)', (sdk) => {
  const open: Setup[] = []
  const start = async (tools: readonly ToolSpec[], answer: Answer | undefined) => {
    const setup = await sdk.setup(tools, answer)
    open.push(setup)
    return setup
  }
  afterEach(async () => {
    for (const setup of open.splice(0)) await setup.close()
  })

  it('runs the tool when the user accepts with the matching confirmation', async () => {
    const s = await start([{ name: 'delete_ticket', guards: [requireApproval()] }], accept)
    const result = await s.call('delete_ticket', { id: 'T-1', note: 'ü‮evil' })
    expect(result.isError).not.toBe(true)
    expect(s.ran).toEqual(['delete_ticket'])
    expect(s.asked).toHaveLength(1)
    const asked = s.asked[0] as Setup['asked'][number]
    const nonce = nonceOf(asked.requestedSchema)
    expect(nonce).toMatch(/^[A-Za-z0-9_-]{22}$/)
    expect(asked.message).toContain('Tool: delete_ticket')
    expect(asked.message).toContain('id: "T-1"')
    expect(asked.message).toContain(`Confirmation code: ${nonce}`)
    // A bidi override in the arguments must not reorder what the user reads.
    expect(asked.message).not.toContain('\u202e')
  })

  it('mints a fresh nonce for every request', async () => {
    const s = await start([{ name: 't', guards: [requireApproval()] }], accept)
    await s.call('t', {})
    await s.call('t', {})
    const [first, second] = s.asked.map((a) => nonceOf(a.requestedSchema))
    expect(first).not.toBe(second)
  })

  it('denies with ERR_APPROVAL_DECLINED when the user declines', async () => {
    const s = await start([{ name: 't', guards: [requireApproval()] }], async () => ({ action: 'decline' }))
    const result = await s.call('t', { id: '1' })
    expect(result.isError).toBe(true)
    expect(denialCodeOf(result)).toBe('ERR_APPROVAL_DECLINED')
    expect(s.ran).toEqual([])
  })

  it('denies with ERR_APPROVAL_CANCELLED when the user cancels', async () => {
    const s = await start([{ name: 't', guards: [requireApproval()] }], async () => ({ action: 'cancel' }))
    expect(denialCodeOf(await s.call('t', {}))).toBe('ERR_APPROVAL_CANCELLED')
    expect(s.ran).toEqual([])
  })

  it('denies when the client accepts with a wrong or missing confirmation', async () => {
    const answers = [
      { action: 'accept', content: { confirmation: 'guessed' } },
      { action: 'accept', content: {} },
      { action: 'accept' },
    ]
    let i = 0
    const s = await start(
      [{ name: 't', guards: [requireApproval()] }],
      async () => answers[i++] as Record<string, unknown>,
    )
    const codes = []
    for (let n = 0; n < answers.length; n++) codes.push(denialCodeOf(await s.call('t', {})))
    // Both SDK clients check accepted content against the form and answer a wrong or missing
    // confirmation with an error (ERR_APPROVAL_FAILED); an accept without content reaches the gate.
    expect(codes).toEqual(['ERR_APPROVAL_FAILED', 'ERR_APPROVAL_FAILED', 'ERR_APPROVAL_MISMATCH'])
    expect(s.ran).toEqual([])
  })

  it('denies with ERR_APPROVAL_TIMEOUT when the user does not answer in time', async () => {
    let release: () => void = () => {}
    const never = new Promise<void>((resolve) => {
      release = resolve
    })
    const s = await start([{ name: 't', guards: [requireApproval({ timeoutMs: 100 })] }], async () => {
      await never
      return { action: 'cancel' }
    })
    try {
      expect(denialCodeOf(await s.call('t', {}))).toBe('ERR_APPROVAL_TIMEOUT')
      expect(s.ran).toEqual([])
    } finally {
      release()
    }
  })

  it('denies with ERR_APPROVAL_UNSUPPORTED when the client cannot elicit and no approver is configured', async () => {
    const s = await start([{ name: 't', guards: [requireApproval()] }], undefined)
    expect(denialCodeOf(await s.call('t', {}))).toBe('ERR_APPROVAL_UNSUPPORTED')
    expect(s.ran).toEqual([])
  })

  it('asks the out-of-band approver when the client cannot elicit', async () => {
    const requests: ApprovalRequest[] = []
    const approver = async (request: ApprovalRequest) => {
      requests.push(request)
      return { approved: request.arguments.id === 'ok' }
    }
    const s = await start([{ name: 't', guards: [requireApproval({ approver })] }], undefined)
    expect((await s.call('t', { id: 'ok' })).isError).not.toBe(true)
    expect(denialCodeOf(await s.call('t', { id: 'no' }))).toBe('ERR_APPROVAL_DECLINED')
    expect(s.ran).toEqual(['t'])
    expect(requests[0]).toMatchObject({ kind: 'tool', name: 't', summary: 'id: "ok"', caller: 'anonymous' })
    expect(requests[0]?.argumentsDigest).toMatch(/^[0-9a-f]{64}$/)
  })

  it('denies with ERR_APPROVAL_TIMEOUT when the approver does not answer in time, and ERR_APPROVAL_FAILED when it throws', async () => {
    const slow = requireApproval({
      timeoutMs: 50,
      approver: (request) =>
        new Promise((resolve) => request.signal.addEventListener('abort', () => resolve({ approved: true }))),
    })
    const broken = requireApproval({
      approver: async () => {
        throw new Error('webhook secret leaked?')
      },
    })
    const s = await start(
      [
        { name: 'slow', guards: [slow] },
        { name: 'broken', guards: [broken] },
      ],
      undefined,
    )
    expect(denialCodeOf(await s.call('slow', {}))).toBe('ERR_APPROVAL_TIMEOUT')
    const failed = await s.call('broken', {})
    expect(denialCodeOf(failed)).toBe('ERR_APPROVAL_FAILED')
    expect(JSON.stringify(failed)).not.toContain('secret')
    expect(s.ran).toEqual([])
  })

  it('remembers an approval for the same caller, tool and arguments when the user opts in', async () => {
    const s = await start(
      // Gates of one name and configuration in a process share remembered approvals: one per SDK run.
      [{ name: 't', guards: [requireApproval({ name: `${sdk.name}-remember`, remember: { ttlMs: 60_000 } })] }],
      async ({ requestedSchema }) => ({
        action: 'accept',
        content: { confirmation: nonceOf(requestedSchema), remember: true },
      }),
    )
    await s.call('t', { id: '1' })
    await s.call('t', { id: '1' })
    expect(s.asked).toHaveLength(1)
    expect(s.asked[0]?.requestedSchema.properties).toHaveProperty('remember')
    await s.call('t', { id: '2' })
    expect(s.asked).toHaveLength(2)
    expect(s.ran).toEqual(['t', 't', 't'])
  })

  it('asks again when the user approved without opting in to remembering', async () => {
    const s = await start(
      [{ name: 't', guards: [requireApproval({ name: `${sdk.name}-ask-again`, remember: { ttlMs: 60_000 } })] }],
      accept,
    )
    await s.call('t', { id: '1' })
    await s.call('t', { id: '1' })
    expect(s.asked).toHaveLength(2)
  })

  it('asks only for destructive tools when when is destructive, and always when a rule flags the call', async () => {
    const flagging: Middleware = Object.assign(async function flagLargeRefunds(
      ctx: Parameters<Middleware>[0],
      next: (add?: object) => ReturnType<Middleware>,
    ) {
      return ctx.arguments.id === 'big'
        ? next({ approvalRequired: [{ by: 'rule:large-refund', reason: 'Refunds over 1000 need a human' }] })
        : next()
    }, {}) as unknown as Middleware
    const destructive = requireApproval({ when: 'destructive' })
    const s = await start(
      [
        { name: 'read', guards: [destructive], annotations: { readOnlyHint: true } },
        { name: 'safe_write', guards: [destructive], annotations: { destructiveHint: false } },
        { name: 'drop', guards: [destructive], annotations: { destructiveHint: true } },
        { name: 'unannotated', guards: [destructive] },
        { name: 'refund', guards: [flagging, requireApproval({ when: () => false })] },
      ],
      accept,
    )
    await s.call('read', {})
    await s.call('safe_write', {})
    expect(s.asked).toHaveLength(0)
    await s.call('drop', {})
    await s.call('unannotated', {})
    expect(s.asked).toHaveLength(2)
    await s.call('refund', { id: 'small' })
    expect(s.asked).toHaveLength(2)
    await s.call('refund', { id: 'big' })
    expect(s.asked).toHaveLength(3)
    expect(s.asked[2]?.message).toContain('Reason: Refunds over 1000 need a human')
    expect(s.ran).toEqual(['read', 'safe_write', 'drop', 'unannotated', 'refund', 'refund'])
  })

  it('publishes approval.requested, approval.granted and approval.denied events without the arguments', async () => {
    const events: Record<string, unknown>[] = []
    const listener = (event: unknown) => events.push(event as Record<string, unknown>)
    subscribe(SECURITY_EVENT_CHANNEL, listener)
    try {
      let n = 0
      const s = await start([{ name: 't', guards: [requireApproval()] }], async (params) =>
        n++ === 0 ? accept(params) : { action: 'decline' },
      )
      await s.call('t', { id: 'secret-arg' })
      await s.call('t', { id: 'secret-arg' })
    } finally {
      unsubscribe(SECURITY_EVENT_CHANNEL, listener)
    }
    const approvals = events.filter((e) => String(e.type).startsWith('approval.'))
    expect(approvals.map((e) => [e.type, e.code])).toEqual([
      ['approval.requested', undefined],
      ['approval.granted', undefined],
      ['approval.requested', undefined],
      ['approval.denied', 'ERR_APPROVAL_DECLINED'],
    ])
    expect(approvals[0]).toMatchObject({ kind: 'tool', name: 't', detail: { channel: 'elicitation' } })
    expect(JSON.stringify(approvals)).not.toContain('secret-arg')
  })

  it('decides concurrent calls independently, each on its own nonce', async () => {
    const s = await start([{ name: 't', guards: [requireApproval()] }], async (params) =>
      params.message.includes('id: "3"') ? { action: 'decline' } : accept(params),
    )
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => s.call('t', { id: String(i) })))
    expect(results.map((r) => denialCodeOf(r) ?? 'ok')).toEqual(['ok', 'ok', 'ok', 'ERR_APPROVAL_DECLINED', 'ok', 'ok'])
    expect(s.ran).toHaveLength(5)
  })
})
