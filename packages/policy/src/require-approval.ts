import { createHash, randomBytes } from 'node:crypto'
import {
  canonicalJson,
  type ElicitationRequest,
  type GuardContext,
  type JsonValue,
  type Middleware,
  type PrimitiveResult,
  publishSecurityEvent,
  type Store,
  WardenError,
} from '@mcp-warden/core'
import { APPROVAL_ERROR_CODES, ApprovalError, type ApprovalErrorCode } from './approval-error.js'
import { summarizeArguments, visible } from './internal/approval-summary.js'
import { callerKey } from './internal/caller-key.js'
import { countBuild, defaultStore, identityOf } from './internal/default-store.js'

/**
 * The approvals that guards before the gate demanded (`ctx.approvalRequired`: policy rules, the
 * flow policy), as the gate summarizes them. `requireApproval` honours them whatever its `when`
 * says.
 */
export interface ApprovalRequiredFlag {
  /** Name of the rule that asked. */
  readonly rule: string
  /** Why, in words fit for the user. */
  readonly reason: string
}

/**
 * The handle codec `requireApproval` needs on protocol 2026-07-28 to protect the round-tripped
 * `requestState` (the shape of `@mcp-warden/core`'s `HandleCodec`, typed structurally).
 * `verify` must throw on a forged, expired or foreign handle.
 */
export interface ApprovalHandleCodec {
  mint(input: { principalId: string; purpose: string; data?: JsonValue; ttlMs: number }): string
  verify(
    handle: string,
    expected: { principalId: string; purpose: string },
  ): { data: JsonValue | undefined; expiresAt: number }
}

/** What an out-of-band approver is asked. */
export interface ApprovalRequest {
  readonly kind: GuardContext['kind']
  /** Name of the tool (or prompt, or resource). */
  readonly name: string
  /** Declared title, when any. */
  readonly title: string | undefined
  /** Readable, truncated summary of the arguments (what the user would be shown). */
  readonly summary: string
  /** The full arguments, for an approver that renders its own view. Server-side only. */
  readonly arguments: Readonly<Record<string, unknown>>
  /** Hex SHA-256 of the canonical JSON of the arguments: the approval is bound to it. */
  readonly argumentsDigest: string
  /** The caller: principal id, or the client/session/anonymous key when there is no principal. */
  readonly caller: string
  /** Why approval is needed: the flagging rule's reason, or `undefined` when the tool is marked. */
  readonly reason: string | undefined
  /** Server-minted nonce of this request. */
  readonly nonce: string
  readonly correlationId: string
  /** Aborted at `timeoutMs` or when the call is cancelled: stop waiting then. */
  readonly signal: AbortSignal
}

/** An approver's answer. Anything other than `{ approved: true }` denies. */
export interface ApproverDecision {
  readonly approved: boolean
  /** With `remember` configured: do not ask again for these arguments within the remembered period. */
  readonly remember?: boolean
}

/** When `requireApproval` asks. */
export type ApprovalWhen = 'always' | 'destructive' | ((ctx: GuardContext) => boolean | Promise<boolean>)

