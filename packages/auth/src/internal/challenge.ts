/** The `error` values of RFC 6750 §3.1. */
export type BearerErrorCode = 'invalid_request' | 'invalid_token' | 'insufficient_scope'

/** What a `WWW-Authenticate: Bearer` challenge says. */
export interface ChallengeParams {
  readonly error?: BearerErrorCode
  readonly errorDescription?: string
  /** Scope tokens the resource needs, joined with spaces. */
  readonly scope?: readonly string[]
  /** URL of the protected resource metadata (RFC 9728 §5.1). */
  readonly resourceMetadata?: string
}

/** Longest `error_description`, in characters. */
const MAX_DESCRIPTION = 256

/**
 * Makes `value` safe inside a quoted-string: characters outside printable ASCII (controls, line
 * breaks, non-ASCII) are dropped, `"` and `\` are escaped (RFC 9110 §5.6.4 quoted-pair). No header
 * injection is possible whatever the input.
 */
export function quoteHeaderValue(value: string, maxLength = Number.POSITIVE_INFINITY): string {
  let out = '"'
  let kept = 0
  for (let i = 0; i < value.length && kept < maxLength; i++) {
    const code = value.charCodeAt(i)
    if (code < 0x20 || code > 0x7e) continue
    if (code === 0x22 || code === 0x5c) out += '\\'
    out += value[i]
    kept++
  }
  return `${out}"`
}

/**
 * Builds a `WWW-Authenticate` value for the Bearer scheme: `resource_metadata` first (what an MCP
 * client looks for), then `scope`, `error` and `error_description`, every value quoted and escaped.
 *
 * @see RFC 6750 §3, RFC 9728 §5.1, MCP authorization (2025-11-25) "Protected Resource Metadata Discovery"
 */
export function buildChallenge(params: ChallengeParams): string {
  const parts: string[] = []
  if (params.resourceMetadata !== undefined)
    parts.push(`resource_metadata=${quoteHeaderValue(params.resourceMetadata)}`)
  if (params.scope !== undefined && params.scope.length > 0)
    parts.push(`scope=${quoteHeaderValue(params.scope.join(' '))}`)
  if (params.error !== undefined) parts.push(`error=${quoteHeaderValue(params.error)}`)
  if (params.errorDescription !== undefined) {
    parts.push(`error_description=${quoteHeaderValue(params.errorDescription, MAX_DESCRIPTION)}`)
  }
  return parts.length === 0 ? 'Bearer' : `Bearer ${parts.join(', ')}`
}
