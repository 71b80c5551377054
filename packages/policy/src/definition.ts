import type { JsonValue } from '@mcp-warden/core'

/** The primitives a client picks by name: tools, prompts and resource templates. */
export type DefinitionKind = 'tool' | 'prompt' | 'resource-template'

/**
 * Everything the lock covers: the `DefinitionKind`s, fixed resources (named by their URI), and
 * the server's `instructions` (kind `server`, name `instructions`).
 */
export type LockedKind = DefinitionKind | 'resource' | 'server'

/** One primitive's definition as clients see it. */
export interface Definition {
  readonly kind: LockedKind
  readonly name: string
  /** The hashed parts: only JSON, `undefined` parts omitted. */
  readonly parts: Readonly<Record<string, JsonValue>>
}
