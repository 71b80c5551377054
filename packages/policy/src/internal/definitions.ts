/**
 * Reads the definitions of a server's tools, prompts and resource templates exactly as the SDK
 * lists them to clients (`tools/list`, `prompts/list`, `resources/templates/list`), from the
 * registries of `McpServer` (SDK 1.x), with the SDK's own schema conversion.
 */

import type { JsonValue } from '@mcp-warden/core'
import type { Definition } from '../definition.js'

type Loose = Record<string, unknown>
type Fn = (...args: unknown[]) => unknown

interface SdkHelpers {
  readonly toJsonSchemaCompat: Fn
  readonly normalizeObjectSchema: Fn
  readonly getObjectShape: Fn
  readonly getSchemaDescription: Fn
  readonly isSchemaOptional: Fn
}

let helpers: SdkHelpers | undefined

/** Loads the SDK 1.x schema helpers once (optional peer dependency). */
export async function loadSdkHelpers(): Promise<SdkHelpers> {
  if (helpers !== undefined) return helpers
  try {
    const json = (await import('@modelcontextprotocol/sdk/server/zod-json-schema-compat.js')) as unknown as Loose
    const compat = (await import('@modelcontextprotocol/sdk/server/zod-compat.js')) as unknown as Loose
    helpers = {
      toJsonSchemaCompat: json.toJsonSchemaCompat as Fn,
      normalizeObjectSchema: compat.normalizeObjectSchema as Fn,
      getObjectShape: compat.getObjectShape as Fn,
      getSchemaDescription: compat.getSchemaDescription as Fn,
      isSchemaOptional: compat.isSchemaOptional as Fn,
    }
  } catch (cause) {
    throw new TypeError('lockTools: @modelcontextprotocol/sdk 1.x is required to read tool definitions', { cause })
  }
  return helpers
}

/** The registries `McpServer` keeps (SDK 1.x). */
export interface Registries {
  readonly _registeredTools: Record<string, Loose>
  readonly _registeredPrompts: Record<string, Loose>
  readonly _registeredResourceTemplates: Record<string, Loose>
}

export function registriesOf(server: object, where: string): Registries {
  const r = server as Partial<Registries>
  if (
    typeof r._registeredTools !== 'object' ||
    typeof r._registeredPrompts !== 'object' ||
    typeof r._registeredResourceTemplates !== 'object'
  ) {
    throw new TypeError(`${where}: expected an McpServer from @modelcontextprotocol/sdk 1.x`)
  }
  return r as Registries
}

const EMPTY_OBJECT_JSON_SCHEMA = { type: 'object', properties: {} }

/** JSON-only copy: drops `undefined` and functions, as the wire would. */
const json = (value: unknown): JsonValue => JSON.parse(JSON.stringify(value ?? null)) as JsonValue

function withoutUndefined(parts: Record<string, unknown>): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = {}
  for (const [key, value] of Object.entries(parts)) if (value !== undefined) out[key] = json(value)
  return out
}

/** The definition of one registered tool, as `tools/list` presents it. */
export function toolDefinition(name: string, tool: Loose, sdk: SdkHelpers): Definition {
  const input = sdk.normalizeObjectSchema(tool.inputSchema)
  const output = tool.outputSchema === undefined ? undefined : sdk.normalizeObjectSchema(tool.outputSchema)
  return {
    kind: 'tool',
    name,
    parts: withoutUndefined({
      name,
      title: tool.title,
      description: tool.description,
      inputSchema: input
        ? sdk.toJsonSchemaCompat(input, { strictUnions: true, pipeStrategy: 'input' })
        : EMPTY_OBJECT_JSON_SCHEMA,
      outputSchema: output ? sdk.toJsonSchemaCompat(output, { strictUnions: true, pipeStrategy: 'output' }) : undefined,
      annotations: tool.annotations,
    }),
  }
}

/** The definition of one registered prompt, as `prompts/list` presents it. */
export function promptDefinition(name: string, prompt: Loose, sdk: SdkHelpers): Definition {
  let args: unknown
  if (prompt.argsSchema !== undefined) {
    const shape = (sdk.getObjectShape(prompt.argsSchema) ?? {}) as Record<string, unknown>
    args = Object.entries(shape).map(([arg, field]) => ({
      name: arg,
      description: sdk.getSchemaDescription(field),
      required: !sdk.isSchemaOptional(field),
    }))
  }
  return {
    kind: 'prompt',
    name,
    parts: withoutUndefined({ name, title: prompt.title, description: prompt.description, arguments: args }),
  }
}

/** The definition of one registered resource template, as `resources/templates/list` presents it. */
export function templateDefinition(name: string, template: Loose): Definition {
  const metadata = (template.metadata ?? {}) as Loose
  const uriTemplate = (template.resourceTemplate as Loose | undefined)?.uriTemplate
  return {
    kind: 'resource-template',
    name,
    parts: withoutUndefined({
      name,
      uriTemplate: uriTemplate === undefined ? undefined : String(uriTemplate),
      title: template.title ?? metadata.title,
      description: metadata.description,
      mimeType: metadata.mimeType,
    }),
  }
}

/** Every enabled and disabled definition of the server. */
export function definitionsOf(registries: Registries, sdk: SdkHelpers): Definition[] {
  return [
    ...Object.entries(registries._registeredTools).map(([n, t]) => toolDefinition(n, t, sdk)),
    ...Object.entries(registries._registeredPrompts).map(([n, p]) => promptDefinition(n, p, sdk)),
    ...Object.entries(registries._registeredResourceTemplates).map(([n, t]) => templateDefinition(n, t)),
  ]
}
