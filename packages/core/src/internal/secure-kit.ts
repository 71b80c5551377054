/**
 * The SDK-neutral part of `secure()`. Each adapter supplies an `SdkBinding` (how to read its
 * request context, how it words "not found", which error class it throws); this module does the
 * wrapping, list filtering and fail-closed checks for both SDK majors.
 *
 * Two layers, both installed by `secure()`:
 * - every registered callback is replaced by one that builds the neutral context and runs the
 *   global guards, then the tool's own guards, then the author's handler (after the SDK validated
 *   the arguments, so guards see parsed values);
 * - the SDK's request handlers for the list and call methods are wrapped to filter lists per caller
 *   and to answer a call to a hidden item exactly like a call to an unknown one (before argument
 *   validation, so validation errors cannot reveal that a hidden tool exists).
 */
import { toJsonRpcError, toToolErrorResult } from '../boundary.js'
import { type AnyMiddleware, compose } from '../compose.js'
import { correlationIdFrom } from '../correlation.js'
import { CORE_ERROR_CODES, WardenError } from '../errors.js'
import { hasDecisionSubscribers, publishDecision } from '../events.js'
import { checkChainOrder, toMiddlewareList } from '../guard.js'
import type {
  ClientBridge,
  ElicitationRequest,
  ElicitationResult,
  ElicitOptions,
  GuardContext,
  ListContext,
  OutboundFilter,
  PrimitiveKind,
  PrimitiveMetadata,
  PrimitiveResult,
  Principal,
  TransportAuth,
  VisibilityHook,
} from '../types.js'
import { cleanedThrown, type OutboundSend, outboundFiltersOf, runOutbound, thrownView } from './outbound.js'

type Fn = (...args: unknown[]) => unknown
type Loose = Record<string, unknown>

/** Per-request facts an adapter reads from the SDK's handler context. */
export interface RequestInfo {
  readonly requestId: string | number | undefined
  readonly meta: Readonly<Record<string, unknown>> | undefined
  readonly sessionId: string | undefined
  readonly auth: TransportAuth | undefined
  readonly principal: Principal | undefined
  readonly signal: AbortSignal
  readonly protocolVersion: string | undefined
}

/** How the kit answers on behalf of the SDK: a result to return, or an error to throw. */
export type SdkAnswer = { readonly result: unknown } | { readonly error: unknown }

/** What an adapter tells the kit about its SDK. */
export interface SdkBinding {
  /** Used in error messages: `secure() (sdk-v1)`. */
  readonly label: string
  /** Reads the neutral request facts from the SDK's handler `extra` / `ctx`. */
  requestInfo(extra: unknown): RequestInfo
  /** Capabilities the connected client declared, when known. */
  clientCapabilities(): Readonly<Record<string, unknown>> | undefined
  /** Sends a form elicitation tied to the request whose handler context is `extra`. */
  elicit(extra: unknown, request: ElicitationRequest, options: ElicitOptions | undefined): Promise<ElicitationResult>
  /** Protocol 2026-07-28: the retried request's `inputResponses` and raw `requestState`, when the SDK has them. */
  roundTrip?(extra: unknown): {
    inputResponses: Readonly<Record<string, unknown>> | undefined
    requestState: string | undefined
  }
  /**
   * Answer to a call of an unknown primitive, exactly as the SDK gives it; `resource-template` is
   * the answer of `completion/complete` for an unknown resource template URI.
   */
  unknown(kind: PrimitiveKind | 'resource-template', target: string): SdkAnswer
  /** The SDK's protocol error for a denial of `resources/read` or `prompts/get`. */
  protocolError(code: number, message: string, data: Record<string, unknown>): Error
  /**
   * The handler's `extra` / `ctx` with every function that sends the client something during the
   * call (notifications, logging, progress, requests, elicitation, sampling) routed through `send`
   * first: what `send` resolves to is what is sent; when it rejects nothing is sent and the
   * handler's call rejects. Everything else is left as it was.
   */
  wrapOutbound(extra: unknown, send: OutboundSend): unknown
}

/** Options of `secure()`. */
export interface SecureOptions {
  /**
   * Guards run on every tool call, resource read and prompt get, outside the per-tool guards, in
   * order. Middleware functions or guards built with `createGuard()`.
   */
  readonly use?: readonly unknown[]
}

const KNOWN_OPTIONS = new Set(['use'])
const SECURED = Symbol.for('mcp-warden.secured')
const GUARDED = Symbol.for('mcp-warden.guarded')
const EMPTY_ARGS: Readonly<Record<string, unknown>> = Object.freeze({})

/** What `guard(...).wrap(handler)` attaches to the function it returns. */
interface GuardedTag {
  readonly middlewares: readonly AnyMiddleware[]
  readonly handler: Fn
}

/** The per-call data the terminal step needs, passed beside the context (middlewares never see it). */
interface CallData {
  /** The context the handler was called with, once the chain got that far (for decision events). */
  reached?: GuardContext
  readonly callArgs: unknown[]
  readonly extra: unknown
  readonly original: Fn
  readonly tag: GuardedTag | undefined
  readonly argIndex: number
  readonly originalArgs: unknown
  /** The `outbound` filters of the chain; empty for most items, and then nothing is wrapped. */
  readonly outbound: readonly OutboundFilter[]
  readonly binding: SdkBinding
}

