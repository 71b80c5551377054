import type {
  ContentCategory,
  ContentMode,
  GuardContext,
  Middleware,
  OutboundMessage,
  PrimitiveResult,
} from '@mcp-warden/core'
import type { ContentGuardOptions } from './content-guard-options.js'
import { ContentScan, resolveContentOptions } from './internal/content-walk.js'

/** Options of `sanitizeOutput`. */
export interface SanitizeOutputOptions extends ContentGuardOptions {
  /**
   * Mode per category. Default: `strip` for `invisible` and `terminal-escape`, `strip` (redact to
   * `[REDACTED:<rule>]`) for `secret`, `report` for `prompt-injection`, `pii` and `confusable`.
   */
  readonly modes?: Readonly<Partial<Record<ContentCategory, ContentMode>>>
}

const DEFAULT_MODES: Readonly<Record<ContentCategory, ContentMode>> = {
  invisible: 'strip',
  confusable: 'report',
  'terminal-escape': 'strip',
  'prompt-injection': 'report',
  secret: 'strip',
  pii: 'report',
}

type Loose = Record<string, unknown>

/** Content blocks whose `data` is base64 binary, passed through untouched. */
const BINARY_BLOCKS: ReadonlySet<unknown> = new Set(['image', 'audio'])
/** Block `type`s and message `role`s of the protocol: fixed words, not scanned. */
const BLOCK_TYPES: ReadonlySet<unknown> = new Set([
  'text',
  'image',
  'audio',
  'resource',
  'resource_link',
  'tool_use',
  'tool_result',
])
const ROLES: ReadonlySet<unknown> = new Set(['user', 'assistant'])

/**
 * Sanitizes every string of a tool, resource or prompt result a client reads, except base64
 * binary (`data` of image and audio blocks, `blob` of resource contents) and the protocol's fixed
 * words (block types, message roles). Returns `result` itself when nothing changed. Plain
 * functions, no closures: a clean result costs the walk and the scans, nothing more.
 */
function cleanResult(result: PrimitiveResult, scan: ContentScan): PrimitiveResult {
  // A result with `toJSON` is sent as what it returns: clean that.
  const toJSON = (result as Loose).toJSON
  const source = (typeof toJSON === 'function' ? toJSON.call(result, '') : result) as Loose
  if (typeof source !== 'object' || source === null) {
    const text = scan.value(source, '', 0, true)
    return (text === source ? result : text) as PrimitiveResult
  }
  let out: Loose | undefined
  for (const key in source) {
    if (!Object.hasOwn(source, key)) continue
    const value = source[key]
    let cleaned: unknown
    switch (key) {
      case 'isError':
        continue
      case 'content':
        cleaned = cleanList(value, '/content', BLOCK, scan)
        break
      case 'contents':
        cleaned = cleanList(value, '/contents', RESOURCE, scan)
        break
      case 'messages':
        cleaned = cleanList(value, '/messages', MESSAGE, scan)
        break
      default:
        // structuredContent, _meta, a prompt's description, ...: every string, deep.
        cleaned = scan.value(value, `/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`, 0, true)
    }
    if (cleaned !== value) {
      out ??= { ...source }
      out[key] = cleaned
    }
  }
  if (out !== undefined) return out as PrimitiveResult
  return (source === result ? result : source) as PrimitiveResult
}

const BLOCK = 0
const RESOURCE = 1
const MESSAGE = 2
type Shape = typeof BLOCK | typeof RESOURCE | typeof MESSAGE

/** Cleans a list of blocks, resource contents or messages; anything else is scanned as a value. */
function cleanList(value: unknown, path: string, shape: Shape, scan: ContentScan): unknown {
  if (!Array.isArray(value)) return scan.value(value, path, 1, true)
  let next: unknown[] | undefined
  for (let i = 0; i < value.length; i++) {
    const item = value[i] as unknown
    const at = `${path}/${i}`
    const cleaned =
      typeof item === 'object' && item !== null && !Array.isArray(item)
        ? cleanItem(item as Loose, at, shape, scan)
        : scan.value(item, at, 2, true)
    if (cleaned !== item) {
      next ??= value.slice()
      next[i] = cleaned
    }
  }
  return next ?? value
}

/** Cleans the fields of one content block, resource contents entry or prompt message. */
function cleanItem(item: Loose, at: string, shape: Shape, scan: ContentScan): Loose {
  const binary = shape === BLOCK && BINARY_BLOCKS.has(item.type)
  let out: Loose | undefined
  for (const key in item) {
    if (!Object.hasOwn(item, key)) continue
    const value = item[key]
    let cleaned: unknown
    if (shape === RESOURCE) {
      cleaned = key === 'blob' ? value : scan.value(value, `${at}/${key}`, 2, true)
    } else if (shape === MESSAGE && key === 'role' && ROLES.has(value)) {
      continue
    } else if (shape === BLOCK && ((key === 'type' && BLOCK_TYPES.has(value)) || (key === 'data' && binary))) {
      continue
    } else if (shape === BLOCK && key === 'resource' && isRecord(value)) {
      cleaned = cleanItem(value, `${at}/resource`, RESOURCE, scan)
    } else if (key === 'content' && (shape === MESSAGE || Array.isArray(value))) {
      // A message's content is a block or a list of blocks; sampling's tool_result blocks nest a list.
      cleaned = isRecord(value)
        ? cleanItem(value, `${at}/content`, BLOCK, scan)
        : cleanList(value, `${at}/content`, BLOCK, scan)
    } else {
      cleaned = scan.value(value, `${at}/${key}`, 2, true)
    }
    if (cleaned !== value) {
      out ??= { ...item }
      out[key] = cleaned
    }
  }
  return out ?? item
}

