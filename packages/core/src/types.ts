/**
 * Public, SDK-neutral types of the guard pipeline. Nothing here imports an SDK type: the adapters
 * (`@mcp-warden/core/sdk-v1`, `@mcp-warden/core/sdk-v2`) translate the SDK's request context into
 * these shapes, so a guard written once runs on every SDK major.
 */

/** The three kinds of MCP server primitive that go through the pipeline. */
export type PrimitiveKind = 'tool' | 'resource' | 'prompt'

/** JSON values, as they travel in MCP messages and as the stores keep them. */
export type JsonPrimitive = string | number | boolean | null
export type JsonValue = JsonPrimitive | readonly JsonValue[] | { readonly [key: string]: JsonValue }

/**
 * Tool annotations as the server declared them (MCP `ToolAnnotations`). They come from the
 * server's own registration, never from the client.
 */
export interface ToolAnnotations {
  readonly title?: string
  readonly readOnlyHint?: boolean
  readonly destructiveHint?: boolean
  readonly idempotentHint?: boolean
  readonly openWorldHint?: boolean
  readonly [key: string]: unknown
}

/** What the server declared about the primitive being called, read at call time. */
export interface PrimitiveMetadata {
  readonly title?: string
  readonly description?: string
  /** Tool annotations; `undefined` for resources and prompts and for tools that declare none. */
  readonly annotations?: ToolAnnotations
  /** The primitive's own `_meta` as registered. */
  readonly meta?: Readonly<Record<string, unknown>>
}

/**
 * The verified identity of the caller. Built by `@mcp-warden/auth` from a verified token (or from a
 * configured local identity on stdio); never carries the raw token unless the author opted in.
 */
export interface Principal {
  /** Stable identifier `<issuer>#<subject>`: sessions, limits and approvals are keyed on it. */
  readonly id: string
  /** Token issuer (`iss`). */
  readonly issuer: string
  /** Subject (`sub`): the end user or, for client-credentials tokens, the client. */
  readonly subject: string
  /** OAuth client the token was issued to (`client_id` / `azp`), when known. */
  readonly clientId?: string
  /** Granted scopes, de-duplicated. */
  readonly scopes: readonly string[]
  /** Token expiry in seconds since the epoch, when known. */
  readonly expiresAt?: number
  /** The verified claims (or introspection response) minus the token itself. */
  readonly claims: Readonly<Record<string, unknown>>
}

/**
 * The transport's verified authentication, as the SDK's Streamable HTTP transport passes it on
 * (`authInfo`). The adapter copies only these fields; it never exposes the raw token to guards.
 */
export interface TransportAuth {
  readonly clientId?: string
  readonly scopes: readonly string[]
  /** Expiry in seconds since the epoch. */
  readonly expiresAt?: number
  /** RFC 8707 resource the token was issued for. */
  readonly resource?: string
  readonly extra?: Readonly<Record<string, unknown>>
}

/** Parameters of a form elicitation (MCP `elicitation/create`, mode `form`). */
export interface ElicitationRequest {
  readonly message: string
  /** A flat JSON Schema object of primitive properties, as the MCP spec restricts it. */
  readonly requestedSchema: {
    readonly type: 'object'
    readonly properties: Readonly<Record<string, Readonly<Record<string, unknown>>>>
    readonly required?: readonly string[]
  }
}

/** The client's answer to an elicitation. */
export interface ElicitationResult {
  readonly action: 'accept' | 'decline' | 'cancel'
  readonly content?: Readonly<Record<string, unknown>>
}

/** Options of one elicitation round trip. */
export interface ElicitOptions {
  /** How long to wait for the user, in milliseconds. Default: the SDK's request timeout. */
  readonly timeoutMs?: number
  readonly signal?: AbortSignal
}

/**
 * What the server may ask the connected client during a call. Provided by the adapter; its
 * methods reject when the client lacks the capability or the protocol revision forbids it.
 */
export interface ClientBridge {
  /** Capabilities the client declared at initialization, when known. */
  readonly capabilities: Readonly<Record<string, unknown>> | undefined
  /** Whether the client declared form elicitation. */
  readonly canElicit: boolean
  /** Sends `elicitation/create` tied to the current request (`relatedRequestId`). */
  elicit(request: ElicitationRequest, options?: ElicitOptions): Promise<ElicitationResult>
  /**
   * Protocol 2026-07-28 (multi round trip): the `inputResponses` a retried request carried, keyed
   * by the ids the server assigned in its `inputRequests`. Client-supplied and unvalidated.
   * `undefined` on a first round, on earlier revisions, and on adapters without the flow.
   *
   * @see https://modelcontextprotocol.io/specification/2026-07-28/basic/patterns/mrtr
   */
  readonly inputResponses?: Readonly<Record<string, unknown>> | undefined
  /**
   * Protocol 2026-07-28: the `requestState` string the client echoed back on a retry, exactly as
   * received. Attacker-controlled: verify its integrity before it influences any decision.
   */
  readonly requestState?: string | undefined
}

