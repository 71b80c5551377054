/** Instrumentation scope of the tracer, meter and logger this package asks for. */
export const INSTRUMENTATION_NAME = '@mcp-warden/audit'
/** Kept in step with package.json by the release. */
export const INSTRUMENTATION_VERSION = '0.1.0'
