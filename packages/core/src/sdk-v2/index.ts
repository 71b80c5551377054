/**
 * Adapter for `@modelcontextprotocol/server` 2.x (`McpServer` from `@modelcontextprotocol/server`).
 *
 * @module
 */
import {
  type McpServer,
  ProtocolError,
  ProtocolErrorCode,
  ResourceNotFoundError,
  type ServerContext,
} from '@modelcontextprotocol/server'
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

/** The SDK 2.x handler context (`ctx`). */
export type Extra = ServerContext

/** What a wrapped handler receives as its second argument: the guarded context and the SDK's `ctx` as `extra`. */
export type HandlerContext<TCtx extends GuardContext = GuardContext> = AnyHandlerContext<TCtx, Extra>

/** Per-tool guards for SDK 2.x. */
export type ToolGuard<TCtx extends GuardContext = GuardContext> = AnyToolGuard<TCtx, Extra>

/** The `guard()` function `secure()` adds to the server. */
export type GuardFunction = AnyGuardFunction<Extra>

/** An `McpServer` with the pipeline installed. */
export type SecuredMcpServer<TServer extends McpServer = McpServer> = TServer & {
  /** Per-tool guards: `server.guard(requireScopes('x')).wrap(handler)`. */
  readonly guard: GuardFunction
}

const LABEL = 'secure() (sdk-v2)'
const guardFactory = makeGuardFactory(LABEL)
const guard = (...entries: unknown[]) => guardFactory(entries)

/** What `secure()` tells the pipeline about SDK 2.x: one object per server, methods shared. */
class V2Binding implements SdkBinding {
  readonly label = LABEL

  constructor(private readonly low: McpServer['server']) {}

  /** The revision the SDK negotiated, for requests whose envelope does not name one. */
  private negotiatedVersion(): string | undefined {
    const read = (this.low as unknown as { getNegotiatedProtocolVersion?: () => string | undefined })
      .getNegotiatedProtocolVersion
    return typeof read === 'function' ? read.call(this.low) : undefined
  }

