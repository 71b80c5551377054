import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createHandleCodec, type HandleCodec, MAX_HANDLE_LENGTH } from './handle-codec.js'
import { HANDLE_ERROR_CODES, HandleError } from './handle-error.js'

const SECRET_A = 'a'.repeat(32)
const SECRET_B = new Uint8Array(48).fill(7)
const ALICE = 'https://issuer.example#alice'
const BOB = 'https://issuer.example#bob'

const codeOf = (fn: () => unknown): string => {
  try {
    fn()
  } catch (error) {
    if (HandleError.isInstance(error)) return error.code
    throw error
  }
  return 'verified'
}

function clock(start = 1_700_000_000_000): { now: () => number; advance: (ms: number) => void } {
  let time = start
  return { now: () => time, advance: (ms) => (time += ms) }
}

describe('createHandleCodec', () => {
  const time = clock()
  const codec = createHandleCodec({ keys: { current: { id: 'k1', secret: SECRET_A } }, now: time.now })

  it('returns the data and expiry when principal and purpose match', () => {
    const handle = codec.mint({ principalId: ALICE, purpose: 'cart', data: { items: [1, 'é'] }, ttlMs: 60_000 })
    const result = codec.verify(handle, { principalId: ALICE, purpose: 'cart' })
    expect(result).toEqual({ data: { items: [1, 'é'] }, expiresAt: time.now() + 60_000 })
    expect(Object.isFrozen(result.data)).toBe(true)
  })

  it('mints visible-ASCII url-safe handles that do not reveal the principal', () => {
    const handle = codec.mint({ principalId: ALICE, purpose: 'cart', data: 'ünïcødé ✓', ttlMs: 1000 })
    expect(handle).toMatch(/^wh1\.k1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/)
    expect(Buffer.from(handle.split('.')[2] ?? '', 'base64url').toString()).not.toContain('alice')
  })

  it('returns undefined data when none was minted', () => {
    const handle = codec.mint({ principalId: ALICE, purpose: 'cart', ttlMs: 1000 })
    expect(codec.verify(handle, { principalId: ALICE, purpose: 'cart' }).data).toBeUndefined()
  })

  it('mints different handles for the same input only when inputs differ', () => {
    const a = codec.mint({ principalId: ALICE, purpose: 'cart', ttlMs: 1000 })
    const b = codec.mint({ principalId: BOB, purpose: 'cart', ttlMs: 1000 })
    expect(a).not.toBe(b)
  })

  it('throws ERR_HANDLE_WRONG_PRINCIPAL when another principal presents the handle', () => {
    const handle = codec.mint({ principalId: ALICE, purpose: 'cart', ttlMs: 1000 })
    expect(codeOf(() => codec.verify(handle, { principalId: BOB, purpose: 'cart' }))).toBe(
      HANDLE_ERROR_CODES.ERR_HANDLE_WRONG_PRINCIPAL,
    )
  })

  it('throws ERR_HANDLE_WRONG_PURPOSE when the handle is used for another purpose', () => {
    const handle = codec.mint({ principalId: ALICE, purpose: 'cart', ttlMs: 1000 })
    expect(codeOf(() => codec.verify(handle, { principalId: ALICE, purpose: 'approval' }))).toBe(
      HANDLE_ERROR_CODES.ERR_HANDLE_WRONG_PURPOSE,
    )
  })

  it('throws ERR_HANDLE_EXPIRED when the ttl has passed, honouring the clock tolerance', () => {
    const local = clock()
    const strict = createHandleCodec({ keys: { current: { id: 'k1', secret: SECRET_A } }, now: local.now })
    const tolerant = createHandleCodec({
      keys: { current: { id: 'k1', secret: SECRET_A } },
      now: local.now,
      clockToleranceSec: 5,
    })
    const handle = strict.mint({ principalId: ALICE, purpose: 'cart', ttlMs: 1000 })
    local.advance(999)
    expect(codeOf(() => strict.verify(handle, { principalId: ALICE, purpose: 'cart' }))).toBe('verified')
    local.advance(1)
    expect(codeOf(() => strict.verify(handle, { principalId: ALICE, purpose: 'cart' }))).toBe(
      HANDLE_ERROR_CODES.ERR_HANDLE_EXPIRED,
    )
    expect(codeOf(() => tolerant.verify(handle, { principalId: ALICE, purpose: 'cart' }))).toBe('verified')
    local.advance(5000)
    expect(codeOf(() => tolerant.verify(handle, { principalId: ALICE, purpose: 'cart' }))).toBe(
      HANDLE_ERROR_CODES.ERR_HANDLE_EXPIRED,
    )
  })

  it('verifies handles of a previous key after rotation and signs with the new one', () => {
    const old = createHandleCodec({ keys: { current: { id: 'k1', secret: SECRET_A } } })
    const rotated = createHandleCodec({
      keys: { current: { id: 'k2', secret: SECRET_B }, previous: [{ id: 'k1', secret: SECRET_A }] },
    })
    const live = old.mint({ principalId: ALICE, purpose: 'cart', data: 1, ttlMs: 60_000 })
    expect(rotated.verify(live, { principalId: ALICE, purpose: 'cart' }).data).toBe(1)
    const fresh = rotated.mint({ principalId: ALICE, purpose: 'cart', ttlMs: 60_000 })
    expect(fresh.startsWith('wh1.k2.')).toBe(true)
    expect(codeOf(() => old.verify(fresh, { principalId: ALICE, purpose: 'cart' }))).toBe(
      HANDLE_ERROR_CODES.ERR_HANDLE_UNKNOWN_KEY,
    )
  })

  it('throws ERR_HANDLE_BAD_SIGNATURE when the key id is known but the secret differs', () => {
    const other = createHandleCodec({ keys: { current: { id: 'k1', secret: 'b'.repeat(32) } } })
    const forged = other.mint({ principalId: ALICE, purpose: 'cart', ttlMs: 60_000 })
    expect(codeOf(() => codec.verify(forged, { principalId: ALICE, purpose: 'cart' }))).toBe(
      HANDLE_ERROR_CODES.ERR_HANDLE_BAD_SIGNATURE,
    )
  })

  it('throws ERR_HANDLE_BAD_SIGNATURE when the payload is swapped between two handles', () => {
    const mine = codec.mint({ principalId: ALICE, purpose: 'cart', data: 'mine', ttlMs: 60_000 }).split('.')
    const theirs = codec.mint({ principalId: BOB, purpose: 'cart', data: 'theirs', ttlMs: 60_000 }).split('.')
    const spliced = [mine[0], mine[1], theirs[2], mine[3]].join('.')
    expect(codeOf(() => codec.verify(spliced, { principalId: ALICE, purpose: 'cart' }))).toBe(
      HANDLE_ERROR_CODES.ERR_HANDLE_BAD_SIGNATURE,
    )
  })

  it('throws ERR_HANDLE_MALFORMED for wrong types, empty, huge, non-ASCII and misshapen input', () => {
    const expected = { principalId: ALICE, purpose: 'cart' }
    const inputs: unknown[] = [
      undefined,
      null,
      42,
      {},
      '',
      'x'.repeat(MAX_HANDLE_LENGTH + 1),
      'wh1.k1.é.abc',
      'wh1.k1.abc',
      'wh1.k1.abc.def.ghi',
      'wh2.k1.abc.def',
      'wh1..abc.def',
      'wh1.k1..def',
      'wh1.k1.abc.',
      'wh1.k1.abc.def\n',
    ]
    for (const input of inputs) {
      expect(codeOf(() => codec.verify(input as string, expected))).toBe(HANDLE_ERROR_CODES.ERR_HANDLE_MALFORMED)
    }
  })

  it('throws TypeError at verify when the expectation is malformed', () => {
    const handle = codec.mint({ principalId: ALICE, purpose: 'cart', ttlMs: 1000 })
    expect(() => codec.verify(handle, { principalId: '', purpose: 'cart' })).toThrow(TypeError)
    expect(() => codec.verify(handle, { principalId: ALICE, purpose: 'x'.repeat(129) })).toThrow(TypeError)
    expect(() => codec.verify(handle, undefined as unknown as { principalId: string; purpose: string })).toThrow(
      TypeError,
    )
  })

  it('throws TypeError at mint on bad input', () => {
    expect(() => codec.mint({ principalId: '', purpose: 'cart', ttlMs: 1 })).toThrow(TypeError)
    expect(() => codec.mint({ principalId: ALICE, purpose: '', ttlMs: 1 })).toThrow(TypeError)
    expect(() => codec.mint({ principalId: ALICE, purpose: 'cart', ttlMs: 0 })).toThrow(TypeError)
    expect(() => codec.mint({ principalId: ALICE, purpose: 'cart', ttlMs: 1.5 })).toThrow(TypeError)
    expect(() => codec.mint({ principalId: ALICE, purpose: 'cart', ttlMs: 1, data: Number.NaN })).toThrow(TypeError)
    expect(() => codec.mint({ principalId: ALICE, purpose: 'cart', ttlMs: 1, data: 'x'.repeat(8000) })).toThrow(
      TypeError,
    )
  })

  it('throws TypeError at creation on a short secret, bad key id, duplicate id or unknown option', () => {
    const make = (options: unknown) => () => createHandleCodec(options as Parameters<typeof createHandleCodec>[0])
    expect(make(undefined)).toThrow(TypeError)
    expect(make({ keys: { current: { id: 'k1', secret: 'a'.repeat(31) } } })).toThrow(/at least 32 bytes/)
    expect(make({ keys: { current: { id: 'k1', secret: new Uint8Array(31) } } })).toThrow(TypeError)
    expect(make({ keys: { current: { id: 'k1', secret: 42 } } })).toThrow(TypeError)
    expect(make({ keys: { current: { id: 'k.1', secret: SECRET_A } } })).toThrow(TypeError)
    expect(make({ keys: { current: { id: '', secret: SECRET_A } } })).toThrow(TypeError)
    expect(
      make({ keys: { current: { id: 'k1', secret: SECRET_A }, previous: [{ id: 'k1', secret: SECRET_B }] } }),
    ).toThrow(/used twice/)
    expect(make({ keys: { current: { id: 'k1', secret: SECRET_A } }, ttl: 5 })).toThrow(/unknown option/)
    expect(make({ keys: { current: { id: 'k1', secret: SECRET_A } }, clockToleranceSec: -1 })).toThrow(TypeError)
  })

  it('counts a string secret in UTF-8 bytes', () => {
    // 11 three-byte characters: 33 bytes but 11 UTF-16 units.
    expect(() => createHandleCodec({ keys: { current: { id: 'k1', secret: '€'.repeat(11) } } })).not.toThrow()
  })

  it('verifies many handles concurrently without mixing them up', async () => {
    const handles = Array.from({ length: 200 }, (_, i) =>
      codec.mint({ principalId: `${ALICE}${i}`, purpose: 'cart', data: i, ttlMs: 60_000 }),
    )
    const results = await Promise.all(
      handles.map(async (handle, i) => codec.verify(handle, { principalId: `${ALICE}${i}`, purpose: 'cart' }).data),
    )
    expect(results).toEqual(handles.map((_, i) => i))
  })
})