/** State kept per registered item (tool, resource, resource template, prompt). */
interface ItemState {
  readonly kind: PrimitiveKind
  name: string
  metadata: PrimitiveMetadata
  hooks: readonly VisibilityHook[]
  /** Global then per-item middlewares, as they run. */
  chain: readonly AnyMiddleware[]
  /** The `outbound` filters of `chain`, outermost first. */
  outbound: readonly OutboundFilter[]
}

/** A registered primitive of a secured server, as `getSecuredItems` reports it. */
export interface SecuredItem {
  readonly kind: PrimitiveKind
  /** Tool or prompt name, resource or resource-template name. */
  readonly name: string
  /** For fixed resources, the URI; for templates, the URI template. */
  readonly uri: string | undefined
  readonly metadata: PrimitiveMetadata
  /** Whether the item is enabled (disabled items are neither listed nor callable). */
  readonly enabled: boolean
  /** The middlewares that run on a call, outermost first: global guards, then the item's own. */
  readonly middlewares: readonly AnyMiddleware[]
}

const INSPECT = Symbol.for('mcp-warden.inspect')

/**
 * Lists the primitives registered on a server returned by `secure()`, with the middlewares that
 * guard each one. Used by policy reports and by the HTTP layer's step-up challenge.
 *
 * @throws TypeError when `server` was not secured.
 */
export function getSecuredItems(server: object): readonly SecuredItem[] {
  const inspect = (server as Record<symbol, unknown>)[INSPECT]
  if (typeof inspect !== 'function') throw new TypeError('getSecuredItems: the server was not secured with secure()')
  return (inspect as (this: object) => readonly SecuredItem[]).call(server)
}

/** The registries `McpServer` keeps in both SDK majors. */
interface Registries {
  readonly _registeredTools: Record<string, Loose>
  readonly _registeredPrompts: Record<string, Loose>
  readonly _registeredResources: Record<string, Loose>
  readonly _registeredResourceTemplates: Record<string, Loose>
}

/** Methods of `McpServer` that register primitives: the callback is always the last argument. */
const REGISTER_METHODS: Readonly<Record<string, PrimitiveKind>> = {
  registerTool: 'tool',
  tool: 'tool',
  registerPrompt: 'prompt',
  prompt: 'prompt',
  registerResource: 'resource',
  resource: 'resource',
}

/**
 * Installs the pipeline on `server` (mutating it, as `secure()` documents).
 *
 * @throws TypeError on bad options, an unrecognized SDK, a server already secured, or a server
 * that already has registrations.
 */
export function installPipeline(server: object, options: unknown, binding: SdkBinding): void {
  const where = binding.label
  if (typeof server !== 'object' || server === null) throw new TypeError(`${where}: expected an McpServer`)
  if ((server as Record<symbol, unknown>)[SECURED] === true)
    throw new TypeError(`${where}: this server is already secured`)
  const opts = (options ?? {}) as Loose
  if (typeof opts !== 'object' || Array.isArray(opts)) throw new TypeError(`${where}: options must be an object`)
  for (const key of Object.keys(opts)) {
    if (!KNOWN_OPTIONS.has(key)) throw new TypeError(`${where}: unknown option "${key}"`)
  }
  if (opts.use !== undefined && !Array.isArray(opts.use)) throw new TypeError(`${where}: \`use\` must be an array`)
  const global = toMiddlewareList((opts.use as unknown[] | undefined) ?? [], `${where} use`)
  const globalHooks = hooksOf(global)

  const registries = server as unknown as Registries
  const lowLevel = (server as Loose).server as Loose | undefined
  const handlers = lowLevel?._requestHandlers
  if (
    !(handlers instanceof Map) ||
    typeof registries._registeredTools !== 'object' ||
    typeof registries._registeredPrompts !== 'object' ||
    typeof registries._registeredResources !== 'object' ||
    typeof registries._registeredResourceTemplates !== 'object'
  ) {
    throw new TypeError(`${where}: unsupported McpServer (SDK internals not recognized); refusing to run unguarded`)
  }
  const already = [
    ...Object.keys(registries._registeredTools).map((n) => `tool "${n}"`),
    ...Object.keys(registries._registeredPrompts).map((n) => `prompt "${n}"`),
    ...Object.keys(registries._registeredResources).map((n) => `resource "${n}"`),
    ...Object.keys(registries._registeredResourceTemplates).map((n) => `resource template "${n}"`),
  ]
  if (already.length > 0) {
    throw new TypeError(
      `${where}: call secure() before registering anything; already registered: ${already.join(', ')}. ` +
        'They would otherwise run without the global guards.',
    )
  }

  const pipeline = new Pipeline(binding, global, globalHooks, registries)
  METHOD_NAMES.forEach((method, index) => {
    const original = (server as Loose)[method]
    if (typeof original !== 'function') return
    pipeline.originals[index] = original as Fn
    Object.defineProperty(server, method, { configurable: true, writable: true, value: SECURED_REGISTER[index] })
  })
  for (const [method, handler] of handlers as Map<string, Fn>) {
    handlers.set(method, pipeline.wrapHandler(method, handler))
  }
  Object.defineProperty(server, PIPELINE, { value: pipeline })
  Object.defineProperty(handlers, PIPELINE, { value: pipeline })
  Object.defineProperty(handlers, 'set', { configurable: true, writable: true, value: securedSet })
  Object.defineProperty(server, SECURED, { value: true })
  Object.defineProperty(server, INSPECT, { value: inspectSecured })
}

