import { WardenError, type WardenErrorOptions } from './errors.js'

/** Error codes of handle verification (`createHandleCodec`). Narrow with `switch (err.code)`. */
export const HANDLE_ERROR_CODES = {
  /** Not a handle of this format: wrong type, empty, too long, bad characters, wrong shape. */
  ERR_HANDLE_MALFORMED: 'ERR_HANDLE_MALFORMED',
  /** Signed with a key id the keyring does not (or no longer) hold. */
  ERR_HANDLE_UNKNOWN_KEY: 'ERR_HANDLE_UNKNOWN_KEY',
  /** The MAC does not match: the handle was altered, truncated or forged. */
  ERR_HANDLE_BAD_SIGNATURE: 'ERR_HANDLE_BAD_SIGNATURE',
  /** Past its expiry (plus the clock tolerance). */
  ERR_HANDLE_EXPIRED: 'ERR_HANDLE_EXPIRED',
  /** Minted for another principal. */
  ERR_HANDLE_WRONG_PRINCIPAL: 'ERR_HANDLE_WRONG_PRINCIPAL',
  /** Minted for another purpose. */
  ERR_HANDLE_WRONG_PURPOSE: 'ERR_HANDLE_WRONG_PURPOSE',
} as const

export type HandleErrorCode = (typeof HANDLE_ERROR_CODES)[keyof typeof HANDLE_ERROR_CODES]

/**
 * A state handle was refused by `HandleCodec.verify`. Status 403; messages are generic and safe to
 * show (they never carry the handle, the principal or a key).
 */
export class HandleError extends WardenError {
  declare readonly code: HandleErrorCode
  constructor(code: HandleErrorCode, message: string, options: Omit<WardenErrorOptions, 'status'> = {}) {
    super(code, message, { ...options, status: 403 })
    this.name = 'HandleError'
  }
}