/** Options of `requireApproval`. */
export interface RequireApprovalOptions {
  /**
   * When to ask: `'always'` (default: the author marked the tool by guarding it), `'destructive'`
   * (tools whose annotations do not say `readOnlyHint: true` or `destructiveHint: false`; the MCP
   * default of `destructiveHint` is `true`), or a function of the context. A rule's
   * `approvalRequired` flag in the context forces the question either way.
   */
  readonly when?: ApprovalWhen
  /** First line of the question shown to the user. Default `Allow "<title or name>" to run?`. */
  readonly message?: string | ((ctx: GuardContext) => string)
  /**
   * Out-of-band approver (a webhook, a chat-ops bot) for clients that cannot be asked: used when
   * the client does not support form elicitation, or, on protocol 2026-07-28, when no `codec` is
   * configured. Bounded by `timeoutMs`; a throw or a late answer denies.
   */
  readonly approver?: (request: ApprovalRequest) => Promise<ApproverDecision>
  /** How long to wait for the user or the approver, in milliseconds; on 2026-07-28 the lifetime of the approval state. A positive integer. Default 120 000. */
  readonly timeoutMs?: number
  /**
   * Offer "don't ask again": an approval is remembered for `ttlMs` milliseconds, keyed by caller,
   * tool and the SHA-256 of the canonical arguments (and the session with `perSession: true`).
   * The user opts in per approval (a checkbox in the form). Default: never remembered.
   */
  readonly remember?: { readonly ttlMs: number; readonly perSession?: boolean }
  /**
   * Store of remembered approvals and of used 2026-07-28 nonces (single use). Share a Redis
   * store between instances (with `maxmemory-policy noeviction`: an evicted used nonce could be
   * replayed). Default: the process-wide memory store of the approval gates (100 000 entries),
   * under this gate's name and configuration, so a gate rebuilt per request still refuses a
   * replayed nonce and keeps remembered approvals; when it is full of live entries, a write is
   * refused (`ERR_STORE_FULL`) and the call denied, never a used nonce forgotten.
   */
  readonly store?: Store
  /**
   * Names this gate in its default store, events and warnings. Without a `store`, gates of the
   * same name and configuration in one process share remembered approvals and used nonces: give
   * the gates of different servers in one process different names. 1 to 100 characters. Default
   * `requireApproval`.
   */
  readonly name?: string
  /** Protects the 2026-07-28 `requestState` (bound to caller, purpose and expiry). Without it, 2026-07-28 clients are served by `approver` or denied. */
  readonly codec?: ApprovalHandleCodec
}

const KNOWN = new Set(['when', 'message', 'approver', 'timeoutMs', 'remember', 'store', 'codec', 'name'])
/** Purpose the 2026-07-28 handles are minted for. */
const PURPOSE = 'mcp-warden/approval'
/** Key of the approval request in `inputRequests` / `inputResponses`. */
export const APPROVAL_INPUT_KEY = 'mcp-warden/approval'
const FIRST_MULTI_ROUND_TRIP_REVISION = '2026-07-28'

type Channel = 'elicitation' | 'input_required' | 'approver' | 'remembered'

interface Approved {
  readonly channel: Channel
  readonly remember: boolean
}

/**
 * Pauses a call until a human approves it: for tools the author marks (by guarding them with it),
 * tools a policy rule flags (`approvalRequired` in the context), or, with `when: 'destructive'`,
 * tools whose annotations allow destructive updates. Place it after authentication and rules.
 *
 * How the user is asked depends on the protocol revision:
 * - 2025-06-18 / 2025-11-25: a form elicitation tied to the call (`relatedRequestId`) showing the
 *   tool, a readable summary of the arguments and a server-minted nonce; the call runs only when
 *   the user accepts with the matching confirmation.
 * - 2026-07-28: the same form as an `input_required` result; the `requestState` is a handle from
 *   `codec`, bound to the caller and carrying the tool, the arguments' digest and the nonce, and
 *   expiring after `timeoutMs`. A retry whose state was minted for another caller, tool or
 *   arguments, or that replays a used nonce, is refused.
 * - A client that cannot be asked: the `approver`, if configured.
 *
 * Fails closed: decline, cancel, timeout, a mismatch, an error while asking, or nobody to ask each
 * deny with their own code; the handler never runs without an approval. Lost state never allows:
 * a forgotten remembered approval asks again, and a used nonce that cannot be recorded (store
 * unreachable or full) denies. Publishes
 * `approval.requested`, `approval.granted` and `approval.denied` security events (with the
 * arguments' digest, never the arguments).
 *
 * @throws TypeError at creation on unknown options or bad values.
 * @throws ApprovalError `ERR_APPROVAL_DECLINED`, `ERR_APPROVAL_CANCELLED`, `ERR_APPROVAL_TIMEOUT`,
 * `ERR_APPROVAL_UNSUPPORTED`, `ERR_APPROVAL_MISMATCH`, `ERR_APPROVAL_FAILED`,
 * `ERR_APPROVAL_INVALID_ARGUMENTS` at call time.
 * @throws StoreUnavailableError `ERR_STORE_UNAVAILABLE` when remembered approvals or nonces cannot be checked.
 * @see https://modelcontextprotocol.io/specification/2025-11-25/client/elicitation
 * @see https://modelcontextprotocol.io/specification/2026-07-28/basic/patterns/mrtr
 *
 * @example
 * ```ts
 * server.registerTool('delete_ticket', { inputSchema: { id: z.string() }, annotations: { destructiveHint: true } },
 *   server.guard(requireApproval({ remember: { ttlMs: 10 * 60_000 } })).wrap(async ({ id }) => deleteTicket(id)))
 * ```
 */
