import {
  canonicalJson,
  denialCodeOf,
  type GuardContext,
  type Middleware,
  type PrimitiveKind,
  type PrimitiveResult,
  redact,
  WardenError,
} from '@mcp-warden/core'
import {
  type Attributes,
  context,
  type Histogram,
  type MeterProvider,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  type TracerProvider,
  trace,
} from '@opentelemetry/api'
import { createIdentityMapper, type IdentityMode } from './internal/identity.js'
import { createInstrumentSource, createTracerSource } from './internal/otel-state.js'
import { decisionOf, errorTypeOf } from './internal/outcome.js'
import { parentOf } from './internal/trace-context.js'
import { INSTRUMENTATION_NAME, INSTRUMENTATION_VERSION } from './internal/version.js'
import {
  ATTR_ERROR_TYPE,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROMPT_NAME,
  ATTR_GEN_AI_TOOL_CALL_ARGUMENTS,
  ATTR_GEN_AI_TOOL_CALL_RESULT,
  ATTR_GEN_AI_TOOL_NAME,
  ATTR_JSONRPC_REQUEST_ID,
  ATTR_MCP_METHOD_NAME,
  ATTR_MCP_PROTOCOL_VERSION,
  ATTR_MCP_RESOURCE_URI,
  ATTR_MCP_SESSION_ID,
  ATTR_WARDEN_ARGUMENTS,
  ATTR_WARDEN_CLIENT_ID,
  ATTR_WARDEN_CORRELATION_ID,
  ATTR_WARDEN_DECISION,
  ATTR_WARDEN_ERROR_CODE,
  ATTR_WARDEN_GUARD,
  ATTR_WARDEN_PRIMITIVE_NAME,
  ATTR_WARDEN_PRINCIPAL_SUBJECT,
  ATTR_WARDEN_RESULT,
  ATTR_WARDEN_RULE,
  ERROR_TYPE_OTHER,
  ERROR_TYPE_TOOL_ERROR,
  GEN_AI_OPERATION_EXECUTE_TOOL,
  METRIC_MCP_SERVER_OPERATION_DURATION,
  OPERATION_DURATION_BUCKETS_SEC,
} from './semconv.js'

/** Options of {@link auditSpans}. */
export interface AuditSpansOptions {
  /**
   * Tracer provider to use. Default: the global one (`trace.getTracerProvider()`), looked up on
   * every call so an SDK registered after start-up is picked up. While the global provider is the
   * API's no-op, the middleware does nothing but call `next()`.
   */
  readonly tracerProvider?: TracerProvider
  /**
   * Meter provider for the `mcp.server.operation.duration` histogram. Default: the global one
   * (`metrics.getMeterProvider()`), looked up on every call.
   */
  readonly meterProvider?: MeterProvider
  /**
   * How the principal's subject and the OAuth client id are written (`mcp_warden.principal.subject`,
   * `mcp_warden.client.id`): `'hashed'` (first 32 hex digits of SHA-256, or of HMAC-SHA-256 with
   * `identityHashKey`), `'plain'`, or `'omit'`. Default `'hashed'`.
   */
  readonly identity?: IdentityMode
  /**
   * Key of the HMAC used when `identity` is `'hashed'`, so hashes cannot be reversed by hashing
   * guessed identities. Default: none (plain SHA-256).
   */
  readonly identityHashKey?: string | Uint8Array
  /**
   * Records the call's arguments (`gen_ai.tool.call.arguments` on tools, `mcp_warden.arguments`
   * otherwise) as canonical JSON, after `redact`. Opt-in: the conventions mark it sensitive.
   * Default `false`. Values pass through `redact` first.
   */
  readonly recordArguments?: boolean
  /**
   * Records successful results (`gen_ai.tool.call.result` on tools, `mcp_warden.result` otherwise)
   * as JSON, after `redact`. Default `false`. Values pass through `redact` first.
   */
  readonly recordResults?: boolean
  /**
   * Redaction applied to recorded arguments and results, and to the message and stack of
   * exceptions recorded on the span, before they are set. Default, when `recordArguments` or
   * `recordResults` is on: `redact` of `@mcp-warden/core` (secrets and PII, stable placeholders).
   * When it throws, the value is replaced by `"[redaction failed]"`. Without recording and without
   * a function, exceptions are recorded by class name only.
   */
  readonly redact?: (text: string) => string
  /**
   * Maximum length of a recorded argument or result string, in UTF-16 code units, applied after
   * redaction (longer values are cut and end with `…`). Default 8192.
   */
  readonly maxRecordedLength?: number
}

