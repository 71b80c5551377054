import {
  demandApproval,
  type GuardContext,
  type JsonValue,
  type Middleware,
  type PrimitiveResult,
  publishSecurityEvent,
  type Store,
  type ToolAnnotations,
  WardenError,
} from '@mcp-warden/core'
import { FLOW_ERROR_CODES, FlowError } from './flow-error.js'
import { countBuild, defaultStore, identityOf } from './internal/default-store.js'

/**
 * What a tool touches, for flow decisions:
 * - `untrusted-input`: it fetches content from outside (web pages, tickets, email) that may carry
 *   instructions;
 * - `private-data`: it reads data the caller owns;
 * - `external-action`: it sends data out or changes the outside world;
 * - `destructive`: it deletes or overwrites.
 */
export type FlowLabel = 'untrusted-input' | 'private-data' | 'external-action' | 'destructive'

const LABELS: readonly FlowLabel[] = ['untrusted-input', 'private-data', 'external-action', 'destructive']

/** Key in a tool's registered `_meta` under which it may declare its labels. */
export const FLOW_LABELS_META_KEY = 'mcp-warden/flow-labels'

/** A label a conversation picked up, with the call that brought it in. */
export interface FlowTaint {
  readonly label: FlowLabel
  /** Tool whose call tainted the conversation. */
  readonly tool: string
  /** Milliseconds since the epoch. */
  readonly at: number
  /** Correlation id of that call, to find it in the audit trail. */
  readonly correlationId: string
  /** Why: `tool label` or `content finding`. */
  readonly reason: string
}

/** What to do with a flagged call. */
export type FlowAction = 'require-approval' | 'deny'

/** Thresholds of the per-principal anomaly signals. */
export interface FlowAnomalyOptions {
  /** Window of every counter, in milliseconds. Default 60 000. */
  readonly windowMs?: number
  /** Denials within the window that count as a burst. Default 10. */
  readonly maxDenials?: number
  /** Distinct tools called within the window that count as a fan-out. Default 12. */
  readonly maxDistinctTools?: number
  /** Declined approvals within the window that count as repeated. Default 3. */
  readonly maxApprovalDeclines?: number
  /**
   * Calls a principal must have made before a first call to a tool it never used is reported.
   * Default 20 (a new principal's first calls are all "new").
   */
  readonly newToolAfterCalls?: number
  /**
   * When set, an anomaly locks the principal out for this many milliseconds: every call is denied
   * with `ERR_FLOW_LOCKED_OUT`. Default 0 (signal only).
   */
  readonly lockoutMs?: number
}

/** Options of `flowPolicy`. */
export interface FlowPolicyOptions {
  /**
   * Where conversation state lives; share a Redis store so taint follows a conversation across
   * instances (configure Redis with `maxmemory-policy noeviction`: an evicted taint is a forgotten
   * one). Default: the process-wide memory store of the flow policies (100 000 entries), under this
   * policy's name and configuration, so a policy rebuilt per request keeps its conversations; when
   * it is full of live state, a call that would add state is refused (`ERR_STORE_FULL`), never a
   * taint forgotten.
   */
  readonly store?: Store
  /**
   * Names this policy in its default store, events and warnings. Without a `store`, policies of the
   * same name and configuration in one process share conversation state. 1 to 100 characters.
   * Default `flowPolicy`.
   */
  readonly name?: string
  /**
   * How long a conversation's state is kept, in milliseconds: a tainted conversation keeps its
   * taint at least half of this after its last call (each call renews it), and every key this
   * policy writes expires within it. Set it above the longest pause of a conversation (a session's
   * idle timeout). A positive integer. Default 86 400 000 (24 h).
   */
  readonly stateTtlMs?: number
  /**
   * Labels per tool name. They take precedence over the tool's `_meta` labels and its annotations.
   * An empty list declares a tool that touches nothing.
   */
  readonly labels?: Readonly<Record<string, readonly FlowLabel[]>>
  /** An external or destructive call after untrusted input. Default `'require-approval'`. */
  readonly afterUntrusted?: FlowAction
  /** Untrusted input + private data + an external action in one conversation. Default `'require-approval'`. */
  readonly trifecta?: FlowAction
  /**
   * The conversation a call belongs to. Default: the session id (2025 protocol revisions), else
   * the principal id (2026-07-28, one window per principal), else the client id, else `anonymous`.
   */
  readonly conversation?: (ctx: GuardContext) => string | undefined
  /**
   * Marks a result as carrying untrusted content even from a tool without `untrusted-input`
   * (for example a sanitizer's injection detector). Receives each text of the result.
   */
  readonly taintsResult?: (text: string) => boolean
  /** Anomaly signals; `false` turns them off. Default: on, with the defaults above. */
  readonly anomaly?: FlowAnomalyOptions | false
  /** Clock in milliseconds. Default `Date.now`. */
  readonly now?: () => number
}

