import type { MiddlewareDescription, PrimitiveKind, PrimitiveMetadata } from '@mcp-warden/core'

/**
 * A middleware whose requirements depend on the primitive it guards (`scopesFromAnnotations`)
 * carries, under this symbol, a function that describes it for one primitive. `describePolicy`
 * uses it; the public `describe` stays JSON.
 */
export const DESCRIBE_FOR = Symbol.for('mcp-warden.policy.describeFor')

export type DescribeFor = (kind: PrimitiveKind, metadata: PrimitiveMetadata) => MiddlewareDescription

export function describeForOf(middleware: unknown): DescribeFor | undefined {
  if (typeof middleware !== 'function') return undefined
  const fn = (middleware as unknown as Record<symbol, unknown>)[DESCRIBE_FOR]
  return typeof fn === 'function' ? (fn as DescribeFor) : undefined
}