const KNOWN = new Set([
  'tracerProvider',
  'meterProvider',
  'identity',
  'identityHashKey',
  'recordArguments',
  'recordResults',
  'redact',
  'maxRecordedLength',
])

const METHOD: Readonly<Record<PrimitiveKind, string>> = {
  tool: 'tools/call',
  resource: 'resources/read',
  prompt: 'prompts/get',
}

/**
 * One OpenTelemetry SERVER span per `tools/call`, `resources/read` and `prompts/get`, following the
 * MCP semantic conventions, and the `mcp.server.operation.duration` histogram (seconds).
 *
 * Span name `{mcp.method.name} {target}`: the tool or prompt name; resource reads are named
 * `resources/read` alone (the conventions keep URIs out of span names; the URI is in
 * `mcp.resource.uri`). Attributes: `mcp.method.name`, `gen_ai.tool.name` / `gen_ai.prompt.name` /
 * `mcp.resource.uri`, `gen_ai.operation.name=execute_tool` on tools, `jsonrpc.request.id`,
 * `mcp.session.id`, `mcp.protocol.version`, and, when the call fails, `error.type` (`tool_error`
 * for a result with `isError`, the `WardenError` code for a denial, the error's class otherwise)
 * with status ERROR. mcp-warden's own attributes: `mcp_warden.decision` (`allow`, `deny`,
 * `approval-required` for codes ending in `APPROVAL_REQUIRED`), `mcp_warden.error.code`,
 * `mcp_warden.guard` and `mcp_warden.rule` (from the error's class and `details.guard` /
 * `details.rule`), `mcp_warden.principal.subject` and `mcp_warden.client.id` (hashed by default),
 * `mcp_warden.correlation.id`.
 *
 * The parent is the trace context in `params._meta` (`traceparent`, `tracestate`, `baggage`), so a
 * client's trace continues into the server; the ambient span (an HTTP server span) is then linked.
 * The handler runs with the span active, so downstream calls it makes join the trace.
 *
 * Put it first in `use`: it sees denials of the guards after it (as thrown `WardenError`s), not
 * of guards before it. List requests do not go through middleware and get no span.
 *
 * When no OpenTelemetry SDK is registered (the global providers are the API's no-ops) and no
 * provider is passed, a call costs two global lookups and nothing is allocated.
 *
 * @throws TypeError at creation on an unknown or ill-typed option, or when `recordArguments` or
 * `recordResults` is on without `redact`.
 * @see https://github.com/open-telemetry/semantic-conventions-genai/blob/main/docs/gen-ai/mcp.md
 * @example
 * ```ts
 * const server = secure(new McpServer({ name: 'tickets', version: '1.0.0' }), {
 *   use: [auditSpans({ identity: 'hashed' }), rateLimit({ limit: 60, windowMs: 60_000 })],
 * })
 * ```
 */
