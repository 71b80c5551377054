import { type GuardContext, type PrimitiveResult, WardenError } from '@mcp-warden/core'
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { auditSpans } from './audit-spans.js'

const exporter = new InMemorySpanExporter()
const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] })
const redact = (text: string): string => text.replace(/AKIA[0-9A-Z]{16}/g, '[KEY]')

afterEach(() => exporter.reset())
afterAll(() => tracerProvider.shutdown())

function context(overrides: Partial<GuardContext> = {}): GuardContext {
  return {
    kind: 'tool',
    name: 'tool',
    uri: undefined,
    metadata: {},
    arguments: {},
    requestId: 7,
    meta: undefined,
    sessionId: 'sess-1',
    auth: undefined,
    principal: undefined,
    correlationId: 'corr',
    signal: new AbortController().signal,
    protocolVersion: '2025-06-18',
    client: { capabilities: undefined, canElicit: false, elicit: () => Promise.reject(new Error('no')) },
    ...overrides,
  }
}

const ok = (): Promise<PrimitiveResult> => Promise.resolve({ content: [{ type: 'text', text: 'ok' }] })

describe('auditSpans', () => {
  it('returns the result of next untouched when no SDK is registered', async () => {
    const result: PrimitiveResult = { content: [] }
    const pending = Promise.resolve(result)
    const middleware = auditSpans()
    const returned = middleware(context(), () => pending)
    expect(returned).toBe(pending)
    expect(await returned).toBe(result)
  })

  it('records placeholders instead of throwing when arguments are cyclic or too deep', async () => {
    const middleware = auditSpans({ tracerProvider, recordArguments: true, redact })
    const cyclic: Record<string, unknown> = {}
    cyclic.self = cyclic
    let deep: Record<string, unknown> = {}
    for (let i = 0; i < 100; i += 1) deep = { deep }
    await middleware(context({ arguments: cyclic }), ok)
    await middleware(context({ arguments: deep }), ok)
    expect(exporter.getFinishedSpans().map((s) => s.attributes['gen_ai.tool.call.arguments'])).toEqual([
      '[unserializable]',
      '[unserializable]',
    ])
  })

  it('names spans with unicode and empty names and records the session and request ids', async () => {
    const middleware = auditSpans({ tracerProvider })
    await middleware(context({ name: 'ünïcödé_🔧' }), ok)
    await middleware(context({ name: '', kind: 'prompt', requestId: 'req-α' }), ok)
    const [first, second] = exporter.getFinishedSpans()
    expect(first?.name).toBe('tools/call ünïcödé_🔧')
    expect(first?.attributes['mcp.session.id']).toBe('sess-1')
    expect(first?.attributes['jsonrpc.request.id']).toBe('7')
    expect(second?.name).toBe('prompts/get ')
    expect(second?.attributes['jsonrpc.request.id']).toBe('req-α')
  })

  it('records the denial code from a result that carries one when a nested pipeline denied', async () => {
    const middleware = auditSpans({ tracerProvider })
    await middleware(context(), () =>
      Promise.resolve({ isError: true, content: [], _meta: { 'mcp-warden/error': { code: 'ERR_POLICY_DENIED' } } }),
    )
    expect(exporter.getFinishedSpans()[0]?.attributes).toMatchObject({
      'mcp_warden.decision': 'deny',
      'mcp_warden.error.code': 'ERR_POLICY_DENIED',
      'error.type': 'tool_error',
    })
  })

  it('rethrows what next throws, with _OTHER for non-errors and the guard named in details', async () => {
    const middleware = auditSpans({ tracerProvider })
    await expect(middleware(context(), () => Promise.reject('a string'))).rejects.toBe('a string')
    const denial = new WardenError('ERR_X_Y', 'no', { details: { guard: 'customGuard' } })
    await expect(middleware(context(), () => Promise.reject(denial))).rejects.toBe(denial)
    const [first, second] = exporter.getFinishedSpans()
    expect(first?.attributes['error.type']).toBe('_OTHER')
    expect(second?.attributes['mcp_warden.guard']).toBe('customGuard')
  })

  it('ends every span when many calls run concurrently with some failing', async () => {
    const middleware = auditSpans({ tracerProvider, recordResults: true, redact })
    const calls = Array.from({ length: 200 }, (_, i) =>
      middleware(context({ requestId: i }), () =>
        i % 3 === 0 ? Promise.reject(new TypeError(`bad AKIAIOSFODNN7EXAMPLE ${i}`)) : ok(),
      ).catch((err: unknown) => err),
    )
    await Promise.all(calls)
    const spans = exporter.getFinishedSpans()
    expect(spans).toHaveLength(200)
    expect(spans.filter((s) => s.attributes['error.type'] === 'TypeError')).toHaveLength(67)
    expect(JSON.stringify(spans.map((s) => s.events))).not.toContain('AKIA')
  })
})
