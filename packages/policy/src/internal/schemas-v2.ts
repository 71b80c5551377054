/**
 * Schema conversion of `@modelcontextprotocol/server` 2.x. Its `tools/list` and `prompts/list`
 * handlers call `standardSchemaToJsonSchema` and `promptArgumentsFromStandardSchema`, which the
 * package does not export; this mirrors them (2.4.0): the schema library converts itself through
 * Standard JSON Schema (`~standard.jsonSchema`, draft 2020-12), zod without it through
 * `z.toJSONSchema`, then the SDK stamps `type: "object"` on object roots.
 */

import { z } from 'zod'
import type { SchemaConversion } from './definitions.js'

type JsonObject = Record<string, unknown>
type Io = 'input' | 'output'

interface StandardProps {
  readonly vendor?: unknown
  readonly jsonSchema?: Readonly<Record<Io, (options: { readonly target: string }) => unknown>>
}

/** The JSON Schema draft of every conversion of SDK 2.x. */
const TARGET = 'draft-2020-12'
const LOCAL_DEFINITION_REF = /^#\/(\$defs|definitions)\/([^/~%]+)$/

const isObject = (value: unknown): value is JsonObject => typeof value === 'object' && value !== null

/** The schema library's own JSON Schema of `schema`, as SDK 2.x asks for it. */
function libraryJsonSchema(schema: unknown, io: Io): JsonObject {
  const std = isObject(schema) ? schema['~standard'] : undefined
  if (!isObject(schema) || !isObject(std)) throw new TypeError('not a Standard Schema')
  const { vendor, jsonSchema } = std as StandardProps
  let result: unknown
  if (jsonSchema) result = jsonSchema[io]({ target: TARGET })
  else if (vendor === 'zod' && '_zod' in schema) {
    result = z.toJSONSchema(schema as unknown as z.ZodType, { target: TARGET, io })
  } else throw new TypeError(`schema library "${String(vendor)}" does not implement ~standard.jsonSchema`)
  if (!isObject(result)) throw new TypeError('the schema library returned no JSON Schema object')
  return result
}

/** A typeless root that SDK 2.x can prove describes objects (it then stamps `type: "object"`). */
function isProvablyObjectShapedRoot(schema: JsonObject, root: JsonObject = schema): boolean {
  if (
    'properties' in schema ||
    'patternProperties' in schema ||
    'additionalProperties' in schema ||
    'required' in schema
  )
    return true
  const ref = typeof schema.$ref === 'string' ? LOCAL_DEFINITION_REF.exec(schema.$ref) : null
  if (ref !== null) {
    const definitions = root[ref[1] as string]
    const target = isObject(definitions) ? definitions[ref[2] as string] : undefined
    if (isObject(target) && target.type === 'object') return true
  }
  for (const key of ['oneOf', 'anyOf', 'allOf']) {
    const members = schema[key]
    if (Array.isArray(members) && members.length > 0) {
      return members.every(
        (m) => isObject(m) && (m.type === 'object' || isProvablyObjectShapedRoot(m, '$id' in m ? {} : root)),
      )
    }
  }
  return false
}

/** `standardSchemaToJsonSchema(schema, 'input')`: must describe an object. */
function inputJsonSchema(schema: unknown): JsonObject {
  const result = libraryJsonSchema(schema, 'input')
  if (result.type !== undefined && result.type !== 'object') {
    throw new TypeError(`MCP tool and prompt schemas must describe objects (got type: ${JSON.stringify(result.type)})`)
  }
  return { type: 'object', ...result }
}

/** `standardSchemaToJsonSchema(schema, 'output')`: any root; a typeless object root gets its type. */
function outputJsonSchema(schema: unknown): JsonObject {
  const result = libraryJsonSchema(schema, 'output')
  return result.type === undefined && isProvablyObjectShapedRoot(result) ? { type: 'object', ...result } : result
}

/** `promptArgumentsFromStandardSchema(schema)`: one argument per property of the input schema. */
function promptArguments(schema: unknown): unknown {
  const json = inputJsonSchema(schema)
  const properties = isObject(json.properties) ? json.properties : {}
  const required: readonly unknown[] = Array.isArray(json.required) ? json.required : []
  return Object.entries(properties).map(([name, property]) => ({
    name,
    description: isObject(property) ? property.description : undefined,
    required: required.includes(name),
  }))
}

/** How `@modelcontextprotocol/server` 2.x lists registered schemas. */
export const schemasV2: SchemaConversion = {
  sdk: '@modelcontextprotocol/server 2.x',
  toolInput: inputJsonSchema,
  toolOutput: outputJsonSchema,
  promptArguments,
}
