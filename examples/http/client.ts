/**
 * The example's scripted client: real SDK 1.x clients over Streamable HTTP, each with the bearer
 * token one OAuth client obtained from the authorization server, trying calls that mcp-warden
 * allows and calls it refuses. Every step records what the server answered (HTTP status, the
 * `WWW-Authenticate` challenge, the denial code) so that it can be printed and tested.
 */
import { denialCodeOf } from '@mcp-warden/core'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport, StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js'
import { type ExampleClient, OPERATOR, READER, requestToken } from './authorization-server.js'

/** What the script needs to know about the running servers. */
export interface ScriptTarget {
  /** The MCP endpoint (and resource URI). */
  readonly url: string
  /** The authorization server's token endpoint. */
  readonly tokenEndpoint: string
  /** Calls of `search_tickets` allowed per caller per minute on the server. */
  readonly searchesPerMinute: number
}

/** One step of the script and what happened. */
export interface Step {
  readonly id: string
  readonly title: string
  readonly expected: 'allowed' | 'denied'
  readonly outcome: 'allowed' | 'denied'
  /** HTTP status of the last response the step got, when the answer came at the HTTP layer. */
  readonly status?: number
  /** The `WWW-Authenticate` challenge of that response, if any. */
  readonly challenge?: string
  /** The denial code (`ERR_*`) of a refused tool call, or the OAuth error. */
  readonly code?: string
  /** What the caller saw, on one line. */
  readonly detail: string
  /** Why the answer is what it is. */
  readonly why: string
}

/** Records the status and challenge of each response a transport receives. */
function recordingFetch(): { fetch: typeof fetch; last: () => { status?: number; challenge?: string } } {
  let last: { status?: number; challenge?: string } = {}
  return {
    fetch: async (input, init) => {
      const response = await fetch(input, { ...init, signal: init?.signal ?? AbortSignal.timeout(30_000) })
      if (init?.method === 'POST' || response.status >= 400) {
        const challenge = response.headers.get('www-authenticate')
        last = { status: response.status, ...(challenge === null ? {} : { challenge }) }
      }
      return response
    },
    last: () => last,
  }
}

interface Connection {
  readonly client: Client
  readonly transport: StreamableHTTPClientTransport
  readonly last: () => { status?: number; challenge?: string }
}

/** An MCP client with `token`; when `decide` is given it declares elicitation and answers confirmations with it. */
function newConnection(
  url: string,
  token: string,
  options: {
    decide?: (message: string) => boolean
    sessionId?: string
    onAsk?: (message: string, yes: boolean) => void
  },
): Connection {
  const recorder = recordingFetch()
  const transport = new StreamableHTTPClientTransport(new URL(url), {
    requestInit: { headers: { Authorization: `Bearer ${token}` } },
    fetch: recorder.fetch,
    ...(options.sessionId === undefined ? {} : { sessionId: options.sessionId }),
  })
  const decide = options.decide
  const client = new Client(
    { name: 'http-example-client', version: '1.0.0' },
    decide === undefined ? {} : { capabilities: { elicitation: {} } },
  )
  if (decide !== undefined) {
    client.setRequestHandler(ElicitRequestSchema, async (request) => {
      const params = request.params as {
        message: string
        requestedSchema?: { properties?: Record<string, { enum?: string[] }> }
      }
      const yes = decide(params.message)
      options.onAsk?.(params.message, yes)
      // The confirmation field carries the server's one-time code: echo it to accept.
      const code = params.requestedSchema?.properties?.confirmation?.enum?.[0] ?? ''
      return yes ? { action: 'accept', content: { confirmation: code } } : { action: 'decline' }
    })
  }
  return { client, transport, last: recorder.last }
}

const oneLine = (text: string, max = 140): string => {
  const flat = text.replaceAll('\n', ' | ')
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat
}

/** Calls a tool and reports the answer, wherever it came from (HTTP layer or pipeline). */
async function callTool(
  connection: Connection,
  name: string,
  args: Record<string, unknown>,
): Promise<Pick<Step, 'outcome' | 'status' | 'challenge' | 'code' | 'detail'>> {
  try {
    const result = await connection.client.callTool({ name, arguments: args })
    const text = (result.content as { text?: string }[]).map((block) => block.text ?? '').join(' / ')
    if (result.isError === true) {
      return { outcome: 'denied', code: denialCodeOf(result) ?? 'tool_error', detail: oneLine(text) }
    }
    return { outcome: 'allowed', detail: oneLine(text) }
  } catch (error) {
    return httpRefusal(connection, error)
  }
}

