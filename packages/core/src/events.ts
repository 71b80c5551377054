import { channel } from 'node:diagnostics_channel'
import type { PrimitiveKind } from './types.js'

/**
 * Security events travel on `node:diagnostics_channel`, so `@mcp-warden/audit` (or any subscriber)
 * receives what `auth` and `policy` publish without either importing the other. Publishing costs
 * nothing when nobody subscribes.
 */
export const SECURITY_EVENT_CHANNEL = 'mcp-warden:security'
/** One event per guarded call: allowed or denied, by which code. */
export const DECISION_CHANNEL = 'mcp-warden:decision'

/** A security-relevant occurrence (authentication failure, hijack attempt, sanitizer finding, ...). */
export interface SecurityEvent {
  /** Dotted type, `<area>.<what>`: `auth.token_invalid`, `session.hijack_attempt`, ... */
  readonly type: string
  /** Error code when the event is a denial. */
  readonly code?: string
  readonly correlationId?: string
  readonly principalId?: string
  readonly clientId?: string
  readonly kind?: PrimitiveKind
  readonly name?: string
  /** Client-safe facts: never tokens, secrets or raw arguments. */
  readonly detail?: Readonly<Record<string, unknown>>
}

/** The outcome of one guarded call. */
export interface DecisionEvent {
  readonly decision: 'allow' | 'deny'
  readonly code?: string
  readonly correlationId: string
  readonly kind: PrimitiveKind
  readonly name: string
  readonly principalId?: string
  readonly clientId?: string
  readonly sessionId?: string
  readonly durationMs: number
}

const securityChannel = channel(SECURITY_EVENT_CHANNEL)
const decisionChannel = channel(DECISION_CHANNEL)

/** Publishes a security event; a no-op when nobody listens. */
export function publishSecurityEvent(event: SecurityEvent): void {
  if (securityChannel.hasSubscribers) securityChannel.publish({ time: Date.now(), ...event })
}

/** Whether anyone listens for decisions (lets the adapter skip timing when nobody does). */
export function hasDecisionSubscribers(): boolean {
  return decisionChannel.hasSubscribers
}

/** Publishes a call decision; a no-op when nobody listens. */
export function publishDecision(event: DecisionEvent): void {
  if (decisionChannel.hasSubscribers) decisionChannel.publish({ time: Date.now(), ...event })
}
