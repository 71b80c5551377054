/**
 * Every channel through which a client can receive text during a call, on both SDK majors, through a
 * real Client: what arrives at the client (captured on its transport, and in its notification and
 * request handlers) must have gone through sanitizeOutput.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import { denialCodeOf, SECURITY_EVENT_CHANNEL, type SecurityEvent } from '@mcp-warden/core'
import { secure as secureV1 } from '@mcp-warden/core/sdk-v1'
import { secure as secureV2 } from '@mcp-warden/core/sdk-v2'
import { Client as ClientV2 } from '@modelcontextprotocol/client'
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js'
import { InMemoryTransport as MemoryV1 } from '@modelcontextprotocol/sdk/inMemory.js'
import { completable as completableV1 } from '@modelcontextprotocol/sdk/server/completable.js'
import { McpServer as ServerV1, ResourceTemplate as TemplateV1 } from '@modelcontextprotocol/sdk/server/mcp.js'
import {
  CreateMessageRequestSchema,
  CreateMessageResultSchema,
  ElicitRequestSchema,
  ElicitResultSchema,
  LoggingMessageNotificationSchema,
  McpError,
} from '@modelcontextprotocol/sdk/types.js'
import {
  completable as completableV2,
  InMemoryTransport as MemoryV2,
  ProtocolError,
  McpServer as ServerV2,
  ResourceTemplate as TemplateV2,
} from '@modelcontextprotocol/server'
import fc from 'fast-check'
import { afterEach, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { SDKS as HARNESS } from '../../core/test/harness.js'
import { sanitizeOutput } from '../src/index.js'

// Built at run time so that no scanner mistakes the fixtures for leaked credentials.
const GITHUB = ['ghp', 'abcdefghijklmnopqrstuvwxyz0123456789'].join('_')
const AWS = ['AKIA', 'IOSFODNN7SECRETS'].join('')
/** Invisible, bidi, terminal-escape and tag characters. */
const PAYLOAD = 'x\u200By\u202Ez\u001b[2Jw\u{E0041}v'
/** Whether `text` holds an invisible, bidi, escape or tag character (U+200B, U+202E, U+2066, ESC, tags). */
const hostile = (text: string): boolean => {
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0
    if (code === 0x1b || code === 0x200b || code === 0x202e || code === 0x2066) return true
    if (code >= 0xe0000 && code <= 0xe007f) return true
  }
  return false
}
const LEAK = `token ${GITHUB} key ${AWS} ${PAYLOAD}`

type Loose = Record<string, unknown>
type Fn = (...args: never[]) => unknown

/** What a test registers against, whichever SDK is underneath. */
interface Kit {
  readonly name: 'sdk-v1' | 'sdk-v2'
  readonly server: {
    registerTool(name: string, config: Loose, cb: Fn): unknown
    registerPrompt(name: string, config: Loose, cb: Fn): unknown
    registerResource(name: string, uri: unknown, config: Loose, cb: Fn): unknown
    guard(...middlewares: unknown[]): { wrap(handler: Fn): Fn }
  }
  /** An SDK protocol error (`McpError` / `ProtocolError`). */
  protocolError(code: number, message: string, data?: unknown): Error
  template(uri: string, complete: Record<string, (value: string) => string[]>): unknown
  completable(schema: z.ZodString, complete: (value: string) => string[]): unknown
  log(extra: unknown, data: unknown, logger?: string): Promise<void>
  notify(extra: unknown, notification: { method: string; params: Loose }): Promise<void>
  progressToken(extra: unknown): unknown
  elicit(extra: unknown, params: Loose): Promise<unknown>
  sample(extra: unknown, params: Loose): Promise<unknown>
}

/** What the client received. */
interface Seen {
  /** Every JSON-RPC message the client's transport delivered after initialization. */
  readonly wire: unknown[]
  readonly logs: unknown[]
  readonly progress: unknown[]
  readonly elicitations: unknown[]
  readonly samplings: unknown[]
}

interface Rig extends Seen {
  readonly kit: Kit
  callTool(name: string, args?: Loose, withProgress?: boolean): Promise<Loose>
  readResource(uri: string): Promise<Loose>
  getPrompt(name: string, args?: Record<string, string>): Promise<Loose>
  complete(ref: Loose, argument: { name: string; value: string }): Promise<Loose>
}

const open: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const close of open.splice(0)) await close()
})

interface Sdk {
  readonly name: 'sdk-v1' | 'sdk-v2'
  rig(use: readonly unknown[], register: (kit: Kit) => void): Promise<Rig>
}