/**
 * The neutral context every guard receives. Immutable: a middleware adds to it only by passing an
 * object to `next(...)`, and each later middleware (and the handler) sees the merged context.
 */
export interface GuardContext {
  /** Which primitive is being invoked. */
  readonly kind: PrimitiveKind
  /** Registered name of the tool or prompt, or of the resource (template) being read. */
  readonly name: string
  /** For resources: the URI being read. */
  readonly uri: string | undefined
  /** Declared title, description, annotations and `_meta` of the primitive. */
  readonly metadata: PrimitiveMetadata
  /**
   * Arguments after the SDK validated them against the declared schema: tool or prompt arguments,
   * or the variables of a resource template (`{}` when there are none).
   */
  readonly arguments: Readonly<Record<string, unknown>>
  /** JSON-RPC id of the request. */
  readonly requestId: string | number | undefined
  /** The request's `params._meta` (trace context, progress token, ...). */
  readonly meta: Readonly<Record<string, unknown>> | undefined
  /** Transport session id (`Mcp-Session-Id`) when the transport has sessions. */
  readonly sessionId: string | undefined
  /** The transport's verified auth info, without the token. */
  readonly auth: TransportAuth | undefined
  /** The verified caller, once a guard (or the HTTP layer) established it. */
  readonly principal: Principal | undefined
  /**
   * Correlation id of this call: the W3C trace id from `_meta.traceparent` when present,
   * otherwise a random UUID.
   */
  readonly correlationId: string
  /** Aborted when the client cancels the request or the transport closes. */
  readonly signal: AbortSignal
  /** Negotiated MCP protocol revision, when the adapter can tell. */
  readonly protocolVersion: string | undefined
  /** What the server may ask the client (elicitation). */
  readonly client: ClientBridge
  /**
   * Approvals that guards demanded before the handler may run (a rule, a flow policy), in order.
   * The pipeline refuses to run the handler while this is non-empty and `approval` does not say
   * the call was granted (`ERR_CORE_APPROVAL_REQUIRED`): place an approval gate after the guards
   * that demand approval. Add to it with `demandApproval(ctx, requirement)`.
   */
  readonly approvalRequired?: readonly ApprovalRequirement[]
  /** Set by an approval gate once the user (or an out-of-band approver) granted the call. */
  readonly approval?: ApprovalGrant
}

/** Why a guard wants a human to confirm a call. */
export interface ApprovalRequirement {
  /** The guard or rule that asks: `flowPolicy`, `rule:weekend-deletes`, ... */
  readonly by: string
  /** A sentence the user can read. */
  readonly reason: string
  /** Client-safe facts for the prompt and the audit trail. */
  readonly details?: Readonly<Record<string, unknown>>
}

/** What an approval gate records when a call was approved. */
export interface ApprovalGrant {
  readonly granted: true
  /** `user` (elicitation), `approver` (out of band) or `remembered`. */
  readonly via: string
  /** Milliseconds since the epoch. */
  readonly at: number
}

/** A context in which the principal is known: what `requireAuth()` provides. */
export type AuthenticatedContext = GuardContext & { readonly principal: Principal }

/** MCP content block, structurally (text, image, audio, resource link, embedded resource). */
export interface ContentBlock {
  readonly type: string
  readonly [key: string]: unknown
}

/**
 * The result of a tool call, resource read or prompt get, structurally. Guards pass results
 * through or inspect them (output sanitizers); the adapter hands them back to the SDK unchanged.
 */
export interface PrimitiveResult {
  /** Tool results: content blocks. */
  readonly content?: readonly ContentBlock[]
  readonly structuredContent?: Readonly<Record<string, unknown>>
  readonly isError?: boolean
  /** Resource results: the contents read. */
  readonly contents?: readonly Readonly<Record<string, unknown>>[]
  /** Prompt results: the messages. */
  readonly messages?: readonly Readonly<Record<string, unknown>>[]
  readonly _meta?: Readonly<Record<string, unknown>>
  readonly [key: string]: unknown
}

/** `next()` of a middleware: runs the rest of the chain with the additions merged in. */
export type Next<TAdd extends object> = keyof TAdd extends never
  ? () => Promise<PrimitiveResult>
  : (add: TAdd) => Promise<PrimitiveResult>

/**
 * A guard step: Hono's shape with tRPC's context flow. It either calls `next()` exactly once
 * (optionally with additions to the context) and returns what it returned, or throws a
 * `WardenError` to deny.
 *
 * @typeParam TIn - the context this middleware needs.
 * @typeParam TAdd - what it adds to the context for the steps after it.
 */
