/**
 * The tools, resources and prompts the official MCP conformance suite
 * (`@modelcontextprotocol/conformance`) expects from a server under test, registered on an
 * ordinary SDK 1.x `McpServer` secured with mcp-warden.
 *
 * Every fixture runs the global guards (a call log and `requireAuth` with a local identity) and
 * its own `requireScopes`, so a passing scenario shows the protocol feature works through the
 * guard pipeline, not around it.
 */
import { requireAuth } from '@mcp-warden/auth'
import type { GuardContext, Middleware, PrimitiveResult, Principal } from '@mcp-warden/core'
import { type Extra, secure } from '@mcp-warden/core/sdk-v1'
import { requireScopes } from '@mcp-warden/policy'
import { completable } from '@modelcontextprotocol/sdk/server/completable.js'
import { McpServer, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js'
import {
  CreateMessageResultSchema,
  type LoggingLevel,
  LoggingLevelSchema,
  SetLevelRequestSchema,
  SubscribeRequestSchema,
  UnsubscribeRequestSchema,
} from '@modelcontextprotocol/sdk/types.js'
import { z } from 'zod'

/** Scopes the fixtures require; the local principal below holds all of them. */
export const CONFORMANCE_SCOPES = ['conformance:tools', 'conformance:resources', 'conformance:prompts'] as const

/** The identity of the local user running the example (no token: the suite cannot send one). */
export const LOCAL_PRINCIPAL: Principal = Object.freeze({
  id: 'local#conformance',
  issuer: 'local',
  subject: 'conformance',
  scopes: [...CONFORMANCE_SCOPES],
  claims: {},
})

/** One line per guarded call, as the call log middleware records it. */
export interface CallRecord {
  readonly kind: GuardContext['kind']
  readonly name: string
  readonly outcome: 'allow' | 'deny' | 'error'
  readonly correlationId: string
}

/** What the guarded calls of every session of one server were. */
export interface CallLog {
  /** The most recent calls, oldest first (bounded). */
  readonly records: readonly CallRecord[]
  /** Calls recorded since start, including those no longer kept. */
  readonly total: number
  /** How many calls of `<kind>:<name>` (`tool:test_simple_text`) ended with `outcome`. */
  count(key: string, outcome: CallRecord['outcome']): number
  /** Records one call. */
  add(record: CallRecord): void
}

/**
 * Creates a call log keeping the last `maxRecords` calls and a count per primitive and outcome
 * (bounded by the registered primitives: names come from registrations, not from clients).
 */
export function createCallLog(maxRecords: number): CallLog {
  const records: CallRecord[] = []
  const counts = new Map<string, number>()
  let total = 0
  return {
    records,
    get total() {
      return total
    },
    count: (key, outcome) => counts.get(`${key}:${outcome}`) ?? 0,
    add(record) {
      total += 1
      const key = `${record.kind}:${record.name}:${record.outcome}`
      counts.set(key, (counts.get(key) ?? 0) + 1)
      records.push(record)
      if (records.length > maxRecords) records.shift()
    },
  }
}

/**
 * A pass-through middleware that records every call and how it ended. It never changes the
 * result; a denial or error thrown below it is rethrown.
 */
export function recordCalls(log: CallLog): Middleware {
  return async function recordCallsMiddleware(ctx, next) {
    const add = (outcome: CallRecord['outcome']): void =>
      log.add({ kind: ctx.kind, name: ctx.name, outcome, correlationId: ctx.correlationId })
    try {
      const result = await next()
      add('allow')
      return result
    } catch (err) {
      add(isDenial(err) ? 'deny' : 'error')
      throw err
    }
  }
}

function isDenial(err: unknown): boolean {
  return typeof err === 'object' && err !== null && typeof (err as { code?: unknown }).code === 'string'
}

/** A 1x1 red PNG. */
const RED_PIXEL_PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg=='

/** A tenth of a second of 8 kHz, 8-bit mono silence as a WAV file, base64. */
const SILENT_WAV = (() => {
  const samples = 800
  const wav = Buffer.alloc(44 + samples, 0x80)
  wav.write('RIFF', 0, 'ascii')
  wav.writeUInt32LE(36 + samples, 4)
  wav.write('WAVEfmt ', 8, 'ascii')
  wav.writeUInt32LE(16, 16) // fmt chunk size
  wav.writeUInt16LE(1, 20) // PCM
  wav.writeUInt16LE(1, 22) // mono
  wav.writeUInt32LE(8000, 24) // sample rate
  wav.writeUInt32LE(8000, 28) // byte rate
  wav.writeUInt16LE(1, 32) // block align
  wav.writeUInt16LE(8, 34) // bits per sample
  wav.write('data', 36, 'ascii')
  wav.writeUInt32LE(samples, 40)
  return wav.toString('base64')
})()

const LEVELS = LoggingLevelSchema.options
const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const timer = setTimeout(resolve, ms)
    signal.addEventListener('abort', () => {
      clearTimeout(timer)
      resolve()
    })
  })

