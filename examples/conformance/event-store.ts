/**
 * A bounded in-memory event store for the Streamable HTTP transport's resumability: events are
 * kept so a client that lost its SSE stream can reconnect with `Last-Event-ID` and receive what it
 * missed. Only for one process; the oldest events are dropped past `maxEvents`.
 */
import type { EventId, EventStore, StreamId } from '@modelcontextprotocol/sdk/server/streamableHttp.js'
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js'

interface StoredEvent {
  readonly streamId: StreamId
  readonly message: JSONRPCMessage
}

/**
 * Creates the store. Event ids are `<streamId>_<sequence>`, so the stream of an event is known even
 * after the event itself was dropped.
 *
 * @param maxEvents - upper bound on the events kept, across all streams (at least 1).
 * @throws TypeError when `maxEvents` is not a positive integer.
 */
export function createBoundedEventStore(maxEvents: number): EventStore {
  if (!Number.isInteger(maxEvents) || maxEvents < 1) {
    throw new TypeError('createBoundedEventStore: maxEvents must be a positive integer')
  }
  // Map iteration follows insertion order, which is also the order of the sequence numbers.
  const events = new Map<EventId, StoredEvent>()
  let sequence = 0

  const streamOf = (eventId: EventId): StreamId | undefined => {
    const cut = eventId.lastIndexOf('_')
    return cut > 0 ? eventId.slice(0, cut) : undefined
  }

  return {
    async storeEvent(streamId, message) {
      sequence += 1
      const eventId = `${streamId}_${sequence}`
      events.set(eventId, { streamId, message })
      if (events.size > maxEvents) {
        const oldest = events.keys().next()
        if (oldest.done !== true) events.delete(oldest.value)
      }
      return eventId
    },
    async getStreamIdForEventId(eventId) {
      return streamOf(eventId)
    },
    async replayEventsAfter(lastEventId, { send }) {
      const streamId = streamOf(lastEventId)
      if (streamId === undefined || !events.has(lastEventId)) return streamId ?? ''
      let after = false
      for (const [eventId, event] of events) {
        if (eventId === lastEventId) {
          after = true
          continue
        }
        // Priming events carry no message (`{}`) and are not replayed.
        if (after && event.streamId === streamId && Object.keys(event.message).length > 0) {
          await send(eventId, event.message)
        }
      }
      return streamId
    },
  }
}
