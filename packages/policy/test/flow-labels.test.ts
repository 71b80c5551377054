/**
 * Where flowPolicy's labels come from, through a real McpServer and Client on both SDK majors:
 * `options.labels`, then a well-formed `_meta["mcp-warden/flow-labels"]`, then the annotations
 * with the MCP defaults for every absent hint (readOnlyHint false, destructiveHint true,
 * idempotentHint false, openWorldHint true). Property-based over every combination.
 */
import { randomUUID } from 'node:crypto'
import { denialCodeOf, type Middleware } from '@mcp-warden/core'
import { secure as secureV1 } from '@mcp-warden/core/sdk-v1'
import { secure as secureV2 } from '@mcp-warden/core/sdk-v2'
import { Client as ClientV2, InMemoryTransport as MemoryV2 } from '@modelcontextprotocol/client'
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js'
import { InMemoryTransport as MemoryV1 } from '@modelcontextprotocol/sdk/inMemory.js'
import { McpServer as ServerV1 } from '@modelcontextprotocol/sdk/server/mcp.js'
import { McpServer as ServerV2 } from '@modelcontextprotocol/server'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { FLOW_LABELS_META_KEY, type FlowLabel, flowPolicy } from '../src/index.js'

const LABELS: readonly FlowLabel[] = ['untrusted-input', 'private-data', 'external-action', 'destructive']

interface ToolSpec {
  readonly annotations?: Record<string, boolean>
  readonly meta?: unknown
}

interface Harness {
  call(name: string): Promise<Record<string, unknown>>
  close(): Promise<void>
}

/** A secured server with the tools `subject` (under test), `taint` and `private`, and a client. */
const SDKS = [
  {
    name: 'sdk-v1',
    async connect(use: Middleware[], subject: ToolSpec): Promise<Harness> {
      const server = secureV1(new ServerV1({ name: 'labels', version: '1.0.0' }), { use })
      const ok = async () => ({ content: [{ type: 'text' as const, text: 'ok' }] })
      server.registerTool(
        'subject',
        {
          ...(subject.annotations === undefined ? {} : { annotations: subject.annotations }),
          ...(subject.meta === undefined ? {} : { _meta: { [FLOW_LABELS_META_KEY]: subject.meta } }),
        },
        ok,
      )
      server.registerTool('taint', {}, ok)
      server.registerTool('private', {}, ok)
      const [a, b] = MemoryV1.createLinkedPair()
      await server.connect(a)
      const client = new ClientV1({ name: 'c', version: '1.0.0' })
      await client.connect(b)
      return {
        call: async (name) => (await client.callTool({ name, arguments: {} })) as Record<string, unknown>,
        close: async () => {
          await client.close()
          await server.close()
        },
      }
    },
  },
  {
    name: 'sdk-v2',
    async connect(use: Middleware[], subject: ToolSpec): Promise<Harness> {
      const server = secureV2(new ServerV2({ name: 'labels', version: '1.0.0' }), { use })
      const ok = async () => ({ content: [{ type: 'text' as const, text: 'ok' }] })
      server.registerTool(
        'subject',
        {
          ...(subject.annotations === undefined ? {} : { annotations: subject.annotations }),
          ...(subject.meta === undefined ? {} : { _meta: { [FLOW_LABELS_META_KEY]: subject.meta } }),
        },
        ok,
      )
      server.registerTool('taint', {}, ok)
      server.registerTool('private', {}, ok)
      const [a, b] = MemoryV2.createLinkedPair()
      await server.connect(a)
      const client = new ClientV2({ name: 'c', version: '1.0.0' })
      await client.connect(b)
      return {
        call: async (name) => (await client.callTool({ name, arguments: {} })) as unknown as Record<string, unknown>,
        close: async () => {
          await client.close()
          await server.close()
        },
      }
    },
  },
] as const

/** The specification, written independently of the implementation. */
function expectedLabels(options: readonly FlowLabel[] | undefined, spec: ToolSpec): Set<FlowLabel> {
  if (options !== undefined) return new Set(options)
  const meta = spec.meta
  if (Array.isArray(meta) && meta.every((label) => LABELS.includes(label))) return new Set(meta as FlowLabel[])
  const readOnly = spec.annotations?.readOnlyHint ?? false
  const destructive = spec.annotations?.destructiveHint ?? true
  const openWorld = spec.annotations?.openWorldHint ?? true
  const labels = new Set<FlowLabel>()
  if (openWorld) labels.add('untrusted-input')
  if (openWorld && !readOnly) labels.add('external-action')
  // A destructive hint counts only on a tool that writes, unless it is stated outright.
  if (spec.annotations?.destructiveHint === true || (!readOnly && destructive)) labels.add('destructive')
  return labels
}

