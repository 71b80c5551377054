import type { HandleCodec } from './handle-codec.js'
import { HANDLE_ERROR_CODES, HandleError } from './handle-error.js'
import { neutralAuth } from './internal/secure-kit.js'
import type { JsonValue } from './types.js'

/** Options of `createRequestStateVerifier`. */
export interface RequestStateVerifierOptions {
  /** Lifetime of a minted `requestState`, in milliseconds. A positive integer. Default 600000 (10 min). */
  readonly ttlMs?: number
  /** Purpose the handles are bound to, 1 to 128 characters. Default `'mcp.requestState'`. */
  readonly purpose?: string
  /**
   * Reads the principal id from the SDK's handler context. Default: the `Principal` that
   * `@mcp-warden/auth` placed in `ctx.http.authInfo.extra['mcp-warden/principal']`. Return
   * `undefined` when there is none (the call is then refused).
   */
  readonly principalIdOf?: (ctx: unknown) => string | undefined
}

/** The pair an SDK 2.x server plugs in: `mint` in the handler, `verify` as `ServerOptions.requestState.verify`. */
export interface RequestStateVerifier {
  /**
   * Seals `data` into the `requestState` a handler returns from `inputRequired({ requestState })`,
   * bound to the caller's principal.
   *
   * @throws TypeError when the context carries no principal or `data` is not JSON.
   */
  mint(ctx: unknown, data?: JsonValue): string
  /**
   * Verifies an echoed `requestState` for the caller and resolves its data (`null` when none was
   * sealed), which the SDK hands to the handler as `ctx.mcpReq.requestState()`.
   *
   * @throws HandleError with the codec's codes; the SDK answers any throw with `-32602`
   * "Invalid or expired requestState" and reports the reason through `onerror` only.
   */
  verify(state: string, ctx: unknown): Promise<JsonValue>
}

const KNOWN_OPTIONS = new Set(['ttlMs', 'purpose', 'principalIdOf'])

const defaultPrincipalIdOf = (ctx: unknown): string | undefined => {
  if (typeof ctx !== 'object' || ctx === null) return undefined
  const http = (ctx as { http?: unknown }).http
  if (typeof http !== 'object' || http === null) return undefined
  return neutralAuth((http as { authInfo?: unknown }).authInfo).principal?.id
}

/**
 * Protects the multi-round-trip `requestState` of protocol 2026-07-28 (`@modelcontextprotocol/server`
 * 2.x) with a `HandleCodec`: the state is HMAC-authenticated under the codec's rotating keyring,
 * expires, and is bound to the principal that received it, so a client can neither forge it,
 * alter it, replay it after expiry, nor hand it to another user. Unlike the SDK's own
 * `createRequestStateCodec`, keys rotate without breaking live states and the binding reads the
 * verified principal.
 *
 * @throws TypeError at creation on unknown options or bad values.
 * @see https://modelcontextprotocol.io/specification/draft/basic/patterns/mrtr (server requirements 4–5)
 *
 * @example
 * ```ts
 * const state = createRequestStateVerifier(createHandleCodec({ keys }))
 * const server = new McpServer(info, { requestState: { verify: state.verify } })
 * // in a tool handler:
 * return inputRequired({ inputRequests, requestState: state.mint(ctx, { step: 2 }) })
 * // next round: ctx.mcpReq.requestState<{ step: number }>() is the verified data
 * ```
 */
export function createRequestStateVerifier(
  codec: HandleCodec,
  options: RequestStateVerifierOptions = {},
): RequestStateVerifier {
  if (typeof codec !== 'object' || codec === null || typeof codec.mint !== 'function') {
    throw new TypeError('createRequestStateVerifier: a HandleCodec is required')
  }
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(key)) throw new TypeError(`createRequestStateVerifier: unknown option "${key}"`)
  }
  const { ttlMs = 600_000, purpose = 'mcp.requestState', principalIdOf = defaultPrincipalIdOf } = options
  if (!Number.isSafeInteger(ttlMs) || ttlMs <= 0) {
    throw new TypeError('createRequestStateVerifier: `ttlMs` must be a positive integer')
  }
  if (typeof purpose !== 'string' || purpose.length === 0 || purpose.length > 128) {
    throw new TypeError('createRequestStateVerifier: `purpose` must be 1-128 characters')
  }
  if (typeof principalIdOf !== 'function') {
    throw new TypeError('createRequestStateVerifier: `principalIdOf` must be a function')
  }
  return Object.freeze({
    mint(ctx: unknown, data?: JsonValue): string {
      const principalId = principalIdOf(ctx)
      if (typeof principalId !== 'string' || principalId.length === 0) {
        throw new TypeError('RequestStateVerifier.mint: the context carries no verified principal')
      }
      return codec.mint({ principalId, purpose, ttlMs, ...(data === undefined ? {} : { data }) })
    },
    async verify(state: string, ctx: unknown): Promise<JsonValue> {
      const principalId = principalIdOf(ctx)
      if (typeof principalId !== 'string' || principalId.length === 0) {
        throw new HandleError(HANDLE_ERROR_CODES.ERR_HANDLE_WRONG_PRINCIPAL, 'Handle belongs to another principal')
      }
      return codec.verify(state, { principalId, purpose }).data ?? null
    },
  })
}