function seen(): Seen {
  return { wire: [], logs: [], progress: [], elicitations: [], samplings: [] }
}

/** Records what the client transport delivers, before the client handles it. */
function tap(transport: { onmessage?: ((message: unknown, extra?: unknown) => void) | undefined }, into: unknown[]) {
  const deliver = transport.onmessage
  transport.onmessage = (message, extra) => {
    into.push(JSON.parse(JSON.stringify(message)))
    deliver?.call(transport, message, extra)
  }
}

const v1: Sdk = {
  name: 'sdk-v1',
  async rig(use, register) {
    const server = secureV1(new ServerV1({ name: 's', version: '1' }, { capabilities: { logging: {} } }), { use })
    type Extra = {
      sendNotification(n: unknown): Promise<void>
      sendRequest(r: unknown, schema: unknown): Promise<unknown>
      _meta?: Loose
    }
    const kit: Kit = {
      name: 'sdk-v1',
      server: server as unknown as Kit['server'],
      protocolError: (code, message, data) => new McpError(code, message, data),
      template: (uri, complete) => new TemplateV1(uri, { list: undefined, complete }),
      completable: (schema, complete) => completableV1(schema, complete),
      log: (extra, data, logger) =>
        (extra as Extra).sendNotification({
          method: 'notifications/message',
          params: { level: 'info', data, ...(logger === undefined ? {} : { logger }) },
        }),
      notify: (extra, notification) => (extra as Extra).sendNotification(notification),
      progressToken: (extra) => (extra as Extra)._meta?.progressToken,
      elicit: (extra, params) =>
        (extra as Extra).sendRequest({ method: 'elicitation/create', params }, ElicitResultSchema),
      sample: (extra, params) =>
        (extra as Extra).sendRequest({ method: 'sampling/createMessage', params }, CreateMessageResultSchema),
    }
    register(kit)
    const got = seen()
    const client = new ClientV1({ name: 'c', version: '1' }, { capabilities: { elicitation: {}, sampling: {} } })
    client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => {
      got.logs.push(n.params)
    })
    client.setRequestHandler(ElicitRequestSchema, async (request) => {
      got.elicitations.push(request.params)
      return { action: 'decline' }
    })
    client.setRequestHandler(CreateMessageRequestSchema, async (request) => {
      got.samplings.push(request.params)
      return { role: 'assistant', content: { type: 'text', text: 'ok' }, model: 'm' }
    })
    const [serverSide, clientSide] = MemoryV1.createLinkedPair()
    await server.connect(serverSide)
    await client.connect(clientSide)
    tap(clientSide as never, got.wire)
    open.push(async () => {
      await client.close()
      await server.close()
    })
    return {
      ...got,
      kit,
      callTool: (name, args, withProgress) =>
        client.callTool(
          { name, arguments: args ?? {} },
          undefined,
          withProgress === true ? { onprogress: (p) => got.progress.push(p) } : undefined,
        ) as Promise<Loose>,
      readResource: (uri) => client.readResource({ uri }) as Promise<Loose>,
      getPrompt: (name, args) =>
        client.getPrompt({ name, ...(args === undefined ? {} : { arguments: args }) }) as Promise<Loose>,
      complete: (ref, argument) => client.complete({ ref, argument } as never) as Promise<Loose>,
    }
  },
}

