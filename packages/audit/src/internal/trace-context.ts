import {
  type Context,
  context,
  createTraceState,
  isSpanContextValid,
  type Link,
  propagation,
  type SpanContext,
  type TextMapGetter,
  trace,
} from '@opentelemetry/api'

type Carrier = Readonly<Record<string, unknown>>

const getter: TextMapGetter<Carrier> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => {
    const value = carrier[key]
    return typeof value === 'string' ? value : undefined
  },
}

const TRACEPARENT = /^([\da-f]{2})-([\da-f]{32})-([\da-f]{16})-([\da-f]{2})$/

/**
 * The W3C trace context carried in `params._meta` (`traceparent`, `tracestate`), parsed directly.
 * Used when no global propagator is registered, so a client's trace still continues into the
 * server.
 *
 * @see https://www.w3.org/TR/trace-context/#traceparent-header
 */
export function spanContextFromMeta(meta: Carrier): SpanContext | undefined {
  const traceparent = meta.traceparent
  if (typeof traceparent !== 'string' || traceparent.length !== 55) return undefined
  const match = TRACEPARENT.exec(traceparent)
  if (match === null || match[1] === 'ff') return undefined
  const spanContext: SpanContext = {
    traceId: match[2] as string,
    spanId: match[3] as string,
    traceFlags: Number.parseInt(match[4] as string, 16) & 1,
    isRemote: true,
  }
  const tracestate = meta.tracestate
  if (typeof tracestate === 'string' && tracestate.length <= 512) {
    spanContext.traceState = createTraceState(tracestate)
  }
  return isSpanContextValid(spanContext) ? spanContext : undefined
}

/**
 * The parent of a call's span: the trace context in `params._meta` when present (through the
 * global propagator, which also reads `baggage`; or parsed directly when no propagator is
 * registered), otherwise the ambient context (an HTTP server span, for instance). When the parent
 * comes from `_meta`, the ambient span, if any, is returned as a link, as the MCP conventions ask.
 */
export function parentOf(meta: Carrier | undefined): { parent: Context; links: Link[] | undefined } {
  const ambient = context.active()
  if (meta === undefined || (typeof meta.traceparent !== 'string' && typeof meta.baggage !== 'string')) {
    return { parent: ambient, links: undefined }
  }
  // The extracted context keeps the ambient one's entries (and gains `baggage` when propagated).
  let parent = propagation.extract(ambient, meta, getter)
  const extracted = trace.getSpanContext(parent)
  const ambientSpan = trace.getSpanContext(ambient)
  if (extracted === undefined || extracted === ambientSpan) {
    const parsed = spanContextFromMeta(meta)
    if (parsed === undefined) return { parent, links: undefined }
    parent = trace.setSpanContext(parent, parsed)
  }
  const links = ambientSpan !== undefined && isSpanContextValid(ambientSpan) ? [{ context: ambientSpan }] : undefined
  return { parent, links }
}
