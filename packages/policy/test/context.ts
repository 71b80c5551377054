/** A plain guard context for unit tests: what the adapters build, without an SDK. */
import type { ClientBridge, GuardContext, PrimitiveResult, Principal } from '@mcp-warden/core'

export function principal(subject: string, scopes: readonly string[] = []): Principal {
  return { id: `https://issuer.test#${subject}`, issuer: 'https://issuer.test', subject, scopes, claims: {} }
}

const noClient: ClientBridge = {
  capabilities: undefined,
  canElicit: false,
  elicit: () => Promise.reject(new Error('no elicitation in unit tests')),
}

export function context(overrides: Partial<GuardContext> = {}): GuardContext {
  return {
    kind: 'tool',
    name: 'tool',
    uri: undefined,
    metadata: {},
    arguments: {},
    requestId: 1,
    meta: undefined,
    sessionId: undefined,
    auth: undefined,
    principal: undefined,
    correlationId: 'corr-1',
    signal: new AbortController().signal,
    protocolVersion: '2025-11-25',
    client: noClient,
    ...overrides,
  }
}

export const OK: PrimitiveResult = Object.freeze({ content: [{ type: 'text', text: 'ok' }] })
export const next = async (): Promise<PrimitiveResult> => OK