/**
 * Per-server state of the pipeline. Its methods live on the prototype, so securing a server (the
 * SDK's stateful pattern makes one per session, its stateless one one per request) allocates this
 * object and the per-item and per-handler wrappers, not a closure per helper.
 */
class Pipeline {
  readonly states = new WeakMap<object, ItemState>()
  /** The SDK's own registration methods, as the server had them before `secure()`, by `METHOD_NAMES` index. */
  readonly originals: (Fn | undefined)[] = []

  constructor(
    readonly binding: SdkBinding,
    readonly global: readonly AnyMiddleware[],
    readonly globalHooks: readonly VisibilityHook[],
    readonly registries: Registries,
  ) {}

  filtering(state: ItemState | undefined): boolean {
    return this.globalHooks.length > 0 || (state?.hooks.length ?? 0) > 0
  }

  // ---- callbacks ---------------------------------------------------------------------------

  makeCallback(state: ItemState, original: Fn): Fn {
    const tag = guardedTagOf(original)
    const chain = tag === undefined ? this.global : [...this.global, ...tag.middlewares]
    state.hooks = [...this.globalHooks, ...hooksOf(tag?.middlewares ?? [])]
    state.chain = chain
    const outbound = outboundFiltersOf(chain)
    state.outbound = outbound
    const run = compose(chain, terminal)
    const kind = state.kind
    const pipeline = this
    const callback = function guardedCallback(...callArgs: unknown[]): Promise<unknown> {
      const extra = callArgs[callArgs.length - 1]
      const info = pipeline.binding.requestInfo(extra)
      let uri: string | undefined
      let args: unknown = EMPTY_ARGS
      let argIndex = -1
      if (kind === 'resource') {
        uri = callArgs[0] instanceof URL ? callArgs[0].href : String(callArgs[0])
        if (callArgs.length === 3) {
          argIndex = 1
          args = callArgs[1]
        }
      } else if (callArgs.length === 2) {
        argIndex = 0
        args = callArgs[0]
      }
      const call: CallData = {
        callArgs,
        extra,
        original,
        tag,
        argIndex,
        originalArgs: args,
        outbound,
        binding: pipeline.binding,
      }
      const ctx = callContext(pipeline.binding, state, extra, info, uri, args)
      return pipeline.settle(run(ctx, call), ctx, call)
    }
    Object.defineProperty(callback, GUARDED_CALLBACK, { value: true })
    return callback
  }

  /** The one boundary: a denial becomes a tool error result, or the SDK's protocol error. */
  toAnswer(err: unknown, ctx: GuardContext): unknown {
    if (!WardenError.isInstance(err)) throw err
    if (ctx.kind === 'tool') return toToolErrorResult(err)
    const rpc = toJsonRpcError(err)
    throw this.binding.protocolError(rpc.code, rpc.message, rpc.data)
  }

  settle(pending: Promise<PrimitiveResult>, ctx: GuardContext, call: CallData): Promise<unknown> {
    if (!hasDecisionSubscribers()) return pending.then(undefined, (err: unknown) => this.failed(err, ctx, call, -1))
    const started = performance.now()
    return pending.then(
      (result) => {
        this.decision(ctx, call, 'allow', undefined, started)
        return result
      },
      (err: unknown) => this.failed(err, ctx, call, started),
    )
  }

  /**
   * A call failed. A denial is answered at the boundary; anything else is rethrown to the SDK,
   * after the chain's `outbound` filters cleaned what the client would read of it (a refusal from
   * a filter is a denial). `started` is negative when nobody listens for decisions.
   */
  failed(err: unknown, ctx: GuardContext, call: CallData, started: number): unknown {
    if (!WardenError.isInstance(err) && call.outbound.length > 0) {
      return cleanThrown(err, ctx.kind, METHOD_OF[ctx.kind], call.outbound, call.reached ?? ctx).then(
        (copy) => {
          throw copy
        },
        (denial: unknown) => this.failed(denial, ctx, call, started),
      )
    }
    if (started >= 0 && WardenError.isInstance(err)) this.decision(ctx, call, 'deny', err.code, started)
    return this.toAnswer(err, ctx)
  }

  decision(outer: GuardContext, call: CallData, outcome: 'allow' | 'deny', code: string | undefined, started: number) {
    // The principal a guard established (requireAuth on stdio) is known only further in.
    const ctx = call.reached ?? outer
    publishDecision({
      decision: outcome,
      ...(code === undefined ? {} : { code }),
      correlationId: ctx.correlationId,
      kind: ctx.kind,
      name: ctx.name,
      ...(ctx.principal === undefined ? {} : { principalId: ctx.principal.id }),
      ...(ctx.principal?.clientId === undefined ? {} : { clientId: ctx.principal.clientId }),
      ...(ctx.sessionId === undefined ? {} : { sessionId: ctx.sessionId }),
      durationMs: performance.now() - started,
    })
  }

  // ---- registration ------------------------------------------------------------------------

