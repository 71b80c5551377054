import { createHash } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import {
  createMemoryStore,
  type JsonValue,
  PRINCIPAL_AUTH_EXTRA_KEY,
  type Principal,
  publishSecurityEvent,
  type Store,
  WardenError,
} from '@mcp-warden/core'
import { adoptSession, type NodeStreamableTransport } from './internal/adopt-session.js'
import {
  newSessionId,
  newSessionRecord,
  PRINCIPAL_KEY,
  parseStored,
  REVOKED_KEY,
  SESSION_ID,
  SESSION_KEY,
  type StoredSession,
} from './internal/session-record.js'
import { SESSION_ERROR_CODES, SessionError } from './session-error.js'

/**
 * Options passed through to each SDK `StreamableHTTPServerTransport`; see the SDK's
 * `StreamableHTTPServerTransportOptions`. Session options are owned by the session manager.
 */
export interface StreamableTransportOptions {
  /** SDK `EventStore`, for resumable streams (`Last-Event-ID`). */
  readonly eventStore?: unknown
  /** Answer POSTs with JSON instead of an SSE stream. */
  readonly enableJsonResponse?: boolean
  /** SSE `retry` hint in milliseconds. */
  readonly retryInterval?: number
  readonly allowedHosts?: readonly string[]
  readonly allowedOrigins?: readonly string[]
  readonly enableDnsRebindingProtection?: boolean
  readonly [option: string]: unknown
}

/** What `createServer` returns: an `McpServer` (plain or `secure()`d) that can be connected once. */
export interface ConnectableServer {
  connect(transport: never): Promise<void>
  close(): Promise<void>
}

interface SessionManagerBaseOptions {
  /**
   * Builds the MCP server of one session. The SDK connects one server to one transport, so this
   * is called once per session opened here, and once per session adopted from another instance.
   */
  readonly createServer: () => ConnectableServer | Promise<ConnectableServer>
  /**
   * Milliseconds without a request after which a session ends. A positive integer. Default
   * 1_800_000 (30 min). Last use is written at most every `idleTimeoutMs / 10`, so a session ends
   * between 90 % and 100 % of this time after its last request.
   */
  readonly idleTimeoutMs?: number
  /** Milliseconds after creation after which a session ends, used or not. Default 28_800_000 (8 h). */
  readonly absoluteLifetimeMs?: number
  /**
   * Milliseconds after creation after which the session id is retired: the next request gets a
   * 404 and the client must initialize a new session (a fresh id). Limits how long a leaked id is
   * worth anything. Default: no rotation (only `absoluteLifetimeMs`). At most `absoluteLifetimeMs`.
   */
  readonly rotateAfterMs?: number
  /**
   * Reads the verified principal of a request. Default: the `Principal` that the HTTP
   * authentication layer of `@mcp-warden/auth` placed in
   * `req.auth.extra['mcp-warden/principal']`. A request without a principal gets a 401. Never
   * derive the principal from the token string: the binding must survive token refresh.
   */
  readonly principalOf?: (req: IncomingMessage) => Principal | undefined
  /**
   * Options handed to each SDK `StreamableHTTPServerTransport` (`eventStore` for resumability,
   * `enableJsonResponse`, `retryInterval`, DNS-rebinding options). The session options
   * (`sessionIdGenerator`, `onsessioninitialized`, `onsessionclosed`) belong to the manager.
   */
  readonly transportOptions?: StreamableTransportOptions
  /**
   * Most sessions one principal may hold. Opening one more retires the principal's oldest (as a
   * browser drops its oldest tab session), so one user cannot fill a bounded store with sessions
   * and push other users' sessions out. A positive integer. Default: no limit (a session costs
   * one more store entry per principal when a limit is set, and one read and write on `initialize`).
   */
  readonly maxSessionsPerPrincipal?: number
  /** Largest POST body read to open a session, in bytes. A positive integer. Default 4_194_304 (4 MiB). */
  readonly maxBodyBytes?: number
  /** Clock in milliseconds since the epoch, shared by every instance. Default `Date.now`. */
  readonly now?: () => number
}