const v2: Sdk = {
  name: 'sdk-v2',
  async rig(use, register) {
    const server = secureV2(new ServerV2({ name: 's', version: '1' }, { capabilities: { logging: {} } }), { use })
    type Ctx = {
      mcpReq: {
        _meta?: Loose
        log(level: string, data: unknown, logger?: string): Promise<void>
        notify(n: unknown): Promise<void>
        elicitInput(p: unknown): Promise<unknown>
        requestSampling(p: unknown): Promise<unknown>
      }
    }
    const kit: Kit = {
      name: 'sdk-v2',
      server: server as unknown as Kit['server'],
      protocolError: (code, message, data) => new ProtocolError(code, message, data),
      template: (uri, complete) => new TemplateV2(uri, { list: undefined, complete }),
      completable: (schema, complete) => completableV2(schema, complete),
      log: (extra, data, logger) => (extra as Ctx).mcpReq.log('info', data, logger),
      notify: (extra, notification) => (extra as Ctx).mcpReq.notify(notification),
      progressToken: (extra) => (extra as Ctx).mcpReq._meta?.progressToken,
      elicit: (extra, params) => (extra as Ctx).mcpReq.elicitInput(params),
      sample: (extra, params) => (extra as Ctx).mcpReq.requestSampling(params),
    }
    register(kit)
    const got = seen()
    const client = new ClientV2({ name: 'c', version: '1' }, { capabilities: { elicitation: {}, sampling: {} } })
    client.setNotificationHandler('notifications/message', (n) => {
      got.logs.push(n.params)
    })
    client.setRequestHandler('elicitation/create', async (request) => {
      got.elicitations.push(request.params)
      return { action: 'decline' }
    })
    client.setRequestHandler('sampling/createMessage', async (request) => {
      got.samplings.push(request.params)
      return { role: 'assistant', content: { type: 'text', text: 'ok' }, model: 'm' } as never
    })
    const [serverSide, clientSide] = MemoryV2.createLinkedPair()
    await server.connect(serverSide)
    await client.connect(clientSide)
    await client.setLoggingLevel('debug')
    tap(clientSide as never, got.wire)
    open.push(async () => {
      await client.close()
      await server.close()
    })
    return {
      ...got,
      kit,
      callTool: (name, args, withProgress) =>
        client.callTool(
          { name, arguments: args ?? {} },
          withProgress === true ? { onprogress: (p) => got.progress.push(p) } : undefined,
        ) as Promise<Loose>,
      readResource: (uri) => client.readResource({ uri }) as Promise<Loose>,
      getPrompt: (name, args) =>
        client.getPrompt({ name, ...(args === undefined ? {} : { arguments: args }) }) as Promise<Loose>,
      complete: (ref, argument) => client.complete({ ref, argument } as never) as Promise<Loose>,
    }
  },
}

const SDKS: readonly Sdk[] = [v1, v2]

/** Every string in `value`, keys included. */
function strings(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value)
  else if (Array.isArray(value)) for (const item of value) strings(item, out)
  else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      out.push(key)
      strings(item, out)
    }
  }
  return out
}

/** No secret and no hostile character anywhere in what the client received. */
function expectClean(value: unknown): void {
  for (const text of strings(value)) {
    expect(text).not.toContain(GITHUB)
    expect(text).not.toContain(AWS)
    expect(hostile(text), `hostile character in ${JSON.stringify(text)}`).toBe(false)
  }
}

/** Whether the redaction of the GitHub token shows somewhere in `value` (the channel was used). */
const redacted = (value: unknown): boolean => strings(value).some((s) => s.includes('[REDACTED:github-token]'))

async function rejection(promise: Promise<unknown>): Promise<{ code: unknown; message: string; data: unknown }> {
  try {
    await promise
  } catch (err) {
    const e = err as Loose
    return { code: e.code, message: String(e.message), data: e.data }
  }
  throw new Error('expected a rejection')
}

function events(): { list: SecurityEvent[]; stop(): void } {
  const list: SecurityEvent[] = []
  const listener = (message: unknown) => list.push(message as SecurityEvent)
  subscribe(SECURITY_EVENT_CHANNEL, listener)
  return { list, stop: () => unsubscribe(SECURITY_EVENT_CHANNEL, listener) }
}

/** The three placements that must behave the same: global, per item first, per item after another guard. */
const PLACEMENTS = [
  { placement: 'global', use: () => [sanitizeOutput()], guards: () => [] as unknown[] },
  { placement: 'per item', use: () => [], guards: () => [sanitizeOutput()] },
  {
    placement: 'per item, inner',
    use: () => [],
    guards: () => [async (_ctx: unknown, next: () => Promise<unknown>) => next(), sanitizeOutput()],
  },
] as const

const text = (result: Loose): string =>
  ((result.content as Array<{ text?: string }> | undefined)?.[0]?.text ?? '') as string

