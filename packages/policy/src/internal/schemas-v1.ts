/**
 * Schema conversion of `@modelcontextprotocol/sdk` 1.x, with the SDK's own helpers (the ones its
 * `tools/list` and `prompts/list` handlers call).
 */

import type { SchemaConversion } from './definitions.js'

type Loose = Record<string, unknown>
type Fn = (...args: unknown[]) => unknown

let conversion: SchemaConversion | undefined

/** Loads the SDK 1.x schema helpers once (optional peer dependency). */
export async function loadSchemasV1(): Promise<SchemaConversion> {
  if (conversion !== undefined) return conversion
  let json: Loose
  let compat: Loose
  try {
    json = (await import('@modelcontextprotocol/sdk/server/zod-json-schema-compat.js')) as unknown as Loose
    compat = (await import('@modelcontextprotocol/sdk/server/zod-compat.js')) as unknown as Loose
  } catch (cause) {
    throw new TypeError('lockTools: @modelcontextprotocol/sdk 1.x is required to read tool definitions', { cause })
  }
  const toJsonSchemaCompat = json.toJsonSchemaCompat as Fn
  const normalizeObjectSchema = compat.normalizeObjectSchema as Fn
  const getObjectShape = compat.getObjectShape as Fn
  const getSchemaDescription = compat.getSchemaDescription as Fn
  const isSchemaOptional = compat.isSchemaOptional as Fn
  /** `tools/list`: a schema that is not an object schema is listed as the empty object schema (input) or left out (output). */
  const objectJsonSchema = (schema: unknown, pipeStrategy: 'input' | 'output'): unknown => {
    const object = normalizeObjectSchema(schema)
    return object ? toJsonSchemaCompat(object, { strictUnions: true, pipeStrategy }) : undefined
  }
  conversion = {
    sdk: '@modelcontextprotocol/sdk 1.x',
    toolInput: (schema) => objectJsonSchema(schema, 'input'),
    toolOutput: (schema) => objectJsonSchema(schema, 'output'),
    promptArguments: (schema) =>
      Object.entries((getObjectShape(schema) ?? {}) as Loose).map(([name, field]) => ({
        name,
        description: getSchemaDescription(field),
        required: !isSchemaOptional(field),
      })),
  }
  return conversion
}