/**
 * Options of `createSessionManager`: either a shared `store` (Redis, for several instances) or
 * `maxSessions` for a bounded in-process memory store.
 */
export type SessionManagerOptions = SessionManagerBaseOptions &
  (
    | {
        /** Where bindings live. A Redis store (`@mcp-warden/core/redis`) lets instances share sessions. */
        readonly store: Store
        readonly maxSessions?: never
      }
    | {
        /** Bound of the in-process memory store: at most this many live sessions (LRU beyond). */
        readonly maxSessions: number
        readonly store?: never
      }
  )

/** A live session's binding, as `check` returns it. */
export interface SessionInfo {
  readonly id: string
  /** `Principal.id` of whoever opened the session. */
  readonly principalId: string
  readonly clientId: string | undefined
  /** Creation time, ms since the epoch. */
  readonly createdAt: number
  /** Last recorded use, ms since the epoch (written at most every `idleTimeoutMs / 10`). */
  readonly lastUsedAt: number
}

/** Owns the MCP session ids of one server instance and their binding to principals. */
export interface SessionManager {
  /**
   * Handles one request to the MCP endpoint (POST, GET, DELETE): opens a session on
   * `initialize`, otherwise checks the binding and hands the request to the session's transport.
   * Refusals: 401 without a principal; 400 without a session id on a non-initialize request;
   * 404 `Session not found` for an unknown, foreign, expired, rotated or revoked session (the
   * same body in every case); 503 when the store is unreachable (fail closed).
   */
  handle(req: IncomingMessage, res: ServerResponse, parsedBody?: unknown): Promise<void>
  /**
   * Checks that `sessionId` is live and bound to `principal` (same `id` and `clientId`), and
   * records its use. The per-request check `handle` performs, exposed for other frameworks.
   *
   * @throws SessionError `ERR_SESSION_NOT_FOUND`, `ERR_SESSION_PRINCIPAL_MISMATCH` (and a
   * `session.hijack_attempt` security event), `ERR_SESSION_EXPIRED`, `ERR_SESSION_ROTATED`,
   * `ERR_SESSION_REVOKED`.
   * @throws StoreUnavailableError when the store is down.
   */
  check(sessionId: string, principal: Principal): Promise<SessionInfo>
  /** Ends one session on every instance. Resolves whether it existed. */
  revoke(sessionId: string): Promise<boolean>
  /** Ends every session `principalId` holds (on every instance sharing the store), e.g. on logout. */
  revokePrincipal(principalId: string): Promise<void>
  /** Number of sessions with a transport on this instance. */
  readonly localSessions: number
  /** Closes every local transport and server and stops the sweeper. Bindings stay in the store. */
  close(): Promise<void>
}

const KNOWN_OPTIONS = new Set([
  'createServer',
  'store',
  'maxSessions',
  'idleTimeoutMs',
  'absoluteLifetimeMs',
  'rotateAfterMs',
  'principalOf',
  'transportOptions',
  'maxBodyBytes',
  'maxSessionsPerPrincipal',
  'now',
])
interface Local {
  readonly principalId: string
  readonly transport: NodeStreamableTransport
  readonly server: ConnectableServer
  lastUsedAt: number
}

const positiveInt = (value: unknown, name: string): number => {
  if (!Number.isSafeInteger(value) || (value as number) <= 0) {
    throw new TypeError(`createSessionManager: \`${name}\` must be a positive integer`)
  }
  return value as number
}

function isPrincipal(value: unknown): value is Principal {
  if (typeof value !== 'object' || value === null) return false
  const p = value as Record<string, unknown>
  return (
    typeof p.id === 'string' &&
    p.id.length > 0 &&
    typeof p.issuer === 'string' &&
    typeof p.subject === 'string' &&
    (p.clientId === undefined || typeof p.clientId === 'string')
  )
}

/** The default `principalOf`: what the auth layer put in `req.auth.extra`. */
function principalFromAuth(req: IncomingMessage): Principal | undefined {
  const auth = (req as { auth?: unknown }).auth
  if (typeof auth !== 'object' || auth === null) return undefined
  const extra = (auth as { extra?: unknown }).extra
  if (typeof extra !== 'object' || extra === null) return undefined
  const candidate = (extra as Record<string, unknown>)[PRINCIPAL_AUTH_EXTRA_KEY]
  return isPrincipal(candidate) ? candidate : undefined
}

