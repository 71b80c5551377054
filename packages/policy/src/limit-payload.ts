import { type GuardContext, type Middleware, type PrimitiveResult, publishSecurityEvent } from '@mcp-warden/core'
import { measureJson, type SizeCaps } from './internal/json-size.js'
import { LIMIT_ERROR_CODES, LimitError, type LimitErrorCode } from './limit-error.js'

/** Options of `limitPayload`. Each cap is a positive integer, or `Infinity` to switch it off. */
export interface LimitPayloadOptions {
  /** Most UTF-8 bytes of the arguments as JSON (escapes not counted). Default 1 048 576 (1 MiB). */
  readonly maxArgumentBytes?: number
  /** Deepest nesting of arrays and objects in the arguments; the arguments object itself is depth 1. At most 1000. Default 32. */
  readonly maxDepth?: number
  /** Most items of any one array, and properties of any one object, in the arguments. Default 10 000. */
  readonly maxArrayLength?: number
  /** Most UTF-8 bytes of the result as JSON (content, structured content, contents, messages). Default 4 194 304 (4 MiB). */
  readonly maxOutputBytes?: number
}

const KNOWN = new Set(['maxArgumentBytes', 'maxDepth', 'maxArrayLength', 'maxOutputBytes'])
/** Depth guard of the output walk: a cyclic or absurdly nested result is refused, never walked forever. */
const OUTPUT_DEPTH = 1000

const capOf = (options: LimitPayloadOptions, name: keyof LimitPayloadOptions, fallback: number, max = Infinity) => {
  const value = options[name] ?? fallback
  if (value === Number.POSITIVE_INFINITY && max === Number.POSITIVE_INFINITY) return value
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0 || value > max) {
    throw new TypeError(
      `limitPayload: \`${name}\` must be a positive integer${max === Infinity ? ' or Infinity' : ` up to ${max}`}`,
    )
  }
  return value
}

/**
 * Caps the size of what a call carries in and out: the arguments (bytes, nesting depth, items per
 * array or object) before the handler runs, and the result's size after it. Sizes are measured by
 * walking the values, not by serializing them, and the walk stops at the first cap crossed, so an
 * oversized payload costs no more than the cap to reject.
 *
 * In the pipeline the arguments are the ones the SDK already parsed and validated; cap the raw
 * request body at the HTTP layer as well (for example the transport's maximum body size) so that
 * a huge message is refused before it is parsed.
 *
 * An oversized result is withheld: the handler has run, but its output does not reach the client.
 *
 * @throws TypeError at creation on unknown options or a cap that is not a positive integer (or
 * `Infinity`, except for `maxDepth`, which is at most 1000).
 * @throws LimitError `ERR_PAYLOAD_TOO_LARGE`, `ERR_PAYLOAD_TOO_DEEP`, `ERR_PAYLOAD_TOO_MANY_ITEMS`
 * (status 413, details `limit`) before the handler; `ERR_OUTPUT_TOO_LARGE` (status 500, details
 * `limit`) after it.
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-15.5.14 (413 Content Too Large)
 *
 * @example
 * ```ts
 * const server = secure(new McpServer({ name: 'files', version: '1.0.0' }), {
 *   use: [limitPayload({ maxArgumentBytes: 64 * 1024, maxDepth: 8, maxArrayLength: 1_000, maxOutputBytes: 1024 * 1024 })],
 * })
 * ```
 */
export function limitPayload(options: LimitPayloadOptions = {}): Middleware {
  if (typeof options !== 'object' || options === null) throw new TypeError('limitPayload: options must be an object')
  for (const option of Object.keys(options)) {
    if (!KNOWN.has(option)) throw new TypeError(`limitPayload: unknown option "${option}"`)
  }
  const maxArgumentBytes = capOf(options, 'maxArgumentBytes', 1_048_576)
  const maxDepth = capOf(options, 'maxDepth', 32, 1000)
  const maxArrayLength = capOf(options, 'maxArrayLength', 10_000)
  const maxOutputBytes = capOf(options, 'maxOutputBytes', 4_194_304)
  const argumentCaps: SizeCaps = { maxBytes: maxArgumentBytes, maxDepth, maxItems: maxArrayLength }
  const outputCaps: SizeCaps = { maxBytes: maxOutputBytes, maxDepth: OUTPUT_DEPTH, maxItems: Number.POSITIVE_INFINITY }

  const deny = (ctx: GuardContext, code: LimitErrorCode, message: string, limit: number, status: number): never => {
    publishSecurityEvent({
      type: 'payload.rejected',
      code,
      correlationId: ctx.correlationId,
      ...(ctx.principal === undefined ? {} : { principalId: ctx.principal.id }),
      kind: ctx.kind,
      name: ctx.name,
      detail: { limit },
    })
    throw new LimitError(code, message, { status, details: { limit } })
  }

  const limitPayloadMiddleware = async function limitPayload(
    ctx: GuardContext,
    next: () => Promise<PrimitiveResult>,
  ): Promise<PrimitiveResult> {
    switch (measureJson(ctx.arguments, argumentCaps)) {
      case 'bytes':
        return deny(ctx, LIMIT_ERROR_CODES.ERR_PAYLOAD_TOO_LARGE, 'Arguments too large', maxArgumentBytes, 413)
      case 'depth':
        return deny(ctx, LIMIT_ERROR_CODES.ERR_PAYLOAD_TOO_DEEP, 'Arguments nested too deeply', maxDepth, 413)
      case 'items':
        return deny(
          ctx,
          LIMIT_ERROR_CODES.ERR_PAYLOAD_TOO_MANY_ITEMS,
          'Too many items in arguments',
          maxArrayLength,
          413,
        )
      case 'ok':
        break
    }
    const result = await next()
    if (maxOutputBytes !== Number.POSITIVE_INFINITY && measureJson(result, outputCaps) !== 'ok') {
      return deny(ctx, LIMIT_ERROR_CODES.ERR_OUTPUT_TOO_LARGE, 'Result too large', maxOutputBytes, 500)
    }
    return result
  }
  return Object.assign(limitPayloadMiddleware, {
    describe: Object.freeze({
      name: 'limitPayload',
      maxArgumentBytes: jsonCap(maxArgumentBytes),
      maxDepth,
      maxArrayLength: jsonCap(maxArrayLength),
      maxOutputBytes: jsonCap(maxOutputBytes),
    }),
  })
}

/** `Infinity` has no JSON form: reported as `null` (no cap). */
const jsonCap = (cap: number): number | null => (cap === Number.POSITIVE_INFINITY ? null : cap)