  /** Start-up check of the item's whole chain (global guards, then its own): see `checkChainOrder`. */
  checkOrder(callback: Fn, what: string): void {
    const tag = guardedTagOf(callback)
    if (tag !== undefined) checkChainOrder([...this.global, ...tag.middlewares], `${this.binding.label} ${what}`)
  }

  adopt(kind: PrimitiveKind, name: string, item: Loose, callback: Fn): void {
    const state: ItemState = {
      kind,
      name,
      metadata: metadataOf(kind, item),
      hooks: this.globalHooks,
      chain: this.global,
      outbound: [],
    }
    this.states.set(item, state)
    const wrapped = this.makeCallback(state, callback)
    const originalUpdate = item.update as ((updates: Loose) => void) | undefined
    if (typeof originalUpdate !== 'function') {
      throw new TypeError(
        `${this.binding.label}: registered ${kind} "${name}" has no update(); unsupported SDK version`,
      )
    }
    const update = (updates: Loose): void => {
      if (typeof updates !== 'object' || updates === null) {
        originalUpdate(updates)
        return
      }
      const next: Loose = { ...updates }
      if (typeof updates.callback === 'function') {
        this.checkOrder(updates.callback as Fn, `${kind} "${state.name}" update()`)
        next.callback = this.makeCallback(state, updates.callback as Fn)
      }
      originalUpdate(next)
      if (typeof updates.name === 'string') state.name = updates.name
      state.metadata = metadataOf(kind, item)
    }
    item.update = update
    originalUpdate({ callback: wrapped })
  }

  // ---- request handlers --------------------------------------------------------------------

  listContext(state: ItemState, extra: unknown, uri?: string): ListContext {
    const info = this.binding.requestInfo(extra)
    return {
      kind: state.kind,
      name: state.name,
      uri,
      metadata: state.metadata,
      meta: info.meta,
      sessionId: info.sessionId,
      auth: info.auth,
      principal: info.principal,
      protocolVersion: info.protocolVersion,
    }
  }

  /**
   * Runs the item's visibility hooks. Synchronous while every hook answers synchronously (the
   * usual case: scope checks), so a visible call adds no promise; a hook that returns a promise
   * switches the rest of the run to async.
   */
  isVisible(item: Loose | undefined, extra: unknown, uri?: string): boolean | Promise<boolean> {
    const state = item === undefined ? undefined : this.states.get(item)
    if (state === undefined) return false
    if (state.hooks.length === 0) return true
    return this.runHooks(state.hooks, 0, this.listContext(state, extra, uri))
  }

  runHooks(hooks: readonly VisibilityHook[], from: number, start: ListContext): boolean | Promise<boolean> {
    let ctx = start
    for (let i = from; i < hooks.length; i++) {
      let verdict: ReturnType<VisibilityHook>
      try {
        verdict = (hooks[i] as VisibilityHook)(ctx)
      } catch (err) {
        return Promise.reject(err)
      }
      if (verdict instanceof Promise || (typeof verdict === 'object' && verdict !== null && 'then' in verdict)) {
        const current = ctx
        return Promise.resolve(verdict).then((settled) => {
          if (settled === false) return false
          const merged = typeof settled === 'object' && settled !== null ? { ...current, ...settled } : current
          return this.runHooks(hooks, i + 1, merged)
        })
      }
      if (verdict === false) return false
      if (typeof verdict === 'object' && verdict !== null) ctx = { ...ctx, ...verdict }
    }
    return true
  }

  resourceFor(rawUri: unknown): { item: Loose; uri: string } | undefined {
    if (typeof rawUri !== 'string') return undefined
    let href: string
    try {
      href = new URL(rawUri).toString()
    } catch {
      return undefined
    }
    const exact = this.registries._registeredResources[href]
    if (exact !== undefined) return { item: exact, uri: href }
    for (const template of Object.values(this.registries._registeredResourceTemplates)) {
      const uriTemplate = (template.resourceTemplate as Loose | undefined)?.uriTemplate as Loose | undefined
      const match = uriTemplate?.match as ((uri: string) => unknown) | undefined
      if (typeof match === 'function' && match.call(uriTemplate, href)) return { item: template, uri: href }
    }
    return undefined
  }

  unguarded(kind: PrimitiveKind, name: string): SdkAnswer {
    const err = new WardenError(CORE_ERROR_CODES.ERR_CORE_UNGUARDED, `The ${kind} "${name}" is not guarded`, {
      status: 500,
    })
    if (kind === 'tool') return { result: toToolErrorResult(err) }
    const rpc = toJsonRpcError(err)
    return { error: this.binding.protocolError(rpc.code, rpc.message, rpc.data) }
  }