function sendJson(res: ServerResponse, status: number, code: number, message: string, headers = {}): void {
  if (res.headersSent) {
    res.end()
    return
  }
  const body = JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null })
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(body)
}

class BodyError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message)
  }
}

async function readJson(req: IncomingMessage, limit: number): Promise<unknown> {
  const declared = Number(req.headers['content-length'])
  if (Number.isFinite(declared) && declared > limit) throw new BodyError(413, 'Payload too large')
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer)
    size += buffer.length
    if (size > limit) throw new BodyError(413, 'Payload too large')
    chunks.push(buffer)
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'))
  } catch {
    throw new BodyError(400, 'Parse error: Invalid JSON')
  }
}

/** The `initialize` request of a POST body, if that is what it is. */
function initializeParams(body: unknown): Record<string, unknown> | undefined {
  const message = Array.isArray(body) && body.length === 1 ? body[0] : body
  if (typeof message !== 'object' || message === null) return undefined
  const { method, params, id } = message as Record<string, unknown>
  if (method !== 'initialize' || id === undefined || typeof params !== 'object' || params === null) return undefined
  return params as Record<string, unknown>
}

/** What another instance needs to resume the session: small, JSON, client-supplied, so bounded. */
function initSnapshot(params: Record<string, unknown>): JsonValue | undefined {
  const snapshot = {
    protocolVersion: params.protocolVersion,
    capabilities: params.capabilities,
    clientInfo: params.clientInfo,
  }
  try {
    const text = JSON.stringify(snapshot)
    return text.length <= 16_384 ? (JSON.parse(text) as JsonValue) : undefined
  } catch {
    return undefined
  }
}

/** A short, non-reversible tag of a session id for logs and events (the id itself is a credential). */
const sessionTag = (id: string): string => createHash('sha256').update(id).digest('base64url').slice(0, 16)

/**
 * Creates the session layer of an MCP server on the SDK 1.x Streamable HTTP transport over
 * `node:http`: it owns the session-id → transport map the author would otherwise write, and binds
 * every session to the principal that opened it.
 *
 * - On `initialize` it mints a 256-bit session id from the CSPRNG (43 base64url characters) and
 *   records issuer + subject (`Principal.id`) and client id — never the token, so token refresh
 *   keeps the session — with creation and last-use times, in the store.
 * - On every later request (POST, GET SSE stream, DELETE, resumption with `Last-Event-ID`) it
 *   checks that binding before the transport sees the request. Another principal presenting the
 *   id gets exactly the 404 an unknown id gets, and a `session.hijack_attempt` security event is
 *   published (with a hash of the id, never the id).
 * - Sessions end after `idleTimeoutMs` without use, `absoluteLifetimeMs` after creation, on
 *   `revoke`, and on `revokePrincipal` (every session of a principal, on every instance). After
 *   `rotateAfterMs` the id is retired with a 404; the MCP client must then send a new
 *   `initialize` (the SDK 1.x client reports the 404 as `StreamableHTTPError` code 404: close
 *   the client and `connect()` it again on a new transport).
 * - With a shared store, a session opened on one instance is honoured on another: that instance
 *   builds a transport for the existing id on demand, restores the client's `initialize`
 *   parameters into a fresh server, and serves it (see README-sessions.md for how).
 * - When the store is unreachable the request is refused with 503 (fail closed).
 *
 * @throws TypeError at creation on unknown options, a missing `createServer`, neither or both of
 * `store` and `maxSessions`, or bad timeouts.
 * @see https://modelcontextprotocol.io/specification/2025-11-25/basic/transports#session-management
 * @see https://modelcontextprotocol.io/specification/2025-11-25/basic/security_best_practices#session-hijacking
 *
 * @example
 * ```ts
 * import { createServer } from 'node:http'
 * import { createSessionManager } from '@mcp-warden/auth'
 *
 * const sessions = createSessionManager({
 *   createServer: () => buildMcpServer(), // a new McpServer with its tools
 *   maxSessions: 10_000,
 *   idleTimeoutMs: 15 * 60_000,
 *   rotateAfterMs: 60 * 60_000,
 * })
 * createServer(async (req, res) => {
 *   // after the HTTP authentication layer has set req.auth
 *   await sessions.handle(req, res)
 * }).listen(3000, '127.0.0.1')
 * ```
 */