const isRecord = (value: unknown): value is Loose =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/** Where each outbound channel's findings are reported: `/<kind>/...` (`/error/message`, ...). */
const KIND_PATHS: Readonly<Record<OutboundMessage['kind'], string>> = {
  error: '/error',
  notification: '/notification',
  request: '/request',
  result: '/result',
}

/**
 * The `outbound` filter of `sanitizeOutput`: every string of the message, keys included, except a
 * progress notification's `progressToken` (the client's own correlation value).
 */
function cleanOutbound(message: OutboundMessage, scan: ContentScan): OutboundMessage {
  const base = KIND_PATHS[message.kind]
  const params = message.params
  let cleaned: unknown
  if (Object.hasOwn(params, 'progressToken')) {
    const { progressToken, ...rest } = params
    const others = scan.value(rest, base, 0, true) as Loose
    cleaned = { progressToken, ...others }
  } else {
    cleaned = scan.value(params, base, 0, true)
  }
  if (cleaned === params) return message
  const safe = typeof cleaned === 'object' && cleaned !== null && !Array.isArray(cleaned) ? (cleaned as Loose) : {}
  return { kind: message.kind, method: message.method, params: safe }
}

/**
 * Sanitizes every string a client receives from a tool, resource or prompt before the client (and
 * the model) reads it. By default it strips invisible characters and terminal escapes and redacts
 * secrets, and reports prompt-injection markers and PII as `content.<category>` security events
 * (category, detector, JSON Pointer path and span; never the text). Categories in `refuse` mode
 * deny.
 *
 * Covered (every channel but the result goes through the pipeline's `outbound` filters, which apply
 * to the whole chain of the item whatever the order; the result is cleaned where the middleware
 * sits, so what a middleware outside it adds to a result is not):
 * - the result: every string of content blocks (text; `resource_link` name, title, description
 *   and uri; embedded resources; annotations and `_meta`), `structuredContent` (keys and values,
 *   deep; two keys that become one once cleaned deny), resource `contents`, prompt messages (every block type), and any other field (`_meta`,
 *   `description`, 2026-07-28 `inputRequests`). Error results are results.
 * - thrown errors: anything but a `WardenError` thrown by the handler or a middleware (`Error`,
 *   `McpError`/`ProtocolError`, any value) is rethrown as a copy of the same class and code with
 *   the message and `data` (deep) sanitized, so the tool error result or JSON-RPC error the SDK
 *   builds from it is clean. A refusal found in an error denies with `ERR_CONTENT_REFUSED_OUTPUT`.
 * - what the handler sends during the call through its per-call context: SDK 1.x
 *   `extra.sendNotification` / `extra.sendRequest`; SDK 2.x `ctx.mcpReq.notify`, `send`, `log`,
 *   `elicitInput` and `requestSampling` (logging `data` and `logger`, progress `message`,
 *   elicitation `message` and requested-schema titles and descriptions, sampling messages and
 *   `systemPrompt`, keys included). A refused message is not sent; the send rejects.
 * - `completion/complete` values for a prompt argument or a resource-template variable of the item.
 *
 * Not covered: what the handler sends outside its per-call context (`server.sendLoggingMessage`,
 * `server.server.createMessage`, `server.server.elicitInput`, notifications sent on the server
 * directly: nothing ties them to the call), and errors the SDK words itself (argument and
 * output-schema validation). Route what a call sends through `extra`/`ctx`.
 *
 * Binary content (base64 `data` of images and audio, `blob` of resource contents) is passed through
 * untouched. Redacting a string inside `structuredContent` keeps it a string, so the declared output
 * schema still holds for string fields without format constraints. Values with `toJSON` (a `URL`,
 * a `Date`) are scanned as they serialize.
 *
 * @throws TypeError at creation on unknown options, unknown categories or modes, or bad limits.
 * @throws ContentError `ERR_CONTENT_REFUSED_OUTPUT` when refused content is found;
 * `ERR_CONTENT_TOO_COMPLEX` when the result is nested deeper than `maxDepth` or holds more than
 * `maxStrings` strings.
 * @see https://modelcontextprotocol.io/specification/draft/basic/security_best_practices
 * @example
 * ```ts
 * server.registerTool('fetch_page', { inputSchema: { url: z.string().url() } },
 *   server.guard(sanitizeOutput({ modes: { 'prompt-injection': 'refuse' } }), quarantine()).wrap(fetchPage))
 * ```
 */
export function sanitizeOutput(options: SanitizeOutputOptions = {}): Middleware<GuardContext> {
  const resolved = resolveContentOptions('sanitizeOutput', options, [], DEFAULT_MODES)
  // Not `async`: without asynchronous detectors the scan adds no promise beyond the one `then`.
  const sanitizeOutputMiddleware = (ctx: GuardContext, next: () => ReturnType<Middleware>): ReturnType<Middleware> => {
    let pending: ReturnType<Middleware>
    try {
      pending = Promise.resolve(next())
    } catch (err) {
      return Promise.reject(err)
    }
    return pending.then((result) => {
      const scan = new ContentScan(resolved, 'output')
      return scan.finish(ctx, cleanResult(result, scan))
    })
  }
  const outbound = (message: OutboundMessage, ctx: GuardContext): OutboundMessage | Promise<OutboundMessage> => {
    const scan = new ContentScan(resolved, 'output')
    return scan.finish(ctx, cleanOutbound(message, scan))
  }
  return Object.assign(sanitizeOutputMiddleware, {
    describe: { name: 'sanitizeOutput', modes: resolved.modes },
    outbound,
  })
}
