import {
  type GuardContext,
  type ListContext,
  type PrimitiveResult,
  type Principal,
  WardenError,
} from '@mcp-warden/core'
import { expect } from 'vitest'
import { OK } from './context.js'

/** The guard context and result builders live in context.ts, which benchmarks import without vitest. */
export { context, OK } from './context.js'

export function principal(scopes: readonly string[], extra: Partial<Principal> = {}): Principal {
  return {
    id: 'https://issuer.example#alice',
    issuer: 'https://issuer.example',
    subject: 'alice',
    scopes,
    claims: {},
    ...extra,
  }
}

export function listContext(overrides: Partial<ListContext> = {}): ListContext {
  return {
    kind: 'tool',
    name: 'tool',
    uri: undefined,
    metadata: {},
    meta: undefined,
    sessionId: undefined,
    auth: undefined,
    principal: undefined,
    protocolVersion: undefined,
    ...overrides,
  }
}

type AnyStep = (ctx: GuardContext, next: (add?: object) => Promise<PrimitiveResult>) => Promise<PrimitiveResult>

/** Runs one middleware with a terminal that records whether it ran and what was added. */
export async function run(
  middleware: unknown,
  ctx: GuardContext,
): Promise<{ result: PrimitiveResult; reached: boolean; added: object | undefined }> {
  let reached = false
  let added: object | undefined
  const result = await (middleware as AnyStep)(ctx, async (add?: object) => {
    reached = true
    added = add
    return OK
  })
  return { result, reached, added }
}

/** Expects `promise` to reject with a WardenError and returns it. */
export async function denial(promise: Promise<unknown>): Promise<WardenError> {
  let caught: unknown
  try {
    await promise
  } catch (err) {
    caught = err
  }
  expect(WardenError.isInstance(caught), `expected a WardenError, got ${String(caught)}`).toBe(true)
  return caught as WardenError
}
