import { randomUUID } from 'node:crypto'

const TRACEPARENT = /^[\da-f]{2}-([\da-f]{32})-[\da-f]{16}-[\da-f]{2}$/

/**
 * The correlation id of a call: the trace id of a valid W3C `traceparent` in `_meta`, so logs join
 * the client's trace, otherwise a random UUID.
 *
 * @see https://www.w3.org/TR/trace-context/#traceparent-header
 */
export function correlationIdFrom(meta: Readonly<Record<string, unknown>> | undefined): string {
  const traceparent = meta?.traceparent
  if (typeof traceparent === 'string' && traceparent.length === 55) {
    const match = TRACEPARENT.exec(traceparent)
    const traceId = match?.[1]
    if (traceId !== undefined && traceId !== '00000000000000000000000000000000') return traceId
  }
  return randomUUID()
}