export function auditSpans(options: AuditSpansOptions = {}): Middleware {
  const opts = checkOptions(options)
  const currentTracer = createTracerSource(opts.tracerProvider, INSTRUMENTATION_NAME, INSTRUMENTATION_VERSION)
  const currentHistogram = createInstrumentSource(
    opts.meterProvider,
    INSTRUMENTATION_NAME,
    INSTRUMENTATION_VERSION,
    (meter): Histogram =>
      meter.createHistogram(METRIC_MCP_SERVER_OPERATION_DURATION, {
        unit: 's',
        description:
          'MCP request duration as observed on the receiver from the time it was received until the result is sent.',
        advice: { explicitBucketBoundaries: [...OPERATION_DURATION_BUCKETS_SEC] },
      }),
  )
  const identity = createIdentityMapper(opts.identity, opts.identityHashKey)

  /**
   * Redacts every string (keys included) of `value`, then serializes and truncates it. Redacting
   * before serializing matters: JSON escapes (`\n`, `\"`) glued to a secret would hide it from
   * detectors that look for a token boundary.
   */
  const record = (value: unknown): string => {
    const redactor = opts.redact as (text: string) => string
    let cleaned: unknown
    try {
      cleaned = mapStrings(value, redactor, 0)
    } catch (err) {
      return err instanceof RangeError ? '[unserializable]' : '[redaction failed]'
    }
    const out = serialize(cleaned)
    return out.length > opts.maxRecordedLength ? `${out.slice(0, opts.maxRecordedLength - 1)}…` : out
  }

  const traced = async (
    ctx: GuardContext,
    next: () => Promise<PrimitiveResult>,
    tracer: Tracer | undefined,
    histogram: Histogram | undefined,
  ): Promise<PrimitiveResult> => {
    const started = histogram === undefined ? 0 : performance.now()
    const method = METHOD[ctx.kind]
    let span: Span | undefined
    let errorType: string | undefined
    try {
      let result: PrimitiveResult
      if (tracer === undefined) {
        result = await next()
      } else {
        const { parent, links } = parentOf(ctx.meta)
        const attributes = startAttributes(ctx, method, identity)
        if (opts.recordArguments) {
          attributes[ctx.kind === 'tool' ? ATTR_GEN_AI_TOOL_CALL_ARGUMENTS : ATTR_WARDEN_ARGUMENTS] = record(
            ctx.arguments,
          )
        }
        span = tracer.startSpan(
          ctx.kind === 'resource' ? method : `${method} ${ctx.name}`,
          links === undefined ? { kind: SpanKind.SERVER, attributes } : { kind: SpanKind.SERVER, attributes, links },
          parent,
        )
        result = await context.with(trace.setSpan(parent, span), next)
      }
      if (typeof result === 'object' && result !== null && result.isError === true) {
        errorType = ERROR_TYPE_TOOL_ERROR
        if (span !== undefined) {
          // `allow` was set at start: only a denial carried in the result changes it.
          const code = denialCodeOf(result)
          if (code !== undefined) {
            span.setAttribute(ATTR_WARDEN_DECISION, decisionOf(code))
            span.setAttribute(ATTR_WARDEN_ERROR_CODE, code)
          }
          span.setAttribute(ATTR_ERROR_TYPE, errorType)
          span.setStatus({ code: SpanStatusCode.ERROR })
        }
      } else if (span !== undefined && opts.recordResults) {
        span.setAttribute(ctx.kind === 'tool' ? ATTR_GEN_AI_TOOL_CALL_RESULT : ATTR_WARDEN_RESULT, record(result))
      }
      return result
    } catch (err) {
      errorType = errorTypeOf(err)
      if (span !== undefined) failSpan(span, err, errorType, opts.redact)
      throw err
    } finally {
      span?.end()
      if (histogram !== undefined) {
        const attributes: Attributes = metricAttributes(ctx, method)
        if (errorType !== undefined) attributes[ATTR_ERROR_TYPE] = errorType
        histogram.record((performance.now() - started) / 1000, attributes)
      }
    }
  }

  // Not `async`: the fast path hands back next()'s own promise, adding no promise of its own.
  const auditSpansMiddleware = (ctx: GuardContext, next: () => Promise<PrimitiveResult>): Promise<PrimitiveResult> => {
    const tracer = currentTracer()
    const histogram = currentHistogram()
    if (tracer === undefined && histogram === undefined) return next()
    return traced(ctx, next, tracer, histogram)
  }
  return Object.assign(auditSpansMiddleware, {
    describe: {
      name: 'auditSpans',
      identity: opts.identity,
      recordArguments: opts.recordArguments,
      recordResults: opts.recordResults,
    },
  })
}

