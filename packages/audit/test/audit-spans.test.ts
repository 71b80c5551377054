import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { redact as coreRedact } from '@mcp-warden/core'
import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core'
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics'
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { auditSpans } from '../src/index.js'
import { denyWith, type Harness, PRINCIPAL, startHarness } from './harness.js'

const exporter = new InMemorySpanExporter()
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] })
const contextManager = new AsyncLocalStorageContextManager()

class TestReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

const SECRET = 'AKIAIOSFODNN7EXAMPLE'
const redact = (text: string): string => text.replace(/AKIA[0-9A-Z]{16}/g, '[REDACTED:aws-key]')
const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'

let harness: Harness | undefined

beforeAll(() => {
  context.setGlobalContextManager(contextManager.enable())
  trace.setGlobalTracerProvider(provider)
})

afterEach(async () => {
  await harness?.close()
  harness = undefined
  exporter.reset()
  propagation.disable()
})

afterAll(async () => {
  trace.disable()
  context.disable()
  await provider.shutdown()
})

function onlySpan(): ReadableSpan {
  const spans = exporter.getFinishedSpans()
  expect(spans).toHaveLength(1)
  return spans[0] as ReadableSpan
}

describe('auditSpans', () => {
  it('records one SERVER span with the MCP conventions when a tool is called', async () => {
    harness = await startHarness([auditSpans()])
    const result = await harness.call('echo', { text: 'hi' })
    expect(result.isError).toBeFalsy()
    const span = onlySpan()
    expect(span.name).toBe('tools/call echo')
    expect(span.kind).toBe(SpanKind.SERVER)
    expect(span.attributes).toMatchObject({
      'mcp.method.name': 'tools/call',
      'gen_ai.tool.name': 'echo',
      'gen_ai.operation.name': 'execute_tool',
      'mcp_warden.decision': 'allow',
      'mcp_warden.primitive.name': 'echo',
    })
    expect(typeof span.attributes['jsonrpc.request.id']).toBe('string')
    expect(typeof span.attributes['mcp_warden.correlation.id']).toBe('string')
    expect(typeof span.attributes['mcp.protocol.version']).toBe('string')
    expect(span.attributes['error.type']).toBeUndefined()
    expect(span.attributes['gen_ai.tool.call.arguments']).toBeUndefined()
    expect(span.status.code).toBe(SpanStatusCode.UNSET)
  })

  it('continues the client trace when params._meta carries a traceparent and no propagator is registered', async () => {
    harness = await startHarness([auditSpans()])
    await harness.call('echo', { text: 'hi' }, { traceparent: TRACEPARENT, tracestate: 'rojo=00f067aa0ba902b7' })
    const span = onlySpan()
    expect(span.spanContext().traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736')
    expect(span.parentSpanContext?.spanId).toBe('00f067aa0ba902b7')
    expect(span.parentSpanContext?.isRemote).toBe(true)
    expect(span.attributes['mcp_warden.correlation.id']).toBe('4bf92f3577b34da6a3ce929d0e0e4736')
  })

  it('uses the global propagator for traceparent and baggage when one is registered', async () => {
    propagation.setGlobalPropagator(
      new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }),
    )
    let seenBaggage: string | undefined
    harness = await startHarness([auditSpans()], (server) => {
      server.registerTool('baggage', {}, async () => {
        seenBaggage = propagation.getActiveBaggage()?.getEntry('tenant')?.value
        return { content: [] }
      })
    })
    await harness.call('baggage', {}, { traceparent: TRACEPARENT, baggage: 'tenant=acme' })
    const span = onlySpan()
    expect(span.parentSpanContext?.spanId).toBe('00f067aa0ba902b7')
    expect(seenBaggage).toBe('acme')
    // Baggage alone still reaches the handler; the span is then a root.
    seenBaggage = undefined
    exporter.reset()
    await harness.call('baggage', {}, { baggage: 'tenant=globex' })
    expect(seenBaggage).toBe('globex')
    expect(onlySpan().parentSpanContext).toBeUndefined()
  })

  it('makes the span active in the handler and links the ambient span when the parent comes from _meta', async () => {
    let handlerSpanId: string | undefined
    harness = await startHarness([auditSpans()], (server) => {
      server.registerTool('inner', {}, async () => {
        handlerSpanId = trace.getActiveSpan()?.spanContext().spanId
        return { content: [] }
      })
    })
    const ambient = trace.getTracer('test').startSpan('http-request')
    await context.with(trace.setSpan(context.active(), ambient), () =>
      harness?.call('inner', {}, { traceparent: TRACEPARENT }),
    )
    ambient.end()
    const span = exporter.getFinishedSpans().find((s) => s.name === 'tools/call inner') as ReadableSpan
    expect(handlerSpanId).toBe(span.spanContext().spanId)
    expect(span.spanContext().traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736')
    expect(span.links.map((link) => link.context.spanId)).toEqual([ambient.spanContext().spanId])
  })

  it('carries the trace to a downstream HTTP call the handler makes when a propagator is registered', async () => {
    propagation.setGlobalPropagator(new W3CTraceContextPropagator())
    const seen: (string | undefined)[] = []
    const downstream = createServer((request, response) => {
      const header = request.headers.traceparent
      seen.push(typeof header === 'string' ? header : undefined)
      response.end('ok')
    })
    await new Promise<void>((resolve) => downstream.listen(0, '127.0.0.1', resolve))
    const url = `http://127.0.0.1:${(downstream.address() as AddressInfo).port}/`
    try {
      harness = await startHarness([auditSpans()], (server) => {
        server.registerTool('fetcher', {}, async () => {
          const headers: Record<string, string> = {}
          propagation.inject(context.active(), headers)
          const response = await fetch(url, { headers })
          return { content: [{ type: 'text', text: await response.text() }] }
        })
      })
      await harness.call('fetcher', {}, { traceparent: TRACEPARENT })
    } finally {
      await new Promise<void>((resolve) => downstream.close(() => resolve()))
    }
    const span = onlySpan()
    expect(seen).toEqual([`00-4bf92f3577b34da6a3ce929d0e0e4736-${span.spanContext().spanId}-01`])
  })

  it('ignores a malformed traceparent when _meta carries garbage', async () => {
    harness = await startHarness([auditSpans()])
    for (const traceparent of ['', 'x'.repeat(55), `00-${'0'.repeat(32)}-00f067aa0ba902b7-01`, 42, { a: 1 }]) {
      await harness.call('echo', { text: 'hi' }, { traceparent })
    }
    const spans = exporter.getFinishedSpans()
    expect(spans).toHaveLength(5)
    for (const span of spans) expect(span.parentSpanContext).toBeUndefined()
  })

  it('sets error.type tool_error and status ERROR when the tool result has isError', async () => {
    harness = await startHarness([auditSpans()])
    await harness.call('fail_tool', { text: 'x' })
    const span = onlySpan()
    expect(span.attributes['error.type']).toBe('tool_error')
    expect(span.attributes['mcp_warden.decision']).toBe('allow')
    expect(span.status.code).toBe(SpanStatusCode.ERROR)
  })

  it('records the denial code, guard and rule when a guard after it denies', async () => {
    harness = await startHarness([auditSpans()], (server) => {
      server.registerTool(
        'delete_ticket',
        {},
        server
          .guard(denyWith('ERR_POLICY_INSUFFICIENT_SCOPE', 'PolicyError', { rule: 'tickets-write' }))
          .wrap(async () => ({ content: [] })),
      )
    })
    const result = await harness.call('delete_ticket')
    expect(result.isError).toBe(true)
    const span = onlySpan()
    expect(span.attributes).toMatchObject({
      'error.type': 'ERR_POLICY_INSUFFICIENT_SCOPE',
      'mcp_warden.decision': 'deny',
      'mcp_warden.error.code': 'ERR_POLICY_INSUFFICIENT_SCOPE',
      'mcp_warden.guard': 'PolicyError',
      'mcp_warden.rule': 'tickets-write',
    })
    expect(span.status).toEqual({ code: SpanStatusCode.ERROR, message: 'Denied (ERR_POLICY_INSUFFICIENT_SCOPE)' })
  })

  it('records approval-required when the denial asks for an approval', async () => {
    harness = await startHarness([auditSpans(), denyWith('ERR_POLICY_APPROVAL_REQUIRED')])
    await harness.call('echo', { text: 'x' })
    expect(onlySpan().attributes['mcp_warden.decision']).toBe('approval-required')
  })

  it('records the error class but not its message when the handler throws and no redact is set', async () => {
    harness = await startHarness([auditSpans()])
    await harness.call('throw_tool', { text: SECRET })
    const span = onlySpan()
    expect(span.attributes['error.type']).toBe('RangeError')
    expect(span.status.code).toBe(SpanStatusCode.ERROR)
    expect(JSON.stringify(span.events)).not.toContain(SECRET)
    expect(span.events[0]?.attributes?.['exception.type']).toBe('RangeError')
  })

  it('names resource spans by method and records the URI when a resource is read', async () => {
    harness = await startHarness([auditSpans()])
    await harness.client.readResource({ uri: 'notes://7' })
    const span = onlySpan()
    expect(span.name).toBe('resources/read')
    expect(span.attributes['mcp.resource.uri']).toBe('notes://7')
    expect(span.attributes['gen_ai.operation.name']).toBeUndefined()
    expect(span.attributes['mcp_warden.primitive.name']).toBe('notes')
  })

  it('records gen_ai.prompt.name when a prompt is got', async () => {
    harness = await startHarness([auditSpans()])
    await harness.client.getPrompt({ name: 'greet', arguments: { name: 'Zoë' } })
    const span = onlySpan()
    expect(span.name).toBe('prompts/get greet')
    expect(span.attributes['gen_ai.prompt.name']).toBe('greet')
  })

  it('records a denied resource read as an error when a guard denies it', async () => {
    harness = await startHarness([auditSpans(), denyWith('ERR_AUTH_REQUIRED', 'AuthError')])
    await expect(harness.client.readResource({ uri: 'config://app' })).rejects.toThrow(/ERR_AUTH_REQUIRED/)
    expect(onlySpan().attributes['error.type']).toBe('ERR_AUTH_REQUIRED')
  })

  it('hashes the principal subject and client id by default', async () => {
    harness = await startHarness([auditSpans()], undefined, PRINCIPAL)
    await harness.call('echo', { text: 'x' })
    const attributes = onlySpan().attributes
    expect(attributes['mcp_warden.principal.subject']).toMatch(/^[\da-f]{32}$/)
    expect(attributes['mcp_warden.client.id']).toMatch(/^[\da-f]{32}$/)
    expect(JSON.stringify(attributes)).not.toContain('alice')
  })

  it('records identities plain or omits them when configured', async () => {
    harness = await startHarness([auditSpans({ identity: 'plain' })], undefined, PRINCIPAL)
    await harness.call('echo', { text: 'x' })
    expect(onlySpan().attributes['mcp_warden.principal.subject']).toBe('alice@example.com')
    expect(exporter.getFinishedSpans()[0]?.attributes['mcp_warden.client.id']).toBe('client-42')
    await harness.close()
    exporter.reset()
    harness = await startHarness([auditSpans({ identity: 'omit' })], undefined, PRINCIPAL)
    await harness.call('echo', { text: 'x' })
    expect(onlySpan().attributes['mcp_warden.principal.subject']).toBeUndefined()
  })

  it('uses an HMAC for identities when a hash key is given', async () => {
    harness = await startHarness([auditSpans(), auditSpans({ identityHashKey: 'k1' })], undefined, PRINCIPAL)
    await harness.call('echo', { text: 'x' })
    const [inner, outer] = exporter.getFinishedSpans()
    expect(inner?.attributes['mcp_warden.principal.subject']).toMatch(/^[\da-f]{32}$/)
    expect(inner?.attributes['mcp_warden.principal.subject']).not.toBe(
      outer?.attributes['mcp_warden.principal.subject'],
    )
  })

  it('never exports a secret when arguments, results and exceptions are recorded through redact', async () => {
    harness = await startHarness([auditSpans({ recordArguments: true, recordResults: true, redact })])
    await harness.call('echo', { text: `key ${SECRET} ünïcödé 🔑` })
    await harness.call('throw_tool', { text: SECRET })
    await harness.client.getPrompt({ name: 'greet', arguments: { name: SECRET } })
    const spans = exporter.getFinishedSpans()
    expect(spans).toHaveLength(3)
    const exported = JSON.stringify(spans.map((s) => ({ a: s.attributes, e: s.events, st: s.status })))
    expect(exported).not.toContain(SECRET)
    expect(exported).toContain('[REDACTED:aws-key]')
    const echo = spans[0] as ReadableSpan
    expect(echo.attributes['gen_ai.tool.call.arguments']).toBe('{"text":"key [REDACTED:aws-key] ünïcödé 🔑"}')
    expect(String(echo.attributes['gen_ai.tool.call.result'])).toContain('[REDACTED:aws-key]')
    expect(spans[2]?.attributes['mcp_warden.arguments']).toBe('{"name":"[REDACTED:aws-key]"}')
  })

  it('redacts recorded arguments and results with the core engine when no redact is given', async () => {
    harness = await startHarness([auditSpans({ recordArguments: true, recordResults: true })])
    for (const { text } of SECRET_SAMPLES) await harness.call('echo', { text })
    const spans = exporter.getFinishedSpans()
    expect(spans).toHaveLength(SECRET_SAMPLES.length)
    SECRET_SAMPLES.forEach(({ text, secret }, i) => {
      const recorded = String(spans[i]?.attributes['gen_ai.tool.call.arguments'])
      expect(recorded).toBe(JSON.stringify({ text: coreRedact(text).text }).slice(0, 8192))
      expect(recorded).toContain('[REDACTED:')
      const exported = JSON.stringify({ a: spans[i]?.attributes, e: spans[i]?.events })
      expect(exported, secret).not.toContain(secret)
    })
  })

  it('truncates recorded values after redaction when they exceed maxRecordedLength', async () => {
    harness = await startHarness([auditSpans({ recordArguments: true, redact, maxRecordedLength: 64 })])
    await harness.call('echo', { text: `${'a'.repeat(50)}${SECRET}${'b'.repeat(100_000)}` })
    const recorded = String(onlySpan().attributes['gen_ai.tool.call.arguments'])
    expect(recorded).toHaveLength(64)
    expect(recorded.endsWith('…')).toBe(true)
    expect(recorded).not.toContain('AKIA')
  })

  it('records a placeholder when the redact function throws', async () => {
    const failing = (): string => {
      throw new Error('redactor down')
    }
    harness = await startHarness([auditSpans({ recordArguments: true, redact: failing })])
    await harness.call('echo', { text: SECRET })
    expect(onlySpan().attributes['gen_ai.tool.call.arguments']).toBe('[redaction failed]')
  })

  it('records one span per call when many calls run concurrently', async () => {
    harness = await startHarness([auditSpans()])
    const calls = Array.from({ length: 50 }, (_, i) => harness?.call('echo', { text: `n${i}` }))
    await Promise.all(calls)
    const spans = exporter.getFinishedSpans()
    expect(spans).toHaveLength(50)
    expect(new Set(spans.map((s) => s.spanContext().spanId)).size).toBe(50)
    expect(new Set(spans.map((s) => s.attributes['jsonrpc.request.id'])).size).toBe(50)
  })

  it('records nothing and passes the result through when no SDK is registered', async () => {
    trace.disable()
    try {
      harness = await startHarness([auditSpans()])
      const result = await harness.call('echo', { text: 'plain' })
      expect(result.content).toEqual([{ type: 'text', text: 'plain' }])
      expect(exporter.getFinishedSpans()).toHaveLength(0)
    } finally {
      trace.setGlobalTracerProvider(provider)
    }
    // An SDK registered after creation is picked up by the same middleware.
    await harness.call('echo', { text: 'traced' })
    expect(exporter.getFinishedSpans()).toHaveLength(1)
  })

  it('uses an explicit tracer provider when one is given', async () => {
    const own = new InMemorySpanExporter()
    const ownProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(own)] })
    harness = await startHarness([auditSpans({ tracerProvider: ownProvider })])
    await harness.call('echo', { text: 'x' })
    expect(own.getFinishedSpans()).toHaveLength(1)
    expect(exporter.getFinishedSpans()).toHaveLength(0)
    await ownProvider.shutdown()
  })

  it('records mcp.server.operation.duration in seconds with error.type when a meter provider is given', async () => {
    const reader = new TestReader()
    const meterProvider = new MeterProvider({ readers: [reader] })
    harness = await startHarness([auditSpans({ meterProvider }), denyWith('ERR_POLICY_RATE_LIMITED')], (server) => {
      server.registerTool('x', {}, async () => ({ content: [] }))
    })
    await harness.call('echo', { text: 'a' })
    await harness.call('echo', { text: 'b' })
    const { resourceMetrics } = await reader.collect()
    const metric = resourceMetrics.scopeMetrics
      .flatMap((scope) => scope.metrics)
      .find((m) => m.descriptor.name === 'mcp.server.operation.duration')
    expect(metric?.descriptor.unit).toBe('s')
    const point = metric?.dataPoints[0] as { attributes: Record<string, unknown>; value: { count: number } }
    expect(point.value.count).toBe(2)
    expect(point.attributes).toMatchObject({
      'mcp.method.name': 'tools/call',
      'gen_ai.tool.name': 'echo',
      'error.type': 'ERR_POLICY_RATE_LIMITED',
    })
    await meterProvider.shutdown()
  })

  it('describes itself for policy reports', () => {
    expect(auditSpans().describe).toEqual({
      name: 'auditSpans',
      identity: 'hashed',
      recordArguments: false,
      recordResults: false,
    })
  })

  it('throws TypeError at creation when options are wrong', () => {
    const bad: unknown[] = [
      null,
      [],
      'x',
      { unknown: 1 },
      { identity: 'clear' },
      { identityHashKey: '' },
      { recordArguments: 'yes', redact },
      { redact: 'nope' },
      { maxRecordedLength: 3 },
      { maxRecordedLength: Number.NaN },
      { tracerProvider: {} },
      { meterProvider: 5 },
    ]
    for (const options of bad) {
      expect(() => auditSpans(options as Parameters<typeof auditSpans>[0]), JSON.stringify(options)).toThrow(TypeError)
    }
  })
})

