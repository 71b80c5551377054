import { WardenError, type WardenErrorOptions } from '@mcp-warden/core'

/** Error codes of the content protections of `@mcp-warden/policy`. */
export const CONTENT_ERROR_CODES = {
  /** An argument holds content of a category in `refuse` mode (details: `category`, `detector`, `path`). */
  ERR_CONTENT_REFUSED_INPUT: 'ERR_CONTENT_REFUSED_INPUT',
  /** A result holds content of a category in `refuse` mode (details: `category`, `detector`, `path`). */
  ERR_CONTENT_REFUSED_OUTPUT: 'ERR_CONTENT_REFUSED_OUTPUT',
  /** Arguments or a result too deep or with too many strings to scan (fail closed). */
  ERR_CONTENT_TOO_COMPLEX: 'ERR_CONTENT_TOO_COMPLEX',
  /** A tool, prompt or resource-template definition differs from `mcp-warden.lock.json`. */
  ERR_CONTENT_LOCK_MISMATCH: 'ERR_CONTENT_LOCK_MISMATCH',
  /** A definition is not in the lockfile at all. */
  ERR_CONTENT_LOCK_MISSING: 'ERR_CONTENT_LOCK_MISSING',
  /** A definition holds hidden instructions or invisible characters (tool poisoning). */
  ERR_CONTENT_POISONED_DEFINITION: 'ERR_CONTENT_POISONED_DEFINITION',
  /** A name duplicates or shadows another by case, separator or look-alike characters. */
  ERR_CONTENT_SHADOWED_NAME: 'ERR_CONTENT_SHADOWED_NAME',
} as const

export type ContentErrorCode = (typeof CONTENT_ERROR_CODES)[keyof typeof CONTENT_ERROR_CODES]

/**
 * A denial by the content protections (`sanitizeInput`, `sanitizeOutput`, `lockTools`). Status 400
 * for refused input, 502 for refused output, 500 for definition integrity failures. Messages name
 * the category, detector and position, never the offending text.
 */
export class ContentError extends WardenError {
  declare readonly code: ContentErrorCode
  constructor(code: ContentErrorCode, message: string, options: WardenErrorOptions = {}) {
    super(code, message, { status: statusOf(code), ...options })
    this.name = 'ContentError'
  }
}

function statusOf(code: ContentErrorCode): number {
  switch (code) {
    case CONTENT_ERROR_CODES.ERR_CONTENT_REFUSED_INPUT:
    case CONTENT_ERROR_CODES.ERR_CONTENT_TOO_COMPLEX:
      return 400
    case CONTENT_ERROR_CODES.ERR_CONTENT_REFUSED_OUTPUT:
      return 502
    default:
      return 500
  }
}
