import { markMiddlewareFactory } from '@mcp-warden/core'
import { auditSpans } from './audit-spans.js'
import { createAuditLog } from './create-audit-log.js'

export { type AuditSpansOptions, auditSpans } from './audit-spans.js'
export { type AuditLog, type AuditLogOptions, createAuditLog } from './create-audit-log.js'
export { type AuditMetrics, type AuditMetricsOptions, createAuditMetrics } from './create-audit-metrics.js'
export { AUDIT_ERROR_CODES, AuditError, type AuditErrorCode, type AuditLoss } from './errors.js'
export { type JsonLinesSinkOptions, jsonLinesSink } from './json-lines-sink.js'
export { type LoggerSinkOptions, loggerSink, type StructuredLogger } from './logger-sink.js'
export { onDecision, onSecurityEvent, type TimedEvent } from './on-decision.js'
export { type OtelLogger, type OtelLogRecord, type OtelLogSinkOptions, otelLogSink } from './otel-log-sink.js'
export {
  ATTR_ERROR_TYPE,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROMPT_NAME,
  ATTR_GEN_AI_TOOL_CALL_ARGUMENTS,
  ATTR_GEN_AI_TOOL_CALL_RESULT,
  ATTR_GEN_AI_TOOL_NAME,
  ATTR_JSONRPC_REQUEST_ID,
  ATTR_MCP_METHOD_NAME,
  ATTR_MCP_PROTOCOL_VERSION,
  ATTR_MCP_RESOURCE_URI,
  ATTR_MCP_SESSION_ID,
  ATTR_WARDEN_ARGUMENTS,
  ATTR_WARDEN_CLIENT_ID,
  ATTR_WARDEN_CORRELATION_ID,
  ATTR_WARDEN_DECISION,
  ATTR_WARDEN_ERROR_CODE,
  ATTR_WARDEN_EVENT_TYPE,
  ATTR_WARDEN_FINDING_CATEGORY,
  ATTR_WARDEN_GUARD,
  ATTR_WARDEN_PRIMITIVE_NAME,
  ATTR_WARDEN_PRINCIPAL_SUBJECT,
  ATTR_WARDEN_RESULT,
  ATTR_WARDEN_RULE,
  ERROR_TYPE_OTHER,
  ERROR_TYPE_TOOL_ERROR,
  GEN_AI_OPERATION_EXECUTE_TOOL,
  METRIC_MCP_SERVER_OPERATION_DURATION,
  METRIC_WARDEN_DENIALS,
  METRIC_WARDEN_SANITIZER_FINDINGS,
  OPERATION_DURATION_BUCKETS_SEC,
} from './semconv.js'
export { OCSF_VERSION, type OcsfApiActivity, toOcsf } from './to-ocsf.js'
export {
  AUDIT_EVENT_SCHEMA,
  type AuditDecision,
  type AuditDropReason,
  type AuditDropReport,
  type AuditEvent,
  type AuditLogStats,
  type AuditOutcome,
  type AuditSink,
  type AuditSinkStats,
  type IdentityMode,
} from './types.js'
export {
  type AuditChainVerification,
  type VerifyAuditChainOptions,
  verifyAuditChain,
  verifyAuditFile,
} from './verify-audit-chain.js'

// A factory passed uncalled (`use: [auditSpans]`) is refused at start-up (core's markMiddlewareFactory).
markMiddlewareFactory(auditSpans, 'auditSpans')
markMiddlewareFactory(createAuditLog, 'createAuditLog', 'createAuditLog(options).middleware')