/** The flow policy middleware, with ways to inspect and reset a conversation. */
export type FlowPolicy = Middleware<GuardContext, Partial<Pick<GuardContext, 'approvalRequired'>>> & {
  /** The taints of a conversation, oldest first. */
  taints(conversation: string): Promise<readonly FlowTaint[]>
  /** Forgets a conversation's taint: the explicit reset (after a human reviewed it, say). */
  reset(conversation: string): Promise<void>
}

const KNOWN = new Set([
  'store',
  'name',
  'stateTtlMs',
  'labels',
  'afterUntrusted',
  'trifecta',
  'conversation',
  'taintsResult',
  'anomaly',
  'now',
])
const ANOMALY_KNOWN = new Set([
  'windowMs',
  'maxDenials',
  'maxDistinctTools',
  'maxApprovalDeclines',
  'newToolAfterCalls',
  'lockoutMs',
])

/**
 * Stops tool chains driven by untrusted content (indirect prompt injection): it records, per
 * conversation, which labels the calls so far touched, and holds an external or destructive call
 * that follows untrusted input for approval (or denies it), and the "lethal trifecta" of untrusted
 * input, private data and an external action. Every decision names the call that tainted the
 * conversation. Taint goes away by `reset()`, a new conversation, or `stateTtlMs` without a call.
 *
 * Labels come from the first of these that speaks for the tool:
 * 1. `options.labels[name]`;
 * 2. the tool's registered `_meta["mcp-warden/flow-labels"]`, when it is an array of known labels
 *    (anything else is ignored as a whole, never half-read);
 * 3. its annotations, each absent hint taking its MCP default (`readOnlyHint: false`,
 *    `destructiveHint: true`, `openWorldHint: true`): open world → `untrusted-input`, open world
 *    and not read-only → `external-action`, `destructiveHint: true` or (not read-only and
 *    `destructiveHint` not `false`) → `destructive`. A tool without annotations is therefore
 *    `untrusted-input`, `external-action` and `destructive`. `private-data` is never derived.
 *
 * Losing state never allows: state that cannot be read or parsed counts as tainted by untrusted
 * input and private data; a memory store that is full refuses rather than forgets.
 *
 * With `require-approval`, the call carries an approval requirement: put `requireApproval()` after
 * `flowPolicy()`; without a gate the pipeline denies it (`ERR_CORE_APPROVAL_REQUIRED`).
 *
 * It also watches each principal for anomalies (denial bursts, first use of a tool, fan-out,
 * repeated approval declines) and publishes `anomaly.*` security events, optionally locking the
 * principal out for a while.
 *
 * @throws TypeError at creation on unknown options or bad values.
 * @throws FlowError `ERR_FLOW_UNTRUSTED_ACTION`, `ERR_FLOW_TRIFECTA` (mode `deny`) or
 * `ERR_FLOW_LOCKED_OUT`, with `details.taintedBy` naming the tainting call.
 * @throws WardenError `ERR_STORE_UNAVAILABLE` or `ERR_STORE_FULL` when state cannot be read or kept.
 * @see https://modelcontextprotocol.io/specification/draft/basic/security_best_practices
 *
 * @example
 * ```ts
 * const flow = flowPolicy({ labels: { fetch_page: ['untrusted-input'], send_email: ['external-action'] } })
 * const server = secure(new McpServer(info), { use: [requireAuth(), flow, requireApproval()] })
 * ```
 */