/** Fake credentials of several formats, each in the context a tool argument carries it. */
const SECRET_SAMPLES: readonly { text: string; secret: string }[] = [
  ['aws_secret_access_key = ', 'Zq8vR3mT9xL2pK7wN4sB6yH1jF5gD0cAeUoIiQwE'],
  ['connect with postgres://app:', 'Vb7nQ2xK9mR4tL8w', '@db.internal:5432/app'],
  ['export GITHUB_TOKEN=', `ghp_${'Xy7Kq2Lm9Np4Rs8Tv3Wz6Ab1Cd5Ef0Gh'}Ij7K`],
  [
    '-----BEGIN EC PRIVATE KEY-----\n',
    'MHcCAQEEIBkg4LVWM9nuwNSk3yByxZpYRTBnVJk5oG7vVkA8JXw7oAoGCCqGSM49',
    '\n-----END EC PRIVATE KEY-----',
  ],
  ['Authorization: Bearer ', 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLWJ5dGVzLWhlcmU'],
  ['slack: ', 'xoxb-123456789012-1234567890123-Ab3Cd5Ef7Gh9Ij1Kl3Mn5Op7'],
  ['STRIPE_KEY="', 'sk_live_Q9w8E7r6T5y4U3i2O1p0AsDfGhJk', '"'],
  ['api_key: ', 'Hx7Jq3Lz9Wm2Pk8Rt4Vn6Bs', ' (rotate monthly)'],
].map(([before = '', secret = '', after = '']) => ({ text: `${before}${secret}${after} ünïcödé 🔑`, secret }))
