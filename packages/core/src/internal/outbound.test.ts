import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { WardenError } from '../errors.js'
import type { GuardContext, OutboundMessage } from '../types.js'
import { cleanedThrown, jsonCopy, outboundMessage, runOutbound, thrownMessage, thrownView } from './outbound.js'

type Loose = Record<string, unknown>

/** What SDK 1.x and 2.x put in a tool error result for a thrown value (`createToolError`). */
const sdkToolText = (err: unknown): string => (err instanceof Error ? err.message : String(err))
/** What both SDKs put in a JSON-RPC error for a thrown value (`Protocol._onrequest`). */
const sdkRpc = (err: Loose) => ({
  code: Number.isSafeInteger(err.code) ? err.code : -32603,
  message: err.message ?? 'Internal error',
  ...(err.data !== undefined && { data: err.data }),
})

const ctx = { kind: 'tool', name: 't', correlationId: 'c' } as unknown as GuardContext

/** Thrown values of every shape: primitives, Errors with codes and data, plain objects. */
const thrown = fc.oneof(
  fc.anything(),
  fc
    .record({ message: fc.string(), code: fc.oneof(fc.integer(), fc.string()), data: fc.jsonValue() })
    .map(({ message, code, data }) => Object.assign(new RangeError(message), { code, data })),
  fc.record({ message: fc.string(), code: fc.integer(), data: fc.jsonValue() }, { requiredKeys: ['message'] }),
)

describe('cleanedThrown', () => {
  it('gives the SDK the same words as the original when the filters change nothing (property)', () => {
    fc.assert(
      fc.property(thrown, (err) => {
        let expected: string
        try {
          expected = sdkToolText(err)
        } catch {
          return // the SDK itself could not word it
        }
        const copy = cleanedThrown(err, thrownView(err, 'tool', 'tools/call'))
        expect(copy).toBeInstanceOf(Error)
        expect(sdkToolText(copy)).toBe(typeof expected === 'string' ? expected : String(expected))
      }),
    )
  })

  it('gives a JSON-RPC error the same code, message and data as the original, as JSON (property)', () => {
    fc.assert(
      fc.property(thrown, (err) => {
        if (typeof err !== 'object' || err === null) return
        const original = err as Loose
        if (original.message !== undefined && typeof original.message !== 'string') return
        const copy = cleanedThrown(err, thrownView(err, 'resource', 'resources/read')) as unknown as Loose
        const want = sdkRpc(original)
        const got = sdkRpc(copy)
        expect(got.code).toBe(want.code)
        expect(got.message).toBe(want.message)
        expect(got.data).toEqual(jsonCopy(want.data))
        expect(Object.getPrototypeOf(copy)).toBe(err instanceof Error ? Object.getPrototypeOf(err) : Error.prototype)
        expect(copy.cause).toBe(err)
      }),
    )
  })

  it('carries only the filtered text, whatever the original held', () => {
    const original = Object.assign(new TypeError('secret one'), { code: -32001, data: { k: 'secret two' } })
    const copy = cleanedThrown(original, {
      kind: 'error',
      method: 'tools/call',
      params: { message: 'clean', data: { k: 'clean' } },
    }) as unknown as Loose
    expect(copy).toBeInstanceOf(TypeError)
    expect(copy.message).toBe('clean')
    expect(copy.data).toEqual({ k: 'clean' })
    expect(copy.code).toBe(-32001)
    expect(String(copy.stack)).not.toContain('secret')
    expect(JSON.stringify(copy)).not.toContain('secret')
  })
})

describe('thrownMessage', () => {
  it('words a value the way the SDKs do, per kind', () => {
    expect(thrownMessage('plain', 'tool')).toBe('plain')
    expect(thrownMessage('plain', 'resource')).toBe('Internal error')
    expect(thrownMessage({ message: 'm' }, 'prompt')).toBe('m')
    expect(thrownMessage({ message: { nested: true } }, 'prompt')).toBe('Internal error')
    expect(thrownMessage(Object.create(null), 'tool')).toBe('Internal error')
    expect(thrownMessage(new Error('e'), 'resource')).toBe('e')
  })
})

describe('thrownView', () => {
  it('serializes data as the transport would (toJSON) and drops what cannot be serialized', () => {
    const url = new URL('https://example.org/a')
    expect(thrownView({ message: 'm', data: { url } }, 'prompt', 'prompts/get').params).toEqual({
      message: 'm',
      data: { url: 'https://example.org/a' },
    })
    const cyclic: Loose = {}
    cyclic.self = cyclic
    expect(thrownView({ message: 'm', data: cyclic }, 'prompt', 'prompts/get').params).toEqual({ message: 'm' })
    expect(thrownView({ message: 'm', data: 1n }, 'prompt', 'prompts/get').params).toEqual({ message: 'm' })
  })
})

describe('runOutbound', () => {
  it('keeps the kind and method and turns a failing filter into ERR_CORE_OUTBOUND_FAILED', async () => {
    const message: OutboundMessage = { kind: 'notification', method: 'notifications/message', params: { data: 'x' } }
    const renamed = await runOutbound(
      [(m) => ({ ...m, kind: 'request', method: 'other', params: { data: 'y' } }), (m) => m],
      message,
      ctx,
    )
    expect(renamed).toEqual({ kind: 'notification', method: 'notifications/message', params: { data: 'y' } })
    await expect(
      runOutbound(
        [
          () => {
            throw new Error('bug')
          },
        ],
        message,
        ctx,
      ),
    ).rejects.toMatchObject({ code: 'ERR_CORE_OUTBOUND_FAILED' })
    const denial = new WardenError('ERR_TEST', 'no')
    await expect(
      runOutbound(
        [
          () => {
            throw denial
          },
        ],
        message,
        ctx,
      ),
    ).rejects.toBe(denial)
  })
})

describe('outboundMessage', () => {
  it('rejects malformed messages instead of sending them unfiltered', async () => {
    const send = async (m: OutboundMessage) => m
    await expect(outboundMessage(send, 'notification', 'text')).rejects.toThrow(TypeError)
    await expect(outboundMessage(send, 'notification', { params: {} })).rejects.toThrow(TypeError)
    await expect(outboundMessage(send, 'request', { method: 'm', params: 'text' })).rejects.toThrow(TypeError)
    const bare = { method: 'notifications/initialized' }
    expect(await outboundMessage(send, 'notification', bare)).toBe(bare)
  })
})
