import { McpServer, type ServerOptions } from '@modelcontextprotocol/server'
import { describe, expect, it } from 'vitest'
import { createHandleCodec } from './handle-codec.js'
import { HANDLE_ERROR_CODES, HandleError } from './handle-error.js'
import { PRINCIPAL_AUTH_EXTRA_KEY } from './internal/secure-kit.js'
import { createRequestStateVerifier } from './request-state.js'
import type { Principal } from './types.js'

const principal = (subject: string): Principal => ({
  id: `https://issuer.example#${subject}`,
  issuer: 'https://issuer.example',
  subject,
  scopes: [],
  claims: {},
})
/** The shape of the SDK 2.x handler context that the verifier reads. */
const ctxOf = (p: Principal | undefined) => ({
  mcpReq: { id: 1, method: 'tools/call' },
  http: { authInfo: { token: 'secret-token', clientId: 'c', scopes: [], extra: { [PRINCIPAL_AUTH_EXTRA_KEY]: p } } },
})

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise
  } catch (error) {
    if (HandleError.isInstance(error)) return error.code
    throw error
  }
  return 'verified'
}

describe('createRequestStateVerifier', () => {
  const codec = createHandleCodec({ keys: { current: { id: 'rs1', secret: 'r'.repeat(32) } } })
  const state = createRequestStateVerifier(codec, { ttlMs: 60_000 })
  const alice = ctxOf(principal('alice'))
  const bob = ctxOf(principal('bob'))

  it('plugs into the SDK 2.x ServerOptions.requestState seam', () => {
    const options: ServerOptions = { requestState: { verify: state.verify } }
    const server = new McpServer({ name: 't', version: '1' }, options)
    expect(server).toBeInstanceOf(McpServer)
  })

  it('resolves the sealed data when the same principal echoes the state', async () => {
    const wire = state.mint(alice, { step: 2, cart: ['a'] })
    await expect(state.verify(wire, alice)).resolves.toEqual({ step: 2, cart: ['a'] })
    expect(wire).not.toContain('secret-token')
  })

  it('resolves null when no data was sealed', async () => {
    await expect(state.verify(state.mint(alice), alice)).resolves.toBeNull()
  })

  it('rejects with ERR_HANDLE_WRONG_PRINCIPAL when another principal echoes the state', async () => {
    const wire = state.mint(alice, { step: 2 })
    expect(await codeOf(state.verify(wire, bob))).toBe(HANDLE_ERROR_CODES.ERR_HANDLE_WRONG_PRINCIPAL)
    expect(await codeOf(state.verify(wire, ctxOf(undefined)))).toBe(HANDLE_ERROR_CODES.ERR_HANDLE_WRONG_PRINCIPAL)
  })

  it('rejects a tampered state and a handle minted for another purpose', async () => {
    const wire = state.mint(alice, { step: 2 })
    const tampered = `${wire.slice(0, -2)}${wire.endsWith('AA') ? 'BB' : 'AA'}`
    expect(await codeOf(state.verify(tampered, alice))).toBe(HANDLE_ERROR_CODES.ERR_HANDLE_BAD_SIGNATURE)
    const cart = codec.mint({ principalId: principal('alice').id, purpose: 'cart', ttlMs: 60_000 })
    expect(await codeOf(state.verify(cart, alice))).toBe(HANDLE_ERROR_CODES.ERR_HANDLE_WRONG_PURPOSE)
    expect(await codeOf(state.verify('not a state', alice))).toBe(HANDLE_ERROR_CODES.ERR_HANDLE_MALFORMED)
  })

  it('throws TypeError at mint when the context has no principal', () => {
    expect(() => state.mint(ctxOf(undefined), 1)).toThrow(TypeError)
    expect(() => state.mint(undefined, 1)).toThrow(TypeError)
  })

  it('uses principalIdOf when given (stdio: the local user)', async () => {
    const local = createRequestStateVerifier(codec, { principalIdOf: () => 'local#me' })
    await expect(local.verify(local.mint({}, 'x'), {})).resolves.toBe('x')
  })

  it('throws TypeError at creation on bad options', () => {
    expect(() => createRequestStateVerifier(undefined as never)).toThrow(TypeError)
    expect(() => createRequestStateVerifier(codec, { ttlMs: 0 })).toThrow(TypeError)
    expect(() => createRequestStateVerifier(codec, { purpose: '' })).toThrow(TypeError)
    expect(() => createRequestStateVerifier(codec, { ttl: 1 } as never)).toThrow(/unknown option/)
  })
})
