import {
  type CedarValueJson,
  type Context,
  checkParsePolicySet,
  type DetailedError,
  type EntityJson,
  isAuthorized,
  validate,
} from '@cedar-policy/cedar-wasm/nodejs'
import type { GuardContext } from '@mcp-warden/core'
import { knownOptions } from '../internal/argument-guard.js'
import { allow, deny, principalRule, type Rule } from '../rule.js'

/** Options of `cedarPolicy`. */
export interface CedarPolicyOptions {
  /** The Cedar policy set, as text (a reviewed `.cedar` file). Parsed and checked at creation. Required. */
  readonly policies: string
  /**
   * Cedar schema (text or JSON). When given, the policies are validated against it at creation
   * (strict mode) and every request is validated too. Default: none.
   */
  readonly schema?: string | Readonly<Record<string, unknown>>
  /** Name of the rule, carried by its decisions. Default `'cedar'`. */
  readonly name?: string
  /** Entity type of the principal (`User::"<principal id>"`). Default `'User'`. */
  readonly principalType?: string
  /** Entity type of the action (`Action::"<tool name>"`). Default `'Action'`. */
  readonly actionType?: string
  /** Entity type of the resource (`Tool::"<tool name>"`). Default `'Tool'`. */
  readonly resourceType?: string
  /**
   * Extra entities (groups, roles the principal is a member of), or a function of the call that
   * returns them. Default: none.
   */
  readonly entities?: readonly EntityJson[] | ((ctx: GuardContext) => readonly EntityJson[])
  /** Client-visible reason of a denial. Default `'Denied by Cedar policy'`. */
  readonly reason?: string
}

const KNOWN = new Set([
  'policies',
  'schema',
  'name',
  'principalType',
  'actionType',
  'resourceType',
  'entities',
  'reason',
])
const TYPE_NAME = /^[A-Za-z_][A-Za-z0-9_]*(::[A-Za-z_][A-Za-z0-9_]*)*$/
const MAX_DEPTH = 32

class Unmappable extends Error {}

/** JSON arguments as Cedar values: `null` and non-integer numbers have no Cedar form. */
function toCedar(value: unknown, depth: number): CedarValueJson {
  if (depth > MAX_DEPTH) throw new Unmappable('arguments nested too deeply')
  if (typeof value === 'string' || typeof value === 'boolean') return value
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new Unmappable('non-integer number')
    return value
  }
  if (Array.isArray(value)) return value.map((item) => toCedar(item, depth + 1))
  if (typeof value === 'object' && value !== null) {
    const record: Record<string, CedarValueJson> = {}
    for (const [key, item] of Object.entries(value)) {
      if (item === undefined) continue
      record[key] = toCedar(item, depth + 1)
    }
    return record
  }
  throw new Unmappable(`unsupported value of type ${value === null ? 'null' : typeof value}`)
}

function uidKey(uid: EntityJson['uid']): string {
  const plain = '__entity' in uid ? uid.__entity : uid
  return `${plain.type}::${JSON.stringify(plain.id)}`
}

/**
 * The principal and resource entities built from the call, merged with the author's entities:
 * an author entity with the same uid contributes its parents (group membership) and attributes,
 * the built-in attributes win.
 */
function mergeEntities(own: readonly EntityJson[], extra: readonly EntityJson[]): EntityJson[] {
  const byKey = new Map<string, EntityJson>(own.map((entity) => [uidKey(entity.uid), entity]))
  const rest: EntityJson[] = []
  for (const entity of extra) {
    const key = uidKey(entity.uid)
    const mine = byKey.get(key)
    if (mine === undefined) {
      rest.push(entity)
      continue
    }
    byKey.set(key, {
      uid: mine.uid,
      attrs: { ...entity.attrs, ...mine.attrs },
      parents: [...mine.parents, ...entity.parents],
    })
  }
  return [...byKey.values(), ...rest]
}

function messages(errors: readonly DetailedError[]): string {
  return errors
    .slice(0, 5)
    .map((e) => e.message)
    .join('; ')
}

