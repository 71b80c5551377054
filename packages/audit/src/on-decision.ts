import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import { DECISION_CHANNEL, type DecisionEvent, SECURITY_EVENT_CHANNEL, type SecurityEvent } from '@mcp-warden/core'

/** A decision or security event as delivered to listeners, with its publication time (ms since epoch). */
export type TimedEvent<T> = T & { readonly time: number }

/**
 * Calls `listener` with every call decision (allow / deny and its code) of every secured server in
 * this process. Returns a function that stops listening.
 *
 * @throws TypeError when `listener` is not a function.
 */
export function onDecision(listener: (event: TimedEvent<DecisionEvent>) => void): () => void {
  return listen(DECISION_CHANNEL, listener, 'onDecision')
}

/**
 * Calls `listener` with every security event published by mcp-warden's packages. Returns a
 * function that stops listening.
 *
 * @throws TypeError when `listener` is not a function.
 */
export function onSecurityEvent(listener: (event: TimedEvent<SecurityEvent>) => void): () => void {
  return listen(SECURITY_EVENT_CHANNEL, listener, 'onSecurityEvent')
}

function listen<T>(name: string, listener: (event: T) => void, where: string): () => void {
  if (typeof listener !== 'function') throw new TypeError(`${where}: listener must be a function`)
  // A throwing listener must never fail the call that published the event.
  const handler = (message: unknown): void => {
    try {
      listener(message as T)
    } catch {
      // Listener failures are the listener's own; the pipeline goes on.
    }
  }
  subscribe(name, handler)
  return () => {
    unsubscribe(name, handler)
  }
}