export function flowPolicy(options: FlowPolicyOptions = {}): FlowPolicy {
  for (const key of Object.keys(options)) {
    if (!KNOWN.has(key)) throw new TypeError(`flowPolicy: unknown option "${key}"`)
  }
  const afterUntrusted = checkAction(options.afterUntrusted ?? 'require-approval', 'afterUntrusted')
  const trifecta = checkAction(options.trifecta ?? 'require-approval', 'trifecta')
  const labelMap = new Map<string, readonly FlowLabel[]>()
  for (const [tool, labels] of Object.entries(options.labels ?? {})) {
    if (!Array.isArray(labels) || labels.some((label) => !LABELS.includes(label))) {
      throw new TypeError(`flowPolicy: labels of "${tool}" must be among ${LABELS.join(', ')}`)
    }
    labelMap.set(tool, Object.freeze([...labels]))
  }
  for (const name of ['conversation', 'taintsResult', 'now'] as const) {
    if (options[name] !== undefined && typeof options[name] !== 'function') {
      throw new TypeError(`flowPolicy: \`${name}\` must be a function`)
    }
  }
  const name = options.name ?? 'flowPolicy'
  if (typeof name !== 'string' || name.length === 0 || name.length > 100) {
    throw new TypeError('flowPolicy: `name` must be a string of 1 to 100 characters')
  }
  const stateTtlMs = options.stateTtlMs ?? 86_400_000
  if (!Number.isSafeInteger(stateTtlMs) || stateTtlMs <= 0) {
    throw new TypeError('flowPolicy: `stateTtlMs` must be a positive integer (milliseconds)')
  }
  if (options.store !== undefined && typeof options.store?.compareAndSet !== 'function') {
    throw new TypeError('flowPolicy: `store` must be a Store')
  }
  const identity = identityOf([
    'flowPolicy',
    name,
    stateTtlMs,
    afterUntrusted,
    trifecta,
    options.labels,
    options.conversation,
    options.taintsResult,
    options.anomaly,
  ])
  countBuild('flowPolicy', name, identity, options.store?.kind)
  const store = options.store ?? defaultStore('flowPolicy', 100_000, identity)
  const now = options.now ?? Date.now
  const conversationOf =
    options.conversation ??
    ((ctx: GuardContext) => ctx.sessionId ?? ctx.principal?.id ?? ctx.principal?.clientId ?? ctx.auth?.clientId)
  const anomaly = options.anomaly === false ? undefined : anomalySettings(options.anomaly ?? {})

  const readTaints = async (conversation: string): Promise<readonly FlowTaint[]> =>
    toTaints(await store.get(`flow:taint:${conversation}`))

  /** Adds taints for labels the conversation does not have yet; the first tainting call is kept. */
  const addTaints = async (conversation: string, fresh: readonly FlowTaint[]): Promise<void> => {
    const key = `flow:taint:${conversation}`
    for (let attempt = 0; attempt < 8; attempt++) {
      const raw = await store.get(key)
      const current = toTaints(raw)
      const missing = fresh.filter((t) => !current.some((c) => c.label === t.label))
      if (missing.length === 0) return
      const next = record([...current, ...missing], now())
      if (await store.compareAndSet(key, raw, next, { ttlMs: stateTtlMs })) return
    }
    throw new WardenError('ERR_STORE_UNAVAILABLE', 'Conversation state is contended', { expose: false, status: 503 })
  }

  /**
   * Renews a tainted conversation's lifetime at most every half `stateTtlMs`, so an active
   * conversation never loses its taint to expiry. A lost race means another call just renewed it.
   */
  const renew = async (conversation: string, raw: JsonValue | undefined): Promise<void> => {
    const refreshedAt = (raw as { refreshedAt?: unknown } | undefined)?.refreshedAt
    const time = now()
    if (typeof refreshedAt === 'number' && time - refreshedAt < stateTtlMs / 2 && time >= refreshedAt) return
    const taints = toTaints(raw)
    if (taints.some((t) => t.reason === UNREADABLE)) return
    await store.compareAndSet(`flow:taint:${conversation}`, raw, record(taints, time), { ttlMs: stateTtlMs })
  }

  const flowPolicyMiddleware = async (
    ctx: GuardContext,
    next: (add: Partial<Pick<GuardContext, 'approvalRequired'>>) => Promise<PrimitiveResult>,
  ): Promise<PrimitiveResult> => {
    if (ctx.kind !== 'tool') return next({})
    const principalKey = ctx.principal?.id ?? ctx.auth?.clientId ?? 'anonymous'
    try {
      return await decide(ctx, next, principalKey)
    } catch (err) {
      if (anomaly !== undefined && WardenError.isInstance(err) && err.code !== FLOW_ERROR_CODES.ERR_FLOW_LOCKED_OUT) {
        await observeDenial(err.code, principalKey, ctx)
      }
      throw err
    }
  }

  const decide = async (
    ctx: GuardContext,
    next: (add: Partial<Pick<GuardContext, 'approvalRequired'>>) => Promise<PrimitiveResult>,
    principalKey: string,
  ): Promise<PrimitiveResult> => {
    if (
      anomaly !== undefined &&
      anomaly.lockoutMs > 0 &&
      (await store.get(`flow:lock:${principalKey}`)) !== undefined
    ) {
      throw new FlowError(FLOW_ERROR_CODES.ERR_FLOW_LOCKED_OUT, 'Temporarily locked out after unusual activity')
    }
    const conversation = conversationOf(ctx) ?? 'anonymous'
    const labels = labelsOf(ctx, labelMap)
    const raw = await store.get(`flow:taint:${conversation}`)
    const taints = toTaints(raw)
    if (raw !== undefined) await renew(conversation, raw)
    const untrusted = taints.find((t) => t.label === 'untrusted-input')
    const privateData = taints.find((t) => t.label === 'private-data')
    let add: Partial<Pick<GuardContext, 'approvalRequired'>> = {}
    const acts = labels.includes('external-action') || labels.includes('destructive')
    if (untrusted !== undefined && acts) {
      const isTrifecta =
        labels.includes('external-action') && (privateData !== undefined || labels.includes('private-data'))
      const mode = isTrifecta ? trifecta : afterUntrusted
      const taintedBy = {
        tool: untrusted.tool,
        at: new Date(untrusted.at).toISOString(),
        correlationId: untrusted.correlationId,
      }
      const details = {
        flow: isTrifecta ? 'trifecta' : 'untrusted-then-action',
        taintedBy,
        ...(isTrifecta && privateData !== undefined
          ? { privateDataFrom: { tool: privateData.tool, correlationId: privateData.correlationId } }
          : {}),
      }
      const reason = isTrifecta
        ? `"${ctx.name}" would send data out after untrusted content (from "${untrusted.tool}") and private data entered this conversation`
        : `"${ctx.name}" acts on the outside world after untrusted content entered this conversation through "${untrusted.tool}"`
      publishSecurityEvent({
        type: isTrifecta ? 'flow.trifecta' : 'flow.untrusted_action',
        code: isTrifecta ? FLOW_ERROR_CODES.ERR_FLOW_TRIFECTA : FLOW_ERROR_CODES.ERR_FLOW_UNTRUSTED_ACTION,
        correlationId: ctx.correlationId,
        ...(ctx.principal === undefined ? {} : { principalId: ctx.principal.id }),
        kind: 'tool',
        name: ctx.name,
        detail: { ...details, action: mode },
      })
      if (mode === 'deny') {
        throw new FlowError(
          isTrifecta ? FLOW_ERROR_CODES.ERR_FLOW_TRIFECTA : FLOW_ERROR_CODES.ERR_FLOW_UNTRUSTED_ACTION,
          reason,
          { details },
        )
      }
      add = { approvalRequired: demandApproval(ctx, { by: 'flowPolicy', reason, details }) }
    }
    const result = await next(add)
    const fresh: FlowTaint[] = []
    const at = now()
    for (const label of labels) {
      if ((label === 'untrusted-input' || label === 'private-data') && !taints.some((t) => t.label === label)) {
        fresh.push({ label, tool: ctx.name, at, correlationId: ctx.correlationId, reason: 'tool label' })
      }
    }
    if (
      options.taintsResult !== undefined &&
      untrusted === undefined &&
      !labels.includes('untrusted-input') &&
      textsOf(result).some(options.taintsResult)
    ) {
      fresh.push({
        label: 'untrusted-input',
        tool: ctx.name,
        at,
        correlationId: ctx.correlationId,
        reason: 'content finding',
      })
    }
    if (fresh.length > 0) await addTaints(conversation, fresh)
    if (anomaly !== undefined) await observeCall(principalKey, ctx)
    return result
  }

  const signal = async (principalKey: string, ctx: GuardContext, type: string, detail: Record<string, unknown>) => {
    publishSecurityEvent({
      type: `anomaly.${type}`,
      correlationId: ctx.correlationId,
      principalId: principalKey,
      kind: ctx.kind,
      name: ctx.name,
      detail,
    })
    if (anomaly !== undefined && anomaly.lockoutMs > 0) {
      await store.set(`flow:lock:${principalKey}`, type, { ttlMs: anomaly.lockoutMs })
    }
  }

  const bucket = (): number => (anomaly === undefined ? 0 : Math.floor(now() / anomaly.windowMs))

  const observeDenial = async (code: string, principalKey: string, ctx: GuardContext): Promise<void> => {
    if (anomaly === undefined) return
    const b = bucket()
    const denials = await store.increment(`flow:denials:${principalKey}:${b}`, { ttlMs: anomaly.windowMs * 2 })
    if (denials === anomaly.maxDenials + 1)
      await signal(principalKey, ctx, 'denial_burst', { denials, windowMs: anomaly.windowMs })
    if (code.startsWith('ERR_APPROVAL_DECLINED') || code === 'ERR_APPROVAL_CANCELLED') {
      const declines = await store.increment(`flow:declines:${principalKey}:${b}`, { ttlMs: anomaly.windowMs * 2 })
      if (declines === anomaly.maxApprovalDeclines + 1) {
        await signal(principalKey, ctx, 'approval_declines', { declines, windowMs: anomaly.windowMs })
      }
    }
  }

  const observeCall = async (principalKey: string, ctx: GuardContext): Promise<void> => {
    if (anomaly === undefined) return
    const b = bucket()
    const firstInWindow = await store.compareAndSet(`flow:fan:${principalKey}:${b}:${ctx.name}`, undefined, 1, {
      ttlMs: anomaly.windowMs * 2,
    })
    if (firstInWindow) {
      const distinct = await store.increment(`flow:fan:${principalKey}:${b}`, { ttlMs: anomaly.windowMs * 2 })
      if (distinct === anomaly.maxDistinctTools + 1) {
        await signal(principalKey, ctx, 'fan_out', { distinctTools: distinct, windowMs: anomaly.windowMs })
      }
    }
    const calls = await store.increment(`flow:calls:${principalKey}`, { ttlMs: stateTtlMs })
    const neverUsed = await store.compareAndSet(`flow:used:${principalKey}:${ctx.name}`, undefined, 1, {
      ttlMs: stateTtlMs,
    })
    if (neverUsed && calls > anomaly.newToolAfterCalls) {
      await signal(principalKey, ctx, 'new_tool', { tool: ctx.name, callsBefore: calls - 1 })
    }
  }

  return Object.assign(flowPolicyMiddleware, {
    describe: {
      name: 'flowPolicy',
      ...(afterUntrusted === 'require-approval' || trifecta === 'require-approval'
        ? { provides: ['approvalRequired'] as const }
        : {}),
      id: name,
      stateTtlMs,
      afterUntrusted,
      trifecta,
      labels: Object.fromEntries(labelMap),
    },
    taints: readTaints,
    async reset(conversation: string) {
      await store.delete(`flow:taint:${conversation}`)
    },
  })
}