/**
 * Evaluates a Cedar policy set as a contextual rule, so authors keep their authorization policy
 * as reviewed Cedar files. Mapping: principal = `<principalType>::"<principal.id>"` with
 * attributes `issuer`, `subject`, `scopes` (a set) and `clientId` when known; action =
 * `<actionType>::"<tool name>"`; resource = `<resourceType>::"<tool name>"` with attributes
 * `kind`, `readOnly`, `destructive`, `idempotent`, `openWorld` from the server's annotations;
 * context = the call's arguments.
 *
 * Fail closed: Cedar's default is deny (no `permit` applies); a call without a principal, with
 * arguments Cedar cannot represent (`null`, fractions, nesting deeper than 32), or whose
 * evaluation reports any policy error is denied too (Cedar skips erroring policies, which for a
 * `forbid` would allow).
 *
 * Requires the optional peer dependency `@cedar-policy/cedar-wasm`.
 *
 * @throws TypeError at creation on unknown options, policies that do not parse, or policies that
 * do not validate against `schema`.
 * @throws PolicyError at call time: `ERR_POLICY_RULE_DENIED` (details `rule`, `reason`),
 * `ERR_POLICY_RULE_FAILED` when Cedar itself fails.
 * @see https://docs.cedarpolicy.com/auth/authorization.html
 * @example
 * ```ts
 * import { cedarPolicy } from '@mcp-warden/policy/cedar'
 * const cedar = cedarPolicy({ policies: await readFile('tickets.cedar', 'utf8') })
 * // permit(principal, action == Action::"delete_ticket", resource)
 * //   when { principal.scopes.contains("tickets:write") && context.env != "prod" };
 * const server = secure(new McpServer(info), { use: [cedar] })
 * ```
 */
export function cedarPolicy(options: CedarPolicyOptions): Rule {
  const where = 'cedarPolicy'
  knownOptions(where, options, KNOWN)
  if (typeof options.policies !== 'string' || options.policies.trim() === '') {
    throw new TypeError(`${where}: \`policies\` must be Cedar policy text`)
  }
  const name = options.name ?? 'cedar'
  const types = {
    principal: options.principalType ?? 'User',
    action: options.actionType ?? 'Action',
    resource: options.resourceType ?? 'Tool',
  }
  for (const [key, value] of Object.entries(types)) {
    if (typeof value !== 'string' || !TYPE_NAME.test(value)) {
      throw new TypeError(`${where}: \`${key}Type\` must be a Cedar entity type name`)
    }
  }
  const reason = options.reason ?? 'Denied by Cedar policy'
  if (typeof reason !== 'string' || reason === '')
    throw new TypeError(`${where}: \`reason\` must be a non-empty string`)
  const entities = options.entities ?? []
  if (typeof entities !== 'function' && !Array.isArray(entities)) {
    throw new TypeError(`${where}: \`entities\` must be an array of Cedar entities or a function returning one`)
  }
  const policies = { staticPolicies: options.policies }
  const parsed = checkParsePolicySet(policies)
  if (parsed.type === 'failure') throw new TypeError(`${where}: policies do not parse: ${messages(parsed.errors)}`)
  const schema = options.schema as string | Record<string, never> | undefined
  if (schema !== undefined) {
    const validation = validate({ validationSettings: { mode: 'strict' }, schema, policies })
    if (validation.type === 'failure')
      throw new TypeError(`${where}: schema does not parse: ${messages(validation.errors)}`)
    if (validation.validationErrors.length > 0) {
      throw new TypeError(
        `${where}: policies do not validate against the schema: ${validation.validationErrors
          .slice(0, 5)
          .map((e) => `${e.policyId}: ${e.error.message}`)
          .join('; ')}`,
      )
    }
  }

  return principalRule(name, (ctx) => {
    const principal = ctx.principal
    if (principal === undefined) return deny('Authentication required')
    let context: Context
    try {
      context = toCedar(ctx.arguments, 0) as Context
    } catch (err) {
      if (err instanceof Unmappable) return deny('Arguments cannot be evaluated by the policy')
      throw err
    }
    const annotations = ctx.metadata.annotations
    const principalUid = { type: types.principal, id: principal.id }
    const resourceUid = { type: types.resource, id: ctx.name }
    const own: EntityJson[] = [
      {
        uid: principalUid,
        attrs: {
          issuer: principal.issuer,
          subject: principal.subject,
          scopes: [...principal.scopes],
          ...(principal.clientId === undefined ? {} : { clientId: principal.clientId }),
        },
        parents: [],
      },
      {
        uid: resourceUid,
        attrs: {
          kind: ctx.kind,
          readOnly: annotations?.readOnlyHint === true,
          destructive: annotations?.readOnlyHint !== true && annotations?.destructiveHint !== false,
          idempotent: annotations?.idempotentHint === true,
          openWorld: annotations?.openWorldHint !== false,
        },
        parents: [],
      },
    ]
    const extra = typeof entities === 'function' ? entities(ctx) : entities
    const answer = isAuthorized({
      principal: principalUid,
      action: { type: types.action, id: ctx.name },
      resource: resourceUid,
      context,
      policies,
      ...(schema === undefined ? {} : { schema, validateRequest: true }),
      entities: mergeEntities(own, extra),
    })
    if (answer.type === 'failure') throw new Error(`Cedar evaluation failed: ${messages(answer.errors)}`)
    if (answer.response.diagnostics.errors.length > 0) {
      throw new Error(`Cedar policy errors: ${answer.response.diagnostics.errors.map((e) => e.policyId).join(', ')}`)
    }
    return answer.response.decision === 'allow' ? allow() : deny(reason)
  })
}
