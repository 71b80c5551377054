import { createHash, createHmac } from 'node:crypto'
import { canonicalJson } from '@mcp-warden/core'

/** `prev` of the first event of a chain. */
export const GENESIS = '0'.repeat(64)

/** The hash of an event: hex SHA-256 (HMAC-SHA-256 with `key`) of `prev`, a newline, and its canonical JSON without `hash`. */
export function chainHash(event: Readonly<Record<string, unknown>>, key: string | Uint8Array | undefined): string {
  const { hash: _hash, ...rest } = event
  const prev = typeof rest.prev === 'string' ? rest.prev : ''
  const h = key === undefined ? createHash('sha256') : createHmac('sha256', key)
  return h.update(prev, 'utf8').update('\n').update(canonicalJson(rest), 'utf8').digest('hex')
}