  /**
   * Decides a call before the SDK sees it: `undefined` lets the SDK handle it, an answer replaces
   * the SDK's, a promise is returned when visibility hooks must run.
   */
  precheck(
    kind: PrimitiveKind,
    request: unknown,
    extra: unknown,
  ): SdkAnswer | undefined | Promise<SdkAnswer | undefined> {
    const params = ((request as Loose | undefined)?.params ?? {}) as Loose
    let item: Loose | undefined
    let target: string
    let uri: string | undefined
    if (kind === 'resource') {
      const found = this.resourceFor(params.uri)
      if (found === undefined) return undefined
      item = found.item
      uri = found.uri
      target = typeof params.uri === 'string' ? params.uri : ''
    } else {
      if (typeof params.name !== 'string') return undefined
      target = params.name
      const registry = kind === 'tool' ? this.registries._registeredTools : this.registries._registeredPrompts
      item = Object.hasOwn(registry, target) ? registry[target] : undefined
      if (item === undefined) return undefined
    }
    if (item.enabled === false) return undefined
    const state = this.states.get(item)
    if (state === undefined) return this.unguarded(kind, target)
    if (!this.filtering(state)) return undefined
    const hidden = (): SdkAnswer => {
      if (hasDecisionSubscribers()) this.hiddenDecision(state, extra)
      return this.binding.unknown(kind, target)
    }
    const visible = this.isVisible(item, extra, uri)
    if (visible === true) return undefined
    if (visible === false) return Promise.resolve(hidden())
    return visible.then((seen) => (seen ? undefined : hidden()))
  }

  /**
   * `completion/complete` names a prompt or a resource template: when the caller may not see it,
   * the request is answered as for an unknown one, so completions neither reveal a hidden item
   * nor its values.
   */
  completionPrecheck(target: CompletionTarget | undefined, extra: unknown): Promise<SdkAnswer | undefined> | undefined {
    if (target === undefined) return undefined
    const { item, state, uri, unknownAnswer } = target
    if (!this.filtering(state)) return undefined
    return Promise.resolve(this.isVisible(item, extra, uri)).then((visible) => (visible ? undefined : unknownAnswer()))
  }

  /** The enabled, secured item a `completion/complete` request names, if any. */
  completionTarget(request: unknown): CompletionTarget | undefined {
    const ref = (((request as Loose | undefined)?.params ?? {}) as Loose).ref as Loose | undefined
    let item: Loose | undefined
    let uri: string | undefined
    let unknownAnswer: () => SdkAnswer
    if (ref?.type === 'ref/prompt' && typeof ref.name === 'string') {
      const name = ref.name
      item = Object.hasOwn(this.registries._registeredPrompts, name)
        ? this.registries._registeredPrompts[name]
        : undefined
      unknownAnswer = () => this.binding.unknown('prompt', name)
    } else if (ref?.type === 'ref/resource' && typeof ref.uri === 'string') {
      const target = ref.uri
      item = Object.values(this.registries._registeredResourceTemplates).find(
        (template) => String((template.resourceTemplate as Loose | undefined)?.uriTemplate) === target,
      )
      if (item === undefined && Object.hasOwn(this.registries._registeredResources, target)) {
        item = this.registries._registeredResources[target]
        uri = target
      }
      unknownAnswer = () => this.binding.unknown('resource-template', target)
    } else {
      return undefined
    }
    if (item === undefined || item.enabled === false) return undefined
    const state = this.states.get(item)
    if (state === undefined) return undefined
    return { item, state, uri, unknownAnswer }
  }

  /**
   * Runs the SDK's completion handler for an item with `outbound` filters: the completion values
   * (and the text of anything the completer throws) go through them; a refusal is a denial.
   */
  async filteredCompletion(handler: Fn, request: unknown, extra: unknown, target: CompletionTarget): Promise<unknown> {
    const { state, uri } = target
    const ctx = callContext(this.binding, state, extra, this.binding.requestInfo(extra), uri, EMPTY_ARGS)
    let result: unknown
    try {
      result = await handler(request, extra)
    } catch (err) {
      if (WardenError.isInstance(err)) throw err
      let copy: Error
      try {
        copy = await cleanThrown(err, 'prompt', 'completion/complete', state.outbound, ctx)
      } catch (denial) {
        throw this.protocolDenial(denial)
      }
      throw copy
    }
    const params = typeof result === 'object' && result !== null ? (result as Loose) : {}
    try {
      const cleaned = await runOutbound(state.outbound, { kind: 'result', method: 'completion/complete', params }, ctx)
      return cleaned.params
    } catch (denial) {
      throw this.protocolDenial(denial)
    }
  }

  /** The SDK's protocol error for a denial (a `WardenError`); anything else is returned as is. */
  protocolDenial(err: unknown): unknown {
    if (!WardenError.isInstance(err)) return err
    const rpc = toJsonRpcError(err)
    return this.binding.protocolError(rpc.code, rpc.message, rpc.data)
  }

  /** Audit sees a call to a hidden item as a denial, though the client is told "not found". */
  hiddenDecision(state: ItemState, extra: unknown): void {
    const info = this.binding.requestInfo(extra)
    publishDecision({
      decision: 'deny',
      code: CORE_ERROR_CODES.ERR_CORE_HIDDEN,
      correlationId: correlationIdFrom(info.meta),
      kind: state.kind,
      name: state.name,
      ...(info.principal === undefined ? {} : { principalId: info.principal.id }),
      ...(info.principal?.clientId === undefined ? {} : { clientId: info.principal.clientId }),
      ...(info.sessionId === undefined ? {} : { sessionId: info.sessionId }),
      durationMs: 0,
    })
  }

  answer(verdict: SdkAnswer): unknown {
    if ('error' in verdict) throw verdict.error
    return verdict.result
  }

