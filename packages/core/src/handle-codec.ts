import { createHmac, timingSafeEqual } from 'node:crypto'
import { HANDLE_ERROR_CODES, HandleError } from './handle-error.js'
import { canonicalJson } from './internal/json.js'
import type { JsonValue } from './types.js'

/** One HMAC key of a handle keyring. */
export interface HandleKey {
  /**
   * Key id written into every handle the key signs, so verification picks the right key.
   * 1 to 64 characters from `A-Z a-z 0-9 _ -`; unique within the keyring.
   */
  readonly id: string
  /** The HMAC-SHA-256 secret: at least 32 bytes (a string counts its UTF-8 bytes). */
  readonly secret: string | Uint8Array
}

/** Options of `createHandleCodec`. */
export interface HandleCodecOptions {
  /**
   * The keyring. `current` signs every new handle and verifies; each of `previous` only verifies,
   * so a rotation (new `current`, old one moved to `previous`) never breaks a live handle. Drop a
   * key from `previous` once the longest `ttlMs` you mint has passed since it stopped signing.
   */
  readonly keys: {
    readonly current: HandleKey
    readonly previous?: readonly HandleKey[]
  }
  /**
   * Seconds a handle is still accepted after its expiry, to absorb clock skew between instances.
   * A non-negative integer. Default 0.
   */
  readonly clockToleranceSec?: number
  /** Clock in milliseconds since the epoch. Default `Date.now`. Tests pass a fake clock. */
  readonly now?: () => number
}

/** What `HandleCodec.mint` seals into a handle. */
export interface HandleMintInput {
  /** The principal the handle belongs to (`Principal.id`). Non-empty, at most 1024 characters. */
  readonly principalId: string
  /** What the handle is for (`cart`, `approval`, `request-state`, ...). 1 to 128 characters. */
  readonly purpose: string
  /**
   * Payload handed back by `verify`. Signed, not encrypted: the client can read it, so never put
   * secrets in it. Keep it small: the whole handle is at most 8192 characters.
   */
  readonly data?: JsonValue
  /** Lifetime in milliseconds, a positive integer. */
  readonly ttlMs: number
}

/** What a handle must match to verify. */
export interface HandleExpectation {
  /** The principal presenting the handle (`Principal.id`). */
  readonly principalId: string
  /** The purpose the caller is about to use the handle for. */
  readonly purpose: string
}

/** A verified handle. */
export interface VerifiedHandle {
  /** The `data` given to `mint`, deep-frozen; `undefined` when none was given. */
  readonly data: JsonValue | undefined
  /** Expiry in milliseconds since the epoch. */
  readonly expiresAt: number
}

/** Mints and verifies principal-bound, purpose-bound, expiring, HMAC-authenticated state handles. */
export interface HandleCodec {
  /**
   * Mints a handle: `wh1.<key id>.<payload>.<mac>`, visible ASCII, URL-safe (`A-Z a-z 0-9 . _ -`).
   * The principal id is not readable in the handle (only a keyed tag of it is); the purpose,
   * expiry and `data` are readable but cannot be changed.
   *
   * @throws TypeError on a bad input (empty principal or purpose, non-JSON data, bad ttl) or
   * when the handle would exceed 8192 characters.
   */
  mint(input: HandleMintInput): string
  /**
   * Verifies a handle presented by a client and returns its data.
   *
   * @throws HandleError `ERR_HANDLE_MALFORMED`, `ERR_HANDLE_UNKNOWN_KEY`,
   * `ERR_HANDLE_BAD_SIGNATURE`, `ERR_HANDLE_EXPIRED`, `ERR_HANDLE_WRONG_PRINCIPAL` or
   * `ERR_HANDLE_WRONG_PURPOSE`, checked in that order. Never anything else for any string or
   * non-string input.
   * @throws TypeError when `expected` itself is malformed (a programming error).
   */
  verify(handle: string, expected: HandleExpectation): VerifiedHandle
}

/** Longest handle `mint` produces and `verify` reads, in characters. */
export const MAX_HANDLE_LENGTH = 8192

const VERSION = 'wh1'
const KEY_ID = /^[A-Za-z0-9_-]{1,64}$/
const HANDLE_CHARS = /^[A-Za-z0-9._-]+$/
const PRINCIPAL_TAG_CONTEXT = 'mcp-warden.handle.principal\0'
const KNOWN_OPTIONS = new Set(['keys', 'clockToleranceSec', 'now'])

interface ResolvedKey {
  readonly id: string
  readonly secret: Buffer
}