export function requireApproval(options: RequireApprovalOptions = {}): Middleware {
  if (typeof options !== 'object' || options === null) throw new TypeError('requireApproval: options must be an object')
  for (const option of Object.keys(options)) {
    if (!KNOWN.has(option)) throw new TypeError(`requireApproval: unknown option "${option}"`)
  }
  const { when = 'always', message, approver, timeoutMs = 120_000, remember, codec } = options
  if (when !== 'always' && when !== 'destructive' && typeof when !== 'function') {
    throw new TypeError("requireApproval: `when` must be 'always', 'destructive' or a function")
  }
  if (message !== undefined && typeof message !== 'string' && typeof message !== 'function') {
    throw new TypeError('requireApproval: `message` must be a string or a function')
  }
  if (approver !== undefined && typeof approver !== 'function') {
    throw new TypeError('requireApproval: `approver` must be an async function')
  }
  if (!Number.isSafeInteger(timeoutMs) || timeoutMs <= 0) {
    throw new TypeError('requireApproval: `timeoutMs` must be a positive integer (milliseconds)')
  }
  if (remember !== undefined) {
    if (
      typeof remember !== 'object' ||
      remember === null ||
      !Number.isSafeInteger(remember.ttlMs) ||
      remember.ttlMs <= 0
    ) {
      throw new TypeError('requireApproval: `remember.ttlMs` must be a positive integer (milliseconds)')
    }
    for (const key of Object.keys(remember)) {
      if (key !== 'ttlMs' && key !== 'perSession')
        throw new TypeError(`requireApproval: unknown option "remember.${key}"`)
    }
  }
  if (codec !== undefined && (typeof codec?.mint !== 'function' || typeof codec?.verify !== 'function')) {
    throw new TypeError('requireApproval: `codec` must have mint() and verify()')
  }
  const name = options.name ?? 'requireApproval'
  if (typeof name !== 'string' || name.length === 0 || name.length > 100) {
    throw new TypeError('requireApproval: `name` must be a string of 1 to 100 characters')
  }
  if (options.store !== undefined && (typeof options.store !== 'object' || typeof options.store?.get !== 'function')) {
    throw new TypeError('requireApproval: `store` must be a Store')
  }
  const identity = identityOf(['requireApproval', name, when, message, approver, timeoutMs, remember, codec])
  countBuild('requireApproval', name, identity, options.store?.kind)
  const store = options.store ?? defaultStore('requireApproval', 100_000, identity)
  const rememberMinutes = remember === undefined ? 0 : Math.max(1, Math.round(remember.ttlMs / 60_000))

  const needsApproval = async (ctx: GuardContext): Promise<boolean> => {
    if (when === 'always') return true
    if (when === 'destructive') {
      const annotations = ctx.metadata.annotations
      return ctx.kind === 'tool' && annotations?.readOnlyHint !== true && annotations?.destructiveHint !== false
    }
    return (await when(ctx)) === true
  }

  const questionFor = (ctx: GuardContext, reason: string | undefined, nonce: string): ElicitationRequest => {
    const label = ctx.metadata.title ?? ctx.name
    const first = typeof message === 'function' ? message(ctx) : (message ?? `Allow "${label}" to run?`)
    const lines = [
      visible(String(first)),
      '',
      `${ctx.kind === 'tool' ? 'Tool' : ctx.kind === 'prompt' ? 'Prompt' : 'Resource'}: ${visible(ctx.uri ?? ctx.name)}`,
      'Arguments:',
      summarizeArguments(ctx.arguments),
      ...(reason === undefined ? [] : [`Reason: ${visible(reason)}`]),
      `Confirmation code: ${nonce}`,
    ]
    return {
      message: lines.join('\n'),
      requestedSchema: {
        type: 'object',
        properties: {
          confirmation: {
            type: 'string',
            title: 'Approve this call',
            description: `Choose ${nonce} to approve exactly this call`,
            enum: [nonce],
          },
          ...(remember === undefined
            ? {}
            : {
                remember: {
                  type: 'boolean',
                  title: `Don't ask again for these arguments for ${rememberMinutes} min`,
                  default: false,
                },
              }),
        },
        required: ['confirmation'],
      },
    }
  }

  const requireApprovalMiddleware = async function requireApproval(
    ctx: GuardContext,
    next: (add?: Partial<Pick<GuardContext, 'approval'>>) => Promise<PrimitiveResult>,
  ): Promise<PrimitiveResult> {
    const flag = flagOf(ctx)
    if (flag === undefined && !(await needsApproval(ctx))) return next()
    const reason = flag?.reason
    const caller = callerKey(ctx)
    const digest = argumentsDigest(ctx)
    const event = eventBase(ctx, digest, flag)
    const deny = (code: ApprovalErrorCode, text: string, cause?: unknown): never => {
      publishSecurityEvent({ type: 'approval.denied', code, ...event })
      throw new ApprovalError(code, text, cause === undefined ? {} : { cause })
    }
    const rememberKey =
      remember === undefined
        ? undefined
        : `approval:${sha256(
            canonicalJson([
              ctx.kind,
              ctx.name,
              caller,
              remember.perSession === true ? (ctx.sessionId ?? '') : '',
              digest,
            ]),
          )}`
    if (rememberKey !== undefined && (await store.get(rememberKey)) === true) {
      publishSecurityEvent({ type: 'approval.granted', ...event, detail: { ...event.detail, channel: 'remembered' } })
      return next({ approval: { granted: true, via: 'remembered', at: Date.now() } })
    }

    let approved: Approved
    const modern = (ctx.protocolVersion ?? '') >= FIRST_MULTI_ROUND_TRIP_REVISION
    if (modern && codec !== undefined && ctx.client.canElicit) {
      const state = ctx.client.requestState
      if (state === undefined) {
        const nonce = newNonce()
        const handle = codec.mint({
          principalId: caller,
          purpose: PURPOSE,
          data: { kind: ctx.kind, name: ctx.name, digest, nonce },
          ttlMs: timeoutMs,
        })
        publishSecurityEvent({
          type: 'approval.requested',
          ...event,
          detail: { ...event.detail, channel: 'input_required' },
        })
        return {
          resultType: 'input_required',
          inputRequests: {
            [APPROVAL_INPUT_KEY]: {
              method: 'elicitation/create',
              params: { mode: 'form', ...questionFor(ctx, reason, nonce) },
            },
          },
          requestState: handle,
        }
      }
      approved = await verifyRoundTrip(ctx, state, caller, digest, deny)
    } else {
      const nonce = newNonce()
      if (!modern && ctx.client.canElicit) {
        publishSecurityEvent({
          type: 'approval.requested',
          ...event,
          detail: { ...event.detail, channel: 'elicitation' },
        })
        approved = await askClient(ctx, questionFor(ctx, reason, nonce), nonce, deny)
      } else if (approver !== undefined) {
        publishSecurityEvent({ type: 'approval.requested', ...event, detail: { ...event.detail, channel: 'approver' } })
        approved = await askApprover(ctx, { caller, digest, reason, nonce }, deny)
      } else {
        return deny(
          APPROVAL_ERROR_CODES.ERR_APPROVAL_UNSUPPORTED,
          'This call needs approval, but the client cannot be asked for it',
        )
      }
    }
    if (approved.remember && rememberKey !== undefined && remember !== undefined) {
      await store.set(rememberKey, true, { ttlMs: remember.ttlMs })
    }
    publishSecurityEvent({
      type: 'approval.granted',
      ...event,
      detail: { ...event.detail, channel: approved.channel, remembered: approved.remember && remember !== undefined },
    })
    return next({ approval: { granted: true, via: approved.channel, at: Date.now() } })
  }

  type Deny = (code: ApprovalErrorCode, text: string, cause?: unknown) => never

  const withTimeout = async <T>(
    ctx: GuardContext,
    run: (signal: AbortSignal) => Promise<T>,
    deny: Deny,
  ): Promise<T> => {
    const controller = new AbortController()
    let timedOut = false
    let timer: NodeJS.Timeout | undefined
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        timedOut = true
        // Reject before aborting: an answer the abort provokes must lose the race.
        reject(new Error('approval timed out'))
        controller.abort()
      }, timeoutMs)
    })
    // One signal for the asker: aborted at the timeout, when the call is cancelled, or when done.
    let onCancel = () => {}
    const cancelled = new Promise<never>((_, reject) => {
      onCancel = () => {
        reject(new Error('call cancelled'))
        controller.abort()
      }
    })
    if (ctx.signal.aborted) onCancel()
    else ctx.signal.addEventListener('abort', onCancel, { once: true })
    try {
      const answer = await Promise.race([run(controller.signal), expired, cancelled])
      if (timedOut) throw new Error('approval answered after the timeout')
      return answer
    } catch (cause) {
      if (WardenError.isInstance(cause)) throw cause
      if (timedOut || isTimeout(cause))
        return deny(APPROVAL_ERROR_CODES.ERR_APPROVAL_TIMEOUT, 'Approval timed out', cause)
      if (ctx.signal.aborted) return deny(APPROVAL_ERROR_CODES.ERR_APPROVAL_CANCELLED, 'Approval cancelled', cause)
      return deny(APPROVAL_ERROR_CODES.ERR_APPROVAL_FAILED, 'Approval could not be obtained', cause)
    } finally {
      clearTimeout(timer)
      ctx.signal.removeEventListener('abort', onCancel)
      controller.abort()
      expired.catch(() => {})
      cancelled.catch(() => {})
    }
  }

  const askClient = async (
    ctx: GuardContext,
    question: ElicitationRequest,
    nonce: string,
    deny: Deny,
  ): Promise<Approved> => {
    const answer = await withTimeout(ctx, (signal) => ctx.client.elicit(question, { timeoutMs, signal }), deny)
    return judge(answer, nonce, 'elicitation', deny)
  }

  const askApprover = async (
    ctx: GuardContext,
    facts: { caller: string; digest: string; reason: string | undefined; nonce: string },
    deny: Deny,
  ): Promise<Approved> => {
    const call = approver as NonNullable<typeof approver>
    const decision: unknown = await withTimeout(
      ctx,
      (signal) =>
        call(
          Object.freeze({
            kind: ctx.kind,
            name: ctx.name,
            title: ctx.metadata.title,
            summary: summarizeArguments(ctx.arguments),
            arguments: ctx.arguments,
            argumentsDigest: facts.digest,
            caller: ctx.principal?.id ?? facts.caller,
            reason: facts.reason,
            nonce: facts.nonce,
            correlationId: ctx.correlationId,
            signal,
          }),
        ),
      deny,
    )
    if (typeof decision !== 'object' || decision === null || (decision as ApproverDecision).approved !== true) {
      return deny(APPROVAL_ERROR_CODES.ERR_APPROVAL_DECLINED, 'Approval declined')
    }
    return { channel: 'approver', remember: (decision as ApproverDecision).remember === true }
  }

  const verifyRoundTrip = async (
    ctx: GuardContext,
    state: string,
    caller: string,
    digest: string,
    deny: Deny,
  ): Promise<Approved> => {
    const codecOf = codec as ApprovalHandleCodec
    let verified: { data: JsonValue | undefined; expiresAt: number }
    try {
      verified = codecOf.verify(state, { principalId: caller, purpose: PURPOSE })
    } catch (cause) {
      const code =
        WardenError.isInstance(cause) && /EXPIRED/.test(cause.code) ? 'ERR_APPROVAL_TIMEOUT' : 'ERR_APPROVAL_MISMATCH'
      return deny(
        APPROVAL_ERROR_CODES[code],
        code === 'ERR_APPROVAL_TIMEOUT' ? 'Approval expired' : 'Approval state is not valid for this call',
        cause,
      )
    }
    const data = verified.data as Record<string, unknown> | undefined
    if (
      typeof data !== 'object' ||
      data === null ||
      data.kind !== ctx.kind ||
      data.name !== ctx.name ||
      data.digest !== digest ||
      typeof data.nonce !== 'string'
    ) {
      return deny(APPROVAL_ERROR_CODES.ERR_APPROVAL_MISMATCH, 'Approval state is not valid for this call')
    }
    const remainingMs = verified.expiresAt - Date.now()
    if (!(remainingMs > 0)) return deny(APPROVAL_ERROR_CODES.ERR_APPROVAL_TIMEOUT, 'Approval expired')
    // Single use, whatever the answer: a captured accepted retry cannot run the call a second time,
    // and a declined request cannot be answered again.
    const fresh = await store.compareAndSet(`approval-used:${sha256(data.nonce)}`, undefined, true, {
      ttlMs: Math.max(1, Math.ceil(remainingMs)),
    })
    if (!fresh) return deny(APPROVAL_ERROR_CODES.ERR_APPROVAL_MISMATCH, 'Approval already used')
    return judge(ctx.client.inputResponses?.[APPROVAL_INPUT_KEY], data.nonce, 'input_required', deny)
  }

  return Object.assign(requireApprovalMiddleware, {
    describe: Object.freeze({
      name: 'requireApproval',
      requires: ['approvalRequired'] as const,
      when: typeof when === 'function' ? 'custom' : when,
      timeoutMs,
      approver: approver !== undefined,
      multiRoundTrip: codec !== undefined,
      rememberMs: remember?.ttlMs ?? 0,
    }),
  })
}

