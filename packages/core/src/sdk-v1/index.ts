/**
 * Adapter for `@modelcontextprotocol/sdk` 1.x (`McpServer` from `@modelcontextprotocol/sdk/server/mcp.js`).
 *
 * @module
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js'
import { ErrorCode, McpError, type ServerNotification, type ServerRequest } from '@modelcontextprotocol/sdk/types.js'
import {
  type GuardFunction as AnyGuardFunction,
  type HandlerContext as AnyHandlerContext,
  type ToolGuard as AnyToolGuard,
  makeGuardFactory,
} from '../internal/guard-api.js'
import { type OutboundSend, outboundMessage } from '../internal/outbound.js'
import {
  installPipeline,
  neutralAuth,
  type RequestInfo,
  type SdkAnswer,
  type SdkBinding,
  type SecureOptions,
} from '../internal/secure-kit.js'
import type { ElicitationRequest, ElicitationResult, ElicitOptions, GuardContext, PrimitiveKind } from '../types.js'

export type { GuardedCallback } from '../internal/guard-api.js'
export type { SecureOptions } from '../internal/secure-kit.js'

/** The SDK 1.x handler context (`extra`). */
export type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>

/** What a wrapped handler receives as its second argument: the guarded context and `extra`. */
export type HandlerContext<TCtx extends GuardContext = GuardContext> = AnyHandlerContext<TCtx, Extra>

/** Per-tool guards for SDK 1.x. */
export type ToolGuard<TCtx extends GuardContext = GuardContext> = AnyToolGuard<TCtx, Extra>

/** The `guard()` function `secure()` adds to the server. */
export type GuardFunction = AnyGuardFunction<Extra>

/** An `McpServer` with the pipeline installed. */
export type SecuredMcpServer<TServer extends McpServer = McpServer> = TServer & {
  /** Per-tool guards: `server.guard(requireScopes('x')).wrap(handler)`. */
  readonly guard: GuardFunction
}

const LABEL = 'secure() (sdk-v1)'
const guardFactory = makeGuardFactory(LABEL)
const guard = (...entries: unknown[]) => guardFactory(entries)

/** What `secure()` tells the pipeline about SDK 1.x: one object per server, methods shared. */
class V1Binding implements SdkBinding {
  readonly label = LABEL
  /** The protocol revision negotiated at initialization, for transports that do not send it per request. */
  negotiated: string | undefined

  constructor(private readonly low: McpServer['server']) {}

  requestInfo(extra: unknown): RequestInfo {
    const e = extra as Partial<Extra>
    const { auth, principal } = neutralAuth(e.authInfo)
    const header = e.requestInfo?.headers?.['mcp-protocol-version']
    return {
      requestId: e.requestId,
      meta: e._meta as Readonly<Record<string, unknown>> | undefined,
      sessionId: e.sessionId,
      auth,
      principal,
      signal: e.signal ?? new AbortController().signal,
      protocolVersion: typeof header === 'string' ? header : this.negotiated,
    }
  }

  clientCapabilities(): Readonly<Record<string, unknown>> | undefined {
    return this.low.getClientCapabilities() as Readonly<Record<string, unknown>> | undefined
  }

  async elicit(
    extra: unknown,
    request: ElicitationRequest,
    elicitOptions: ElicitOptions | undefined,
  ): Promise<ElicitationResult> {
    const requestId = (extra as Partial<Extra>).requestId
    const result = await this.low.elicitInput(
      { mode: 'form', message: request.message, requestedSchema: request.requestedSchema } as Parameters<
        typeof this.low.elicitInput
      >[0],
      {
        ...(requestId === undefined ? {} : { relatedRequestId: requestId }),
        ...(elicitOptions?.timeoutMs === undefined ? {} : { timeout: elicitOptions.timeoutMs }),
        ...(elicitOptions?.signal === undefined ? {} : { signal: elicitOptions.signal }),
      },
    )
    return result as ElicitationResult
  }

