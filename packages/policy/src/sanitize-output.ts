import type { ContentCategory, ContentMode, GuardContext, Middleware, PrimitiveResult } from '@mcp-warden/core'
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

/** Sanitizes the text-bearing parts of a tool, resource or prompt result. */
function cleanResult(result: PrimitiveResult, scan: ContentScan): PrimitiveResult {
  let changed = false
  const out: Loose = { ...result }
  const blocks = (list: unknown, path: string, clean: (item: Loose, at: string) => Loose): void => {
    if (!Array.isArray(list)) return
    const next: unknown[] = []
    let listChanged = false
    for (let i = 0; i < list.length; i++) {
      const item = list[i] as unknown
      const cleaned = typeof item === 'object' && item !== null ? clean(item as Loose, `${path}/${i}`) : item
      if (cleaned !== item) listChanged = true
      next.push(cleaned)
    }
    if (listChanged) {
      out[path.slice(1)] = next
      changed = true
    }
  }
  const textField = (item: Loose, field: string, at: string): Loose => {
    const value = item[field]
    if (typeof value !== 'string') return item
    const cleaned = scan.text(value, `${at}/${field}`)
    return cleaned === value ? item : { ...item, [field]: cleaned }
  }
  const contentBlock = (block: Loose, at: string): Loose => {
    let next = textField(block, 'text', at)
    const resource = block.resource
    if (typeof resource === 'object' && resource !== null) {
      const cleaned = textField(resource as Loose, 'text', `${at}/resource`)
      if (cleaned !== resource) next = { ...next, resource: cleaned }
    }
    return next
  }
  // Tool results (including error results, whose message is a text block).
  blocks(result.content, '/content', contentBlock)
  // Resource reads.
  blocks(result.contents, '/contents', (item, at) => textField(item, 'text', at))
  // Prompt messages: { role, content: block }.
  blocks(result.messages, '/messages', (message, at) => {
    const content = message.content
    if (typeof content !== 'object' || content === null) return message
    const cleaned = contentBlock(content as Loose, `${at}/content`)
    return cleaned === content ? message : { ...message, content: cleaned }
  })
  if (result.structuredContent !== undefined) {
    const cleaned = scan.value(result.structuredContent, '/structuredContent', 0, false)
    if (cleaned !== result.structuredContent) {
      out.structuredContent = cleaned
      changed = true
    }
  }
  return changed ? (out as PrimitiveResult) : result
}

/**
 * Sanitizes what a tool, resource or prompt returns before the client (and the model) reads it:
 * text content blocks, embedded resource text, error messages (they are text blocks),
 * `structuredContent` (every string, deep), resource `contents[].text` and prompt message text.
 * By default it strips invisible characters and terminal escapes and redacts secrets, and reports
 * prompt-injection markers and PII as `content.<category>` security events (category, detector,
 * JSON Pointer path and span; never the text). Categories in `refuse` mode deny the result.
 *
 * Binary content (images, audio, blobs) is passed through untouched. Redacting a string inside
 * `structuredContent` keeps it a string, so the declared output schema still holds for string fields
 * without format constraints.
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
  return Object.assign(sanitizeOutputMiddleware, {
    describe: { name: 'sanitizeOutput', modes: resolved.modes },
  })
}