function checkAction(value: unknown, name: string): FlowAction {
  if (value !== 'require-approval' && value !== 'deny') {
    throw new TypeError(`flowPolicy: \`${name}\` must be 'require-approval' or 'deny'`)
  }
  return value
}

interface AnomalySettings {
  readonly windowMs: number
  readonly maxDenials: number
  readonly maxDistinctTools: number
  readonly maxApprovalDeclines: number
  readonly newToolAfterCalls: number
  readonly lockoutMs: number
}

function anomalySettings(options: FlowAnomalyOptions): AnomalySettings {
  if (typeof options !== 'object' || options === null)
    throw new TypeError('flowPolicy: `anomaly` must be an object or false')
  for (const key of Object.keys(options)) {
    if (!ANOMALY_KNOWN.has(key)) throw new TypeError(`flowPolicy: unknown anomaly option "${key}"`)
  }
  const settings: AnomalySettings = {
    windowMs: options.windowMs ?? 60_000,
    maxDenials: options.maxDenials ?? 10,
    maxDistinctTools: options.maxDistinctTools ?? 12,
    maxApprovalDeclines: options.maxApprovalDeclines ?? 3,
    newToolAfterCalls: options.newToolAfterCalls ?? 20,
    lockoutMs: options.lockoutMs ?? 0,
  }
  for (const [key, value] of Object.entries(settings)) {
    const positive = key === 'windowMs'
    if (!Number.isSafeInteger(value) || value < (positive ? 1 : 0)) {
      throw new TypeError(`flowPolicy: anomaly.${key} must be a ${positive ? 'positive' : 'non-negative'} integer`)
    }
  }
  return settings
}