  async filterList(
    list: unknown,
    key: string,
    extra: unknown,
    itemFor: (entry: Loose) => { item: Loose | undefined; uri?: string },
  ): Promise<unknown> {
    const entries = (list as Loose | undefined)?.[key]
    if (!Array.isArray(entries)) return list
    const kept: unknown[] = []
    for (const entry of entries as Loose[]) {
      const { item, uri } = itemFor(entry)
      if (item === undefined) continue
      const state = this.states.get(item)
      if (state === undefined) continue
      if (!this.filtering(state) || (await this.isVisible(item, extra, uri))) kept.push(entry)
    }
    return kept.length === entries.length ? list : { ...(list as Loose), [key]: kept }
  }

  named(registry: Record<string, Loose>) {
    return (entry: Loose) => ({
      item: typeof entry.name === 'string' && Object.hasOwn(registry, entry.name) ? registry[entry.name] : undefined,
    })
  }

  wrapHandler(method: string, handler: Fn): Fn {
    switch (method) {
      case 'tools/list':
        return async (request, extra) =>
          this.filterList(await handler(request, extra), 'tools', extra, this.named(this.registries._registeredTools))
      case 'prompts/list':
        return async (request, extra) =>
          this.filterList(
            await handler(request, extra),
            'prompts',
            extra,
            this.named(this.registries._registeredPrompts),
          )
      case 'resources/templates/list':
        return async (request, extra) =>
          this.filterList(
            await handler(request, extra),
            'resourceTemplates',
            extra,
            this.named(this.registries._registeredResourceTemplates),
          )
      case 'resources/list':
        return async (request, extra) =>
          this.filterList(await handler(request, extra), 'resources', extra, (entry) => {
            const found = this.resourceFor(entry.uri)
            return found === undefined ? { item: undefined } : found
          })
      case 'tools/call':
      case 'prompts/get':
      case 'resources/read':
      // Subscriptions name a resource too: a caller may not subscribe to one hidden from it.
      case 'resources/subscribe':
      case 'resources/unsubscribe': {
        const kind: PrimitiveKind = method === 'tools/call' ? 'tool' : method === 'prompts/get' ? 'prompt' : 'resource'
        return (request, extra) => {
          const verdict = this.precheck(kind, request, extra)
          if (verdict === undefined) return handler(request, extra)
          if (verdict instanceof Promise) {
            return verdict.then((later) => (later === undefined ? handler(request, extra) : this.answer(later)))
          }
          return Promise.resolve().then(() => this.answer(verdict))
        }
      }
      case 'completion/complete':
        return (request, extra) => {
          const target = this.completionTarget(request)
          const filtered = target !== undefined && target.state.outbound.length > 0 ? target : undefined
          const run = () =>
            filtered === undefined
              ? handler(request, extra)
              : this.filteredCompletion(handler, request, extra, filtered)
          const verdict = this.completionPrecheck(target, extra)
          if (verdict === undefined) return run()
          return verdict.then((later) => (later === undefined ? run() : this.answer(later)))
        }
      default:
        return handler
    }
  }

  /** What `getSecuredItems` reports. */
  inspect(): readonly SecuredItem[] {
    const items: SecuredItem[] = []
    const add = (
      kind: PrimitiveKind,
      registry: Record<string, Loose>,
      uriOf: (key: string, item: Loose) => string | undefined,
    ) => {
      for (const [key, item] of Object.entries(registry)) {
        const state = this.states.get(item)
        items.push({
          kind,
          name: state?.name ?? key,
          uri: uriOf(key, item),
          metadata: state?.metadata ?? metadataOf(kind, item),
          enabled: item.enabled !== false,
          middlewares: state?.chain ?? [],
        })
      }
    }
    add('tool', this.registries._registeredTools, () => undefined)
    add('prompt', this.registries._registeredPrompts, () => undefined)
    add('resource', this.registries._registeredResources, (key) => key)
    add('resource', this.registries._registeredResourceTemplates, (_key, item) =>
      String((item.resourceTemplate as Loose | undefined)?.uriTemplate ?? ''),
    )
    return items
  }
}

/**
 * Where a secured server, and its request-handler map, keep their pipeline: a property under a
 * symbol private to this module (a global WeakMap would hold an entry per server and slow every
 * garbage collection down).
 */
const PIPELINE = Symbol('mcp-warden.pipeline')

function pipelineOf(target: unknown, what: string): Pipeline {
  const pipeline =
    typeof target === 'object' && target !== null ? (target as { [PIPELINE]?: unknown })[PIPELINE] : undefined
  if (!(pipeline instanceof Pipeline)) {
    throw new TypeError(`${what}: call it on the server secure() returned (it needs that server as \`this\`)`)
  }
  return pipeline
}

/**
 * The registration methods `secure()` puts on a server, one function per method name shared by
 * every server: each registers through the SDK's own method, then adopts the item into the
 * pipeline.
 */
const METHOD_NAMES = Object.keys(REGISTER_METHODS)
const SECURED_REGISTER: readonly Fn[] = METHOD_NAMES.map((method, index) =>
  makeSecuredRegister(method, REGISTER_METHODS[method] as PrimitiveKind, index),
)