interface Payload {
  /** Purpose. */
  readonly u: string
  /** Keyed tag of the principal id. */
  readonly b: string
  /** Expiry, ms since the epoch. */
  readonly e: number
  /** Data, when given. */
  readonly d?: JsonValue
}

function resolveKey(key: unknown, where: string): ResolvedKey {
  if (typeof key !== 'object' || key === null) throw new TypeError(`createHandleCodec: ${where} must be { id, secret }`)
  const { id, secret } = key as { id?: unknown; secret?: unknown }
  if (typeof id !== 'string' || !KEY_ID.test(id)) {
    throw new TypeError(`createHandleCodec: ${where}.id must be 1-64 characters from A-Z a-z 0-9 _ -`)
  }
  let bytes: Buffer
  if (typeof secret === 'string') bytes = Buffer.from(secret, 'utf8')
  else if (secret instanceof Uint8Array) bytes = Buffer.from(secret)
  else throw new TypeError(`createHandleCodec: ${where}.secret must be a string or a Uint8Array`)
  // Never echo the secret, not even its length, in the message.
  if (bytes.length < 32) throw new TypeError(`createHandleCodec: ${where}.secret must be at least 32 bytes`)
  return { id, secret: bytes }
}

function checkExpected(principalId: unknown, purpose: unknown, where: string): void {
  if (typeof principalId !== 'string' || principalId.length === 0 || principalId.length > 1024) {
    throw new TypeError(`${where}: principalId must be a non-empty string of at most 1024 characters`)
  }
  if (typeof purpose !== 'string' || purpose.length === 0 || purpose.length > 128) {
    throw new TypeError(`${where}: purpose must be a non-empty string of at most 128 characters`)
  }
}

const mac = (key: ResolvedKey, text: string): string =>
  createHmac('sha256', key.secret).update(text).digest('base64url')
const principalTag = (key: ResolvedKey, principalId: string): string =>
  createHmac('sha256', key.secret)
    .update(PRINCIPAL_TAG_CONTEXT + principalId)
    .digest()
    .subarray(0, 16)
    .toString('base64url')

/** Constant-time equality of two ASCII strings (length is not secret). */
function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a, 'latin1')
  const right = Buffer.from(b, 'latin1')
  return left.length === right.length && timingSafeEqual(left, right)
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const child of Object.values(value)) deepFreeze(child)
    Object.freeze(value)
  }
  return value
}

const malformed = (): HandleError => new HandleError(HANDLE_ERROR_CODES.ERR_HANDLE_MALFORMED, 'Handle is malformed')