describe.each(SDKS)('sanitizeOutput, every channel ($name)', (sdk) => {
  describe.each(PLACEMENTS)('placed $placement', ({ use, guards }) => {
    /** Registers a tool (no input) whose handler is `handler(extra)`, guarded per placement. */
    const tool = (kit: Kit, name: string, handler: (extra: unknown) => unknown) => {
      kit.server.registerTool(
        name,
        { inputSchema: z.object({}) },
        kit.server.guard(...guards()).wrap(((_args: unknown, ctx: { extra: unknown }) => handler(ctx.extra)) as Fn),
      )
    }

    it('cleans the message of an Error a tool throws when the SDK turns it into an error result', async () => {
      const rig = await sdk.rig(use(), (kit) =>
        tool(kit, 'boom', () => {
          throw new Error(`failed: ${LEAK}`)
        }),
      )
      const result = await rig.callTool('boom')
      expect(result.isError).toBe(true)
      expect(text(result)).toContain('failed: token [REDACTED:github-token] key [REDACTED:aws-access-key]')
      expectClean(rig.wire)
    })

    it('cleans a thrown string, a thrown object with toString and an error with a getter message', async () => {
      const rig = await sdk.rig(use(), (kit) => {
        tool(kit, 'string', () => {
          throw LEAK
        })
        tool(kit, 'object', () => {
          throw { toString: () => LEAK }
        })
        tool(kit, 'getter', () => {
          const err = new Error('x')
          let reads = 0
          Object.defineProperty(err, 'message', { get: () => (reads++ === 0 ? LEAK : `second read ${GITHUB}`) })
          throw err
        })
      })
      for (const name of ['string', 'object', 'getter']) {
        const result = await rig.callTool(name)
        expect(result.isError).toBe(true)
        expect(redacted(result)).toBe(true)
      }
      expectClean(rig.wire)
    })

    it('cleans the message and data of an SDK protocol error a resource read throws', async () => {
      const rig = await sdk.rig(use(), (kit) => {
        kit.server.registerResource(
          'doc',
          'file:///doc',
          {},
          kit.server.guard(...guards()).wrap((() => {
            throw kit.protocolError(-32010, `read failed: ${LEAK}`, {
              token: GITHUB,
              nested: [{ [`k${PAYLOAD}`]: `${PAYLOAD} ${AWS}` }],
              link: new URL(`https://example.org/?t=${GITHUB}`),
            })
          }) as Fn),
        )
      })
      const err = await rejection(rig.readResource('file:///doc'))
      expect(err.code).toBe(-32010)
      expect(err.message).toContain('[REDACTED:github-token]')
      expect(err.data).toMatchObject({ token: '[REDACTED:github-token]' })
      expect(JSON.stringify(err.data)).toContain('https://example.org/?t=[REDACTED:github-token]')
      expectClean(rig.wire)
    })

    it('cleans what a prompt throws when it is not an Error (message, code and data of a plain object)', async () => {
      const rig = await sdk.rig(use(), (kit) => {
        kit.server.registerPrompt(
          'p',
          {},
          kit.server.guard(...guards()).wrap((() => {
            throw { message: LEAK, code: -32011, data: { detail: LEAK, list: [LEAK, 1, true, null] } }
          }) as Fn),
        )
      })
      const err = await rejection(rig.getPrompt('p'))
      expect(err.code).toBe(-32011)
      expect(err.message).toContain('[REDACTED:github-token]')
      expect(redacted(err.data)).toBe(true)
      expectClean(rig.wire)
    })

    it('cleans error results, structuredContent, embedded resources and resource links', async () => {
      const rig = await sdk.rig(use(), (kit) => {
        tool(kit, 'error-result', () => ({ content: [{ type: 'text', text: LEAK }], isError: true }))
        tool(kit, 'rich', () => ({
          content: [
            { type: 'text', text: LEAK, annotations: { audience: ['user'] }, _meta: { note: LEAK } },
            {
              type: 'resource',
              resource: { uri: `file:///${GITHUB}`, mimeType: 'text/plain', text: LEAK, _meta: { n: LEAK } },
            },
            {
              type: 'resource_link',
              uri: `https://example.org/${GITHUB}`,
              name: LEAK,
              title: LEAK,
              description: LEAK,
              mimeType: 'text/plain',
            },
            { type: 'image', data: 'aGVsbG8=', mimeType: 'image/png' },
          ],
          structuredContent: { deep: [{ value: LEAK }], when: new URL(`https://example.org/?k=${AWS}`) },
          _meta: { trace: LEAK },
        }))
      })
      const errorResult = await rig.callTool('error-result')
      expect(errorResult.isError).toBe(true)
      expect(redacted(errorResult)).toBe(true)
      const rich = await rig.callTool('rich')
      const content = rich.content as Loose[]
      expect((content[1] as Loose).resource).toMatchObject({ uri: 'file:///[REDACTED:github-token]' })
      expect(content[2]).toMatchObject({ uri: 'https://example.org/[REDACTED:github-token]' })
      expect(content[3]).toEqual({ type: 'image', data: 'aGVsbG8=', mimeType: 'image/png' })
      expect(rich.structuredContent).toMatchObject({ when: 'https://example.org/?k=[REDACTED:aws-access-key]' })
      expectClean(rig.wire)
    })

    it('cleans resource contents (text and uri), leaving blobs untouched', async () => {
      const rig = await sdk.rig(use(), (kit) => {
        kit.server.registerResource(
          'doc',
          'file:///doc',
          {},
          kit.server.guard(...guards()).wrap(((uri: URL) => ({
            contents: [
              { uri: uri.href, mimeType: 'text/plain', text: LEAK },
              { uri: `${uri.href}#${GITHUB}`, mimeType: 'application/octet-stream', blob: 'AAEC' },
            ],
          })) as Fn),
        )
      })
      const result = await rig.readResource('file:///doc')
      const contents = result.contents as Loose[]
      expect(contents[0]?.text).toContain('[REDACTED:github-token]')
      expect(contents[1]).toMatchObject({ uri: 'file:///doc#[REDACTED:github-token]', blob: 'AAEC' })
      expectClean(rig.wire)
    })

    it('cleans every block type of prompt messages, and the prompt description', async () => {
      const rig = await sdk.rig(use(), (kit) => {
        kit.server.registerPrompt(
          'p',
          {},
          kit.server.guard(...guards()).wrap((() => ({
            description: LEAK,
            messages: [
              { role: 'user', content: { type: 'text', text: LEAK } },
              {
                role: 'assistant',
                content: { type: 'resource', resource: { uri: 'file:///a', text: LEAK, mimeType: 'text/plain' } },
              },
              {
                role: 'user',
                content: { type: 'resource_link', uri: `file:///${GITHUB}`, name: LEAK, description: LEAK },
              },
              { role: 'user', content: { type: 'image', data: 'aGVsbG8=', mimeType: 'image/png' } },
            ],
          })) as Fn),
        )
      })
      const result = await rig.getPrompt('p')
      expect(redacted(result.description)).toBe(true)
      const messages = result.messages as Array<{ content: Loose }>
      expect(messages[2]?.content.uri).toBe('file:///[REDACTED:github-token]')
      expect(messages[3]?.content.data).toBe('aGVsbG8=')
      expectClean(rig.wire)
    })

    it('cleans completion values of a prompt argument and of a resource-template variable', async () => {
      const rig = await sdk.rig(use(), (kit) => {
        kit.server.registerPrompt(
          'p',
          { argsSchema: { q: kit.completable(z.string(), () => [LEAK, 'plain']) } },
          kit.server.guard(...guards()).wrap((() => ({ messages: [] })) as Fn),
        )
        kit.server.registerResource(
          'files',
          kit.template('file:///{name}', { name: () => [`${GITHUB}.txt`, PAYLOAD] }),
          {},
          kit.server.guard(...guards()).wrap((() => ({ contents: [] })) as Fn),
        )
      })
      const prompt = await rig.complete({ type: 'ref/prompt', name: 'p' }, { name: 'q', value: '' })
      expect((prompt.completion as { values: string[] }).values).toEqual([
        'token [REDACTED:github-token] key [REDACTED:aws-access-key] xyzwv',
        'plain',
      ])
      const template = await rig.complete({ type: 'ref/resource', uri: 'file:///{name}' }, { name: 'name', value: '' })
      expect((template.completion as { values: string[] }).values).toEqual(['[REDACTED:github-token].txt', 'xyzwv'])
      expectClean(rig.wire)
    })

    it('cleans logging notifications the handler sends (data, deep, and logger)', async () => {
      const rig = await sdk.rig(use(), (kit) =>
        tool(kit, 'logs', async (extra) => {
          await kit.log(extra, { line: LEAK, nested: [{ [`k${PAYLOAD}`]: LEAK }] }, `logger ${GITHUB}`)
          await kit.log(extra, LEAK)
          await kit.notify(extra, { method: 'notifications/message', params: { level: 'warning', data: LEAK } })
          return { content: [] }
        }),
      )
      await rig.callTool('logs')
      expect(rig.logs).toHaveLength(3)
      expect(rig.logs.every(redacted)).toBe(true)
      expect(rig.logs[0]).toMatchObject({ logger: 'logger [REDACTED:github-token]' })
      expectClean(rig.wire)
      expectClean(rig.logs)
    })

    it('cleans the message of progress notifications and keeps the progress token', async () => {
      const rig = await sdk.rig(use(), (kit) =>
        tool(kit, 'slow', async (extra) => {
          const progressToken = kit.progressToken(extra)
          expect(progressToken).toBeDefined()
          await kit.notify(extra, {
            method: 'notifications/progress',
            params: { progressToken: progressToken as string, progress: 1, total: 2, message: LEAK },
          })
          return { content: [] }
        }),
      )
      await rig.callTool('slow', {}, true)
      expect(rig.progress).toHaveLength(1)
      expect(rig.progress[0]).toMatchObject({ progress: 1, total: 2 })
      expect(redacted(rig.progress[0])).toBe(true)
      expectClean(rig.wire)
    })

    it('cleans elicitation requests (message, schema titles and descriptions) and sampling requests', async () => {
      const rig = await sdk.rig(use(), (kit) =>
        tool(kit, 'ask', async (extra) => {
          await kit.elicit(extra, {
            mode: 'form',
            message: LEAK,
            requestedSchema: {
              type: 'object',
              properties: { answer: { type: 'string', title: LEAK, description: LEAK } },
            },
          })
          await kit.sample(extra, {
            messages: [{ role: 'user', content: { type: 'text', text: LEAK } }],
            systemPrompt: LEAK,
            maxTokens: 10,
          })
          return { content: [] }
        }),
      )
      const result = await rig.callTool('ask')
      expect(result.isError).not.toBe(true)
      expect(rig.elicitations).toHaveLength(1)
      expect(rig.samplings).toHaveLength(1)
      expect(redacted((rig.elicitations[0] as Loose).message)).toBe(true)
      expect(redacted((rig.elicitations[0] as Loose).requestedSchema)).toBe(true)
      expect(redacted((rig.samplings[0] as Loose).systemPrompt)).toBe(true)
      expect(redacted((rig.samplings[0] as Loose).messages)).toBe(true)
      expectClean(rig.wire)
      expectClean([rig.elicitations, rig.samplings])
    })
  })

  it('cleans the data of a URL-elicitation-required error, which the SDK sends as a JSON-RPC error', async () => {
    const rig = await sdk.rig([sanitizeOutput()], (kit) => {
      kit.server.registerTool('connect', { inputSchema: z.object({}) }, () => {
        throw kit.protocolError(-32042, `Authorize first ${GITHUB}`, {
          elicitations: [
            {
              mode: 'url',
              message: LEAK,
              url: `https://auth.example.org/start?state=${GITHUB}`,
              elicitationId: 'e-1',
            },
          ],
        })
      })
    })
    let answer: unknown
    try {
      answer = await rig.callTool('connect')
    } catch (err) {
      answer = { code: (err as Loose).code, message: (err as Loose).message, data: (err as Loose).data }
    }
    expect(answer).toMatchObject({ code: -32042 })
    expect(redacted((answer as Loose).message)).toBe(true)
    expect(JSON.stringify((answer as Loose).data)).toContain('state=[REDACTED:github-token]')
    expect(rig.wire.length).toBeGreaterThan(0)
    expectClean(rig.wire)
  })

  it('cleans what a resource-template read sends and returns, and what a prompt with arguments logs', async () => {
    const rig = await sdk.rig([sanitizeOutput()], (kit) => {
      kit.server.registerResource(
        'files',
        kit.template('file:///{name}', { name: () => [] }),
        {},
        async (uri: URL, variables: Loose, extra: unknown) => {
          await kit.log(extra, { uri: uri.href, variables, note: LEAK })
          return { contents: [{ uri: uri.href, text: LEAK }] }
        },
      )
      kit.server.registerPrompt('p', { argsSchema: { q: z.string() } }, async (args: Loose, extra: unknown) => {
        await kit.log(extra, `${String(args.q)} ${LEAK}`)
        return { messages: [{ role: 'user', content: { type: 'text', text: LEAK } }] }
      })
    })
    const read = await rig.readResource('file:///notes')
    expect(redacted(read)).toBe(true)
    const prompt = await rig.getPrompt('p', { q: 'question' })
    expect(redacted(prompt)).toBe(true)
    expect(rig.logs).toHaveLength(2)
    expect(rig.logs.every(redacted)).toBe(true)
    expect(rig.logs[0]).toMatchObject({ data: { uri: 'file:///notes', variables: { name: 'notes' } } })
    expectClean(rig.wire)
  })

  it('cleans an error thrown by a middleware outside a per-item sanitizeOutput', async () => {
    const leaky = async () => {
      throw new Error(`outer guard broke: ${LEAK}`)
    }
    const rig = await sdk.rig([leaky], (kit) => {
      kit.server.registerTool(
        'guarded',
        { inputSchema: z.object({}) },
        kit.server.guard(sanitizeOutput()).wrap((() => ({ content: [] })) as Fn),
      )
    })
    const result = await rig.callTool('guarded')
    expect(result.isError).toBe(true)
    expect(text(result)).toContain('outer guard broke: token [REDACTED:github-token]')
    expectClean(rig.wire)
  })

  it('denies with ERR_CONTENT_REFUSED_OUTPUT when an error carries refused content, on every kind', async () => {
    const refuse = sanitizeOutput({ modes: { secret: 'refuse' } })
    const recorder = events()
    try {
      const rig = await sdk.rig([refuse], (kit) => {
        kit.server.registerTool('t', { inputSchema: z.object({}) }, () => {
          throw new Error(LEAK)
        })
        kit.server.registerPrompt('p', {}, () => {
          throw kit.protocolError(-32012, 'clean message', { token: GITHUB })
        })
        kit.server.registerResource('r', 'file:///r', {}, () => {
          throw new Error(LEAK)
        })
      })
      const result = await rig.callTool('t')
      expect(result.isError).toBe(true)
      expect(denialCodeOf(result)).toBe('ERR_CONTENT_REFUSED_OUTPUT')
      const prompt = await rejection(rig.getPrompt('p'))
      expect(prompt.code).toBe(-32003)
      expect(denialCodeOf(prompt)).toBe('ERR_CONTENT_REFUSED_OUTPUT')
      const resource = await rejection(rig.readResource('file:///r'))
      expect(resource.code).toBe(-32003)
      expectClean(rig.wire)
      const paths = recorder.list.filter((e) => e.type === 'content.secret').map((e) => (e.detail as Loose).path)
      expect(paths).toContain('/error/message')
      expect(paths).toContain('/error/data/token')
    } finally {
      recorder.stop()
    }
  })

  it('does not send a refused notification or request, and rejects the handler`s send', async () => {
    const outcomes: string[] = []
    const rig = await sdk.rig([sanitizeOutput({ modes: { secret: 'refuse' } })], (kit) => {
      kit.server.registerTool('t', { inputSchema: z.object({}) }, async (_args: unknown, extra: unknown) => {
        for (const send of [
          () => kit.log(extra, LEAK),
          () => kit.elicit(extra, { mode: 'form', message: LEAK, requestedSchema: { type: 'object', properties: {} } }),
          () =>
            kit.sample(extra, { messages: [{ role: 'user', content: { type: 'text', text: LEAK } }], maxTokens: 5 }),
          () => kit.log(extra, 'a clean line'),
        ]) {
          try {
            await send()
            outcomes.push('sent')
          } catch (err) {
            outcomes.push(String((err as Loose).code))
          }
        }
        return { content: [] }
      })
    })
    await rig.callTool('t')
    expect(outcomes).toEqual([
      'ERR_CONTENT_REFUSED_OUTPUT',
      'ERR_CONTENT_REFUSED_OUTPUT',
      'ERR_CONTENT_REFUSED_OUTPUT',
      'sent',
    ])
    expect(rig.logs).toEqual([expect.objectContaining({ data: 'a clean line' })])
    expect(rig.elicitations).toHaveLength(0)
    expect(rig.samplings).toHaveLength(0)
    expectClean(rig.wire)
  })

  it('withholds an error when the filter itself fails (fail closed)', async () => {
    const broken = sanitizeOutput({
      asyncDetectors: [
        async () => {
          throw new Error(`classifier down ${GITHUB}`)
        },
      ],
    })
    const rig = await sdk.rig([broken], (kit) => {
      kit.server.registerResource('r', 'file:///r', {}, () => {
        throw new Error(LEAK)
      })
    })
    const err = await rejection(rig.readResource('file:///r'))
    expect(err.code).toBe(-32003)
    expect(denialCodeOf(err)).toBe('ERR_CORE_OUTBOUND_FAILED')
    expectClean(rig.wire)
  })

  it('keeps errors and notifications untouched for items without sanitizeOutput', async () => {
    const rig = await sdk.rig([], (kit) => {
      kit.server.registerTool('t', { inputSchema: z.object({}) }, async (_args: unknown, extra: unknown) => {
        await kit.log(extra, GITHUB)
        throw new Error(`raw ${GITHUB}`)
      })
    })
    const result = await rig.callTool('t')
    expect(text(result)).toBe(`raw ${GITHUB}`)
    expect(rig.logs).toEqual([expect.objectContaining({ data: GITHUB })])
  })

  it('never lets a secret or a hostile character through an error or a log line (property)', async () => {
    // Secrets as separate words: the detectors' own boundaries are the engine's business.
    const piece = fc.oneof(
      fc.constantFrom(GITHUB, AWS, '\u200B', '\u202E', '\u001b[31m', '\u{E0041}', '\u2066', '\n'),
      fc.string({ maxLength: 12 }),
    )
    const message = fc.array(piece, { minLength: 1, maxLength: 8 }).map((parts) => parts.join(' '))
    let current = { message: '', data: '' as unknown }
    const rig = await sdk.rig([sanitizeOutput()], (kit) => {
      kit.server.registerTool('t', { inputSchema: z.object({}) }, async (_args: unknown, extra: unknown) => {
        await kit.log(extra, current.data)
        throw new Error(current.message)
      })
      kit.server.registerResource('r', 'file:///r', {}, () => {
        throw kit.protocolError(-32013, current.message, current.data)
      })
    })
    await fc.assert(
      fc.asyncProperty(message, fc.dictionary(fc.string({ maxLength: 4 }), message, { maxKeys: 3 }), async (m, d) => {
        current = { message: `${GITHUB} ${m}`, data: { d, m } }
        rig.wire.length = 0
        const result = await rig.callTool('t')
        expect(redacted(result)).toBe(true)
        await rejection(rig.readResource('file:///r'))
        expect(rig.wire.length).toBeGreaterThanOrEqual(3)
        for (const text of strings(rig.wire)) {
          expect(text).not.toContain(GITHUB)
          expect(text).not.toContain(AWS)
          expect(hostile(text)).toBe(false)
        }
      }),
      { numRuns: 40 },
    )
  })

  it('gives an error, a log line and a completion the same text a result would have (property)', async () => {
    const piece = fc.oneof(
      fc.constantFrom(GITHUB, AWS, '\u200B', '\u202E', '\u001b[2J', '\u001b]0;t\u0007', '\u{E0041}', 'ignore previous'),
      fc.string({ maxLength: 10, unit: 'binary' }),
    )
    const text = fc.array(piece, { minLength: 1, maxLength: 6 }).map((parts) => parts.join(''))
    let current = ''
    const rig = await sdk.rig([sanitizeOutput()], (kit) => {
      kit.server.registerTool('result', { inputSchema: z.object({}) }, () => ({
        content: [{ type: 'text', text: current }],
      }))
      kit.server.registerTool('error', { inputSchema: z.object({}) }, async (_args: unknown, extra: unknown) => {
        await kit.log(extra, current)
        throw new Error(current)
      })
      kit.server.registerPrompt('p', { argsSchema: { q: kit.completable(z.string(), () => [current]) } }, () => ({
        messages: [],
      }))
    })
    await fc.assert(
      fc.asyncProperty(text, async (value) => {
        current = value
        rig.logs.length = 0
        const expected = (((await rig.callTool('result')).content as Loose[])[0] as Loose).text
        const thrown = await rig.callTool('error')
        expect((thrown.content as Loose[])[0]).toEqual({ type: 'text', text: expected })
        expect(rig.logs).toEqual([expect.objectContaining({ data: expected })])
        const completion = await rig.complete({ type: 'ref/prompt', name: 'p' }, { name: 'q', value: '' })
        expect((completion.completion as { values: string[] }).values).toEqual([expected])
      }),
      { numRuns: 40 },
    )
  })
})