function httpRefusal(
  connection: Connection,
  error: unknown,
): Pick<Step, 'outcome' | 'status' | 'challenge' | 'code' | 'detail'> {
  if (!(error instanceof StreamableHTTPError)) throw error
  const { status, challenge } = connection.last()
  const code = challenge === undefined ? undefined : /error="([^"]+)"/.exec(challenge)?.[1]
  return {
    outcome: 'denied',
    status: status ?? error.code ?? 0,
    ...(challenge === undefined ? {} : { challenge }),
    ...(code === undefined ? {} : { code }),
    detail: oneLine(error.message),
  }
}

/** Connects, reporting an HTTP refusal instead of throwing. */
async function connect(
  connection: Connection,
): Promise<Pick<Step, 'outcome' | 'status' | 'challenge' | 'code' | 'detail'>> {
  try {
    await connection.client.connect(connection.transport)
    return { outcome: 'allowed', detail: `session ${connection.transport.sessionId?.slice(0, 8)}…` }
  } catch (error) {
    return httpRefusal(connection, error)
  }
}

/** Runs the script against running servers; `onStep` sees each step as it completes. */
export async function runScript(
  target: ScriptTarget,
  onStep: (step: Step) => void = () => {},
  onAsk: (message: string, yes: boolean) => void = () => {},
): Promise<Step[]> {
  const steps: Step[] = []
  const record = (step: Step): void => {
    steps.push(step)
    onStep(step)
  }
  const tokenFor = (client: ExampleClient, scope?: string): Promise<string> =>
    requestToken(target.tokenEndpoint, client, target.url, scope)
  const connections: Connection[] = []
  const open = (token: string, options: Parameters<typeof newConnection>[2] = {}): Connection => {
    const connection = newConnection(target.url, token, { ...options, onAsk })
    connections.push(connection)
    return connection
  }

  try {
    // 1. No token at all.
    const anonymous = await fetch(target.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'curl-like', version: '1' } },
      }),
      signal: AbortSignal.timeout(10_000),
    })
    await anonymous.body?.cancel()
    const challenge = anonymous.headers.get('www-authenticate') ?? undefined
    record({
      id: 'no-token',
      title: 'initialize without a token',
      expected: 'denied',
      outcome: anonymous.ok ? 'allowed' : 'denied',
      status: anonymous.status,
      ...(challenge === undefined ? {} : { challenge }),
      detail: `${anonymous.status} ${anonymous.statusText}`,
      why: 'no bearer token: the challenge points to the resource metadata, which names the authorization server',
    })

    // 2. The reader: a token with tickets:read, for this server's URI.
    const reader = open(await tokenFor(READER))
    const readerConnected = await connect(reader)
    const tools = readerConnected.outcome === 'allowed' ? (await reader.client.listTools()).tools : []
    record({
      id: 'reader-connect',
      title: 'ticket-reader opens a session',
      expected: 'allowed',
      ...readerConnected,
      detail: `${readerConnected.detail}; tools/list: ${tools.map((tool) => tool.name).join(', ')}`,
      why: 'valid JWT for this audience; delete_ticket is hidden from a caller without tickets:write',
    })
    record({
      id: 'reader-list',
      title: 'ticket-reader calls list_tickets',
      expected: 'allowed',
      ...(await callTool(reader, 'list_tickets', {})),
      why: 'list_tickets needs tickets:read, which the token holds',
    })
    record({
      id: 'reader-search-redacted',
      title: 'ticket-reader calls search_tickets {"q":"deploy"}',
      expected: 'allowed',
      ...(await callTool(reader, 'search_tickets', { q: 'deploy' })),
      why: 'allowed; sanitizeOutput redacted the GitHub token quoted in the ticket before it left the server',
    })
    record({
      id: 'reader-step-up',
      title: 'ticket-reader calls close_ticket {"id":"T-1"}',
      expected: 'denied',
      ...(await callTool(reader, 'close_ticket', { id: 'T-1' })),
      why: 'close_ticket needs tickets:write: refused at the HTTP layer (step-up challenge), the tool never ran',
    })
    let askedForMore: Pick<Step, 'outcome' | 'code' | 'detail'>
    try {
      await tokenFor(READER, 'tickets:read tickets:write')
      askedForMore = { outcome: 'allowed', detail: 'token issued' }
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error)
      askedForMore = { outcome: 'denied', code: /refused: (\S+)/.exec(message)?.[1] ?? 'error', detail: message }
    }
    record({
      id: 'reader-more-scope',
      title: 'ticket-reader asks the authorization server for tickets:write',
      expected: 'denied',
      ...askedForMore,
      why: 'the authorization server grants this client tickets:read only',
    })

    // 3. A session id is not a credential: the operator replays the reader's session id.
    const operatorToken = await tokenFor(OPERATOR)
    const readerSession = reader.transport.sessionId ?? ''
    const thief = open(operatorToken, { sessionId: readerSession })
    await thief.client.connect(thief.transport) // with a session id, the SDK client skips initialize
    record({
      id: 'session-replay',
      title: "ticket-operator replays ticket-reader's session id",
      expected: 'denied',
      ...(await callTool(thief, 'list_tickets', {})),
      why: 'sessions are bound to the principal that opened them; any mismatch looks like an unknown session',
    })

    // 4. The operator: tickets:write, and a destructive tool that asks the user first.
    const operator = open(operatorToken, { decide: (message) => message.includes('"T-3"') })
    const operatorConnected = await connect(operator)
    record({
      id: 'operator-connect',
      title: 'ticket-operator opens a session (declares elicitation)',
      expected: 'allowed',
      ...operatorConnected,
      why: 'valid JWT with tickets:read tickets:write',
    })
    record({
      id: 'operator-close',
      title: 'ticket-operator calls close_ticket {"id":"T-1"}',
      expected: 'allowed',
      ...(await callTool(operator, 'close_ticket', { id: 'T-1' })),
      why: 'the token holds tickets:write',
    })
    record({
      id: 'operator-delete-accepted',
      title: 'ticket-operator calls delete_ticket {"id":"T-3"}',
      expected: 'allowed',
      ...(await callTool(operator, 'delete_ticket', { id: 'T-3' })),
      why: 'destructive: the server asked the user to confirm (elicitation), the user accepted',
    })
    record({
      id: 'operator-delete-declined',
      title: 'ticket-operator calls delete_ticket {"id":"T-2"}',
      expected: 'denied',
      ...(await callTool(operator, 'delete_ticket', { id: 'T-2' })),
      why: 'the user declined the confirmation: the tool did not run',
    })

    // 5. A token the same authorization server issued for another resource.
    const foreign = open(await requestToken(target.tokenEndpoint, OPERATOR, reportsResource(target.url)))
    record({
      id: 'wrong-audience',
      title: 'a token issued for another resource (…/reports)',
      expected: 'denied',
      ...(await connect(foreign)),
      why: 'the aud claim is not this server (RFC 8707): no token passthrough between services',
    })

    // 6. Rate limit: search_tickets allows a few calls a minute per caller.
    let limited: Awaited<ReturnType<typeof callTool>> | undefined
    let attempts = 1 // the search above
    while (attempts <= target.searchesPerMinute + 1) {
      attempts += 1
      const answer = await callTool(reader, 'search_tickets', { q: 'printer' })
      if (answer.outcome === 'denied') {
        limited = answer
        break
      }
    }
    record({
      id: 'rate-limit',
      title: `ticket-reader calls search_tickets again (call ${attempts})`,
      expected: 'denied',
      ...(limited ?? { outcome: 'allowed', detail: 'never refused' }),
      why: `at most ${target.searchesPerMinute} searches per caller per minute (sliding window)`,
    })
  } finally {
    for (const connection of connections) await connection.client.close().catch(() => undefined)
  }
  return steps
}

/** The other resource the authorization server issues tokens for. */
export function reportsResource(mcpUrl: string): string {
  return `${new URL(mcpUrl).origin}/reports`
}