function parsePayload(body: string): Payload {
  let parsed: unknown
  try {
    parsed = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'))
  } catch (cause) {
    throw new HandleError(HANDLE_ERROR_CODES.ERR_HANDLE_MALFORMED, 'Handle is malformed', { cause })
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw malformed()
  const { u, b, e } = parsed as Record<string, unknown>
  if (typeof u !== 'string' || typeof b !== 'string' || typeof e !== 'number' || !Number.isSafeInteger(e)) {
    throw malformed()
  }
  return parsed as Payload
}

/**
 * Creates a codec for opaque state handles that a server mints and a client echoes back: cart
 * and workflow ids, approval tokens, the protocol 2026-07-28 `requestState`. A handle is bound to
 * one principal and one purpose, expires, and is authenticated with HMAC-SHA-256 under a keyring
 * (key id in the handle; one signing key, any number of verification keys), so a client can
 * neither forge nor alter one, nor use another user's, nor use it for something else.
 *
 * The MAC covers the exact characters of the handle and is compared in constant time; there is no
 * second encoding of the same handle that verifies. Verification is synchronous and linear in the
 * handle length (at most `MAX_HANDLE_LENGTH`).
 *
 * @throws TypeError at creation on unknown options, a key id that is not URL-safe or is used
 * twice, a secret shorter than 32 bytes, or a bad `clockToleranceSec`/`now`.
 * @see https://modelcontextprotocol.io/specification/draft/basic/security_best_practices#session-hijacking
 * @see RFC 2104 (HMAC), RFC 4648 §5 (base64url)
 *
 * @example
 * ```ts
 * const codec = createHandleCodec({
 *   keys: { current: { id: '2026-05', secret: process.env.HANDLE_KEY_2026_05 ?? '' } },
 * })
 * const cartId = codec.mint({ principalId: principal.id, purpose: 'cart', data: { items: [] }, ttlMs: 3_600_000 })
 * const { data } = codec.verify(cartId, { principalId: principal.id, purpose: 'cart' })
 * ```
 */
export function createHandleCodec(options: HandleCodecOptions): HandleCodec {
  if (typeof options !== 'object' || options === null) throw new TypeError('createHandleCodec: options are required')
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(key)) throw new TypeError(`createHandleCodec: unknown option "${key}"`)
  }
  const { keys, clockToleranceSec = 0, now = Date.now } = options
  if (typeof keys !== 'object' || keys === null) throw new TypeError('createHandleCodec: `keys` is required')
  const signing = resolveKey(keys.current, 'keys.current')
  const previous = keys.previous ?? []
  if (!Array.isArray(previous)) throw new TypeError('createHandleCodec: keys.previous must be an array')
  const ring = new Map<string, ResolvedKey>([[signing.id, signing]])
  previous.forEach((key: unknown, index: number) => {
    const resolved = resolveKey(key, `keys.previous[${index}]`)
    if (ring.has(resolved.id)) throw new TypeError(`createHandleCodec: key id "${resolved.id}" is used twice`)
    ring.set(resolved.id, resolved)
  })
  if (!Number.isSafeInteger(clockToleranceSec) || clockToleranceSec < 0) {
    throw new TypeError('createHandleCodec: `clockToleranceSec` must be a non-negative integer')
  }
  if (typeof now !== 'function') throw new TypeError('createHandleCodec: `now` must be a function')
  const toleranceMs = clockToleranceSec * 1000

  return Object.freeze({
    mint(input: HandleMintInput): string {
      if (typeof input !== 'object' || input === null) throw new TypeError('HandleCodec.mint: input is required')
      const { principalId, purpose, data, ttlMs } = input
      checkExpected(principalId, purpose, 'HandleCodec.mint')
      if (!Number.isSafeInteger(ttlMs) || ttlMs <= 0) {
        throw new TypeError('HandleCodec.mint: ttlMs must be a positive integer')
      }
      const expiresAt = Math.floor(now()) + ttlMs
      if (!Number.isSafeInteger(expiresAt)) throw new TypeError('HandleCodec.mint: expiry out of range')
      const payload = canonicalJson({ u: purpose, b: principalTag(signing, principalId), e: expiresAt, d: data })
      const signed = `${VERSION}.${signing.id}.${Buffer.from(payload, 'utf8').toString('base64url')}`
      const handle = `${signed}.${mac(signing, signed)}`
      if (handle.length > MAX_HANDLE_LENGTH) {
        throw new TypeError(`HandleCodec.mint: handle would exceed ${MAX_HANDLE_LENGTH} characters; keep data small`)
      }
      return handle
    },

    verify(handle: string, expected: HandleExpectation): VerifiedHandle {
      if (typeof expected !== 'object' || expected === null) {
        throw new TypeError('HandleCodec.verify: expected { principalId, purpose } is required')
      }
      checkExpected(expected.principalId, expected.purpose, 'HandleCodec.verify')
      if (typeof handle !== 'string' || handle.length === 0 || handle.length > MAX_HANDLE_LENGTH) throw malformed()
      if (!HANDLE_CHARS.test(handle)) throw malformed()
      const parts = handle.split('.')
      if (parts.length !== 4) throw malformed()
      const [version, keyId, body, signature] = parts as [string, string, string, string]
      if (version !== VERSION || !KEY_ID.test(keyId) || body.length === 0 || signature.length === 0) throw malformed()
      const key = ring.get(keyId)
      if (key === undefined) {
        throw new HandleError(HANDLE_ERROR_CODES.ERR_HANDLE_UNKNOWN_KEY, 'Handle was signed with an unknown key')
      }
      const signedLength = handle.length - signature.length - 1
      if (!sameText(signature, mac(key, handle.slice(0, signedLength)))) {
        throw new HandleError(HANDLE_ERROR_CODES.ERR_HANDLE_BAD_SIGNATURE, 'Handle signature is invalid')
      }
      const payload = parsePayload(body)
      if (Math.floor(now()) >= payload.e + toleranceMs) {
        throw new HandleError(HANDLE_ERROR_CODES.ERR_HANDLE_EXPIRED, 'Handle has expired', {
          details: { expiredAt: new Date(payload.e).toISOString() },
        })
      }
      if (!sameText(payload.b, principalTag(key, expected.principalId))) {
        throw new HandleError(HANDLE_ERROR_CODES.ERR_HANDLE_WRONG_PRINCIPAL, 'Handle belongs to another principal')
      }
      if (payload.u !== expected.purpose) {
        throw new HandleError(HANDLE_ERROR_CODES.ERR_HANDLE_WRONG_PURPOSE, 'Handle was minted for another purpose')
      }
      return { data: payload.d === undefined ? undefined : deepFreeze(payload.d), expiresAt: payload.e }
    },
  } satisfies HandleCodec)
}
