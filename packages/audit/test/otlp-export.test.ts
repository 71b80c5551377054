import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http'
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { auditSpans } from '../src/index.js'
import { denyWith, startHarness } from './harness.js'

const SECRETS = ['AKIAIOSFODNN7EXAMPLE', 'ghp_0123456789abcdefghijABCDEFGHIJ012345']
const redact = (text: string): string =>
  text.replace(/AKIA[0-9A-Z]{16}/g, '[REDACTED:aws-key]').replace(/ghp_[A-Za-z0-9]{36}/g, '[REDACTED:github-token]')

/** A minimal OTLP/HTTP receiver: keeps the JSON bodies posted to /v1/traces. */
let receiver: Server
const bodies: string[] = []
let url: string

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    request.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > 10 * 1024 * 1024) request.destroy(new Error('too large'))
      else chunks.push(chunk)
    })
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    request.on('error', reject)
  })
}

beforeAll(async () => {
  receiver = createServer((request, response) => {
    if (request.method !== 'POST' || request.url !== '/v1/traces') {
      response.writeHead(404).end()
      return
    }
    readBody(request).then(
      (body) => {
        bodies.push(body)
        response.writeHead(200, { 'content-type': 'application/json' }).end('{}')
      },
      () => response.writeHead(400).end(),
    )
  })
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve))
  url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/v1/traces`
})

afterAll(async () => {
  await new Promise<void>((resolve) => receiver.close(() => resolve()))
})

interface OtlpSpan {
  name: string
  kind: number
  traceId: string
  parentSpanId?: string
  attributes: { key: string; value: Record<string, unknown> }[]
  status?: { code?: number }
}

function exportedSpans(): OtlpSpan[] {
  return bodies.flatMap((body) => {
    const parsed = JSON.parse(body) as {
      resourceSpans: { scopeSpans: { scope: { name: string }; spans: OtlpSpan[] }[] }[]
    }
    return parsed.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans))
  })
}

function attribute(span: OtlpSpan, key: string): unknown {
  const found = span.attributes.find((a) => a.key === key)
  return found === undefined ? undefined : Object.values(found.value)[0]
}

describe('auditSpans', () => {
  it('exports spans over OTLP/HTTP with attributes, parent and status and no secret when recording is on', async () => {
    const provider = new BasicTracerProvider({
      spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url }), { scheduledDelayMillis: 60_000 })],
    })
    const harness = await startHarness(
      [auditSpans({ tracerProvider: provider, recordArguments: true, recordResults: true, redact })],
      (server) => {
        server.registerTool(
          'denied',
          {},
          server.guard(denyWith('ERR_POLICY_DENIED')).wrap(async () => ({ content: [] })),
        )
      },
    )
    try {
      await harness.call(
        'echo',
        { text: `aws ${SECRETS[0]} gh ${SECRETS[1]}` },
        { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' },
      )
      await harness.call('throw_tool', { text: SECRETS[1] as string })
      await harness.call('denied')
      await provider.forceFlush()
    } finally {
      await harness.close()
      await provider.shutdown()
    }
    const raw = bodies.join('\n')
    for (const secret of SECRETS) expect(raw).not.toContain(secret)
    const spans = exportedSpans()
    expect(spans.map((s) => s.name).sort()).toEqual(['tools/call denied', 'tools/call echo', 'tools/call throw_tool'])
    const echo = spans.find((s) => s.name === 'tools/call echo') as OtlpSpan
    expect(echo.kind).toBe(2) // SPAN_KIND_SERVER
    expect(echo.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736')
    expect(echo.parentSpanId).toBe('00f067aa0ba902b7')
    expect(attribute(echo, 'gen_ai.tool.name')).toBe('echo')
    expect(attribute(echo, 'gen_ai.tool.call.arguments')).toBe(
      '{"text":"aws [REDACTED:aws-key] gh [REDACTED:github-token]"}',
    )
    const denied = spans.find((s) => s.name === 'tools/call denied') as OtlpSpan
    expect(attribute(denied, 'error.type')).toBe('ERR_POLICY_DENIED')
    expect(denied.status?.code).toBe(2) // STATUS_CODE_ERROR
  })
})
