/**
 * Errors of the pipeline. Every denial is a `WardenError` with a stable `code`; callers narrow with
 * `switch (err.code)`. Identity across ESM and CJS copies of this package goes through the branded
 * `WardenError.isInstance()`, never `instanceof`.
 */

const BRAND = Symbol.for('mcp-warden.error')

/** Error codes defined by `@mcp-warden/core`. Other packages add theirs under their own area. */
export const CORE_ERROR_CODES = {
  /** A denial without a more specific reason. */
  ERR_CORE_DENIED: 'ERR_CORE_DENIED',
  /** A middleware called `next()` twice. */
  ERR_CORE_NEXT_CALLED_TWICE: 'ERR_CORE_NEXT_CALLED_TWICE',
  /** A call reached a primitive whose handler the pipeline does not guard (fail closed). */
  ERR_CORE_UNGUARDED: 'ERR_CORE_UNGUARDED',
  /**
   * A call to a primitive hidden from this caller; the client is answered exactly as for an
   * unknown one, and audit sees this code.
   */
  ERR_CORE_HIDDEN: 'ERR_CORE_HIDDEN',
  /** A guard demanded approval and no approval gate granted it (fail closed). */
  ERR_CORE_APPROVAL_REQUIRED: 'ERR_CORE_APPROVAL_REQUIRED',
  /**
   * An outbound filter (`Middleware.outbound`) failed on something the server was about to send
   * (a thrown error's text, a notification, a request, a completion): it is withheld (fail closed).
   */
  ERR_CORE_OUTBOUND_FAILED: 'ERR_CORE_OUTBOUND_FAILED',
  /** The state store could not be reached or answered wrongly (fail closed). */
  ERR_STORE_UNAVAILABLE: 'ERR_STORE_UNAVAILABLE',
  /** A value could not be written to the store. */
  ERR_STORE_INVALID_VALUE: 'ERR_STORE_INVALID_VALUE',
  /**
   * A bounded store is full of live entries and refused to create another rather than forget one
   * (fail closed: forgetting a taint, a counter or a used nonce could allow a call).
   */
  ERR_STORE_FULL: 'ERR_STORE_FULL',
} as const

export type CoreErrorCode = (typeof CORE_ERROR_CODES)[keyof typeof CORE_ERROR_CODES]

/** Options common to every `WardenError`. */
export interface WardenErrorOptions {
  /**
   * Whether `message` may be shown to the client. When `false`, the client sees only a generic
   * message and the code. Default `true`: denial messages are written to be safe to show.
   */
  readonly expose?: boolean
  /** Structured, client-safe details (scopes missing, retry delay, ...), sent in `_meta`. */
  readonly details?: Readonly<Record<string, unknown>>
  /** The underlying failure. Kept server-side: never serialized to the client. */
  readonly cause?: unknown
  /** Suggested HTTP status where the denial happens before dispatch. Default 403. */
  readonly status?: number
}

/**
 * Base class of every denial. Subclass it per area (`AuthError`, `PolicyError`, ...) and give
 * each reason its own code, `ERR_<AREA>_<REASON>`.
 *
 * @example
 * ```ts
 * throw new WardenError('ERR_POLICY_DENIED', 'Tool disabled on weekends', { details: { rule: 'weekdays' } })
 * ```
 */
export class WardenError extends Error {
  /** Stable, machine-readable code: `ERR_<AREA>_<REASON>`. */
  readonly code: string
  /** Whether `message` may reach the client. */
  readonly expose: boolean
  /** Client-safe structured details. */
  readonly details: Readonly<Record<string, unknown>>
  /** Suggested HTTP status where the denial is answered over HTTP before dispatch. */
  readonly status: number

  constructor(code: string, message: string, options: WardenErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'WardenError'
    this.code = code
    this.expose = options.expose ?? true
    this.details = Object.freeze({ ...(options.details ?? {}) })
    this.status = options.status ?? 403
    Object.defineProperty(this, BRAND, { value: true, enumerable: false })
  }

  /**
   * Whether `value` is a `WardenError` from any copy of this package (ESM or CJS, any version
   * that shares the brand). Prefer this to `instanceof`.
   */
  static isInstance(value: unknown): value is WardenError {
    return (
      typeof value === 'object' &&
      value !== null &&
      (value as Record<symbol, unknown>)[BRAND] === true &&
      typeof (value as { code?: unknown }).code === 'string'
    )
  }

  /** The message the client may see. */
  get publicMessage(): string {
    return this.expose ? this.message : 'Request denied'
  }
}

/** The state store failed; requests that need it are denied (fail closed). */
export class StoreUnavailableError extends WardenError {
  constructor(message: string, options: Omit<WardenErrorOptions, 'status' | 'expose'> = {}) {
    super(CORE_ERROR_CODES.ERR_STORE_UNAVAILABLE, message, { ...options, status: 503, expose: false })
    this.name = 'StoreUnavailableError'
  }
}

/** Thrown when a middleware calls `next()` more than once: a programming error, never a denial. */
export class PipelineError extends WardenError {
  constructor(code: CoreErrorCode, message: string) {
    super(code, message, { expose: false, status: 500 })
    this.name = 'PipelineError'
  }
}