const hint = fc.option(fc.boolean(), { nil: undefined })
const annotations = fc.option(
  fc
    .record({ readOnlyHint: hint, destructiveHint: hint, idempotentHint: hint, openWorldHint: hint })
    .map(
      (record): Record<string, boolean> =>
        Object.fromEntries(
          Object.entries(record).filter((entry): entry is [string, boolean] => entry[1] !== undefined),
        ),
    ),
  { nil: undefined },
)
const labelList = fc.subarray([...LABELS])
const meta = fc.option(
  fc.oneof(
    labelList,
    // Malformed declarations: ignored as a whole, the annotations decide.
    fc.constant('external-action'),
    fc.constant({ labels: ['external-action'] }),
    labelList.map((list) => [...list, 'exfiltrate']),
    fc.constant([42]),
  ),
  { nil: undefined },
)

describe.each(SDKS)('flowPolicy labels ($name)', (sdk) => {
  it('derives each label from the first source that speaks, absent hints taking the MCP defaults (property)', async () => {
    await fc.assert(
      fc.asyncProperty(annotations, meta, fc.option(labelList, { nil: undefined }), async (ann, declared, byOption) => {
        const spec: ToolSpec = {
          ...(ann === undefined ? {} : { annotations: ann }),
          ...(declared === undefined ? {} : { meta: declared }),
        }
        const expected = expectedLabels(byOption, spec)
        let conversation = ''
        const flow = flowPolicy({
          afterUntrusted: 'deny',
          trifecta: 'deny',
          anomaly: false,
          conversation: () => conversation,
          labels: {
            taint: ['untrusted-input'],
            private: ['private-data'],
            ...(byOption === undefined ? {} : { subject: byOption }),
          },
        })
        const h = await sdk.connect([flow], spec)
        try {
          // 1. Alone, in a fresh conversation: it runs, and leaves the taints its labels carry.
          conversation = randomUUID()
          expect((await h.call('subject')).isError).not.toBe(true)
          const left = new Set((await flow.taints(conversation)).map((t) => t.label))
          expect(left).toEqual(
            new Set([...expected].filter((label) => label === 'untrusted-input' || label === 'private-data')),
          )
          // 2. After untrusted content: held when it acts (external action or destructive).
          conversation = randomUUID()
          await h.call('taint')
          const acts = expected.has('external-action') || expected.has('destructive')
          const trifecta = expected.has('external-action') && expected.has('private-data')
          const after = await h.call('subject')
          expect(denialCodeOf(after) ?? 'ran').toBe(
            acts ? (trifecta ? 'ERR_FLOW_TRIFECTA' : 'ERR_FLOW_UNTRUSTED_ACTION') : 'ran',
          )
          // 3. After untrusted content and private data: an external action is the trifecta.
          conversation = randomUUID()
          await h.call('private')
          await h.call('taint')
          const third = await h.call('subject')
          expect(denialCodeOf(third) ?? 'ran').toBe(
            expected.has('external-action') ? 'ERR_FLOW_TRIFECTA' : acts ? 'ERR_FLOW_UNTRUSTED_ACTION' : 'ran',
          )
        } finally {
          await h.close()
        }
      }),
      { numRuns: 60 },
    )
  })

  it('holds a tool without annotations after untrusted content, and taints with it', async () => {
    let conversation = randomUUID()
    const flow = flowPolicy({ afterUntrusted: 'deny', conversation: () => conversation, anomaly: false })
    const h = await sdk.connect([flow], {})
    try {
      expect((await h.call('subject')).isError).not.toBe(true)
      expect((await flow.taints(conversation)).map((t) => t.label)).toEqual(['untrusted-input'])
      expect(denialCodeOf(await h.call('subject'))).toBe('ERR_FLOW_UNTRUSTED_ACTION')
      conversation = randomUUID()
      // `taint` and `private` have no annotations either: the first call taints the conversation.
      await h.call('private')
      expect(denialCodeOf(await h.call('subject'))).toBe('ERR_FLOW_UNTRUSTED_ACTION')
    } finally {
      await h.close()
    }
  })

  it('lets the options override a _meta declaration, and _meta override the annotations', async () => {
    let conversation = randomUUID()
    const spec: ToolSpec = { annotations: { readOnlyHint: true, openWorldHint: false }, meta: ['external-action'] }
    const byMeta = flowPolicy({ afterUntrusted: 'deny', conversation: () => conversation, anomaly: false })
    const h1 = await sdk.connect([byMeta], spec)
    try {
      await h1.call('taint')
      expect(denialCodeOf(await h1.call('subject'))).toBe('ERR_FLOW_UNTRUSTED_ACTION')
    } finally {
      await h1.close()
    }
    conversation = randomUUID()
    const byOptions = flowPolicy({
      afterUntrusted: 'deny',
      conversation: () => conversation,
      anomaly: false,
      labels: { subject: [] },
    })
    const h2 = await sdk.connect([byOptions], spec)
    try {
      await h2.call('taint')
      expect((await h2.call('subject')).isError).not.toBe(true)
    } finally {
      await h2.close()
    }
  })
})
