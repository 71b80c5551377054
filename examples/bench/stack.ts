/**
 * The tool and the guard stack the end-to-end benchmarks measure: an `echo` tool taking `{ text }`
 * and returning it, registered bare or behind the full mcp-warden stack (audit spans, a verified
 * principal, a rate limit, input and output sanitizers, and per tool the scope check plus three
 * rules).
 */
import { type AuditSpansOptions, auditSpans } from '@mcp-warden/audit'
import { requireAuth } from '@mcp-warden/auth'
import { createMemoryStore, type Principal } from '@mcp-warden/core'
import { type SecuredMcpServer, secure } from '@mcp-warden/core/sdk-v1'
import { allow, deny, rateLimit, requireScopes, rule, sanitizeInput, sanitizeOutput } from '@mcp-warden/policy'
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { z } from 'zod'

/**
 * A 2 KB argument of ordinary prose: nothing for the sanitizers to find, all of it to scan. Made
 * flat, as a transport delivers it (`JSON.parse`), rather than the sliced string `repeat().slice()`
 * builds, whose every character read goes through its parent.
 */
export const PAYLOAD: string = JSON.parse(
  JSON.stringify(
    'Quarterly report line with ordinary words, numbers 12345 and punctuation. '.repeat(28).slice(0, 2048),
  ),
)

const schema = { inputSchema: { text: z.string() } }
const handler = async ({ text }: { text: string }) => ({ content: [{ type: 'text' as const, text }] })

/** Registers the echo tool on a bare server and returns the server. */
export function registerBareEcho(server: McpServer): McpServer {
  server.registerTool('echo', schema, handler)
  return server
}

export interface FullStackOptions {
  /**
   * Principal of calls that arrive without one (in-process transports). Omitted: the principal
   * the HTTP layer verified, and a call without one is denied.
   */
  readonly localPrincipal?: Principal
  /** Tracer provider of the audit spans. Omitted: the global one (no OpenTelemetry SDK: a no-op). */
  readonly tracerProvider?: AuditSpansOptions['tracerProvider']
  /** Include `sanitizeInput()` and `sanitizeOutput()`. Default true. */
  readonly sanitizers?: boolean
}

/**
 * Builds the full stack once (its rate-limit store is shared by every server it secures) and
 * returns a function that secures a fresh `McpServer` with it and registers the guarded echo
 * tool (`requireScopes('tickets:read')` and three rules) on it.
 */
export function createFullStack(options: FullStackOptions = {}): (server: McpServer) => SecuredMcpServer {
  const use = [
    auditSpans(options.tracerProvider === undefined ? {} : { tracerProvider: options.tracerProvider }),
    requireAuth(options.localPrincipal === undefined ? {} : { localPrincipal: options.localPrincipal }),
    rateLimit({ limit: 1_000_000_000, windowMs: 60_000, store: createMemoryStore({ max: 1000 }) }),
    ...(options.sanitizers === false ? [] : [sanitizeInput(), sanitizeOutput()]),
  ]
  const rules = [
    rule('no-empty', (ctx) => (ctx.arguments.text === '' ? deny('empty') : allow())),
    rule('size', (ctx) => (String(ctx.arguments.text).length > 100_000 ? deny('too long') : allow())),
    rule('business-hours', () => allow()),
  ]
  const scopes = requireScopes('tickets:read')
  return (server) => {
    const secured = secure(server, { use })
    secured.registerTool('echo', schema, secured.guard(scopes, ...rules).wrap(handler))
    return secured
  }
}
