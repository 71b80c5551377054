/**
 * The per-call outbound channel of the pipeline: what reaches the client other than the result (a
 * thrown error's text, notifications and requests the handler sends, completions) goes through the
 * `outbound` filters of the item's chain. SDK-neutral: the adapters only say how to wrap their
 * per-call context's send functions (`SdkBinding.wrapOutbound`).
 */
import { CORE_ERROR_CODES, WardenError } from '../errors.js'
import type { GuardContext, OutboundFilter, OutboundMessage, PrimitiveKind } from '../types.js'

type Loose = Record<string, unknown>

/** Runs the filters of a call over one message; what it resolves to is what may be sent. */
export type OutboundSend = (message: OutboundMessage) => Promise<OutboundMessage>

/** The `outbound` filters of a chain, outermost first. */
export function outboundFiltersOf(middlewares: readonly unknown[]): readonly OutboundFilter[] {
  const filters: OutboundFilter[] = []
  for (const middleware of middlewares) {
    const filter = (middleware as { outbound?: unknown }).outbound
    if (typeof filter === 'function') filters.push(filter as OutboundFilter)
  }
  return filters
}

/**
 * Runs `filters` in order over `message`. The method and kind are kept whatever a filter returns;
 * a filter that fails with anything but a `WardenError` withholds the message (fail closed).
 */
export async function runOutbound(
  filters: readonly OutboundFilter[],
  message: OutboundMessage,
  ctx: GuardContext,
): Promise<OutboundMessage> {
  let current = message
  for (const filter of filters) {
    let next: OutboundMessage
    try {
      next = await filter(current, ctx)
    } catch (err) {
      if (WardenError.isInstance(err)) throw err
      throw new WardenError(
        CORE_ERROR_CODES.ERR_CORE_OUTBOUND_FAILED,
        `An output filter failed on ${message.kind === 'error' ? 'an error' : message.method}; it was withheld`,
        { cause: err, status: 500, expose: false },
      )
    }
    const params = (next as { params?: unknown } | undefined)?.params
    current = {
      kind: message.kind,
      method: message.method,
      params: typeof params === 'object' && params !== null ? (params as Loose) : {},
    }
  }
  return current
}

/**
 * A JSON copy of `value` as a transport would serialize it (`toJSON`, boxed strings, own
 * enumerable properties only), or `undefined` when it cannot be serialized. Only on the error path.
 */
export function jsonCopy(value: unknown): unknown {
  try {
    const text = JSON.stringify(value)
    return text === undefined ? undefined : (JSON.parse(text) as unknown)
  } catch {
    return undefined
  }
}

/**
 * Sends a JSON-RPC notification or request (`{ method, params }`) through `send` and returns the
 * message to pass on: the same method, the filtered params. Rejects on a malformed message.
 */
export async function outboundMessage<T>(send: OutboundSend, kind: 'notification' | 'request', message: T): Promise<T> {
  const raw = message as { method?: unknown; params?: unknown } | undefined
  if (typeof raw !== 'object' || raw === null || typeof raw.method !== 'string') {
    throw new TypeError(`Expected a JSON-RPC ${kind} ({ method, params })`)
  }
  const params = raw.params
  if (params !== undefined && (typeof params !== 'object' || params === null)) {
    throw new TypeError(`Expected the params of ${raw.method} to be an object`)
  }
  const cleaned = await send({ kind, method: raw.method, params: (params ?? {}) as Loose })
  return (
    params === undefined && Object.keys(cleaned.params).length === 0 ? message : { ...raw, params: cleaned.params }
  ) as T
}

const INTERNAL_ERROR = 'Internal error'

/**
 * The text a client reads of a thrown value, as both SDK majors word it: for a tool, the message
 * of an `Error` or the value as a string (a tool error result); for a resource or a prompt, the
 * `message` of the JSON-RPC error (`Internal error` when there is no string message).
 */
export function thrownMessage(err: unknown, kind: PrimitiveKind): string {
  if (err instanceof Error && typeof err.message === 'string') return err.message
  if (kind === 'tool') {
    try {
      return String(err)
    } catch {
      return INTERNAL_ERROR
    }
  }
  const message = typeof err === 'object' && err !== null ? (err as Loose).message : undefined
  return typeof message === 'string' ? message : INTERNAL_ERROR
}

/** What the client may read of a thrown value, for the filters: `{ message, data? }`, plain JSON. */
export function thrownView(err: unknown, kind: PrimitiveKind, method: string): OutboundMessage {
  const message = thrownMessage(err, kind)
  let data: unknown
  if (typeof err === 'object' && err !== null) {
    let raw: unknown
    try {
      raw = (err as Loose).data
    } catch {
      raw = undefined
    }
    if (raw !== undefined) data = jsonCopy(raw)
  }
  return { kind: 'error', method, params: data === undefined ? { message } : { message, data } }
}

/**
 * A copy of a thrown value carrying only the filtered text: same prototype (so the SDK still
 * recognizes its own error classes and codes), the filtered `message` and `data`, the numeric or
 * string `code`, and the original as `cause` (kept server-side: neither SDK serializes it).
 */
export function cleanedThrown(err: unknown, view: OutboundMessage): Error {
  const rawMessage = view.params.message
  const message = typeof rawMessage === 'string' ? rawMessage : INTERNAL_ERROR
  const proto = err instanceof Error ? (Object.getPrototypeOf(err) as object) : Error.prototype
  const copy = Object.create(proto) as Error
  const hidden = (key: string, value: unknown) =>
    Object.defineProperty(copy, key, { value, writable: true, configurable: true, enumerable: false })
  hidden('message', message)
  let name = 'Error'
  let code: unknown
  if (typeof err === 'object' && err !== null) {
    try {
      const own = (err as Loose).name
      if (typeof own === 'string') name = own
      code = (err as Loose).code
    } catch {
      code = undefined
    }
  }
  hidden('name', name)
  if (typeof code === 'number' || typeof code === 'string') hidden('code', code)
  if (Object.hasOwn(view.params, 'data') && view.params.data !== undefined) hidden('data', view.params.data)
  // The stack's first lines repeat the message: keep only the frames.
  hidden('stack', `${name}: ${message}${framesOf(err)}`)
  hidden('cause', err)
  return copy
}

/** The stack frames of `err`, without the header that repeats its message. */
function framesOf(err: unknown): string {
  try {
    if (!(err instanceof Error) || typeof err.stack !== 'string') return ''
    const header = `${err.name}: ${err.message}`
    const from = err.stack.startsWith(header) ? header.length : 0
    const at = err.stack.indexOf('\n    at ', from)
    return at === -1 ? '' : err.stack.slice(at)
  } catch {
    return ''
  }
}