interface CheckedOptions {
  readonly tracerProvider: TracerProvider | undefined
  readonly meterProvider: MeterProvider | undefined
  readonly identity: IdentityMode
  readonly identityHashKey: string | Uint8Array | undefined
  readonly recordArguments: boolean
  readonly recordResults: boolean
  readonly redact: ((text: string) => string) | undefined
  readonly maxRecordedLength: number
}

function checkOptions(options: AuditSpansOptions): CheckedOptions {
  const where = 'auditSpans'
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new TypeError(`${where}: options must be an object`)
  }
  for (const key of Object.keys(options)) {
    if (!KNOWN.has(key)) throw new TypeError(`${where}: unknown option "${key}"`)
  }
  const {
    tracerProvider,
    meterProvider,
    identity = 'hashed',
    identityHashKey,
    recordArguments = false,
    recordResults = false,
    redact,
    maxRecordedLength = 8192,
  } = options
  if (tracerProvider !== undefined && typeof (tracerProvider as { getTracer?: unknown }).getTracer !== 'function') {
    throw new TypeError(`${where}: \`tracerProvider\` must be a TracerProvider`)
  }
  if (meterProvider !== undefined && typeof (meterProvider as { getMeter?: unknown }).getMeter !== 'function') {
    throw new TypeError(`${where}: \`meterProvider\` must be a MeterProvider`)
  }
  if (identity !== 'hashed' && identity !== 'plain' && identity !== 'omit') {
    throw new TypeError(`${where}: \`identity\` must be 'hashed', 'plain' or 'omit'`)
  }
  if (
    identityHashKey !== undefined &&
    !(typeof identityHashKey === 'string' && identityHashKey.length > 0) &&
    !(identityHashKey instanceof Uint8Array && identityHashKey.length > 0)
  ) {
    throw new TypeError(`${where}: \`identityHashKey\` must be a non-empty string or Uint8Array`)
  }
  if (typeof recordArguments !== 'boolean') throw new TypeError(`${where}: \`recordArguments\` must be a boolean`)
  if (typeof recordResults !== 'boolean') throw new TypeError(`${where}: \`recordResults\` must be a boolean`)
  if (redact !== undefined && typeof redact !== 'function') {
    throw new TypeError(`${where}: \`redact\` must be a function (text: string) => string`)
  }
  if (!Number.isSafeInteger(maxRecordedLength) || maxRecordedLength < 16) {
    throw new TypeError(`${where}: \`maxRecordedLength\` must be an integer >= 16`)
  }
  return {
    tracerProvider,
    meterProvider,
    identity,
    identityHashKey,
    recordArguments,
    recordResults,
    // Arguments and results are never recorded unredacted: core's secret and PII redaction by default.
    redact: redact ?? (recordArguments || recordResults ? redactText : undefined),
    maxRecordedLength,
  }
}

/** Core's secret and PII redaction, as a text-to-text function. */
function redactText(text: string): string {
  return redact(text).text
}

function startAttributes(
  ctx: GuardContext,
  method: string,
  identity: (value: string | undefined) => string | undefined,
): Attributes {
  const attributes: Attributes = {
    [ATTR_MCP_METHOD_NAME]: method,
    [ATTR_WARDEN_CORRELATION_ID]: ctx.correlationId,
    [ATTR_WARDEN_PRIMITIVE_NAME]: ctx.name,
    [ATTR_WARDEN_DECISION]: 'allow',
  }
  if (ctx.kind === 'tool') {
    attributes[ATTR_GEN_AI_TOOL_NAME] = ctx.name
    attributes[ATTR_GEN_AI_OPERATION_NAME] = GEN_AI_OPERATION_EXECUTE_TOOL
  } else if (ctx.kind === 'prompt') {
    attributes[ATTR_GEN_AI_PROMPT_NAME] = ctx.name
  } else if (ctx.uri !== undefined) {
    attributes[ATTR_MCP_RESOURCE_URI] = ctx.uri
  }
  if (ctx.requestId !== undefined && ctx.requestId !== null) attributes[ATTR_JSONRPC_REQUEST_ID] = String(ctx.requestId)
  if (ctx.sessionId !== undefined) attributes[ATTR_MCP_SESSION_ID] = ctx.sessionId
  if (ctx.protocolVersion !== undefined) attributes[ATTR_MCP_PROTOCOL_VERSION] = ctx.protocolVersion
  const subject = identity(ctx.principal?.subject)
  if (subject !== undefined) attributes[ATTR_WARDEN_PRINCIPAL_SUBJECT] = subject
  const clientId = identity(ctx.principal?.clientId ?? ctx.auth?.clientId)
  if (clientId !== undefined) attributes[ATTR_WARDEN_CLIENT_ID] = clientId
  return attributes
}