  requestInfo(extra: unknown): RequestInfo {
    const ctx = extra as Partial<ServerContext>
    const { auth, principal } = neutralAuth(ctx.http?.authInfo)
    const envelopeVersion = (ctx.mcpReq?.envelope as Record<string, unknown> | undefined)?.[
      'io.modelcontextprotocol/protocolVersion'
    ]
    return {
      requestId: ctx.mcpReq?.id,
      meta: ctx.mcpReq?._meta as Readonly<Record<string, unknown>> | undefined,
      sessionId: ctx.sessionId,
      auth,
      principal,
      signal: ctx.mcpReq?.signal ?? new AbortController().signal,
      protocolVersion: typeof envelopeVersion === 'string' ? envelopeVersion : this.negotiatedVersion(),
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
    const elicitInput = (extra as Partial<ServerContext>).mcpReq?.elicitInput
    if (typeof elicitInput !== 'function') throw new Error('Elicitation is not available on this request')
    const result = await elicitInput(
      { mode: 'form', message: request.message, requestedSchema: request.requestedSchema } as Parameters<
        typeof elicitInput
      >[0],
      {
        ...(elicitOptions?.timeoutMs === undefined ? {} : { timeout: elicitOptions.timeoutMs }),
        ...(elicitOptions?.signal === undefined ? {} : { signal: elicitOptions.signal }),
      },
    )
    return result as ElicitationResult
  }

  roundTrip(extra: unknown): ReturnType<NonNullable<SdkBinding['roundTrip']>> {
    const mcpReq = (extra as Partial<ServerContext>).mcpReq
    const responses = mcpReq?.inputResponses
    // With a `requestState.verify` hook configured the SDK hands out the decoded payload; only the
    // raw string is passed on, so guards always verify what the client actually sent.
    const state = typeof mcpReq?.requestState === 'function' ? mcpReq.requestState() : undefined
    return {
      inputResponses:
        typeof responses === 'object' && responses !== null
          ? (responses as Readonly<Record<string, unknown>>)
          : undefined,
      requestState: typeof state === 'string' ? state : undefined,
    }
  }

  unknown(kind: PrimitiveKind | 'resource-template', target: string): SdkAnswer {
    switch (kind) {
      case 'tool':
        return { error: new ProtocolError(ProtocolErrorCode.InvalidParams, `Tool ${target} not found`) }
      case 'prompt':
        return { error: new ProtocolError(ProtocolErrorCode.InvalidParams, `Prompt ${target} not found`) }
      case 'resource':
        return { error: new ResourceNotFoundError(target) }
      case 'resource-template':
        return {
          error: new ProtocolError(ProtocolErrorCode.InvalidParams, `Resource template ${target} not found`),
        }
    }
  }

  protocolError(code: number, message: string, data: Record<string, unknown>): Error {
    return new ProtocolError(code, message, data)
  }

  /**
   * SDK 2.x sends what a call sends through `ctx.mcpReq`: `notify` and `send` directly, `log`,
   * `elicitInput` and `requestSampling` through the server (not through `notify`/`send` of the
   * context the handler receives), so each is wrapped.
   */
  wrapOutbound(extra: unknown, send: OutboundSend): unknown {
    const ctx = extra as ServerContext
    const req = ctx.mcpReq
    const { notify, log, elicitInput, requestSampling } = req
    const request = req.send as (...args: unknown[]) => Promise<unknown>
    const mcpReq = {
      ...req,
      notify: async (notification: Parameters<typeof notify>[0], ...rest: unknown[]) =>
        (notify as (...args: unknown[]) => Promise<void>)(
          await outboundMessage(send, 'notification', notification),
          ...rest,
        ),
      send: (async (r: { method: string; params?: unknown }, ...rest: unknown[]) =>
        request(await outboundMessage(send, 'request', r), ...rest)) as typeof req.send,
      log: async (level: Parameters<typeof log>[0], data: unknown, logger?: string) => {
        const cleaned = await send({
          kind: 'notification',
          method: 'notifications/message',
          params: logger === undefined ? { level, data } : { level, data, logger },
        })
        const clean = cleaned.params
        return log(level, clean.data, typeof clean.logger === 'string' ? clean.logger : undefined)
      },
      elicitInput: async (params: Parameters<typeof elicitInput>[0], options?: Parameters<typeof elicitInput>[1]) => {
        const cleaned = await send({ kind: 'request', method: 'elicitation/create', params: params as Loose })
        return elicitInput(cleaned.params as Parameters<typeof elicitInput>[0], options)
      },
      requestSampling: async (
        params: Parameters<typeof requestSampling>[0],
        options?: Parameters<typeof requestSampling>[1],
      ) => {
        const cleaned = await send({ kind: 'request', method: 'sampling/createMessage', params: params as Loose })
        return requestSampling(cleaned.params as Parameters<typeof requestSampling>[0], options)
      },
    } satisfies ServerContext['mcpReq']
    return { ...ctx, mcpReq }
  }
}

type Loose = Record<string, unknown>

/**
 * Installs mcp-warden on an SDK 2.x `McpServer` (`@modelcontextprotocol/server`) and returns the
 * same server. Behaves as the SDK 1.x adapter does (`@mcp-warden/core/sdk-v1`): global guards on
 * every tool, resource and prompt, per-tool guards through `server.guard(...).wrap(handler)`,
 * lists filtered per caller, hidden items answered like unknown ones, denials as tool error
 * results (or JSON-RPC errors with code -32003 for resources and prompts).
 *
 * Call it right after `new McpServer(...)`, before registering anything.
 *
 * @throws TypeError when an option is unknown or not a middleware, when something was already
 * registered, when the server is already secured, or when the SDK's internals are not recognized.
 *
 * @example
 * ```ts
 * import { McpServer } from '@modelcontextprotocol/server'
 * import { secure } from '@mcp-warden/core/sdk-v2'
 * const server = secure(new McpServer({ name: 'tickets', version: '1.0.0' }), { use: [] })
 * ```
 */
export function secure<TServer extends McpServer>(
  server: TServer,
  options: SecureOptions = {},
): SecuredMcpServer<TServer> {
  const low = (server as unknown as { server?: McpServer['server'] }).server
  if (low === undefined) throw new TypeError(`${LABEL}: expected an McpServer from @modelcontextprotocol/server 2.x`)
  const binding = new V2Binding(low)
  installPipeline(server, options, binding)
  Object.defineProperty(server, 'guard', { value: guard, enumerable: false })
  return server as SecuredMcpServer<TServer>
}