/**
 * The labels of a call, from the first source that speaks for the tool: the options, the tool's
 * `_meta` declaration (a well-formed one), its annotations with the MCP defaults for absent hints.
 */
export function labelsOf(ctx: GuardContext, map: ReadonlyMap<string, readonly FlowLabel[]>): readonly FlowLabel[] {
  const declared = map.get(ctx.name)
  if (declared !== undefined) return declared
  const fromMeta = ctx.metadata.meta?.[FLOW_LABELS_META_KEY]
  if (Array.isArray(fromMeta) && fromMeta.every((label) => LABELS.includes(label as FlowLabel))) {
    return [...new Set(fromMeta as FlowLabel[])]
  }
  return labelsFromAnnotations(ctx.metadata.annotations)
}

/**
 * The labels tool annotations imply, absent hints read as the MCP defaults (`readOnlyHint: false`,
 * `destructiveHint: true`, `openWorldHint: true`); only a literal `true` or `false` overrides a
 * default, and contradicting hints (`readOnlyHint` and `destructiveHint` both `true`) keep the
 * riskier reading.
 */
export function labelsFromAnnotations(annotations: ToolAnnotations | undefined): readonly FlowLabel[] {
  const readOnly = annotations?.readOnlyHint === true
  const openWorld = annotations?.openWorldHint !== false
  const destructive = annotations?.destructiveHint === true || (!readOnly && annotations?.destructiveHint !== false)
  const labels: FlowLabel[] = []
  if (openWorld) labels.push('untrusted-input')
  if (openWorld && !readOnly) labels.push('external-action')
  if (destructive) labels.push('destructive')
  return labels
}

