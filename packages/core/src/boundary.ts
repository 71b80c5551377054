import { WardenError } from './errors.js'
import type { PrimitiveResult } from './types.js'

/** Key under which a denial's code and details travel in a result's or error's `_meta`/`data`. */
export const ERROR_META_KEY = 'mcp-warden/error'

/**
 * JSON-RPC error code of a denial of `resources/read` or `prompts/get`, which have no error
 * result of their own. In the implementation-defined server error range (-32000 to -32099).
 */
export const DENIED_JSONRPC_CODE = -32003

/** What the client learns of a denial: the safe message, the code and client-safe details. */
export interface DenialPayload {
  readonly code: string
  readonly message: string
  readonly details: Readonly<Record<string, unknown>>
}

/** The client-safe view of a `WardenError`. Never includes `cause` or a stack. */
export function denialPayload(error: WardenError): DenialPayload {
  return { code: error.code, message: error.publicMessage, details: error.details }
}

/**
 * Turns a denial into a tool error result: `isError: true`, the safe message as text, and the code
 * in `_meta["mcp-warden/error"]` so a client (or a test) can branch on it.
 */
export function toToolErrorResult(error: WardenError): PrimitiveResult {
  const payload = denialPayload(error)
  return {
    content: [{ type: 'text', text: `${payload.message} (${payload.code})` }],
    isError: true,
    _meta: { [ERROR_META_KEY]: { code: payload.code, ...payload.details } },
  }
}

/** The JSON-RPC error (code, message, data) for a denial answered as a protocol error. */
export function toJsonRpcError(error: WardenError): { code: number; message: string; data: Record<string, unknown> } {
  const payload = denialPayload(error)
  return {
    code: DENIED_JSONRPC_CODE,
    message: `${payload.message} (${payload.code})`,
    data: { [ERROR_META_KEY]: { code: payload.code, ...payload.details } },
  }
}

/** Reads the denial code from a tool result or JSON-RPC error data, if mcp-warden produced it. */
export function denialCodeOf(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined
  const record = value as Record<string, unknown>
  const holder = (record._meta ?? record.data ?? record) as Record<string, unknown> | undefined
  const entry = holder?.[ERROR_META_KEY]
  if (typeof entry === 'object' && entry !== null && typeof (entry as { code?: unknown }).code === 'string') {
    return (entry as { code: string }).code
  }
  return undefined
}

/** Re-exported for adapters: whether a thrown value is a denial to convert. */
export const isWardenError = WardenError.isInstance
