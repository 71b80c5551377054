import {
  type ClientBridge,
  createMemoryStore,
  type ElicitationRequest,
  type ElicitationResult,
  type Store,
  StoreUnavailableError,
  WardenError,
} from '@mcp-warden/core'
import { describe, expect, it, vi } from 'vitest'
import { context, next, OK, principal } from '../test/context.js'
import { requireApproval } from './require-approval.js'

async function denial(promise: Promise<unknown>): Promise<WardenError> {
  try {
    await promise
  } catch (err) {
    if (WardenError.isInstance(err)) return err
    throw err
  }
  throw new Error('expected a denial')
}

/** A client bridge that answers every elicitation with `answer`. */
function bridge(answer: (request: ElicitationRequest) => Promise<ElicitationResult>): ClientBridge & {
  asked: ElicitationRequest[]
} {
  const asked: ElicitationRequest[] = []
  return {
    asked,
    capabilities: { elicitation: {} },
    canElicit: true,
    elicit: (request) => {
      asked.push(request)
      return answer(request)
    },
  }
}

const nonceIn = (request: ElicitationRequest): string =>
  String((request.requestedSchema.properties.confirmation?.enum as string[] | undefined)?.[0])

const accepting = () => bridge(async (request) => ({ action: 'accept', content: { confirmation: nonceIn(request) } }))