  unknown(kind: PrimitiveKind | 'resource-template', target: string): SdkAnswer {
    switch (kind) {
      case 'tool':
        // The SDK answers an unknown tool with a tool error result carrying the McpError's message.
        return {
          result: {
            content: [
              { type: 'text', text: new McpError(ErrorCode.InvalidParams, `Tool ${target} not found`).message },
            ],
            isError: true,
          },
        }
      case 'prompt':
        return { error: new McpError(ErrorCode.InvalidParams, `Prompt ${target} not found`) }
      case 'resource':
        return { error: new McpError(ErrorCode.InvalidParams, `Resource ${new URL(target)} not found`) }
      case 'resource-template':
        return { error: new McpError(ErrorCode.InvalidParams, `Resource template ${target} not found`) }
    }
  }

  protocolError(code: number, message: string, data: Record<string, unknown>): Error {
    return new McpError(code, message, data)
  }

  /**
   * SDK 1.x sends everything of a call through `extra.sendNotification` (logging, progress, any
   * notification) and `extra.sendRequest` (elicitation, sampling, roots, any request).
   */
  wrapOutbound(extra: unknown, send: OutboundSend): unknown {
    const e = extra as Extra
    const sendNotification = e.sendNotification
    const sendRequest = e.sendRequest
    return {
      ...e,
      sendNotification: async (notification: ServerNotification) =>
        sendNotification(await outboundMessage(send, 'notification', notification)),
      sendRequest: (async (request: ServerRequest, ...rest: unknown[]) =>
        (sendRequest as (...args: unknown[]) => Promise<unknown>)(
          await outboundMessage(send, 'request', request),
          ...rest,
        )) as Extra['sendRequest'],
    } satisfies Extra
  }
}

/**
 * Installs mcp-warden on an SDK 1.x `McpServer` and returns the same server.
 *
 * From then on every tool, resource and prompt registered on it runs the global guards (`use`)
 * and then its own (`server.guard(...).wrap(handler)`); list results are filtered per caller; a
 * call to an item hidden from the caller is answered exactly like a call to an unknown one. A
 * denial (`WardenError`) becomes a tool error result with the code in
 * `_meta["mcp-warden/error"]` (for resources and prompts, a JSON-RPC error with code -32003);
 * any other error reaches the SDK untouched.
 *
 * Call it right after `new McpServer(...)`, before registering anything.
 *
 * @throws TypeError when an option is unknown or not a middleware, when something was already
 * registered, when the server is already secured, or when the SDK's internals are not recognized
 * (the server would otherwise run unguarded).
 *
 * @example
 * ```ts
 * const server = secure(new McpServer({ name: 'tickets', version: '1.0.0' }), { use: [auditSpans()] })
 * server.registerTool('delete_ticket', { inputSchema: { id: z.string() } },
 *   server.guard(requireScopes('tickets:write')).wrap(async ({ id }, ctx) => ({ content: [] })))
 * ```
 */
export function secure<TServer extends McpServer>(
  server: TServer,
  options: SecureOptions = {},
): SecuredMcpServer<TServer> {
  const low = (server as unknown as { server?: McpServer['server'] }).server
  if (low === undefined) throw new TypeError(`${LABEL}: expected an McpServer from @modelcontextprotocol/sdk 1.x`)
  const binding = new V1Binding(low)
  installPipeline(server, options, binding)
  // Record the negotiated protocol revision for transports that do not send it per request.
  const oninitialize = (
    low as unknown as { _oninitialize?: (request: unknown) => Promise<{ protocolVersion?: string }> }
  )._oninitialize
  if (typeof oninitialize === 'function') {
    Object.defineProperty(low, '_oninitialize', {
      configurable: true,
      writable: true,
      value: async (request: unknown) => {
        const result = await oninitialize.call(low, request)
        binding.negotiated = result.protocolVersion
        return result
      },
    })
  }
  Object.defineProperty(server, 'guard', { value: guard, enumerable: false })
  return server as SecuredMcpServer<TServer>
}
