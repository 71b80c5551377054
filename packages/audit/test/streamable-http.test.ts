import { randomUUID } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { PRINCIPAL_AUTH_EXTRA_KEY } from '@mcp-warden/core'
import { secure } from '@mcp-warden/core/sdk-v1'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js'
import { context, SpanKind, trace } from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type AuditEvent, auditSpans, createAuditLog } from '../src/index.js'
import { PRINCIPAL } from './harness.js'

const exporter = new InMemorySpanExporter()
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] })
const contextManager = new AsyncLocalStorageContextManager()

beforeAll(() => {
  context.setGlobalContextManager(contextManager.enable())
})

afterAll(async () => {
  context.disable()
  await provider.shutdown()
})

describe('auditSpans', () => {
  it('records session, principal and a link to the HTTP span when served over Streamable HTTP', async () => {
    const events: AuditEvent[] = []
    const audit = createAuditLog({ sinks: [{ name: 'memory', write: (e) => void events.push(e) }] })
    const server = secure(new McpServer({ name: 'http-audit', version: '1.0.0' }), {
      use: [auditSpans({ tracerProvider: provider, identity: 'plain' }), audit.middleware],
    })
    server.registerTool('whoami', {}, async () => ({ content: [{ type: 'text', text: 'you' }] }))
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: () => randomUUID() })
    await server.connect(transport)
    const tracer = provider.getTracer('http')
    const httpSpanIds: string[] = []
    const http: Server = createServer((request, response) => {
      // What an HTTP instrumentation and the auth layer do: a span per request, the verified principal.
      const span = tracer.startSpan(`${request.method} /mcp`, { kind: SpanKind.SERVER })
      httpSpanIds.push(span.spanContext().spanId)
      const authed = Object.assign(request, {
        auth: { token: 'opaque', clientId: 'client-42', scopes: [], extra: { [PRINCIPAL_AUTH_EXTRA_KEY]: PRINCIPAL } },
      })
      context
        .with(trace.setSpan(context.active(), span), () => transport.handleRequest(authed, response))
        .finally(() => span.end())
    })
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
    const url = new URL(`http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp`)
    const client = new Client({ name: 'http-client', version: '1.0.0' })
    try {
      await client.connect(new StreamableHTTPClientTransport(url))
      const result = await client.callTool({
        name: 'whoami',
        arguments: {},
        _meta: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' },
      })
      expect(result.content).toEqual([{ type: 'text', text: 'you' }])
    } finally {
      await client.close()
      await server.close()
      await new Promise<void>((resolve) => http.close(() => resolve()))
      await audit.close()
    }
    const span = exporter.getFinishedSpans().find((s) => s.name === 'tools/call whoami')
    expect(span).toBeDefined()
    expect(span?.spanContext().traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736')
    expect(span?.parentSpanContext?.spanId).toBe('00f067aa0ba902b7')
    expect(typeof span?.attributes['mcp.session.id']).toBe('string')
    expect(span?.attributes['mcp_warden.principal.subject']).toBe('alice@example.com')
    expect(span?.attributes['mcp_warden.client.id']).toBe('client-42')
    const linked = span?.links.map((link) => link.context.spanId) ?? []
    expect(linked).toHaveLength(1)
    expect(httpSpanIds).toContain(linked[0])
    expect(events).toHaveLength(1)
    expect(events[0]).toMatchObject({
      principal: PRINCIPAL.id,
      client: 'client-42',
      spanId: span?.spanContext().spanId,
    })
    expect(events[0]?.sessionId).toBe(span?.attributes['mcp.session.id'])
  })
})