describe('requireApproval', () => {
  it('returns a named middleware that describes itself', () => {
    const gate = requireApproval({ when: 'destructive', remember: { ttlMs: 60_000 } })
    expect(gate.name).toBe('requireApproval')
    expect(gate.describe).toEqual({
      name: 'requireApproval',
      requires: ['approvalRequired'],
      when: 'destructive',
      timeoutMs: 120_000,
      approver: false,
      multiRoundTrip: false,
      rememberMs: 60_000,
    })
  })

  it('runs the handler when the bridge accepts with the nonce it was shown', async () => {
    const client = accepting()
    const handler = vi.fn(next)
    expect(await requireApproval()(context({ client, arguments: { id: 1 } }), handler)).toBe(OK)
    expect(handler).toHaveBeenCalledTimes(1)
    expect(client.asked[0]?.requestedSchema.required).toEqual(['confirmation'])
  })

  it('denies with ERR_APPROVAL_MISMATCH when the answer carries another nonce or an unknown action', async () => {
    const handler = vi.fn(next)
    const wrong = bridge(async () => ({ action: 'accept', content: { confirmation: 'x'.repeat(22) } }))
    expect((await denial(requireApproval()(context({ client: wrong }), handler))).code).toBe('ERR_APPROVAL_MISMATCH')
    const odd = bridge(async () => ({ action: 'maybe' }) as unknown as ElicitationResult)
    expect((await denial(requireApproval()(context({ client: odd }), handler))).code).toBe('ERR_APPROVAL_MISMATCH')
    const empty = bridge(async () => null as unknown as ElicitationResult)
    expect((await denial(requireApproval()(context({ client: empty }), handler))).code).toBe('ERR_APPROVAL_MISMATCH')
    expect(handler).not.toHaveBeenCalled()
  })

  it('maps a failing elicitation to ERR_APPROVAL_FAILED without exposing the cause, and an SDK timeout to ERR_APPROVAL_TIMEOUT', async () => {
    const failing = bridge(async () => {
      throw new Error('transport detail: token=abc')
    })
    const failed = await denial(requireApproval()(context({ client: failing }), next))
    expect(failed.code).toBe('ERR_APPROVAL_FAILED')
    expect(failed.publicMessage).not.toContain('token')
    for (const code of [-32001, 'REQUEST_TIMEOUT']) {
      const timingOut = bridge(async () => {
        throw Object.assign(new Error('Request timed out'), { code })
      })
      expect((await denial(requireApproval()(context({ client: timingOut }), next))).code).toBe('ERR_APPROVAL_TIMEOUT')
    }
  })

  it('denies with ERR_APPROVAL_CANCELLED when the call is cancelled while waiting', async () => {
    const controller = new AbortController()
    const waiting = bridge(() => new Promise(() => {}))
    const pending = requireApproval()(context({ client: waiting, signal: controller.signal }), next)
    controller.abort()
    expect((await denial(pending)).code).toBe('ERR_APPROVAL_CANCELLED')
    const already = new AbortController()
    already.abort()
    expect((await denial(requireApproval()(context({ client: waiting, signal: already.signal }), next))).code).toBe(
      'ERR_APPROVAL_CANCELLED',
    )
  })

  it('denies with ERR_APPROVAL_INVALID_ARGUMENTS when the arguments cannot be digested', async () => {
    const cyclic: Record<string, unknown> = {}
    cyclic.self = cyclic
    let deep: Record<string, unknown> = {}
    for (let i = 0; i < 100; i++) deep = { deep }
    const handler = vi.fn(next)
    for (const args of [cyclic, deep, { n: Number.NaN }, { f: () => 1 }]) {
      const err = await denial(requireApproval()(context({ client: accepting(), arguments: args }), handler))
      expect(err.code).toBe('ERR_APPROVAL_INVALID_ARGUMENTS')
    }
    expect(handler).not.toHaveBeenCalled()
  })

  it('shows a bounded, readable summary when the arguments are huge, many, unicode or empty', async () => {
    const client = accepting()
    const many = Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`k${i}`, 'v'.repeat(10_000)]))
    await requireApproval()(context({ client, arguments: many }), next)
    await requireApproval()(
      context({ client, arguments: { 'ключ\u200b': 'значение 🔑\u202e', nested: { a: [1, { b: 2 }] } } }),
      next,
    )
    await requireApproval()(context({ client, arguments: {} }), next)
    const [huge, unicode, empty] = client.asked.map((request) => request.message)
    expect(huge?.length).toBeLessThan(3000)
    expect(huge).toContain('more')
    expect(unicode).toContain('ключ\ufffd: "значение 🔑\ufffd"')
    expect(unicode).toContain('nested: {"a":[1,{"b":2}]}')
    expect(empty).toContain('(no arguments)')
  })

  it('honours approval requirements whatever when says, and ignores a malformed list', async () => {
    const client = accepting()
    const gate = requireApproval({ when: async () => false })
    await gate(context({ client, approvalRequired: [{ by: 'rule:r', reason: 'because' }] }), next)
    expect(client.asked).toHaveLength(1)
    expect(client.asked[0]?.message).toContain('because')
    await gate(context({ client, approvalRequired: 'yes' } as never), next)
    await gate(context({ client, approvalRequired: [] }), next)
    expect(client.asked).toHaveLength(1)
    await gate(context({ client, approvalRequired: [{ by: 5 }] } as never), next)
    expect(client.asked[1]?.message).toContain('Reason: Flagged by a policy')
  })

  it('uses the configured message, made visible', async () => {
    const client = accepting()
    await requireApproval({ message: (ctx) => `Delete ${ctx.name}?\u202e` })(context({ client }), next)
    expect(client.asked[0]?.message.startsWith('Delete tool?\ufffd')).toBe(true)
  })

  it('denies with ERR_APPROVAL_DECLINED when the approver answers anything but approved: true', async () => {
    for (const answer of [true, 'yes', null, { approved: 'true' }, { approved: false }]) {
      const gate = requireApproval({ approver: async () => answer as never })
      expect((await denial(gate(context({ principal: principal('alice') }), next))).code).toBe('ERR_APPROVAL_DECLINED')
    }
  })

  it('refuses with ERR_STORE_UNAVAILABLE when remembered approvals cannot be read', async () => {
    const down: Store = {
      ...createMemoryStore({ max: 1 }),
      get: async () => {
        throw new StoreUnavailableError('down')
      },
    }
    const handler = vi.fn(next)
    const gate = requireApproval({ remember: { ttlMs: 1000 }, store: down })
    expect((await denial(gate(context({ client: accepting() }), handler))).code).toBe('ERR_STORE_UNAVAILABLE')
    expect(handler).not.toHaveBeenCalled()
  })

  it('keeps remembered approvals apart per session when perSession is set', async () => {
    const client = bridge(async (request) => ({
      action: 'accept',
      content: { confirmation: nonceIn(request), remember: true },
    }))
    const gate = requireApproval({ remember: { ttlMs: 60_000, perSession: true } })
    await gate(context({ client, sessionId: 'a' }), next)
    await gate(context({ client, sessionId: 'a' }), next)
    await gate(context({ client, sessionId: 'b' }), next)
    expect(client.asked).toHaveLength(2)
  })

  it('throws TypeError at creation on unknown options or bad values', () => {
    expect(() => requireApproval(null as never)).toThrow(TypeError)
    expect(() => requireApproval({ ask: true } as never)).toThrow(/unknown option "ask"/)
    expect(() => requireApproval({ when: 'sometimes' as never })).toThrow(/when/)
    expect(() => requireApproval({ message: 5 as never })).toThrow(/message/)
    expect(() => requireApproval({ approver: 'https://hook' as never })).toThrow(/approver/)
    expect(() => requireApproval({ timeoutMs: 0 })).toThrow(/timeoutMs/)
    expect(() => requireApproval({ timeoutMs: 1.5 })).toThrow(/timeoutMs/)
    expect(() => requireApproval({ remember: { ttlMs: -1 } })).toThrow(/remember/)
    expect(() => requireApproval({ remember: { ttlMs: 1, forever: true } as never })).toThrow(/remember.forever/)
    expect(() => requireApproval({ codec: {} as never })).toThrow(/codec/)
    expect(() => requireApproval({ store: {} as never })).toThrow(/store/)
  })
})