const text = (value: string): PrimitiveResult & { content: [{ type: 'text'; text: string }] } => ({
  content: [{ type: 'text', text: value }],
})

/**
 * Creates one secured conformance server: one per session, as the SDK's Streamable HTTP transport
 * expects. Every guarded call is recorded in `log`.
 */
export function createConformanceServer(log: CallLog): McpServer {
  const server = secure(
    new McpServer(
      { name: 'mcp-warden-conformance', version: '1.0.0' },
      { capabilities: { logging: {}, resources: { subscribe: true } } },
    ),
    { use: [recordCalls(log), requireAuth({ localPrincipal: LOCAL_PRINCIPAL })] },
  )

  // logging/setLevel: this session's threshold; log() below drops what is less severe.
  let threshold: LoggingLevel | undefined
  server.server.setRequestHandler(SetLevelRequestSchema, async (request) => {
    threshold = request.params.level
    return {}
  })
  const sendLog = async (extra: Extra, level: LoggingLevel, data: string): Promise<void> => {
    if (threshold !== undefined && LEVELS.indexOf(level) < LEVELS.indexOf(threshold)) return
    // Sent as related to the call, so it travels on the call's own stream.
    await extra.sendNotification({ method: 'notifications/message', params: { level, logger: 'conformance', data } })
  }

  // resources/subscribe and /unsubscribe: only resources this caller may read can be watched.
  const subscriptions = new Set<string>()
  const readable = new Set(['test://watched-resource', 'test://static-text', 'test://static-binary'])
  server.server.setRequestHandler(SubscribeRequestSchema, async (request) => {
    if (!readable.has(request.params.uri)) throw new Error(`Resource ${request.params.uri} not found`)
    subscriptions.add(request.params.uri)
    return {}
  })
  server.server.setRequestHandler(UnsubscribeRequestSchema, async (request) => {
    subscriptions.delete(request.params.uri)
    return {}
  })

  const tools = server.guard(requireScopes('conformance:tools'))
  const resources = server.guard(requireScopes('conformance:resources'))
  const prompts = server.guard(requireScopes('conformance:prompts'))

  // ---- tools ---------------------------------------------------------------------------------

  server.registerTool(
    'test_simple_text',
    { description: 'Returns simple text content' },
    tools.wrap(async () => text('This is a simple text response for testing.')),
  )

  server.registerTool(
    'test_image_content',
    { description: 'Returns image content' },
    tools.wrap(async () => ({ content: [{ type: 'image' as const, data: RED_PIXEL_PNG, mimeType: 'image/png' }] })),
  )

  server.registerTool(
    'test_audio_content',
    { description: 'Returns audio content' },
    tools.wrap(async () => ({ content: [{ type: 'audio' as const, data: SILENT_WAV, mimeType: 'audio/wav' }] })),
  )

  server.registerTool(
    'test_embedded_resource',
    { description: 'Returns an embedded resource' },
    tools.wrap(async () => ({
      content: [
        {
          type: 'resource' as const,
          resource: {
            uri: 'test://embedded-resource',
            mimeType: 'text/plain',
            text: 'This is an embedded resource content.',
          },
        },
      ],
    })),
  )

  server.registerTool(
    'test_multiple_content_types',
    { description: 'Returns text, image and resource content' },
    tools.wrap(async () => ({
      content: [
        { type: 'text' as const, text: 'Multiple content types test:' },
        { type: 'image' as const, data: RED_PIXEL_PNG, mimeType: 'image/png' },
        {
          type: 'resource' as const,
          resource: {
            uri: 'test://mixed-content-resource',
            mimeType: 'application/json',
            text: JSON.stringify({ test: 'data', value: 123 }),
          },
        },
      ],
    })),
  )

  server.registerTool(
    'test_tool_with_logging',
    { description: 'Sends three log messages while it runs' },
    tools.wrap(async (_args: Record<string, never>, ctx) => {
      await sendLog(ctx.extra, 'info', 'Tool execution started')
      await sleep(50, ctx.signal)
      await sendLog(ctx.extra, 'info', 'Tool processing data')
      await sleep(50, ctx.signal)
      await sendLog(ctx.extra, 'info', 'Tool execution completed')
      return text('Tool with logging executed successfully')
    }),
  )

  server.registerTool(
    'test_error_handling',
    { description: 'Always fails' },
    tools.wrap(async () => ({
      isError: true,
      content: [{ type: 'text' as const, text: 'This tool intentionally returns an error for testing' }],
    })),
  )

  server.registerTool(
    'test_tool_with_progress',
    { description: 'Reports progress 0, 50 and 100 of 100' },
    tools.wrap(async (_args: Record<string, never>, ctx) => {
      const token = ctx.extra._meta?.progressToken
      for (const progress of [0, 50, 100]) {
        if (progress > 0) await sleep(50, ctx.signal)
        if (token !== undefined) {
          await ctx.extra.sendNotification({
            method: 'notifications/progress',
            params: { progressToken: token, progress, total: 100, message: `${progress}%` },
          })
        }
      }
      return text('Tool with progress executed successfully')
    }),
  )

  server.registerTool(
    'test_sampling',
    { description: 'Asks the client for an LLM completion', inputSchema: { prompt: z.string() } },
    tools.wrap(async ({ prompt }: { prompt: string }, ctx) => {
      if (ctx.client.capabilities?.sampling === undefined) {
        return { isError: true, content: [{ type: 'text' as const, text: 'The client does not support sampling' }] }
      }
      const result = await ctx.extra.sendRequest(
        {
          method: 'sampling/createMessage',
          params: { messages: [{ role: 'user', content: { type: 'text', text: prompt } }], maxTokens: 100 },
        },
        CreateMessageResultSchema,
        { timeout: 10_000 },
      )
      const answer = result.content.type === 'text' ? result.content.text : `[${result.content.type}]`
      return text(`LLM response: ${answer}`)
    }),
  )

  server.registerTool(
    'test_elicitation',
    { description: 'Asks the user for a name and an email', inputSchema: { message: z.string() } },
    tools.wrap(async ({ message }: { message: string }, ctx) => {
      if (!ctx.client.canElicit) {
        return { isError: true, content: [{ type: 'text' as const, text: 'The client does not support elicitation' }] }
      }
      const result = await ctx.client.elicit(
        {
          message,
          requestedSchema: {
            type: 'object',
            properties: {
              username: { type: 'string', description: "User's response" },
              email: { type: 'string', description: "User's email address" },
            },
            required: ['username', 'email'],
          },
        },
        { timeoutMs: 10_000 },
      )
      return text(`User response: action=${result.action}, content=${JSON.stringify(result.content ?? {})}`)
    }),
  )

  server.registerTool(
    'test_elicitation_sep1034_defaults',
    { description: 'Elicitation with a default for every primitive type (SEP-1034)' },
    tools.wrap(async (_args: Record<string, never>, ctx) => {
      const result = await ctx.client.elicit(
        {
          message: 'Please review and update the form fields with defaults',
          requestedSchema: {
            type: 'object',
            properties: {
              name: { type: 'string', description: 'User name', default: 'John Doe' },
              age: { type: 'integer', description: 'User age', default: 30 },
              score: { type: 'number', description: 'User score', default: 95.5 },
              status: {
                type: 'string',
                description: 'User status',
                enum: ['active', 'inactive', 'pending'],
                default: 'active',
              },
              verified: { type: 'boolean', description: 'Verification status', default: true },
            },
            required: [],
          },
        },
        { timeoutMs: 10_000 },
      )
      return text(`Elicitation completed: action=${result.action}, content=${JSON.stringify(result.content ?? {})}`)
    }),
  )

  server.registerTool(
    'test_elicitation_sep1330_enums',
    { description: 'Elicitation with the five enum schema variants (SEP-1330)' },
    tools.wrap(async (_args: Record<string, never>, ctx) => {
      const result = await ctx.client.elicit(
        {
          message: 'Please select options from the enum fields',
          requestedSchema: {
            type: 'object',
            properties: {
              untitledSingle: {
                type: 'string',
                description: 'Untitled single-select',
                enum: ['option1', 'option2', 'option3'],
              },
              titledSingle: {
                type: 'string',
                description: 'Titled single-select',
                oneOf: [
                  { const: 'value1', title: 'First Option' },
                  { const: 'value2', title: 'Second Option' },
                  { const: 'value3', title: 'Third Option' },
                ],
              },
              legacyEnum: {
                type: 'string',
                description: 'Legacy titled enum',
                enum: ['opt1', 'opt2', 'opt3'],
                enumNames: ['Option One', 'Option Two', 'Option Three'],
              },
              untitledMulti: {
                type: 'array',
                description: 'Untitled multi-select',
                items: { type: 'string', enum: ['option1', 'option2', 'option3'] },
              },
              titledMulti: {
                type: 'array',
                description: 'Titled multi-select',
                items: {
                  anyOf: [
                    { const: 'value1', title: 'First Choice' },
                    { const: 'value2', title: 'Second Choice' },
                    { const: 'value3', title: 'Third Choice' },
                  ],
                },
              },
            },
            required: [],
          },
        },
        { timeoutMs: 10_000 },
      )
      return text(`Elicitation completed: action=${result.action}, content=${JSON.stringify(result.content ?? {})}`)
    }),
  )

  // SDK 1.x turns zod schemas into draft-07 JSON Schema for tools/list; the 2020-12 dialect and its
  // `$defs` are declared through `.meta()`, which the conversion copies onto the listed schema.
  const address = z.object({ street: z.string().optional(), city: z.string().optional() })
  const jsonSchema2020 = z.strictObject({ name: z.string().optional(), address: address.optional() }).meta({
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $defs: { address: { type: 'object', properties: { street: { type: 'string' }, city: { type: 'string' } } } },
  })
  server.registerTool(
    'json_schema_2020_12_tool',
    {
      description: 'Tool with JSON Schema 2020-12 features',
      inputSchema: jsonSchema2020,
    },
    tools.wrap(async (args: Readonly<Record<string, unknown>>) => text(`Received: ${JSON.stringify(args)}`)),
  )

  server.registerTool(
    'test_reconnection',
    { description: 'Closes its SSE stream mid-call; the client resumes with Last-Event-ID' },
    tools.wrap(async (_args: Record<string, never>, ctx) => {
      // Only offered by the transport when resumability is on and the client can resume.
      ctx.extra.closeSSEStream?.()
      await sleep(100, ctx.signal)
      return text('Reconnection test completed successfully')
    }),
  )

  // Not a suite fixture: a tool the local identity lacks the scope for. It is hidden from
  // tools/list and a call is answered like a call to an unknown tool (e2e checks both).
  server.registerTool(
    'warden_admin_probe',
    { description: 'Needs the conformance:admin scope, which the local identity lacks' },
    server.guard(requireScopes('conformance:admin')).wrap(async () => text('admin probe ran')),
  )

  // ---- resources -----------------------------------------------------------------------------

  server.registerResource(
    'static-text',
    'test://static-text',
    { description: 'A static text resource', mimeType: 'text/plain' },
    resources.wrap(async (uri: URL) => ({
      contents: [{ uri: uri.href, mimeType: 'text/plain', text: 'This is the content of the static text resource.' }],
    })),
  )

  server.registerResource(
    'static-binary',
    'test://static-binary',
    { description: 'A static binary resource', mimeType: 'image/png' },
    resources.wrap(async (uri: URL) => ({ contents: [{ uri: uri.href, mimeType: 'image/png', blob: RED_PIXEL_PNG }] })),
  )

  server.registerResource(
    'watched-resource',
    'test://watched-resource',
    { description: 'A resource clients can subscribe to', mimeType: 'text/plain' },
    resources.wrap(async (uri: URL) => ({
      contents: [{ uri: uri.href, mimeType: 'text/plain', text: 'Watched resource content.' }],
    })),
  )

  server.registerResource(
    'template-data',
    new ResourceTemplate('test://template/{id}/data', { list: undefined }),
    { description: 'Data for an id, from a URI template', mimeType: 'application/json' },
    resources.wrap(async (uri: URL, ctx) => {
      const id = String(ctx.arguments.id)
      return {
        contents: [
          {
            uri: uri.href,
            mimeType: 'application/json',
            text: JSON.stringify({ id, templateTest: true, data: `Data for ID: ${id}` }),
          },
        ],
      }
    }),
  )

  // ---- prompts -------------------------------------------------------------------------------

  server.registerPrompt(
    'test_simple_prompt',
    { description: 'A prompt without arguments' },
    prompts.wrap(async () => ({
      messages: [
        { role: 'user' as const, content: { type: 'text' as const, text: 'This is a simple prompt for testing.' } },
      ],
    })),
  )

  server.registerPrompt(
    'test_prompt_with_arguments',
    {
      description: 'A prompt with two arguments',
      argsSchema: {
        arg1: completable(z.string().describe('First test argument'), (value) =>
          ['paris', 'park', 'party', 'test', 'testing'].filter((word) => word.startsWith(value)),
        ),
        arg2: z.string().describe('Second test argument'),
      },
    },
    prompts.wrap(async ({ arg1, arg2 }: { arg1: string; arg2: string }) => ({
      messages: [
        {
          role: 'user' as const,
          content: { type: 'text' as const, text: `Prompt with arguments: arg1='${arg1}', arg2='${arg2}'` },
        },
      ],
    })),
  )

  server.registerPrompt(
    'test_prompt_with_embedded_resource',
    { description: 'A prompt embedding a resource', argsSchema: { resourceUri: z.string() } },
    prompts.wrap(async ({ resourceUri }: { resourceUri: string }) => ({
      messages: [
        {
          role: 'user' as const,
          content: {
            type: 'resource' as const,
            resource: { uri: resourceUri, mimeType: 'text/plain', text: 'Embedded resource content for testing.' },
          },
        },
        {
          role: 'user' as const,
          content: { type: 'text' as const, text: 'Please process the embedded resource above.' },
        },
      ],
    })),
  )

  server.registerPrompt(
    'test_prompt_with_image',
    { description: 'A prompt with an image' },
    prompts.wrap(async () => ({
      messages: [
        { role: 'user' as const, content: { type: 'image' as const, data: RED_PIXEL_PNG, mimeType: 'image/png' } },
        { role: 'user' as const, content: { type: 'text' as const, text: 'Please analyze the image above.' } },
      ],
    })),
  )

  return server
}