describe('HandleCodec (property)', () => {
  const codec: HandleCodec = createHandleCodec({
    keys: { current: { id: 'k2', secret: SECRET_B }, previous: [{ id: 'k1', secret: SECRET_A }] },
  })
  const expected = { principalId: ALICE, purpose: 'cart' }
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-'
  const handleArb = fc
    .record({ data: fc.jsonValue({ maxDepth: 2 }), ttlMs: fc.integer({ min: 1000, max: 10_000_000 }) })
    .map(({ data, ttlMs }) => codec.mint({ ...expected, data: data as never, ttlMs }))
  const charArb = fc.constantFrom(...alphabet.split(''))

  it('never verifies a handle with one character replaced', () => {
    fc.assert(
      fc.property(handleArb, fc.nat(), charArb, (handle, at, char) => {
        const index = at % handle.length
        fc.pre(handle[index] !== char)
        const mutated = handle.slice(0, index) + char + handle.slice(index + 1)
        expect(codeOf(() => codec.verify(mutated, expected))).not.toBe('verified')
      }),
      { numRuns: 500 },
    )
  })

  it('never verifies a truncated, extended or spliced handle', () => {
    fc.assert(
      fc.property(
        handleArb,
        fc.nat(),
        fc.nat(),
        fc.string({ unit: charArb, minLength: 1, maxLength: 8 }),
        (handle, a, b, extra) => {
          const i = a % handle.length
          const j = b % (handle.length + 1)
          const variants = [
            handle.slice(0, i),
            handle.slice(i + 1),
            handle.slice(0, i) + handle.slice(i + 1),
            handle.slice(0, j) + extra + handle.slice(j),
            handle + extra,
          ]
          for (const variant of variants) {
            if (variant === handle) continue
            expect(codeOf(() => codec.verify(variant, expected))).not.toBe('verified')
          }
        },
      ),
      { numRuns: 300 },
    )
  })

  it('never throws anything but HandleError for arbitrary strings', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (input) => {
        expect(codeOf(() => codec.verify(input, expected))).not.toBe('verified')
      }),
      { numRuns: 500 },
    )
  })
})
