import { INSTRUMENTATION_VERSION } from './internal/version.js'
import type { AuditEvent } from './types.js'

/** OCSF schema version the mapping targets. */
export const OCSF_VERSION = '1.3.0'

/**
 * An audit event in OCSF form: class API Activity (`class_uid` 6003, category Application Activity
 * 6), with the Security Control profile's `disposition_id`. Fields OCSF has no place for travel in
 * `unmapped.mcp_warden`.
 */
export interface OcsfApiActivity {
  readonly class_uid: 6003
  readonly class_name: 'API Activity'
  readonly category_uid: 6
  readonly category_name: 'Application Activity'
  /** 2 Read (`resources/read`, `prompts/get`), 99 Other (tool calls: `Invoke`; security events: their type). */
  readonly activity_id: 2 | 99
  readonly activity_name: string
  /** `class_uid * 100 + activity_id`. */
  readonly type_uid: number
  /** Milliseconds since the epoch. */
  readonly time: number
  /** 1 Informational, 3 Medium (failures and denials). */
  readonly severity_id: 1 | 3
  readonly severity: 'Informational' | 'Medium'
  /** 0 Unknown, 1 Success, 2 Failure. */
  readonly status_id: 0 | 1 | 2
  readonly status: 'Unknown' | 'Success' | 'Failure'
  /** The denial or event code (`ERR_<AREA>_<REASON>`). */
  readonly status_code?: string
  /** The error type of a failed call (`tool_error`, an error class). */
  readonly status_detail?: string
  /** Security Control profile: 1 Allowed, 2 Blocked. Calls only. */
  readonly disposition_id?: 1 | 2
  readonly disposition?: 'Allowed' | 'Blocked'
  /** Milliseconds. */
  readonly duration?: number
  readonly message: string
  readonly metadata: {
    readonly version: string
    readonly uid: string
    readonly correlation_uid?: string
    readonly log_name: 'mcp-warden.audit'
    readonly profiles: readonly string[]
    readonly product: { readonly name: 'mcp-warden'; readonly vendor_name: 'mcp-warden'; readonly version: string }
  }
  readonly actor: {
    readonly user?: { readonly uid: string }
    readonly app_uid?: string
    readonly session?: { readonly uid: string }
  }
  readonly api: {
    readonly operation: string
    readonly service: { readonly name: 'mcp' }
  }
  readonly src_endpoint: { readonly name: string }
  readonly resources?: readonly { readonly name: string; readonly type: string }[]
  readonly unmapped: { readonly mcp_warden: Readonly<Record<string, unknown>> }
}

const OPERATION = { tool: 'tools/call', resource: 'resources/read', prompt: 'prompts/get' } as const

/**
 * Maps an audit event to OCSF API Activity (class 6003), so a SIEM that speaks OCSF ingests it
 * without custom parsing:
 *
 * | audit event | OCSF |
 * |---|---|
 * | `time` | `time` (epoch ms) |
 * | `id`, `correlationId` | `metadata.uid`, `metadata.correlation_uid` |
 * | `type: 'call'` + `kind` | `api.operation` (`tools/call`, ...), `activity_id` 99 `Invoke` (tools) or 2 `Read` |
 * | other `type` | `activity_id` 99, `activity_name` = the type, `api.operation` = the type |
 * | `principal`, `client`, `sessionId` | `actor.user.uid`, `actor.app_uid`, `actor.session.uid` |
 * | `name`, `kind` | `resources[0].name`, `resources[0].type` |
 * | `outcome` | `status_id` (1 Success, 2 Failure, 0 Unknown), `severity_id` (3 on failure, else 1) |
 * | `decision` | `disposition_id` (1 Allowed, 2 Blocked) |
 * | `code`, `errorType` | `status_code`, `status_detail` |
 * | `durationMs` | `duration` (ms, rounded) |
 * | `decision`, `traceId`, `spanId`, `argumentsDigest`, `detail`, `seq`, `prev`, `hash` | `unmapped.mcp_warden` |
 *
 * @see https://schema.ocsf.io/1.3.0/classes/api_activity
 * @example
 * ```ts
 * createAuditLog({ sinks: [jsonLinesSink({ stream: process.stdout, format: 'ocsf' })] })
 * ```
 */
export function toOcsf(event: AuditEvent): OcsfApiActivity {
  const isCall = event.type === 'call' && event.kind !== undefined
  const operation = isCall && event.kind !== undefined ? OPERATION[event.kind] : event.type
  const activityId: 2 | 99 = isCall && event.kind !== 'tool' ? 2 : 99
  const activityName = isCall ? (activityId === 2 ? 'Read' : 'Invoke') : event.type
  const statusId = event.outcome === 'success' ? 1 : event.outcome === 'failure' ? 2 : 0
  const failed = statusId === 2
  const unmapped: Record<string, unknown> = { schema: event.schema, type: event.type }
  for (const key of ['decision', 'traceId', 'spanId', 'argumentsDigest', 'detail', 'seq', 'prev', 'hash'] as const) {
    if (event[key] !== undefined) unmapped[key] = event[key]
  }
  const actor: {
    user?: { uid: string }
    app_uid?: string
    session?: { uid: string }
  } = {}
  if (event.principal !== undefined) actor.user = { uid: event.principal }
  if (event.client !== undefined) actor.app_uid = event.client
  if (event.sessionId !== undefined) actor.session = { uid: event.sessionId }
  return {
    class_uid: 6003,
    class_name: 'API Activity',
    category_uid: 6,
    category_name: 'Application Activity',
    activity_id: activityId,
    activity_name: activityName,
    type_uid: 6003 * 100 + activityId,
    time: Date.parse(event.time),
    severity_id: failed ? 3 : 1,
    severity: failed ? 'Medium' : 'Informational',
    status_id: statusId,
    status: statusId === 1 ? 'Success' : statusId === 2 ? 'Failure' : 'Unknown',
    ...(event.code === undefined ? {} : { status_code: event.code }),
    ...(event.errorType === undefined ? {} : { status_detail: event.errorType }),
    ...(event.decision === undefined
      ? {}
      : event.decision === 'allow'
        ? { disposition_id: 1, disposition: 'Allowed' }
        : { disposition_id: 2, disposition: 'Blocked' }),
    ...(event.durationMs === undefined ? {} : { duration: Math.round(event.durationMs) }),
    message: `${operation}${event.name === undefined ? '' : ` ${event.name}`}: ${event.decision ?? event.outcome}${
      event.code === undefined ? '' : ` (${event.code})`
    }`,
    metadata: {
      version: OCSF_VERSION,
      uid: event.id,
      ...(event.correlationId === undefined ? {} : { correlation_uid: event.correlationId }),
      log_name: 'mcp-warden.audit',
      profiles: event.decision === undefined ? [] : ['security_control'],
      product: { name: 'mcp-warden', vendor_name: 'mcp-warden', version: INSTRUMENTATION_VERSION },
    },
    actor,
    api: { operation, service: { name: 'mcp' } },
    src_endpoint: { name: event.client ?? 'unknown' },
    ...(event.name === undefined ? {} : { resources: [{ name: event.name, type: event.kind ?? 'unknown' }] }),
    unmapped: { mcp_warden: unmapped },
  }
}
