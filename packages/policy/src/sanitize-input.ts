import type { ContentCategory, ContentMode, GuardContext, Middleware } from '@mcp-warden/core'
import type { ContentGuardOptions } from './content-guard-options.js'
import { ContentScan, resolveContentOptions } from './internal/content-walk.js'

/** Options of `sanitizeInput`. */
export interface SanitizeInputOptions extends ContentGuardOptions {
  /**
   * Mode per category. Default: `strip` for `invisible` and `terminal-escape` (removed from the
   * arguments the handler sees); `report` for `prompt-injection`, `secret`, `pii` and
   * `confusable`, because arguments legitimately carry such text (a question about prompt
   * injection, a password field). Set `refuse` to deny.
   */
  readonly modes?: Readonly<Partial<Record<ContentCategory, ContentMode>>>
  /** Scan (and clean) object keys as well as values. Default `true`. */
  readonly keys?: boolean
}

const DEFAULT_MODES: Readonly<Record<ContentCategory, ContentMode>> = {
  invisible: 'strip',
  confusable: 'report',
  'terminal-escape': 'strip',
  'prompt-injection': 'report',
  secret: 'report',
  pii: 'report',
}

/**
 * Sanitizes the arguments of every call with the core sanitizer engine: every string at any depth,
 * and object keys, are scanned; categories in `strip` mode are removed and the cleaned arguments are
 * passed on with `next({ arguments })` (the handler never sees the original); categories in
 * `refuse` mode deny the call. Every finding is published as a `content.<category>` security event
 * with its JSON Pointer path and span, never the text itself.
 *
 * Runs after the SDK validated the arguments against the tool's schema; stripping only removes
 * characters, so strings stay strings.
 *
 * @throws TypeError at creation on unknown options, unknown categories or modes, or bad limits.
 * @throws ContentError `ERR_CONTENT_REFUSED_INPUT` (details: `category`, `detector`, `path`,
 * `start`, `end`) when refused content is found; `ERR_CONTENT_TOO_COMPLEX` when the arguments are
 * nested deeper than `maxDepth` or hold more than `maxStrings` strings.
 * @see https://modelcontextprotocol.io/specification/draft/basic/security_best_practices
 * @example
 * ```ts
 * const server = secure(new McpServer(info), {
 *   use: [sanitizeInput({ modes: { 'prompt-injection': 'refuse' } })],
 * })
 * ```
 */
export function sanitizeInput(options: SanitizeInputOptions = {}): Middleware<GuardContext> {
  const resolved = resolveContentOptions('sanitizeInput', options, ['keys'], DEFAULT_MODES)
  if (options.keys !== undefined && typeof options.keys !== 'boolean') {
    throw new TypeError('sanitizeInput: `keys` must be a boolean')
  }
  const keys = options.keys ?? true
  // Not `async`: without asynchronous detectors the scan is synchronous and adds no promise.
  const sanitizeInputMiddleware = (
    ctx: GuardContext,
    next: (add: { readonly arguments: Readonly<Record<string, unknown>> }) => ReturnType<Middleware>,
  ): ReturnType<Middleware> => {
    try {
      const scan = new ContentScan(resolved, 'input')
      const cleaned = scan.value(ctx.arguments, '', 0, keys) as Readonly<Record<string, unknown>>
      const settled = scan.finish(ctx, cleaned)
      return settled instanceof Promise
        ? settled.then((args) => next({ arguments: args }))
        : next({ arguments: settled })
    } catch (err) {
      return Promise.reject(err)
    }
  }
  return Object.assign(sanitizeInputMiddleware, {
    describe: { name: 'sanitizeInput', modes: resolved.modes },
  })
}
