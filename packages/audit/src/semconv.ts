/**
 * Attribute, metric and value names of the OpenTelemetry semantic conventions for the Model Context
 * Protocol (status: development), copied here so the package depends on `@opentelemetry/api` only,
 * and mcp-warden's own attributes under the `mcp_warden.` namespace.
 *
 * @see https://github.com/open-telemetry/semantic-conventions-genai/blob/main/docs/gen-ai/mcp.md
 * @module
 */

/** `mcp.method.name`: the JSON-RPC method (`tools/call`, `resources/read`, `prompts/get`). Required. */
export const ATTR_MCP_METHOD_NAME = 'mcp.method.name'
/** `mcp.session.id`: the transport session (`Mcp-Session-Id`). Recommended. */
export const ATTR_MCP_SESSION_ID = 'mcp.session.id'
/** `mcp.protocol.version`: the negotiated MCP revision, e.g. `2025-06-18`. Recommended. */
export const ATTR_MCP_PROTOCOL_VERSION = 'mcp.protocol.version'
/** `mcp.resource.uri`: the URI read by `resources/read`. Conditionally required. */
export const ATTR_MCP_RESOURCE_URI = 'mcp.resource.uri'
/** `gen_ai.tool.name`: the tool called. Conditionally required on `tools/call`. */
export const ATTR_GEN_AI_TOOL_NAME = 'gen_ai.tool.name'
/** `gen_ai.prompt.name`: the prompt got. Conditionally required on `prompts/get`. */
export const ATTR_GEN_AI_PROMPT_NAME = 'gen_ai.prompt.name'
/** `gen_ai.operation.name`: `execute_tool` on tool calls, unset otherwise. Recommended. */
export const ATTR_GEN_AI_OPERATION_NAME = 'gen_ai.operation.name'
/** `gen_ai.tool.call.arguments`: the tool arguments. Opt-in: may hold sensitive data. */
export const ATTR_GEN_AI_TOOL_CALL_ARGUMENTS = 'gen_ai.tool.call.arguments'
/** `gen_ai.tool.call.result`: the tool result. Opt-in: may hold sensitive data. */
export const ATTR_GEN_AI_TOOL_CALL_RESULT = 'gen_ai.tool.call.result'
/** `jsonrpc.request.id`: string form of the JSON-RPC `id`; not set when the id is null or absent. */
export const ATTR_JSONRPC_REQUEST_ID = 'jsonrpc.request.id'
/** `error.type`: the class of error the operation ended with; present if and only if it failed. */
export const ATTR_ERROR_TYPE = 'error.type'

/** Value of `gen_ai.operation.name` on tool calls. */
export const GEN_AI_OPERATION_EXECUTE_TOOL = 'execute_tool'
/** Value of `error.type` when a tool returned a result with `isError: true`. */
export const ERROR_TYPE_TOOL_ERROR = 'tool_error'
/** Fallback value of `error.type` when nothing better describes the failure. */
export const ERROR_TYPE_OTHER = '_OTHER'

/** Histogram `mcp.server.operation.duration`, unit seconds. */
export const METRIC_MCP_SERVER_OPERATION_DURATION = 'mcp.server.operation.duration'
/** Bucket boundaries the conventions advise for the operation-duration histograms, in seconds. */
export const OPERATION_DURATION_BUCKETS_SEC: readonly number[] = Object.freeze([
  0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30, 60, 120, 300,
])

/** `mcp_warden.decision`: `allow`, `deny` or `approval-required`. */
export const ATTR_WARDEN_DECISION = 'mcp_warden.decision'
/** `mcp_warden.error.code`: the denial code (`ERR_<AREA>_<REASON>`). */
export const ATTR_WARDEN_ERROR_CODE = 'mcp_warden.error.code'
/** `mcp_warden.guard`: the guard that decided (its error class or `details.guard`). */
export const ATTR_WARDEN_GUARD = 'mcp_warden.guard'
/** `mcp_warden.rule`: the rule that decided, when the guard names one (`details.rule`). */
export const ATTR_WARDEN_RULE = 'mcp_warden.rule'
/** `mcp_warden.principal.subject`: the caller's subject, hashed unless configured plain. */
export const ATTR_WARDEN_PRINCIPAL_SUBJECT = 'mcp_warden.principal.subject'
/** `mcp_warden.client.id`: the OAuth client id, hashed unless configured plain. */
export const ATTR_WARDEN_CLIENT_ID = 'mcp_warden.client.id'
/** `mcp_warden.correlation.id`: the call's correlation id (trace id of `_meta.traceparent` or a UUID). */
export const ATTR_WARDEN_CORRELATION_ID = 'mcp_warden.correlation.id'
/** `mcp_warden.primitive.name`: the registered name of the tool, prompt or resource (template). */
export const ATTR_WARDEN_PRIMITIVE_NAME = 'mcp_warden.primitive.name'
/** `mcp_warden.result`: the opted-in, redacted result of a resource read or prompt get. */
export const ATTR_WARDEN_RESULT = 'mcp_warden.result'
/** `mcp_warden.arguments`: the opted-in, redacted arguments of a resource read or prompt get. */
export const ATTR_WARDEN_ARGUMENTS = 'mcp_warden.arguments'
/** `mcp_warden.finding.category`: the category of a sanitizer finding. */
export const ATTR_WARDEN_FINDING_CATEGORY = 'mcp_warden.finding.category'
/** `mcp_warden.event.type`: the security event type (`content.invisible_unicode`, ...). */
export const ATTR_WARDEN_EVENT_TYPE = 'mcp_warden.event.type'

/** Counter `mcp_warden.denials`: denied calls, by `mcp_warden.error.code`. */
export const METRIC_WARDEN_DENIALS = 'mcp_warden.denials'
/** Counter `mcp_warden.sanitizer.findings`: sanitizer findings, by `mcp_warden.finding.category`. */
export const METRIC_WARDEN_SANITIZER_FINDINGS = 'mcp_warden.sanitizer.findings'