function makeSecuredRegister(method: string, kind: PrimitiveKind, index: number): Fn {
  return function securedRegister(this: unknown, ...args: unknown[]) {
    const pipeline = pipelineOf(this, `secure(): ${method}()`)
    const original = pipeline.originals[index] as Fn
    const callback = args[args.length - 1]
    if (typeof callback !== 'function') return original.apply(this, args)
    // Before the SDK sees the item: a refused chain must not leave it registered unguarded.
    pipeline.checkOrder(callback as Fn, `${method}("${String(args[0])}")`)
    const item = original.apply(this, args) as Loose
    pipeline.adopt(kind, String(args[0]), item, callback as Fn)
    return item
  }
}

/** `set` of a secured server's request-handler map: handlers registered later are wrapped too. */
function securedSet(this: Map<string, Fn>, method: string, handler: Fn): Map<string, Fn> {
  const pipeline = pipelineOf(this, 'secure(): request handler map')
  return Map.prototype.set.call(
    this,
    method,
    typeof handler === 'function' ? pipeline.wrapHandler(method, handler) : handler,
  ) as Map<string, Fn>
}

/** `getSecuredItems` support, shared by every secured server. */
function inspectSecured(this: unknown): readonly SecuredItem[] {
  return pipelineOf(this, 'getSecuredItems').inspect()
}

const GUARDED_CALLBACK = Symbol.for('mcp-warden.guarded-callback')

/** The client bridge of one call: one small object; capabilities are read only when asked for. */
class RequestClient implements ClientBridge {
  readonly #binding: SdkBinding
  readonly #extra: unknown

  constructor(binding: SdkBinding, extra: unknown) {
    this.#binding = binding
    this.#extra = extra
  }

  get capabilities(): Readonly<Record<string, unknown>> | undefined {
    return this.#binding.clientCapabilities()
  }

  get canElicit(): boolean {
    return this.#binding.clientCapabilities()?.elicitation !== undefined
  }

  elicit(request: ElicitationRequest, options?: ElicitOptions): Promise<ElicitationResult> {
    return this.#binding.elicit(this.#extra, request, options)
  }

  get inputResponses(): Readonly<Record<string, unknown>> | undefined {
    return this.#binding.roundTrip?.(this.#extra).inputResponses
  }

  get requestState(): string | undefined {
    return this.#binding.roundTrip?.(this.#extra).requestState
  }
}

/** The tag of a `guard(...).wrap(handler)` function, if `fn` is one. */
function guardedTagOf(fn: Fn): GuardedTag | undefined {
  return (fn as unknown as Record<symbol, GuardedTag | undefined>)[GUARDED]
}

/**
 * Creates the function `guard(...).wrap(handler)` returns. Registered on a secured server, the
 * pipeline runs the global guards, then `middlewares`, then `handler(args, ctx)`. Called any other
 * way it refuses to run (fail closed): per-tool guards must not be skippable.
 */
export function makeGuardedHandler(middlewares: readonly AnyMiddleware[], handler: unknown, where: string): Fn {
  if (typeof handler !== 'function') throw new TypeError(`${where}: wrap() expects a handler function`)
  const guarded = async function unregisteredGuardedHandler(): Promise<never> {
    throw new WardenError(
      CORE_ERROR_CODES.ERR_CORE_UNGUARDED,
      'A guarded handler was called outside a secured server; register it on the server returned by secure()',
      { status: 500, expose: false },
    )
  }
  const tag: GuardedTag = { middlewares, handler: handler as Fn }
  Object.defineProperty(guarded, GUARDED, { value: tag })
  return guarded
}

function terminal(ctx: GuardContext, call: CallData): Promise<PrimitiveResult> {
  call.reached = ctx
  const pending = ctx.approvalRequired
  if (pending !== undefined && pending.length > 0 && ctx.approval?.granted !== true) {
    return Promise.reject(
      new WardenError(CORE_ERROR_CODES.ERR_CORE_APPROVAL_REQUIRED, `Approval required: ${pending[0]?.reason ?? ''}`, {
        details: {
          requiredBy: pending.map((p) => p.by),
          requirements: pending.map((p) => ({ by: p.by, reason: p.reason, ...(p.details ?? {}) })),
        },
      }),
    )
  }
  try {
    // Only items with an `outbound` filter pay for a wrapped `extra`.
    const outbound = call.outbound
    const extra =
      outbound.length === 0
        ? call.extra
        : call.binding.wrapOutbound(call.extra, (message) => runOutbound(outbound, message, ctx))
    if (call.tag !== undefined) {
      const first = ctx.kind === 'resource' ? new URL(ctx.uri ?? '') : ctx.arguments
      // Object.assign rather than a spread: the context was itself built by spreads (`next(add)`),
      // and V8 copies such an object into a literal with an extra key on a slow path.
      const handlerCtx = Object.assign({}, ctx, { extra })
      return Promise.resolve(call.tag.handler(first, handlerCtx) as PrimitiveResult)
    }
    let callArgs = call.callArgs
    if (call.argIndex >= 0 && ctx.arguments !== call.originalArgs) {
      callArgs = [...callArgs]
      callArgs[call.argIndex] = ctx.arguments
    }
    if (extra !== call.extra) {
      if (callArgs === call.callArgs) callArgs = [...callArgs]
      callArgs[callArgs.length - 1] = extra
    }
    return Promise.resolve(call.original(...callArgs) as PrimitiveResult)
  } catch (err) {
    return Promise.reject(err)
  }
}

