import type { GuardContext, PrimitiveResult } from '@mcp-warden/core'
import { secure } from '@mcp-warden/core/sdk-v1'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js'
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createLocalPrincipal } from './create-local-principal.js'
import { type RequireAuthOptions, requireAuth } from './require-auth.js'

const open: { close(): Promise<void> }[] = []
afterEach(async () => {
  vi.useRealTimers()
  for (const item of open.splice(0)) await item.close()
})

async function connect(options: RequireAuthOptions) {
  const server = secure(new McpServer({ name: 'local', version: '1.0.0' }))
  server.registerTool(
    'whoami',
    { inputSchema: {} },
    server.guard(requireAuth(options)).wrap(async (_args, ctx) => ({
      content: [{ type: 'text' as const, text: ctx.principal.id }],
    })),
  )
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair()
  const client = new Client({ name: 'c', version: '1.0.0' })
  await server.connect(serverTransport)
  await client.connect(clientTransport)
  open.push(client, server)
  return client
}

const ctxWith = (principal: GuardContext['principal']) => ({ principal }) as unknown as GuardContext

describe('requireAuth', () => {
  it('hides the tool and answers a call like an unknown tool when the transport carries no principal', async () => {
    const client = await connect({})
    const result = await client.callTool({ name: 'whoami', arguments: {} })
    expect(result.isError).toBe(true)
    expect((result.content as { text: string }[])[0]?.text).toMatch(/Tool whoami not found/)
    expect((await client.listTools()).tools.map((tool) => tool.name)).not.toContain('whoami')
  })

  it('denies with ERR_AUTH_REQUIRED when called without a principal', async () => {
    const next = vi.fn()
    await expect(requireAuth()(ctxWith(undefined), next as never)).rejects.toMatchObject({
      code: 'ERR_AUTH_REQUIRED',
      status: 401,
    })
    expect(next).not.toHaveBeenCalled()
  })

  it('adds the local principal on stdio-like transports', async () => {
    const client = await connect({ localPrincipal: createLocalPrincipal({ subject: 'alice', scopes: ['files:read'] }) })
    const result = await client.callTool({ name: 'whoami', arguments: {} })
    expect((result.content as { text: string }[])[0]?.text).toBe('local#alice')
    expect((await client.listTools()).tools.map((tool) => tool.name)).toContain('whoami')
  })

  it('prefers the principal the HTTP layer established', async () => {
    const local = createLocalPrincipal({ subject: 'local-user', scopes: [] })
    const verified = { id: 'https://as#bob', issuer: 'https://as', subject: 'bob', scopes: [], claims: {} }
    const next = vi.fn(async (add: { principal: unknown }) => ({ content: [], add }) as unknown as PrimitiveResult)
    await requireAuth({ localPrincipal: local })(ctxWith(verified), next as never)
    expect(next).toHaveBeenCalledWith({ principal: verified })
  })

  it('denies with ERR_AUTH_TOKEN_EXPIRED when the principal expired since the HTTP check', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(new Date('2030-01-01T00:00:00Z'))
    const now = Math.floor(Date.now() / 1000)
    const principal = { id: 'i#s', issuer: 'i', subject: 's', scopes: [], claims: {}, expiresAt: now - 31 }
    const next = vi.fn()
    await expect(requireAuth()(ctxWith(principal), next as never)).rejects.toMatchObject({
      code: 'ERR_AUTH_TOKEN_EXPIRED',
    })
    await expect(
      requireAuth()(ctxWith({ ...principal, expiresAt: now - 10 }), async () => ({ content: [] })),
    ).resolves.toBeDefined()
    expect(next).not.toHaveBeenCalled()
  })

  it('denies concurrent calls independently', async () => {
    const guard = requireAuth()
    const principal = { id: 'i#s', issuer: 'i', subject: 's', scopes: [], claims: {} }
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, (_, i) =>
        guard(ctxWith(i % 2 ? principal : undefined), async () => ({ content: [] })),
      ),
    )
    results.forEach((result, i) => {
      expect(result.status).toBe(i % 2 ? 'fulfilled' : 'rejected')
    })
  })

  it.each([
    ['an unknown option', { local: {} }],
    ['a non-object', 'yes'],
    ['a principal without id', { localPrincipal: { issuer: 'i', subject: 's', scopes: [], claims: {} } }],
    [
      'a principal with non-string scopes',
      { localPrincipal: { id: 'x', issuer: 'i', subject: 's', scopes: [1], claims: {} } },
    ],
    ['a negative tolerance', { clockToleranceSec: -1 }],
  ])('throws TypeError when given %s', (_label, options) => {
    expect(() => requireAuth(options as never)).toThrow(TypeError)
  })

  it('describes itself for reports', () => {
    expect(requireAuth().describe).toEqual({ name: 'requireAuth', provides: ['principal'] })
  })
})

describe('createLocalPrincipal', () => {
  it('builds a frozen principal for the local user', () => {
    const principal = createLocalPrincipal({ scopes: ['a', 'a', 'b'] })
    expect(principal.id).toMatch(/^local#.+/)
    expect(principal.scopes).toEqual(['a', 'b'])
    expect(Object.isFrozen(principal)).toBe(true)
  })

  it.each([
    ['no scopes', {}],
    ['an invalid scope', { scopes: ['a b'] }],
    ['a subject with #', { scopes: [], subject: 'a#b' }],
    ['an empty issuer', { scopes: [], issuer: '' }],
    ['an unknown option', { scopes: [], role: 'admin' }],
  ])('throws TypeError when given %s', (_label, options) => {
    expect(() => createLocalPrincipal(options as never)).toThrow(TypeError)
  })
})
