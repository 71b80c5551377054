/**
 * The example's protected MCP server: a ticket service on Streamable HTTP (node:http, 127.0.0.1),
 * secured with mcp-warden at both layers.
 *
 * HTTP layer (`@mcp-warden/auth`), before any MCP message is handled:
 * - bearer JWT access tokens verified against the authorization server's published keys (issuer,
 *   audience = this server's URI, ES256, `at+jwt`), RFC 6750 challenges, RFC 9728 metadata;
 * - step-up: a `tools/call` whose tool needs a scope the token lacks gets `403 insufficient_scope`
 *   naming that scope, and the tool never runs;
 * - Origin and Host checks against DNS rebinding;
 * - sessions bound to the principal that opened them (`createSessionManager`): another caller
 *   presenting the session id gets `404`.
 *
 * In-process (`secure()` with core, policy and audit guards), on every call: audit spans and audit
 * events (JSON Lines, one file per run), `requireAuth`, a rate limit per caller, input and output
 * sanitizers (secrets redacted), then per-tool scopes, a tighter limit on search, and a human
 * confirmation (elicitation) before the destructive tool runs.
 */
import { mkdtempSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type AuditSink, auditSpans, createAuditLog, jsonLinesSink } from '@mcp-warden/audit'
import {
  createProtectedResource,
  createSessionManager,
  createTokenVerifier,
  protectNodeHandler,
  requireAuth,
} from '@mcp-warden/auth'
import { createMemoryStore, type Store } from '@mcp-warden/core'
import { secure } from '@mcp-warden/core/sdk-v1'
import { rateLimit, requireApproval, requireScopes, sanitizeInput, sanitizeOutput } from '@mcp-warden/policy'
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { z } from 'zod'

/** The scopes this server knows, advertised in its metadata. */
export const SCOPES = ['tickets:read', 'tickets:write'] as const

/** Options of `startTicketServer`. */
export interface TicketServerOptions {
  /** The authorization server whose tokens are accepted (its `iss`), e.g. `http://127.0.0.1:4000`. */
  readonly issuer: string
  /** TCP port on 127.0.0.1; `0` (the default) picks a free one. */
  readonly port?: number
  /** Where audit events are appended (JSON Lines). Default: `audit.jsonl` in a new temporary directory. */
  readonly auditFile?: string
  /** More audit sinks, e.g. one that collects events in memory. */
  readonly auditSinks?: readonly AuditSink[]
  /** Calls of `search_tickets` allowed per caller per minute. Default 3. */
  readonly searchesPerMinute?: number
}

/** A running ticket server. */
export interface TicketServer {
  /** The MCP endpoint, `http://127.0.0.1:<port>/mcp`: also the resource URI, the audience of its tokens. */
  readonly url: string
  /** Where its protected resource metadata is served (RFC 9728). */
  readonly metadataUrl: string
  /** The JSON Lines audit file. */
  readonly auditFile: string
  /** Waits until every audit event so far is written. */
  flushAudit(): Promise<void>
  /** Sessions open on this server. */
  sessionCount(): number
  /** Closes every session, flushes the audit log and stops listening. */
  close(): Promise<void>
}

const TICKETS: readonly (readonly [string, string])[] = [
  ['T-1', 'Printer on fire'],
  ['T-2', 'Deploy fails: the log shows token ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8 in the CI output'],
  ['T-3', 'Coffee machine asks for admin rights'],
]

interface State {
  readonly tickets: Map<string, string>
  readonly store: Store
}

/**
 * One secured McpServer; the session manager builds one per session. The HTTP layer reads the
 * scopes each tool declares (through `requireScopes`) for step-up, and the pipeline checks them
 * again in-process.
 */
