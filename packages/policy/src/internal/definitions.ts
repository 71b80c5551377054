/**
 * Reads the definitions of a server's tools, prompts and resource templates exactly as the SDK
 * lists them to clients (`tools/list`, `prompts/list`, `resources/templates/list`), from the
 * registries of `McpServer` (SDK 1.x or 2.x), with that SDK's schema conversion.
 */

import type { JsonValue } from '@mcp-warden/core'
import type { Definition, DefinitionKind } from '../definition.js'
import { loadSchemasV1 } from './schemas-v1.js'
import { schemasV2 } from './schemas-v2.js'

type Loose = Record<string, unknown>

/** How one SDK major turns registered schemas into the JSON of its list results. */
export interface SchemaConversion {
  /** The SDK, for messages. */
  readonly sdk: string
  /** A tool's `inputSchema` as `tools/list` shows it; `undefined` lists the empty object schema. */
  readonly toolInput: (schema: unknown) => unknown
  /** A tool's `outputSchema` as `tools/list` shows it; `undefined` leaves it out. */
  readonly toolOutput: (schema: unknown) => unknown
  /** A prompt's `arguments` as `prompts/list` shows them. */
  readonly promptArguments: (schema: unknown) => unknown
}

/** The registries `McpServer` keeps (SDK 1.x and 2.x alike). */
export interface Registries {
  readonly _registeredTools: Record<string, Loose>
  readonly _registeredPrompts: Record<string, Loose>
  readonly _registeredResourceTemplates: Record<string, Loose>
}

/** An `McpServer` as the lock reads it: its SDK major and its registries. */
export interface ServerView {
  readonly major: 1 | 2
  readonly registries: Registries
}

/**
 * Recognizes an `McpServer` of SDK 1.x or 2.x. Both keep the same registries; 2.x dropped the
 * variadic `tool()`, `prompt()` and `resource()` methods that every 1.x release has.
 */
export function serverViewOf(server: object, where: string): ServerView {
  const s = server as Partial<Registries> & { readonly tool?: unknown; readonly registerTool?: unknown }
  const major = typeof s.tool === 'function' ? 1 : typeof s.registerTool === 'function' ? 2 : undefined
  if (
    major === undefined ||
    typeof s._registeredTools !== 'object' ||
    typeof s._registeredPrompts !== 'object' ||
    typeof s._registeredResourceTemplates !== 'object'
  ) {
    throw new TypeError(
      `${where}: expected an McpServer from @modelcontextprotocol/sdk 1.x or @modelcontextprotocol/server 2.x`,
    )
  }
  return { major, registries: s as Registries }
}

/** The schema conversion of an SDK major (1.x loads its optional peer on first use). */
export async function loadSchemaConversion(major: 1 | 2): Promise<SchemaConversion> {
  return major === 1 ? await loadSchemasV1() : schemasV2
}

/** The registry of one kind of definition. */
export function registryOf(registries: Registries, kind: DefinitionKind): Record<string, Loose> {
  return kind === 'tool'
    ? registries._registeredTools
    : kind === 'prompt'
      ? registries._registeredPrompts
      : registries._registeredResourceTemplates
}

const EMPTY_OBJECT_JSON_SCHEMA = { type: 'object', properties: {} }

/** JSON-only copy: drops `undefined` and functions, as the wire would. */
const json = (value: unknown): JsonValue => JSON.parse(JSON.stringify(value ?? null)) as JsonValue

function withoutUndefined(parts: Record<string, unknown>): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = {}
  for (const [key, value] of Object.entries(parts)) if (value !== undefined) out[key] = json(value)
  return out
}

/** Runs one conversion; a failure (the SDK's list handler would fail too) names the definition. */
function converted(
  kind: DefinitionKind,
  name: string,
  part: string,
  sdk: SchemaConversion,
  run: () => unknown,
): unknown {
  try {
    return run()
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause)
    throw new TypeError(`${kind} "${name}": cannot convert ${part} to JSON Schema as ${sdk.sdk} does (${reason})`, {
      cause,
    })
  }
}

/** The definition of one registered tool, as `tools/list` presents it. */
function toolDefinition(name: string, tool: Loose, sdk: SchemaConversion): Definition {
  const { inputSchema, outputSchema } = tool
  return {
    kind: 'tool',
    name,
    parts: withoutUndefined({
      name,
      title: tool.title,
      description: tool.description,
      inputSchema:
        (inputSchema ? converted('tool', name, 'inputSchema', sdk, () => sdk.toolInput(inputSchema)) : undefined) ??
        EMPTY_OBJECT_JSON_SCHEMA,
      outputSchema: outputSchema
        ? converted('tool', name, 'outputSchema', sdk, () => sdk.toolOutput(outputSchema))
        : undefined,
      annotations: tool.annotations,
    }),
  }
}

/** The definition of one registered prompt, as `prompts/list` presents it. */
function promptDefinition(name: string, prompt: Loose, sdk: SchemaConversion): Definition {
  const { argsSchema } = prompt
  return {
    kind: 'prompt',
    name,
    parts: withoutUndefined({
      name,
      title: prompt.title,
      description: prompt.description,
      arguments: argsSchema
        ? converted('prompt', name, 'argsSchema', sdk, () => sdk.promptArguments(argsSchema))
        : undefined,
    }),
  }
}

/**
 * The definition of one registered resource template, as `resources/templates/list` presents it:
 * both SDKs list `{ name, uriTemplate, ...metadata }`, so the title is the one in the metadata.
 */
function templateDefinition(name: string, template: Loose): Definition {
  const metadata = (template.metadata ?? {}) as Loose
  const uriTemplate = (template.resourceTemplate as Loose | undefined)?.uriTemplate
  return {
    kind: 'resource-template',
    name,
    parts: withoutUndefined({
      name,
      uriTemplate: uriTemplate === undefined ? undefined : String(uriTemplate),
      title: metadata.title,
      description: metadata.description,
      mimeType: metadata.mimeType,
    }),
  }
}

/** The definition of one registered item of `kind`. */
export function definitionOf(kind: DefinitionKind, name: string, item: Loose, sdk: SchemaConversion): Definition {
  return kind === 'tool'
    ? toolDefinition(name, item, sdk)
    : kind === 'prompt'
      ? promptDefinition(name, item, sdk)
      : templateDefinition(name, item)
}

/** Every kind of definition the lock covers, in lockfile order. */
export const DEFINITION_KINDS: readonly DefinitionKind[] = ['tool', 'prompt', 'resource-template']

/** Every enabled and disabled definition of the server. */
export function definitionsOf(registries: Registries, sdk: SchemaConversion): Definition[] {
  return DEFINITION_KINDS.flatMap((kind) =>
    Object.entries(registryOf(registries, kind)).map(([name, item]) => definitionOf(kind, name, item, sdk)),
  )
}