export type Middleware<TIn extends GuardContext = GuardContext, TAdd extends object = {}> = ((
  ctx: TIn,
  next: Next<TAdd>,
) => Promise<PrimitiveResult>) & {
  /** Optional: decides whether the primitive appears in list results for this caller. */
  readonly visibility?: VisibilityHook
  /**
   * Optional: what this middleware enforces, for reports (`describePolicy`) and for the HTTP
   * layer's step-up challenge, which reads `scopes` to answer 403 `insufficient_scope` before
   * dispatch.
   */
  readonly describe?: MiddlewareDescription
  /**
   * Optional: a filter for what reaches the client by another way than the result, on every call
   * of an item whose chain holds this middleware, wherever it sits in the chain (global or per
   * item, before or after other guards). The pipeline runs the filters of the chain, outermost
   * first, over:
   * - `error`: what the client would read of a value thrown anywhere in the chain other than a
   *   `WardenError` (a tool's error result text, or the JSON-RPC error `message` and `data`);
   * - `notification` / `request`: what the handler sends through the SDK's per-call context
   *   (`extra.sendNotification` / `extra.sendRequest` in SDK 1.x, `ctx.mcpReq.notify`, `send`,
   *   `log`, `elicitInput` and `requestSampling` in SDK 2.x) while the call runs;
   * - `result`: the `completion/complete` result for a prompt argument or a resource-template
   *   variable of the item.
   *
   * It returns the message to send in its place (the `method` is kept; only `params` are read) or
   * throws a `WardenError` to refuse it: a refused error or completion is answered as a denial, a
   * refused notification or request is not sent and the handler's send rejects with the error.
   */
  readonly outbound?: OutboundFilter
}

/**
 * Something the server is about to send the client that is not the call's result. `params` is a
 * plain JSON value: for `error`, `{ message, data? }`; for `notification` and `request`, the
 * message's `params`; for `result`, the result.
 */
export interface OutboundMessage {
  readonly kind: 'error' | 'notification' | 'request' | 'result'
  /** The JSON-RPC method: `notifications/message`, `elicitation/create`, `tools/call`, ... */
  readonly method: string
  readonly params: Readonly<Record<string, unknown>>
}

/**
 * A middleware's filter of outbound messages (see `Middleware.outbound`). `ctx` is the call's
 * context as the handler saw it (for a completion, the context of the item completed).
 */
export type OutboundFilter = (message: OutboundMessage, ctx: GuardContext) => OutboundMessage | Promise<OutboundMessage>

/**
 * Context fields whose order in a chain is checked at start-up (see `MiddlewareDescription.requires`):
 * the `principal` (provided by `requireAuth()`), and `approvalRequired`, the approvals guards
 * demand (provided by a flow policy or a policy document that asks for approval, read by the
 * approval gate, which must therefore come after them).
 */
export type ContextField = 'principal' | 'approvalRequired'

/** A middleware's self-description. */
export interface MiddlewareDescription {
  /** The factory's name: `requireScopes`, `rateLimit`, ... */
  readonly name: string
  /** Scopes the middleware requires: all of `all`, and at least one of `any` when present. */
  readonly scopes?: { readonly all?: readonly string[]; readonly any?: readonly string[] }
  /**
   * Whether `granted` scopes meet `scopes`, by the middleware's own rules (a scope hierarchy where
   * `tickets:*` covers `tickets:write`, say). The HTTP step-up check uses it so that it agrees with
   * the in-process guard; without it, scopes must match exactly.
   */
  readonly satisfiedBy?: (granted: readonly string[]) => boolean
  /**
   * Context fields this middleware needs to decide (`requireScopes` requires the `principal`, the
   * approval gate `approvalRequired`). In a chain that also holds a middleware providing the
   * field, this one must run after it: the order is checked when the chain is assembled, at
   * start-up (`TypeError`).
   */
  readonly requires?: readonly ContextField[]
  /**
   * Context fields this middleware adds through `next(...)` (`requireAuth` provides the
   * `principal`; a flow policy that asks for approval, `approvalRequired`).
   */
  readonly provides?: readonly ContextField[]
  /** Anything else worth reporting; JSON only. */
  readonly [key: string]: unknown
}

/** The part of the context known when a list is requested (no arguments, no call). */
export interface ListContext {
  readonly kind: PrimitiveKind
  readonly name: string
  readonly uri: string | undefined
  readonly metadata: PrimitiveMetadata
  readonly meta: Readonly<Record<string, unknown>> | undefined
  readonly sessionId: string | undefined
  readonly auth: TransportAuth | undefined
  readonly principal: Principal | undefined
  readonly protocolVersion: string | undefined
}

/**
 * A middleware's contribution to list filtering: `false` hides the item from this caller (and a
 * call to it is then answered exactly like a call to an unknown item); `true` or `undefined`
 * leaves the decision to the next hook; an object adds to the list context for the later hooks
 * (as `next({...})` does for calls).
 */
export type VisibilityHook = (
  ctx: ListContext,
) => boolean | undefined | Partial<ListContext> | Promise<boolean | undefined | Partial<ListContext>>

/**
 * A context with what a middleware adds. Additions narrow existing fields (`principal` becomes
 * `Principal` instead of `Principal | undefined`) or add new ones.
 */
export type Merge<A, B> = A & B