/** `reason` of the taints standing for state that could not be read. */
const UNREADABLE = 'unreadable state'

/** The stored form of a conversation's state. */
function record(taints: readonly FlowTaint[], refreshedAt: number): JsonValue {
  return { taints: taints.map((t) => ({ ...t })), refreshedAt } as unknown as JsonValue
}

/**
 * The taints of stored state. Absent state is a clean conversation; state that is present but not
 * what this policy writes (corrupted, written by something else, truncated) counts as tainted by
 * untrusted input and private data: unreadable state never allows.
 */
function toTaints(raw: JsonValue | undefined): readonly FlowTaint[] {
  if (raw === undefined) return []
  const list = Array.isArray(raw) ? raw : (raw as { taints?: unknown } | null)?.taints
  if (Array.isArray(list) && list.every(isTaint)) return list as unknown as readonly FlowTaint[]
  return UNREADABLE_TAINTS
}

function isTaint(t: unknown): t is FlowTaint {
  if (typeof t !== 'object' || t === null) return false
  const { label, tool, at, correlationId, reason } = t as Record<string, unknown>
  return (
    LABELS.includes(label as FlowLabel) &&
    typeof tool === 'string' &&
    typeof at === 'number' &&
    typeof correlationId === 'string' &&
    typeof reason === 'string'
  )
}

const UNREADABLE_TAINTS: readonly FlowTaint[] = Object.freeze(
  (['untrusted-input', 'private-data'] as const).map((label) =>
    Object.freeze({ label, tool: '(unknown)', at: 0, correlationId: '', reason: UNREADABLE }),
  ),
)

/** Every text a result carries: content text, embedded resource text, structured content strings. */
function textsOf(result: PrimitiveResult): string[] {
  const texts: string[] = []
  for (const block of result.content ?? []) {
    if (typeof block.text === 'string') texts.push(block.text)
    const resource = block.resource as { text?: unknown } | undefined
    if (typeof resource?.text === 'string') texts.push(resource.text)
  }
  if (result.structuredContent !== undefined) collectStrings(result.structuredContent, texts, 0)
  return texts
}

function collectStrings(value: unknown, into: string[], depth: number): void {
  if (depth > 32) return
  if (typeof value === 'string') into.push(value)
  else if (Array.isArray(value)) for (const item of value) collectStrings(item, into, depth + 1)
  else if (typeof value === 'object' && value !== null) {
    for (const item of Object.values(value)) collectStrings(item, into, depth + 1)
  }
}