/** Reads an elicitation answer: only `accept` with the matching nonce approves. */
function judge(
  answer: unknown,
  nonce: string,
  channel: Channel,
  deny: (code: ApprovalErrorCode, text: string) => never,
): Approved {
  if (typeof answer !== 'object' || answer === null) {
    return deny(APPROVAL_ERROR_CODES.ERR_APPROVAL_MISMATCH, 'No approval answer for this call')
  }
  const { action, content } = answer as { action?: unknown; content?: unknown }
  if (action === 'decline') return deny(APPROVAL_ERROR_CODES.ERR_APPROVAL_DECLINED, 'Approval declined')
  if (action === 'cancel') return deny(APPROVAL_ERROR_CODES.ERR_APPROVAL_CANCELLED, 'Approval cancelled')
  const fields = typeof content === 'object' && content !== null ? (content as Record<string, unknown>) : {}
  if (action !== 'accept' || fields.confirmation !== nonce) {
    return deny(APPROVAL_ERROR_CODES.ERR_APPROVAL_MISMATCH, 'Approval does not confirm this call')
  }
  return { channel, remember: fields.remember === true }
}

function flagOf(ctx: GuardContext): ApprovalRequiredFlag | undefined {
  const pending = ctx.approvalRequired
  if (!Array.isArray(pending) || pending.length === 0) return undefined
  const requirements = pending as GuardContext['approvalRequired'] & unknown[]
  return {
    rule: requirements.map((p) => (typeof p?.by === 'string' ? p.by : 'unnamed')).join(', '),
    reason: requirements.map((p) => (typeof p?.reason === 'string' ? p.reason : 'Flagged by a policy')).join('; '),
  }
}