function buildTicketServer(state: State, use: Parameters<typeof secure>[1], searchesPerMinute: number) {
  const server = secure(new McpServer({ name: 'tickets', version: '1.0.0' }), use)

  server.registerTool(
    'list_tickets',
    { description: 'List open tickets', annotations: { readOnlyHint: true } },
    server.guard(requireScopes('tickets:read')).wrap(async () => ({
      content: [{ type: 'text', text: [...state.tickets].map(([id, title]) => `${id} ${title}`).join('\n') }],
    })),
  )

  server.registerTool(
    'search_tickets',
    {
      description: `Search tickets (at most ${searchesPerMinute} searches a minute per caller)`,
      inputSchema: { q: z.string().max(200) },
      annotations: { readOnlyHint: true },
    },
    server
      .guard(
        requireScopes('tickets:read'),
        rateLimit({ limit: searchesPerMinute, windowMs: 60_000, name: 'search', store: state.store }),
      )
      .wrap(async ({ q }: { q: string }) => {
        const hits = [...state.tickets].filter(([, title]) => title.toLowerCase().includes(q.toLowerCase()))
        return {
          content: [
            { type: 'text', text: hits.length === 0 ? 'no match' : hits.map(([id, t]) => `${id} ${t}`).join('\n') },
          ],
        }
      }),
  )

  server.registerTool(
    'close_ticket',
    {
      description: 'Close a ticket',
      inputSchema: { id: z.string().max(20) },
      annotations: { destructiveHint: false, idempotentHint: true },
    },
    // Listed for everyone, so that a caller without the scope learns which scope to ask for.
    server
      .guard(requireScopes.with({ hideFromLists: false })('tickets:write'))
      .wrap(async ({ id }: { id: string }) => ({
        content: [{ type: 'text', text: state.tickets.has(id) ? `${id} closed` : `${id} not found` }],
      })),
  )

  server.registerTool(
    'delete_ticket',
    {
      description: 'Delete a ticket for good (asks the user to confirm)',
      inputSchema: { id: z.string().max(20) },
      annotations: { destructiveHint: true },
    },
    server
      .guard(requireScopes('tickets:write'), requireApproval({ timeoutMs: 60_000, store: state.store }))
      .wrap(async ({ id }: { id: string }, ctx) => ({
        content: [
          {
            type: 'text',
            text: state.tickets.delete(id) ? `${id} deleted by ${ctx.principal?.subject}` : `${id} not found`,
          },
        ],
      })),
  )

  return server
}

/** Starts the ticket server on 127.0.0.1, trusting tokens of `options.issuer`. */
export async function startTicketServer(options: TicketServerOptions): Promise<TicketServer> {
  const searchesPerMinute = options.searchesPerMinute ?? 3
  const auditFile = options.auditFile ?? join(mkdtempSync(join(tmpdir(), 'mcp-warden-http-')), 'audit.jsonl')
  const audit = createAuditLog({
    sinks: [jsonLinesSink({ path: auditFile }), ...(options.auditSinks ?? [])],
    hashChain: true,
  })
  const state: State = { tickets: new Map(TICKETS), store: createMemoryStore({ max: 10_000 }) }
  const use: Parameters<typeof secure>[1] = {
    use: [
      auditSpans(), // spans through whatever OpenTelemetry SDK the application registers (none here)
      audit.middleware,
      requireAuth(), // the principal the HTTP layer verified
      rateLimit({ limit: 60, windowMs: 60_000, name: 'calls', store: state.store }),
      sanitizeInput(),
      sanitizeOutput(), // secrets in results are redacted, invisible characters stripped
    ],
  }

  // The resource URI is this server's own URL: listen first to learn the port.
  const http = createServer()
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject)
    http.listen(options.port ?? 0, '127.0.0.1', () => resolve())
  })
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp`

  const verifier = createTokenVerifier({
    issuer: options.issuer,
    audience: url,
    jwt: { algorithms: ['ES256'] }, // keys: the jwks_uri of the issuer's metadata
  })
  const protectedResource = createProtectedResource({
    resource: url,
    verifier,
    authorizationServers: [options.issuer],
    scopesSupported: [...SCOPES],
    // Every session's server declares the same tools: any instance tells the scopes they need.
    stepUp: { server: buildTicketServer(state, use, searchesPerMinute) },
  })
  const sessions = createSessionManager({
    createServer: () => buildTicketServer(state, use, searchesPerMinute),
    maxSessions: 1_000,
    maxSessionsPerPrincipal: 20,
    idleTimeoutMs: 15 * 60_000,
  })
  http.on(
    'request',
    protectNodeHandler(protectedResource, async (req, res, body) => {
      const path = (req.url ?? '/').split('?')[0]
      if (path !== '/mcp') {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found')
        return
      }
      await sessions.handle(req, res, body)
    }),
  )

  const origin = new URL(url).origin
  return {
    url,
    metadataUrl: `${origin}/.well-known/oauth-protected-resource/mcp`,
    auditFile,
    flushAudit: () => audit.flush(),
    sessionCount: () => sessions.localSessions,
    async close() {
      await sessions.close()
      http.closeAllConnections()
      await new Promise<void>((resolve) => http.close(() => resolve()))
      await audit.close()
    },
  }
}
