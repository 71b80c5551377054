/**
 * Audit records redact what the engine finds once invisible characters and escapes are gone: a
 * secret split by one of them never reaches a span attribute or a recorded exception whole.
 */
import { context, trace } from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { SECRETS, SPLITTERS, seenIn, splitAt } from '../../core/test/splitters.js'
import { auditSpans } from '../src/index.js'
import { type Harness, startHarness } from './harness.js'

const exporter = new InMemorySpanExporter()
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] })
const contextManager = new AsyncLocalStorageContextManager()
let harness: Harness | undefined

beforeAll(() => {
  context.setGlobalContextManager(contextManager.enable())
  trace.setGlobalTracerProvider(provider)
})
afterEach(async () => {
  await harness?.close()
  harness = undefined
  exporter.reset()
})
afterAll(async () => {
  trace.disable()
  context.disable()
  await provider.shutdown()
})

/** Every string inside a recorded JSON value (escapes in the JSON text are decoded first). */
function stringsIn(recorded: unknown): string[] {
  if (typeof recorded !== 'string') return []
  const out: string[] = [recorded]
  const walk = (value: unknown): void => {
    if (typeof value === 'string') out.push(value)
    else if (Array.isArray(value)) value.forEach(walk)
    else if (typeof value === 'object' && value !== null) Object.values(value).forEach(walk)
  }
  try {
    walk(JSON.parse(recorded))
  } catch {
    // Not JSON (an exception message): the text itself is checked.
  }
  return out
}

/** For one splitter: each secret split near its start, middle and end, one per line. */
const variants = (splitter: string): string =>
  SECRETS.flatMap(([, value]) =>
    [1, value.length >> 1, value.length - 1].map((at) => `secret:\n${splitAt(value, at, splitter)}\nend`),
  ).join('\n')

describe('auditSpans', () => {
  it('never records a secret whole in arguments, results or exceptions when any splitter cuts it', async () => {
    harness = await startHarness([auditSpans({ recordArguments: true, recordResults: true })])
    const leaks: string[] = []
    for (const splitter of SPLITTERS) {
      const text = variants(splitter)
      await harness.call('echo', { text })
      await harness.call('throw_tool', { text })
    }
    const spans = exporter.getFinishedSpans()
    expect(spans).toHaveLength(SPLITTERS.length * 2)
    for (const span of spans) {
      const recorded = [
        span.attributes['gen_ai.tool.call.arguments'],
        span.attributes['gen_ai.tool.call.result'],
        ...span.events.flatMap((event) => Object.values(event.attributes ?? {})),
      ]
      // The redaction ran (the check below can fail): every recorded argument holds placeholders.
      expect(String(recorded[0])).toContain('[REDACTED:')
      for (const value of recorded) {
        for (const text of stringsIn(value)) {
          for (const [, secret] of SECRETS)
            if (seenIn(text, secret)) leaks.push(`${span.name}: ${JSON.stringify(text)}`)
        }
      }
    }
    expect(leaks.slice(0, 5)).toEqual([])
  })
})