export function createSessionManager(options: SessionManagerOptions): SessionManager {
  if (typeof options !== 'object' || options === null) throw new TypeError('createSessionManager: options are required')
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(key)) throw new TypeError(`createSessionManager: unknown option "${key}"`)
  }
  const { createServer, principalOf = principalFromAuth, now = Date.now } = options
  if (typeof createServer !== 'function') throw new TypeError('createSessionManager: `createServer` must be a function')
  if (typeof principalOf !== 'function') throw new TypeError('createSessionManager: `principalOf` must be a function')
  if (typeof now !== 'function') throw new TypeError('createSessionManager: `now` must be a function')
  const idleTimeoutMs = positiveInt(options.idleTimeoutMs ?? 1_800_000, 'idleTimeoutMs')
  const absoluteLifetimeMs = positiveInt(options.absoluteLifetimeMs ?? 28_800_000, 'absoluteLifetimeMs')
  const rotateAfterMs =
    options.rotateAfterMs === undefined ? undefined : positiveInt(options.rotateAfterMs, 'rotateAfterMs')
  if (rotateAfterMs !== undefined && rotateAfterMs > absoluteLifetimeMs) {
    throw new TypeError('createSessionManager: `rotateAfterMs` must not exceed `absoluteLifetimeMs`')
  }
  const maxBodyBytes = positiveInt(options.maxBodyBytes ?? 4_194_304, 'maxBodyBytes')
  const maxSessionsPerPrincipal =
    options.maxSessionsPerPrincipal === undefined
      ? undefined
      : positiveInt(options.maxSessionsPerPrincipal, 'maxSessionsPerPrincipal')
  const transportOptions = options.transportOptions ?? {}
  if (typeof transportOptions !== 'object' || transportOptions === null) {
    throw new TypeError('createSessionManager: `transportOptions` must be an object')
  }
  for (const key of ['sessionIdGenerator', 'onsessioninitialized', 'onsessionclosed']) {
    if (key in transportOptions) throw new TypeError(`createSessionManager: transportOptions.${key} is managed here`)
  }
  let store: Store
  if (options.store !== undefined && options.maxSessions !== undefined) {
    throw new TypeError('createSessionManager: give either `store` or `maxSessions`, not both')
  } else if (options.store !== undefined) {
    if (typeof options.store !== 'object' || typeof options.store.compareAndSet !== 'function') {
      throw new TypeError('createSessionManager: `store` must be a Store')
    }
    store = options.store
  } else if (options.maxSessions !== undefined) {
    // Bindings, at most one session list per session, and a handful of revocation marks.
    const max = positiveInt(options.maxSessions, 'maxSessions')
    store = createMemoryStore({ max: (maxSessionsPerPrincipal === undefined ? max : 2 * max) + 1024, now })
  } else {
    throw new TypeError('createSessionManager: `store` or `maxSessions` (a memory store bound) is required')
  }
  // Only a shared store can hand a session to another instance; then the initialize parameters
  // are kept so that instance can restore them.
  const shared = store.kind !== 'memory'
  const touchAfterMs = Math.max(1, Math.floor(idleTimeoutMs / 10))

  const locals = new Map<string, Local>()
  const pending = new Map<string, Promise<Local>>()
  let closed = false

  const closeLocal = async (id: string): Promise<void> => {
    const local = locals.get(id)
    if (local === undefined) return
    locals.delete(id)
    await local.transport.close().catch(() => undefined)
    await local.server.close().catch(() => undefined)
  }

  const sweeper = setInterval(
    () => {
      const cutoff = now() - idleTimeoutMs
      for (const [id, local] of locals) if (local.lastUsedAt <= cutoff) void closeLocal(id)
    },
    Math.min(idleTimeoutMs, 60_000),
  )
  sweeper.unref()

  const startLocal = async (
    id: string,
    principalId: string,
    init: JsonValue | undefined,
    adopt: boolean,
  ): Promise<Local> => {
    const server = await createServer()
    const transport = await adoptSession({
      id,
      server,
      transportOptions,
      init: adopt ? (init ?? null) : undefined,
      onSessionClosed: async (closedId) => {
        await store.delete(SESSION_KEY + closedId)
        publishSecurityEvent({ type: 'session.closed', detail: { session: sessionTag(closedId) } })
      },
      onClose: () => {
        if (locals.get(id)?.transport === transport) locals.delete(id)
      },
    })
    const local: Local = { principalId, transport, server, lastUsedAt: now() }
    locals.set(id, local)
    return local
  }

  const localFor = async (id: string, stored: StoredSession): Promise<Local> => {
    const existing = locals.get(id)
    if (existing !== undefined) return existing
    let starting = pending.get(id)
    if (starting === undefined) {
      starting = startLocal(id, stored[0], stored[4], true)
        .catch((cause: unknown) => {
          // Degrade to "not found": the client re-initializes here; never serve a half-built session.
          throw new SessionError(SESSION_ERROR_CODES.ERR_SESSION_NOT_FOUND, { cause })
        })
        .finally(() => pending.delete(id))
      pending.set(id, starting)
    }
    return starting
  }

  const retire = async (
    id: string,
    principalId: string,
    code:
      | typeof SESSION_ERROR_CODES.ERR_SESSION_EXPIRED
      | typeof SESSION_ERROR_CODES.ERR_SESSION_ROTATED
      | typeof SESSION_ERROR_CODES.ERR_SESSION_REVOKED,
  ) => {
    await store.delete(SESSION_KEY + id)
    await closeLocal(id)
    const type =
      code === SESSION_ERROR_CODES.ERR_SESSION_ROTATED
        ? 'session.rotated'
        : code === SESSION_ERROR_CODES.ERR_SESSION_REVOKED
          ? 'session.revoked'
          : 'session.expired'
    publishSecurityEvent({ type, code, principalId, detail: { session: sessionTag(id) } })
    return new SessionError(code)
  }

  const checkStored = async (id: string, principal: Principal): Promise<StoredSession> => {
    if (typeof id !== 'string' || !SESSION_ID.test(id))
      throw new SessionError(SESSION_ERROR_CODES.ERR_SESSION_NOT_FOUND)
    // Both reads in flight at once (one round trip on Redis); the second is awaited even when the
    // first fails, so its rejection is never left unhandled.
    const binding = store.get(SESSION_KEY + id)
    const revocation = store.get(REVOKED_KEY + principal.id)
    revocation.catch(() => undefined)
    const raw = await binding
    const revokedAt = await revocation
    const stored = parseStored(raw)
    if (stored === undefined) {
      // Ended elsewhere (another instance, the store's expiry or bound): drop a stale local transport.
      await closeLocal(id)
      throw new SessionError(SESSION_ERROR_CODES.ERR_SESSION_NOT_FOUND)
    }
    const [principalId, clientId, createdAt, lastUsedAt] = stored
    if (principalId !== principal.id || clientId !== (principal.clientId ?? null)) {
      publishSecurityEvent({
        type: 'session.hijack_attempt',
        code: SESSION_ERROR_CODES.ERR_SESSION_PRINCIPAL_MISMATCH,
        principalId: principal.id,
        ...(principal.clientId === undefined ? {} : { clientId: principal.clientId }),
        detail: { session: sessionTag(id) },
      })
      throw new SessionError(SESSION_ERROR_CODES.ERR_SESSION_PRINCIPAL_MISMATCH)
    }
    const time = now()
    if (typeof revokedAt === 'number' && createdAt <= revokedAt) {
      throw await retire(id, principalId, SESSION_ERROR_CODES.ERR_SESSION_REVOKED)
    }
    if (time - createdAt >= absoluteLifetimeMs || time - lastUsedAt >= idleTimeoutMs) {
      throw await retire(id, principalId, SESSION_ERROR_CODES.ERR_SESSION_EXPIRED)
    }
    if (rotateAfterMs !== undefined && time - createdAt >= rotateAfterMs) {
      throw await retire(id, principalId, SESSION_ERROR_CODES.ERR_SESSION_ROTATED)
    }
    if (time - lastUsedAt >= touchAfterMs) {
      const init = stored[4]
      const touched: StoredSession =
        init === undefined ? [principalId, clientId, createdAt, time] : [principalId, clientId, createdAt, time, init]
      const ttlMs = Math.max(1, Math.min(idleTimeoutMs, createdAt + absoluteLifetimeMs - time))
      // Compare-and-set, so a touch never resurrects a session revoked meanwhile.
      await store.compareAndSet(SESSION_KEY + id, raw, touched as unknown as JsonValue, { ttlMs })
    }
    return stored
  }

  /**
   * Records the new session in its principal's list and retires the oldest ones beyond
   * `maxSessionsPerPrincipal`. Compare-and-set, so instances opening sessions for the same
   * principal at once do not lose each other's entries.
   */
  const admit = async (principalId: string, id: string, time: number, limit: number): Promise<void> => {
    const key = PRINCIPAL_KEY + principalId
    for (let attempt = 0; ; attempt++) {
      const current = await store.get(key)
      const live = (Array.isArray(current) ? current : []).filter(
        (entry): entry is [string, number] =>
          Array.isArray(entry) &&
          typeof entry[0] === 'string' &&
          typeof entry[1] === 'number' &&
          entry[1] + absoluteLifetimeMs > time,
      )
      live.push([id, time])
      const evicted = live.splice(0, Math.max(0, live.length - limit))
      if (await store.compareAndSet(key, current, live, { ttlMs: absoluteLifetimeMs })) {
        for (const [old] of evicted) {
          await store.delete(SESSION_KEY + old)
          await closeLocal(old)
          publishSecurityEvent({
            type: 'session.evicted',
            principalId,
            detail: { session: sessionTag(old), maxSessionsPerPrincipal: limit },
          })
        }
        return
      }
      if (attempt >= 8)
        throw new WardenError('ERR_SESSION_ADMIT_CONFLICT', 'Session list did not settle', { status: 503 })
    }
  }

  const open = async (
    principal: Principal,
    params: Record<string, unknown>,
    req: IncomingMessage,
    res: ServerResponse,
    body: unknown,
  ): Promise<void> => {
    const id = newSessionId()
    const time = now()
    const init = shared ? initSnapshot(params) : undefined
    const record = newSessionRecord(principal, time, init)
    const ttlMs = Math.min(idleTimeoutMs, absoluteLifetimeMs)
    if (!(await store.compareAndSet(SESSION_KEY + id, undefined, record, { ttlMs }))) {
      throw new WardenError('ERR_SESSION_ID_COLLISION', 'Session could not be created', { expose: false, status: 500 })
    }
    if (maxSessionsPerPrincipal !== undefined) {
      try {
        await admit(principal.id, id, time, maxSessionsPerPrincipal)
      } catch (error) {
        await store.delete(SESSION_KEY + id).catch(() => undefined)
        throw error
      }
    }
    let established = false
    try {
      const local = await startLocal(id, principal.id, undefined, false)
      await local.transport.handleRequest(req, res, body)
      // Unset when the transport refused the initialize (bad protocol version, batch, ...).
      established = local.transport.sessionId === id
    } finally {
      if (!established) {
        await store.delete(SESSION_KEY + id).catch(() => undefined)
        await closeLocal(id)
      }
    }
    if (!established) return
    publishSecurityEvent({
      type: 'session.created',
      principalId: principal.id,
      ...(principal.clientId === undefined ? {} : { clientId: principal.clientId }),
      detail: { session: sessionTag(id) },
    })
  }

  const answer = (res: ServerResponse, error: unknown): void => {
    if (WardenError.isInstance(error) && error.code === SESSION_ERROR_CODES.ERR_SESSION_UNAUTHENTICATED) {
      sendJson(res, 401, -32001, 'Authentication required')
    } else if (SessionError.isInstance(error) && error.status === 404) {
      sendJson(res, 404, -32001, 'Session not found')
    } else if (WardenError.isInstance(error) && error.status === 503) {
      sendJson(res, 503, -32000, 'Service unavailable', { 'retry-after': '1' })
    } else if (error instanceof BodyError) {
      sendJson(res, error.status, error.status === 413 ? -32000 : -32700, error.message)
    } else {
      sendJson(res, 500, -32603, 'Internal error')
    }
  }

  return {
    get localSessions() {
      return locals.size
    },

    async handle(req: IncomingMessage, res: ServerResponse, parsedBody?: unknown): Promise<void> {
      try {
        if (closed) throw new WardenError('ERR_SESSION_CLOSED', 'Session manager closed', { status: 503 })
        const principal = principalOf(req)
        if (!isPrincipal(principal)) throw new SessionError(SESSION_ERROR_CODES.ERR_SESSION_UNAUTHENTICATED)
        const header = req.headers['mcp-session-id']
        if (header === undefined) {
          if (req.method !== 'POST') return sendJson(res, 400, -32000, 'Bad Request: Mcp-Session-Id header is required')
          const body = parsedBody === undefined ? await readJson(req, maxBodyBytes) : parsedBody
          const params = initializeParams(body)
          if (params === undefined) return sendJson(res, 400, -32000, 'Bad Request: Mcp-Session-Id header is required')
          return await open(principal, params, req, res, body)
        }
        if (typeof header !== 'string') throw new SessionError(SESSION_ERROR_CODES.ERR_SESSION_NOT_FOUND)
        const stored = await checkStored(header, principal)
        const local = await localFor(header, stored)
        local.lastUsedAt = now()
        await local.transport.handleRequest(req, res, parsedBody)
      } catch (error) {
        answer(res, error)
      }
    },

    async check(sessionId: string, principal: Principal): Promise<SessionInfo> {
      if (!isPrincipal(principal)) throw new SessionError(SESSION_ERROR_CODES.ERR_SESSION_UNAUTHENTICATED)
      const [principalId, clientId, createdAt, lastUsedAt] = await checkStored(sessionId, principal)
      return { id: sessionId, principalId, clientId: clientId ?? undefined, createdAt, lastUsedAt }
    },

    async revoke(sessionId: string): Promise<boolean> {
      if (typeof sessionId !== 'string' || !SESSION_ID.test(sessionId)) return false
      const existed = await store.delete(SESSION_KEY + sessionId)
      await closeLocal(sessionId)
      if (existed) publishSecurityEvent({ type: 'session.revoked', detail: { session: sessionTag(sessionId) } })
      return existed
    },

    async revokePrincipal(principalId: string): Promise<void> {
      if (typeof principalId !== 'string' || principalId.length === 0) {
        throw new TypeError('SessionManager.revokePrincipal: principalId must be a non-empty string')
      }
      // Every session created at or before this instant is revoked; the mark can expire once no
      // such session can be alive any more. Compare-and-set keeps the latest mark when instances
      // revoke concurrently.
      const key = REVOKED_KEY + principalId
      const time = now()
      for (let attempt = 0; ; attempt++) {
        const current = await store.get(key)
        if (typeof current === 'number' && current >= time) break
        if (await store.compareAndSet(key, current, time, { ttlMs: absoluteLifetimeMs })) break
        if (attempt >= 8)
          throw new WardenError('ERR_SESSION_REVOKE_CONFLICT', 'Revocation did not settle', { status: 503 })
      }
      publishSecurityEvent({ type: 'session.revoked', principalId, detail: { all: true } })
      const mine = [...locals].filter(([, local]) => local.principalId === principalId).map(([id]) => id)
      await Promise.all(mine.map((id) => closeLocal(id)))
    },

    async close(): Promise<void> {
      closed = true
      clearInterval(sweeper)
      await Promise.all([...locals.keys()].map((id) => closeLocal(id)))
    },
  }
}