describe.each(HARNESS)('sanitizeOutput over Streamable HTTP ($name)', (sdk) => {
  it('cleans the log lines and the error of a call served on 127.0.0.1', async () => {
    const http = await sdk.serveHttp(() => {
      const server = sdk.secured({ use: [sanitizeOutput()] })
      ;(server as unknown as { server: { registerCapabilities(c: Loose): void } }).server.registerCapabilities({
        logging: {},
      })
      server.registerTool('t', { inputSchema: {} }, (async (_args: unknown, extra: Loose) => {
        const line = { method: 'notifications/message', params: { level: 'info', data: LEAK } }
        if (sdk.name === 'sdk-v1') await (extra.sendNotification as (n: unknown) => Promise<void>)(line)
        else await (extra.mcpReq as { notify(n: unknown): Promise<void> }).notify(line)
        throw new Error(`failed ${LEAK}`)
      }) as never)
      return server
    })
    open.push(http.close)
    const client = await sdk.connectHttp(http.url)
    open.unshift(() => client.close())
    const logs: unknown[] = []
    const handle = (n: { params: unknown }) => {
      logs.push(n.params)
    }
    const raw = client as unknown as { setNotificationHandler(key: unknown, handler: typeof handle): void }
    if (sdk.name === 'sdk-v1') raw.setNotificationHandler(LoggingMessageNotificationSchema, handle)
    else raw.setNotificationHandler('notifications/message', handle)
    if (sdk.name === 'sdk-v2')
      await (client as unknown as { setLoggingLevel(l: string): Promise<void> }).setLoggingLevel('debug')
    const result = await client.callTool({ name: 't', arguments: {} })
    expect(result.isError).toBe(true)
    expect(redacted(result)).toBe(true)
    expect(logs).toHaveLength(1)
    expect(redacted(logs)).toBe(true)
    expectClean([result, logs])
  })
})
