/**
 * Reads the definitions of a server's tools, prompts and resource templates exactly as the SDK
 * lists them to clients (`tools/list`, `prompts/list`, `resources/templates/list`), from the
 * registries of `McpServer` (SDK 1.x or 2.x), with that SDK's schema conversion.
 */

import type { JsonValue } from '@mcp-warden/core'
import type { Definition, LockedKind } from '../definition.js'
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

/** The registries `McpServer` keeps (SDK 1.x and 2.x alike), and its low-level `Server`. */
export interface Registries {
  readonly _registeredTools: Record<string, Loose>
  readonly _registeredPrompts: Record<string, Loose>
  readonly _registeredResources: Record<string, Loose>
  readonly _registeredResourceTemplates: Record<string, Loose>
  /** The low-level `Server`: it keeps the `instructions` sent in the `initialize` result. */
  readonly server: object
}

/** The kinds kept in a registry of `McpServer` (every kind but the server's instructions). */
export type RegistryKind = Exclude<LockedKind, 'server'>

/** An `McpServer` as the lock reads it: its SDK major and its registries. */
export interface ServerView {
  readonly major: 1 | 2
  readonly registries: Registries
}

/**
 * The private field of the low-level `Server` (both SDK majors) that holds the `instructions` of
 * the `initialize` result. Read and locked only by `instructionsOf` and `freezeInstructions`.
 */
const INSTRUCTIONS_FIELD = '_instructions'

/**
 * The server's `instructions` as clients receive them in the `initialize` result (both SDKs leave
 * out an empty string), read from the low-level `Server`'s private field. Fails closed: a
 * low-level server without that own field, or with a value that is neither a string nor
 * `undefined`, is a shape this code does not know, so the instructions could not be verified.
 *
 * @throws TypeError when the field is missing or holds something else than a string.
 */
export function instructionsOf(registries: Registries, where = 'lockTools'): string | undefined {
  const low = registries.server as Loose | undefined
  if (typeof low !== 'object' || low === null || !Object.hasOwn(low, INSTRUCTIONS_FIELD)) {
    throw new TypeError(
      `${where}: cannot read the server's instructions (no ${INSTRUCTIONS_FIELD} on McpServer.server); this SDK version is not supported`,
    )
  }
  const value = low[INSTRUCTIONS_FIELD]
  if (value !== undefined && typeof value !== 'string') {
    throw new TypeError(`${where}: the server's instructions are not a string`)
  }
  return value === '' ? undefined : value
}

/**
 * Makes the server's `instructions` read-only from now on (no SDK API changes them after
 * construction), so what the lock verified is what every later `initialize` sends.
 */
export function freezeInstructions(registries: Registries): void {
  const value = instructionsOf(registries)
  Object.defineProperty(registries.server, INSTRUCTIONS_FIELD, {
    value: value ?? (registries.server as Loose)[INSTRUCTIONS_FIELD],
    writable: false,
    configurable: false,
    enumerable: true,
  })
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
    typeof s._registeredResources !== 'object' ||
    typeof s._registeredResourceTemplates !== 'object' ||
    typeof s.server !== 'object' ||
    s.server === null
  ) {
    throw new TypeError(
      `${where}: expected an McpServer from @modelcontextprotocol/sdk 1.x or @modelcontextprotocol/server 2.x`,
    )
  }
  instructionsOf(s as Registries, where)
  return { major, registries: s as Registries }
}

/** The schema conversion of an SDK major (1.x loads its optional peer on first use). */
export async function loadSchemaConversion(major: 1 | 2): Promise<SchemaConversion> {
  return major === 1 ? await loadSchemasV1() : schemasV2
}

/** The registry of one kind of definition. */
export function registryOf(registries: Registries, kind: RegistryKind): Record<string, Loose> {
  return kind === 'tool'
    ? registries._registeredTools
    : kind === 'prompt'
      ? registries._registeredPrompts
      : kind === 'resource'
        ? registries._registeredResources
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
function converted(kind: RegistryKind, name: string, part: string, sdk: SchemaConversion, run: () => unknown): unknown {
  try {
    return run()
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause)
    throw new TypeError(`${kind} "${name}": cannot convert ${part} to JSON Schema as ${sdk.sdk} does (${reason})`, {
      cause,
    })
  }
}

/**
 * `execution: { taskSupport: "forbidden" }`, which SDK 1.x lists for every tool registered without
 * tasks, means what no `execution` means (the protocol's default): both are hashed as absent.
 */
function isDefaultExecution(execution: unknown): boolean {
  return execution === undefined || JSON.stringify(execution) === '{"taskSupport":"forbidden"}'
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
      icons: tool.icons,
      execution: isDefaultExecution(tool.execution) ? undefined : tool.execution,
      _meta: tool._meta,
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
      icons: prompt.icons,
      _meta: prompt._meta,
    }),
  }
}

/** The metadata a registered resource or template spreads into its list entry. */
function metadataOf(item: Loose): Loose {
  return { ...(item.metadata as Loose | undefined) }
}

/**
 * The definition of one registered resource template, exactly as `resources/templates/list`
 * presents it: both SDKs list `{ name, uriTemplate, ...metadata }`, so every metadata field is
 * hashed (title, description, MIME type, icons, annotations, `_meta`, and any other), and a
 * metadata `name` replaces the registered one as it does on the wire.
 */
function templateDefinition(name: string, template: Loose): Definition {
  const uriTemplate = (template.resourceTemplate as Loose | undefined)?.uriTemplate
  return {
    kind: 'resource-template',
    name,
    parts: withoutUndefined({
      name,
      uriTemplate: uriTemplate === undefined ? undefined : String(uriTemplate),
      ...metadataOf(template),
    }),
  }
}

/**
 * The definition of one registered fixed resource (keyed by its URI), exactly as `resources/list`
 * presents it: `{ uri, name, ...metadata }`.
 */
function resourceDefinition(uri: string, resource: Loose): Definition {
  return {
    kind: 'resource',
    name: uri,
    parts: withoutUndefined({ uri, name: resource.name, ...metadataOf(resource) }),
  }
}

/** The definition of one registered item of `kind`. */
export function definitionOf(kind: RegistryKind, name: string, item: Loose, sdk: SchemaConversion): Definition {
  switch (kind) {
    case 'tool':
      return toolDefinition(name, item, sdk)
    case 'prompt':
      return promptDefinition(name, item, sdk)
    case 'resource':
      return resourceDefinition(name, item)
    case 'resource-template':
      return templateDefinition(name, item)
  }
}

/** The server's `instructions` as a definition (kind `server`, name `instructions`), if it has any. */
export function instructionsDefinition(registries: Registries): Definition | undefined {
  const instructions = instructionsOf(registries)
  return instructions === undefined ? undefined : { kind: 'server', name: 'instructions', parts: { instructions } }
}

/** Every kind of registered definition the lock covers. */
export const DEFINITION_KINDS: readonly RegistryKind[] = ['tool', 'prompt', 'resource', 'resource-template']

/** Every enabled and disabled definition of the server, and its instructions. */
export function definitionsOf(registries: Registries, sdk: SchemaConversion): Definition[] {
  const instructions = instructionsDefinition(registries)
  return [
    ...DEFINITION_KINDS.flatMap((kind) =>
      Object.entries(registryOf(registries, kind)).map(([name, item]) => definitionOf(kind, name, item, sdk)),
    ),
    ...(instructions === undefined ? [] : [instructions]),
  ]
}
