import { WardenError } from '@mcp-warden/core'
import type { AuditDecision } from '../types.js'

/** `error.type` fallback when nothing better describes a failure (semantic conventions). */
const OTHER = '_OTHER'

/** `approval-required` for codes that ask for an approval (`…_APPROVAL_REQUIRED`), `deny` otherwise. */
export function decisionOf(code: string): AuditDecision {
  return code.endsWith('APPROVAL_REQUIRED') ? 'approval-required' : 'deny'
}

/** The `error.type` of a thrown value: the denial code, the error's class, or `_OTHER`. */
export function errorTypeOf(err: unknown): string {
  if (WardenError.isInstance(err)) return err.code
  if (err instanceof Error) {
    if (err.name !== '' && err.name !== 'Error') return err.name
    return err.constructor.name || 'Error'
  }
  return OTHER
}