function metricAttributes(ctx: GuardContext, method: string): Attributes {
  const attributes: Attributes = { [ATTR_MCP_METHOD_NAME]: method }
  if (ctx.kind === 'tool') {
    attributes[ATTR_GEN_AI_TOOL_NAME] = ctx.name
    attributes[ATTR_GEN_AI_OPERATION_NAME] = GEN_AI_OPERATION_EXECUTE_TOOL
  } else if (ctx.kind === 'prompt') {
    attributes[ATTR_GEN_AI_PROMPT_NAME] = ctx.name
  }
  if (ctx.protocolVersion !== undefined) attributes[ATTR_MCP_PROTOCOL_VERSION] = ctx.protocolVersion
  return attributes
}

function failSpan(span: Span, err: unknown, errorType: string, redact: ((text: string) => string) | undefined): void {
  span.setAttribute(ATTR_ERROR_TYPE, errorType)
  if (WardenError.isInstance(err)) {
    span.setAttribute(ATTR_WARDEN_DECISION, decisionOf(err.code))
    span.setAttribute(ATTR_WARDEN_ERROR_CODE, err.code)
    const guard = typeof err.details.guard === 'string' ? err.details.guard : err.name
    span.setAttribute(ATTR_WARDEN_GUARD, guard)
    if (typeof err.details.rule === 'string') span.setAttribute(ATTR_WARDEN_RULE, err.details.rule)
    // The public message is what the client sees anyway; the cause stays out of telemetry.
    span.setStatus({ code: SpanStatusCode.ERROR, message: err.publicMessage })
    return
  }
  // Messages and stacks of arbitrary errors can carry argument values: recorded only redacted.
  const name = err instanceof Error ? err.name : ERROR_TYPE_OTHER
  if (redact !== undefined && err instanceof Error) {
    span.recordException({ name, message: safeRedact(redact, err.message), stack: safeRedact(redact, err.stack ?? '') })
  } else {
    span.recordException({ name })
  }
  span.setStatus({ code: SpanStatusCode.ERROR })
}

function safeRedact(redact: (text: string) => string, text: string): string {
  try {
    const out = redact(text)
    return typeof out === 'string' ? out : '[redaction failed]'
  } catch {
    return '[redaction failed]'
  }
}

/** `value` with `redact` applied to every string and key; throws when redaction fails or nesting is too deep. */
function mapStrings(value: unknown, redact: (text: string) => string, depth: number): unknown {
  if (typeof value === 'string') {
    const out = redact(value)
    if (typeof out !== 'string') throw new TypeError('redact returned a non-string')
    return out
  }
  if (typeof value !== 'object' || value === null) return value
  if (depth > 64) throw new RangeError('too deep to record')
  if (Array.isArray(value)) return value.map((item) => mapStrings(item, redact, depth + 1))
  const out: Record<string, unknown> = {}
  for (const [key, item] of Object.entries(value)) {
    out[mapStrings(key, redact, depth + 1) as string] = mapStrings(item, redact, depth + 1)
  }
  return out
}

function serialize(value: unknown): string {
  try {
    return canonicalJson(value)
  } catch {
    return '[unserializable]'
  }
}