function argumentsDigest(ctx: GuardContext): string {
  try {
    return sha256(canonicalJson(ctx.arguments))
  } catch (cause) {
    throw new ApprovalError(APPROVAL_ERROR_CODES.ERR_APPROVAL_INVALID_ARGUMENTS, 'Arguments cannot be approved', {
      cause,
    })
  }
}

function eventBase(ctx: GuardContext, digest: string, flag: ApprovalRequiredFlag | undefined) {
  return {
    correlationId: ctx.correlationId,
    ...(ctx.principal === undefined ? {} : { principalId: ctx.principal.id }),
    ...(ctx.principal?.clientId === undefined ? {} : { clientId: ctx.principal.clientId }),
    kind: ctx.kind,
    name: ctx.name,
    detail: { argumentsDigest: digest, ...(flag === undefined ? {} : { rule: flag.rule }) } as Record<string, unknown>,
  }
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex')
const newNonce = (): string => randomBytes(16).toString('base64url')

/** The SDKs' request-timeout errors: JSON-RPC -32001 (1.x) and `SdkError` `REQUEST_TIMEOUT` (2.x). */
function isTimeout(cause: unknown): boolean {
  const code = (cause as { code?: unknown } | null)?.code
  return code === -32001 || code === 'REQUEST_TIMEOUT'
}
