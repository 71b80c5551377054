import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js'
import { describe, expect, it } from 'vitest'
import { createBoundedEventStore } from './event-store.js'

const note = (n: number): JSONRPCMessage => ({ jsonrpc: '2.0', method: 'notifications/message', params: { n } })

async function replay(store: ReturnType<typeof createBoundedEventStore>, after: string) {
  const sent: [string, JSONRPCMessage][] = []
  const streamId = await store.replayEventsAfter(after, {
    send: async (eventId, message) => {
      sent.push([eventId, message])
    },
  })
  return { streamId, sent }
}

describe('createBoundedEventStore', () => {
  it('replays the events of the same stream after the given id, in order', async () => {
    const store = createBoundedEventStore(10)
    const first = await store.storeEvent('a', note(1))
    await store.storeEvent('b', note(2))
    const third = await store.storeEvent('a', note(3))
    const fourth = await store.storeEvent('a', note(4))
    const { streamId, sent } = await replay(store, first)
    expect(streamId).toBe('a')
    expect(sent.map(([id]) => id)).toEqual([third, fourth])
    expect(await store.getStreamIdForEventId?.(third)).toBe('a')
  })

  it('does not replay priming events (empty messages)', async () => {
    const store = createBoundedEventStore(10)
    const priming = await store.storeEvent('a', {} as JSONRPCMessage)
    await store.storeEvent('a', {} as JSONRPCMessage)
    const real = await store.storeEvent('a', note(1))
    const { sent } = await replay(store, priming)
    expect(sent.map(([id]) => id)).toEqual([real])
  })

  it('keeps at most maxEvents events and replays nothing after an evicted id', async () => {
    const store = createBoundedEventStore(2)
    const first = await store.storeEvent('a', note(1))
    await store.storeEvent('a', note(2))
    await store.storeEvent('a', note(3))
    const { streamId, sent } = await replay(store, first)
    expect(streamId).toBe('a')
    expect(sent).toEqual([])
  })

  it('throws a TypeError at creation when maxEvents is not a positive integer', () => {
    for (const bad of [0, -1, 1.5, Number.NaN]) {
      expect(() => createBoundedEventStore(bad)).toThrow(TypeError)
    }
  })
})