/** The JSON-RPC method through which each kind of primitive is called. */
const METHOD_OF: Readonly<Record<PrimitiveKind, string>> = {
  tool: 'tools/call',
  resource: 'resources/read',
  prompt: 'prompts/get',
}

/** A `completion/complete` request's item, as `completionTarget` finds it. */
interface CompletionTarget {
  readonly item: Loose
  readonly state: ItemState
  readonly uri: string | undefined
  readonly unknownAnswer: () => SdkAnswer
}

/** The neutral context of one call of `state`'s item. */
function callContext(
  binding: SdkBinding,
  state: ItemState,
  extra: unknown,
  info: RequestInfo,
  uri: string | undefined,
  args: unknown,
): GuardContext {
  return {
    kind: state.kind,
    name: state.name,
    uri,
    metadata: state.metadata,
    arguments: (args ?? EMPTY_ARGS) as Readonly<Record<string, unknown>>,
    requestId: info.requestId,
    meta: info.meta,
    sessionId: info.sessionId,
    auth: info.auth,
    principal: info.principal,
    correlationId: correlationIdFrom(info.meta),
    signal: info.signal,
    protocolVersion: info.protocolVersion,
    client: new RequestClient(binding, extra),
  } satisfies GuardContext
}

/**
 * What the client would read of a thrown value, through `filters`, as a copy of the value to
 * rethrow. Rejects with a `WardenError` only: a refusal from a filter, or
 * `ERR_CORE_OUTBOUND_FAILED` when the value cannot even be read (fail closed).
 */
function cleanThrown(
  err: unknown,
  kind: PrimitiveKind,
  method: string,
  filters: readonly OutboundFilter[],
  ctx: GuardContext,
): Promise<Error> {
  let view: ReturnType<typeof thrownView>
  try {
    view = thrownView(err, kind, method)
  } catch (cause) {
    return Promise.reject(
      new WardenError(CORE_ERROR_CODES.ERR_CORE_OUTBOUND_FAILED, 'An error could not be read; it was withheld', {
        cause,
        status: 500,
        expose: false,
      }),
    )
  }
  return runOutbound(filters, view, ctx).then((cleaned) => cleanedThrown(err, cleaned))
}

function hooksOf(middlewares: readonly AnyMiddleware[]): readonly VisibilityHook[] {
  const hooks: VisibilityHook[] = []
  for (const middleware of middlewares) {
    const hook = (middleware as { visibility?: unknown }).visibility
    if (typeof hook === 'function') hooks.push(hook as VisibilityHook)
  }
  return hooks
}

function metadataOf(kind: PrimitiveKind, item: Loose): PrimitiveMetadata {
  const metadata = (item.metadata ?? {}) as Loose
  const title = item.title ?? metadata.title
  const description = item.description ?? metadata.description
  const annotations = kind === 'tool' ? item.annotations : undefined
  const meta = item._meta ?? metadata._meta
  return Object.freeze({
    ...(typeof title === 'string' ? { title } : {}),
    ...(typeof description === 'string' ? { description } : {}),
    ...(typeof annotations === 'object' && annotations !== null
      ? { annotations: Object.freeze({ ...(annotations as Loose) }) }
      : {}),
    ...(typeof meta === 'object' && meta !== null ? { meta: meta as Readonly<Record<string, unknown>> } : {}),
  })
}

/** Reads a principal that `@mcp-warden/auth` placed in the transport's auth info. */
export const PRINCIPAL_AUTH_EXTRA_KEY = 'mcp-warden/principal'

/** Copies the transport's auth info without the token, and the principal if one was attached. */
export function neutralAuth(authInfo: unknown): { auth: TransportAuth | undefined; principal: Principal | undefined } {
  if (typeof authInfo !== 'object' || authInfo === null) return { auth: undefined, principal: undefined }
  const raw = authInfo as Loose
  const extra = typeof raw.extra === 'object' && raw.extra !== null ? (raw.extra as Loose) : undefined
  const candidate = extra?.[PRINCIPAL_AUTH_EXTRA_KEY]
  const principal = isPrincipal(candidate) ? candidate : undefined
  let publicExtra: Loose | undefined
  if (extra !== undefined) {
    const { [PRINCIPAL_AUTH_EXTRA_KEY]: _principal, ...rest } = extra
    publicExtra = rest
  }
  const auth: TransportAuth = {
    scopes: Array.isArray(raw.scopes)
      ? (raw.scopes as unknown[]).filter((s): s is string => typeof s === 'string')
      : [],
    ...(typeof raw.clientId === 'string' ? { clientId: raw.clientId } : {}),
    ...(typeof raw.expiresAt === 'number' ? { expiresAt: raw.expiresAt } : {}),
    ...(raw.resource instanceof URL
      ? { resource: raw.resource.href }
      : typeof raw.resource === 'string'
        ? { resource: raw.resource }
        : {}),
    ...(publicExtra === undefined ? {} : { extra: publicExtra }),
  }
  return { auth, principal }
}

function isPrincipal(value: unknown): value is Principal {
  if (typeof value !== 'object' || value === null) return false
  const p = value as Loose
  return (
    typeof p.id === 'string' &&
    typeof p.issuer === 'string' &&
    typeof p.subject === 'string' &&
    Array.isArray(p.scopes) &&
    typeof p.claims === 'object' &&
    p.claims !== null
  )
}
