import type { IncomingMessage, ServerResponse } from 'node:http'
import type { JsonValue } from '@mcp-warden/core'
import type { StreamableTransportOptions } from '../session-manager.js'

/** The parts of the SDK 1.x `StreamableHTTPServerTransport` the session manager uses. */
export interface NodeStreamableTransport {
  readonly sessionId: string | undefined
  handleRequest(req: IncomingMessage, res: ServerResponse, parsedBody?: unknown): Promise<void>
  close(): Promise<void>
  send(message: unknown, options?: unknown): Promise<void>
  onclose?: (() => void) | undefined
  onmessage?: ((message: unknown, extra?: unknown) => void) | undefined
}

type TransportClass = new (options: Record<string, unknown>) => NodeStreamableTransport

let transportClass: Promise<TransportClass> | undefined
/** The SDK is an optional peer: loaded on first use, so `@mcp-warden/auth` imports without it. */
const loadTransportClass = (): Promise<TransportClass> => {
  transportClass ??= import('@modelcontextprotocol/sdk/server/streamableHttp.js').then(
    (sdk) => sdk.StreamableHTTPServerTransport as unknown as TransportClass,
  )
  return transportClass
}

interface InnerState {
  sessionId: string | undefined
  _initialized: boolean
}

/**
 * SDK 1.x has no public way to serve an existing session id on a fresh transport (the session
 * is only established by the transport seeing `initialize`). Two private fields of the inner
 * web-standard transport hold that state; they are checked for the exact shape first, and an SDK
 * that changed them makes adoption fail (the client then gets a 404 and re-initializes: degraded,
 * never open).
 */
function markInitialized(transport: NodeStreamableTransport, id: string): void {
  const inner = (transport as unknown as { _webStandardTransport?: unknown })._webStandardTransport
  if (
    typeof inner !== 'object' ||
    inner === null ||
    typeof (inner as InnerState)._initialized !== 'boolean' ||
    typeof (inner as { validateSession?: unknown }).validateSession !== 'function'
  ) {
    throw new Error('This SDK version does not let a transport resume an existing session')
  }
  const state = inner as InnerState
  state.sessionId = id
  state._initialized = true
}

const RESTORE_ID = 'mcp-warden:restore-initialize'

/**
 * Replays the client's original `initialize` into the fresh server (through the transport's
 * message callback, with the reply swallowed), so the server knows the client's capabilities
 * (elicitation, sampling) and protocol version exactly as on the instance that opened the session.
 */
async function restoreInitialize(transport: NodeStreamableTransport, init: JsonValue | null): Promise<void> {
  const params =
    typeof init === 'object' && init !== null && !Array.isArray(init)
      ? init
      : { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'unknown', version: '0' } }
  const deliver = transport.onmessage
  if (typeof deliver !== 'function') throw new Error('Server did not attach to the transport')
  const send = transport.send
  const replied = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('Server did not answer the restored initialize')), 5000)
    timer.unref()
    transport.send = async (message: unknown, options?: unknown) => {
      if (typeof message === 'object' && message !== null && (message as { id?: unknown }).id === RESTORE_ID) {
        clearTimeout(timer)
        if ('error' in message) reject(new Error('Server refused the restored initialize'))
        else resolve()
        return
      }
      return send.call(transport, message, options)
    }
  })
  try {
    deliver.call(transport, { jsonrpc: '2.0', id: RESTORE_ID, method: 'initialize', params })
    await replied
  } finally {
    transport.send = send
  }
  deliver.call(transport, { jsonrpc: '2.0', method: 'notifications/initialized' })
}

export interface StartTransportOptions {
  readonly id: string
  readonly server: { connect(transport: never): Promise<void>; close(): Promise<void> }
  readonly transportOptions: StreamableTransportOptions
  /** `undefined`: a new session (the transport sees the real initialize). Otherwise: adopt. */
  readonly init: JsonValue | null | undefined
  readonly onSessionClosed: (id: string) => Promise<void>
  readonly onClose: () => void
}

/** Builds the transport of one session, connects the server, and adopts the session if asked. */
export async function adoptSession(options: StartTransportOptions): Promise<NodeStreamableTransport> {
  const Transport = await loadTransportClass()
  const { id, server } = options
  const transport = new Transport({
    ...options.transportOptions,
    sessionIdGenerator: () => id,
    onsessionclosed: options.onSessionClosed,
  })
  try {
    await server.connect(transport as never)
    // connect() installed the server's own onclose: chain, never replace it.
    const serverOnClose = transport.onclose
    transport.onclose = () => {
      serverOnClose?.call(transport)
      options.onClose()
    }
    if (options.init !== undefined) {
      markInitialized(transport, id)
      await restoreInitialize(transport, options.init)
    }
    return transport
  } catch (error) {
    await transport.close().catch(() => undefined)
    await server.close().catch(() => undefined)
    throw error
  }
}
