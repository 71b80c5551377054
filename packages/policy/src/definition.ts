import type { JsonValue } from '@mcp-warden/core'

/** What the lock covers of one primitive. */
export type DefinitionKind = 'tool' | 'prompt' | 'resource-template'

/** One primitive's definition as clients see it. */
export interface Definition {
  readonly kind: DefinitionKind
  readonly name: string
  /** The hashed parts: only JSON, `undefined` parts omitted. */
  readonly parts: Readonly<Record<string, JsonValue>>
}
