import { WardenError, type WardenErrorOptions } from '@mcp-warden/core'

/** Error codes of the rate limits and payload caps of `@mcp-warden/policy`. */
export const LIMIT_ERROR_CODES = {
  /** Too many calls for the key within the window (status 429, details: `retryAfterMs`, `limit`, `windowMs`, `name`). */
  ERR_RATE_LIMITED: 'ERR_RATE_LIMITED',
  /** The rate-limit key function threw or returned something other than a non-empty string (status 500). */
  ERR_RATE_LIMIT_KEY_INVALID: 'ERR_RATE_LIMIT_KEY_INVALID',
  /** The arguments exceed `maxArgumentBytes` (status 413, details: `limit`). */
  ERR_PAYLOAD_TOO_LARGE: 'ERR_PAYLOAD_TOO_LARGE',
  /** The arguments nest deeper than `maxDepth` (status 413, details: `limit`). */
  ERR_PAYLOAD_TOO_DEEP: 'ERR_PAYLOAD_TOO_DEEP',
  /** An array (or object) in the arguments has more than `maxArrayLength` items (status 413, details: `limit`). */
  ERR_PAYLOAD_TOO_MANY_ITEMS: 'ERR_PAYLOAD_TOO_MANY_ITEMS',
  /** The handler's result exceeds `maxOutputBytes`; it is withheld (status 502, details: `limit`). */
  ERR_OUTPUT_TOO_LARGE: 'ERR_OUTPUT_TOO_LARGE',
} as const

export type LimitErrorCode = (typeof LIMIT_ERROR_CODES)[keyof typeof LIMIT_ERROR_CODES]

/**
 * A denial by `rateLimit` or `limitPayload`. Narrow with `switch (err.code)` over
 * `LIMIT_ERROR_CODES`; identify it with `WardenError.isInstance(err)`.
 */
export class LimitError extends WardenError {
  declare readonly code: LimitErrorCode
  constructor(code: LimitErrorCode, message: string, options: WardenErrorOptions = {}) {
    super(code, message, options)
    this.name = 'LimitError'
  }
}
