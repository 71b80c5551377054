import { randomBytes } from 'node:crypto'
import type { JsonValue, Principal } from '@mcp-warden/core'

/** Store key of a session binding, followed by the session id. */
export const SESSION_KEY = 'session:s:'
/** Store key of a principal's "revoked before" mark, followed by the principal id. */
export const REVOKED_KEY = 'session:r:'
/** Store key of a principal's session list `[[id, created at], ...]`, followed by the principal id. */
export const PRINCIPAL_KEY = 'session:p:'
/** 32 CSPRNG bytes in base64url: 256 bits, 43 visible ASCII characters. */
export const SESSION_ID = /^[A-Za-z0-9_-]{43}$/

/**
 * A stored binding, compact because a memory store may hold 100k of them:
 * [principal id, client id, created at, last used at, initialize params (shared stores only)].
 */
export type StoredSession = readonly [string, string | null, number, number, JsonValue?]

export const newSessionId = (): string => randomBytes(32).toString('base64url')

export function newSessionRecord(principal: Principal, time: number, init?: JsonValue): JsonValue {
  const record: StoredSession =
    init === undefined
      ? [principal.id, principal.clientId ?? null, time, time]
      : [principal.id, principal.clientId ?? null, time, time, init]
  return record as unknown as JsonValue
}

/** Reads a binding back; anything else (a foreign or corrupted value) counts as absent. */
export function parseStored(value: JsonValue | undefined): StoredSession | undefined {
  if (!Array.isArray(value) || value.length < 4) return undefined
  const [principalId, clientId, createdAt, lastUsedAt] = value
  if (
    typeof principalId !== 'string' ||
    (clientId !== null && typeof clientId !== 'string') ||
    typeof createdAt !== 'number' ||
    typeof lastUsedAt !== 'number'
  ) {
    return undefined
  }
  return value as unknown as StoredSession
}
