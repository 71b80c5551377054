/**
 * requireApproval on protocol 2026-07-28: a real SDK 2.x server behind `createMcpHandler` on
 * 127.0.0.1 and a real SDK 2.x client pinned to 2026-07-28, which fulfils `input_required` results
 * through its `elicitation/create` handler (or, in manual mode, lets the test forge retries).
 */
import { createHmac, timingSafeEqual } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import {
  createMemoryStore,
  denialCodeOf,
  type JsonValue,
  PRINCIPAL_AUTH_EXTRA_KEY,
  type Principal,
  WardenError,
} from '@mcp-warden/core'
import { createRedisStore } from '@mcp-warden/core/redis'
import { secure } from '@mcp-warden/core/sdk-v2'
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client'
import { createMcpHandler, McpServer } from '@modelcontextprotocol/server'
import { Redis } from 'ioredis'
import { afterEach, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { redisAvailable, startRedis } from '../../../test-support/redis.js'
import {
  APPROVAL_INPUT_KEY,
  type ApprovalHandleCodec,
  type RequireApprovalOptions,
  requireApproval,
} from '../src/index.js'

/** A small HMAC implementation of the handle codec interface (the real one lives in core). */
function hmacCodec(key: Buffer): ApprovalHandleCodec {
  const sign = (body: string) => createHmac('sha256', key).update(body).digest('base64url')
  return {
    mint({ principalId, purpose, data, ttlMs }) {
      const body = Buffer.from(
        JSON.stringify({ p: principalId, u: purpose, d: data ?? null, e: Date.now() + ttlMs }),
      ).toString('base64url')
      return `${body}.${sign(body)}`
    },
    verify(handle, expected) {
      const [body, mac] = handle.split('.')
      if (body === undefined || mac === undefined) throw new WardenError('ERR_HANDLE_INVALID', 'Invalid handle')
      const want = Buffer.from(sign(body))
      const got = Buffer.from(mac)
      if (want.length !== got.length || !timingSafeEqual(want, got)) {
        throw new WardenError('ERR_HANDLE_INVALID', 'Invalid handle')
      }
      const claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as {
        p: string
        u: string
        d: JsonValue
        e: number
      }
      if (claims.p !== expected.principalId || claims.u !== expected.purpose) {
        throw new WardenError('ERR_HANDLE_MISMATCH', 'Handle bound to another principal or purpose')
      }
      if (claims.e <= Date.now()) throw new WardenError('ERR_HANDLE_EXPIRED', 'Handle expired')
      return { data: claims.d, expiresAt: claims.e }
    },
  }
}

const principalOf = (user: string): Principal => ({
  id: `https://issuer.test#${user}`,
  issuer: 'https://issuer.test',
  subject: user,
  scopes: [],
  claims: {},
})

interface Served {
  readonly url: URL
  readonly ran: string[]
  close(): Promise<void>
}

/** Serves a fresh secured server per request (as createMcpHandler does); the user comes from `x-user`. */
async function serve(options: RequireApprovalOptions): Promise<Served> {
  const ran: string[] = []
  const gate = requireApproval(options)
  const handler = createMcpHandler(() => {
    const server = secure(new McpServer({ name: 'approvals', version: '1.0.0' }))
    server.registerTool(
      'delete_ticket',
      { inputSchema: z.object({ id: z.string() }), annotations: { destructiveHint: true } },
      server.guard(gate).wrap(async ({ id }: { id: string }) => {
        ran.push(id)
        return { content: [{ type: 'text' as const, text: `deleted ${id}` }] }
      }),
    )
    return server
  })
  const http: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const headers = new Headers()
    for (const [name, value] of Object.entries(req.headers)) if (typeof value === 'string') headers.set(name, value)
    const user = headers.get('x-user')
    const response = await handler.fetch(
      new Request(`http://127.0.0.1${req.url ?? '/'}`, {
        method: req.method ?? 'GET',
        headers,
        ...(req.method === 'POST' ? { body: Buffer.concat(chunks) } : {}),
      }),
      user === null
        ? {}
        : {
            authInfo: {
              token: 'opaque',
              clientId: 'test-client',
              scopes: [],
              extra: { [PRINCIPAL_AUTH_EXTRA_KEY]: principalOf(user) },
            },
          },
    )
    res.writeHead(response.status, Object.fromEntries(response.headers))
    res.end(Buffer.from(await response.arrayBuffer()))
  })
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
  const { port } = http.address() as AddressInfo
  return {
    url: new URL(`http://127.0.0.1:${port}/mcp`),
    ran,
    close: async () => {
      await handler.close()
      http.closeAllConnections()
      await new Promise<void>((resolve) => http.close(() => resolve()))
    },
  }
}

type Answer = (params: { message: string; requestedSchema: Record<string, unknown> }) => Record<string, unknown>

const nonceOf = (schema: Record<string, unknown>): string => {
  const properties = schema.properties as Record<string, { enum?: string[] }>
  return properties.confirmation?.enum?.[0] ?? ''
}
const accept: Answer = ({ requestedSchema }) => ({
  action: 'accept',
  content: { confirmation: nonceOf(requestedSchema) },
})

describe('requireApproval (2026-07-28, input_required)', () => {
  const cleanup: (() => Promise<void>)[] = []
  afterEach(async () => {
    for (const close of cleanup.splice(0).reverse()) await close()
  })

  const start = async (options: RequireApprovalOptions) => {
    const served = await serve(options)
    cleanup.push(() => served.close())
    return served
  }

  /** A client pinned to 2026-07-28 that answers elicitations with `answer` (auto mode) or not at all (manual mode). */
  const connect = async (url: URL, user: string, answer?: Answer, canElicit = true) => {
    const asked: { message: string; requestedSchema: Record<string, unknown> }[] = []
    const client = new Client(
      { name: 'mrtr-client', version: '1.0.0' },
      {
        capabilities: canElicit ? { elicitation: {} } : {},
        versionNegotiation: { mode: { pin: '2026-07-28' } },
        ...(answer === undefined ? { inputRequired: { autoFulfill: false } } : {}),
      },
    )
    if (answer !== undefined && canElicit) {
      client.setRequestHandler('elicitation/create', async (request) => {
        const params = request.params as { message: string; requestedSchema: Record<string, unknown> }
        asked.push(params)
        return answer(params) as never
      })
    }
    await client.connect(new StreamableHTTPClientTransport(url, { requestInit: { headers: { 'x-user': user } } }))
    cleanup.push(() => client.close())
    return { client, asked }
  }

  /** Manual mode: the input_required result of a first call. */
  const firstRound = async (client: Client, id: string) => {
    const result = (await client.callTool(
      { name: 'delete_ticket', arguments: { id } },
      {
        allowInputRequired: true,
      },
    )) as unknown as {
      resultType: string
      inputRequests: Record<
        string,
        { method: string; params: { message: string; requestedSchema: Record<string, unknown> } }
      >
      requestState: string
    }
    return result
  }

  /** Manual mode: a retry carrying `inputResponses` and `requestState`, as a client would send it. */
  const retry = (client: Client, id: string, requestState: string, response: Record<string, unknown>) =>
    client.callTool({
      name: 'delete_ticket',
      arguments: { id },
      inputResponses: { [APPROVAL_INPUT_KEY]: response },
      requestState,
    } as never) as Promise<Record<string, unknown>>

  const codec = hmacCodec(Buffer.alloc(32, 7))

  it('runs the tool after the client fulfils the approval and retries', async () => {
    const served = await start({ codec })
    const { client, asked } = await connect(served.url, 'alice', accept)
    const result = await client.callTool({ name: 'delete_ticket', arguments: { id: 'T-1' } })
    expect(result.isError).not.toBe(true)
    expect(served.ran).toEqual(['T-1'])
    expect(asked).toHaveLength(1)
    expect(asked[0]?.message).toContain('id: "T-1"')
    expect(asked[0]?.message).toContain(`Confirmation code: ${nonceOf(asked[0]?.requestedSchema ?? {})}`)
  })

  it('denies with ERR_APPROVAL_DECLINED and ERR_APPROVAL_CANCELLED when the user declines or cancels', async () => {
    const served = await start({ codec })
    const declining = await connect(served.url, 'alice', () => ({ action: 'decline' }))
    expect(denialCodeOf(await declining.client.callTool({ name: 'delete_ticket', arguments: { id: 'a' } }))).toBe(
      'ERR_APPROVAL_DECLINED',
    )
    const cancelling = await connect(served.url, 'alice', () => ({ action: 'cancel' }))
    expect(denialCodeOf(await cancelling.client.callTool({ name: 'delete_ticket', arguments: { id: 'b' } }))).toBe(
      'ERR_APPROVAL_CANCELLED',
    )
    expect(served.ran).toEqual([])
  })

  it('returns a signed requestState and an approval form in the first round', async () => {
    const served = await start({ codec })
    const { client } = await connect(served.url, 'alice')
    const first = await firstRound(client, 'T-1')
    expect(first.resultType).toBe('input_required')
    expect(first.requestState).toMatch(/^[\w-]+\.[\w-]+$/)
    const request = first.inputRequests[APPROVAL_INPUT_KEY]
    expect(request?.method).toBe('elicitation/create')
    expect(request?.params.message).toContain('Tool: delete_ticket')
    expect(served.ran).toEqual([])
  })

  it('refuses an approval replayed with changed arguments (ERR_APPROVAL_MISMATCH)', async () => {
    const served = await start({ codec })
    const { client } = await connect(served.url, 'alice')
    const first = await firstRound(client, 'harmless')
    const nonce = nonceOf(first.inputRequests[APPROVAL_INPUT_KEY]?.params.requestedSchema ?? {})
    const forged = await retry(client, 'everything', first.requestState, {
      action: 'accept',
      content: { confirmation: nonce },
    })
    expect(denialCodeOf(forged)).toBe('ERR_APPROVAL_MISMATCH')
    expect(JSON.stringify(forged.content)).toContain('Approval state is not valid for this call')
    expect(served.ran).toEqual([])
  })

  it('refuses an approval state replayed by another user (ERR_APPROVAL_MISMATCH)', async () => {
    const served = await start({ codec })
    const alice = await connect(served.url, 'alice')
    const mallory = await connect(served.url, 'mallory')
    const first = await firstRound(alice.client, 'T-1')
    const nonce = nonceOf(first.inputRequests[APPROVAL_INPUT_KEY]?.params.requestedSchema ?? {})
    const stolen = await retry(mallory.client, 'T-1', first.requestState, {
      action: 'accept',
      content: { confirmation: nonce },
    })
    expect(denialCodeOf(stolen)).toBe('ERR_APPROVAL_MISMATCH')
    expect(JSON.stringify(stolen.content)).toContain('Approval state is not valid for this call')
    expect(served.ran).toEqual([])
  })

  it('runs an accepted retry once and refuses its replay (single-use nonce)', async () => {
    const served = await start({ codec })
    const { client } = await connect(served.url, 'alice')
    const first = await firstRound(client, 'T-1')
    const answer = {
      action: 'accept',
      content: { confirmation: nonceOf(first.inputRequests[APPROVAL_INPUT_KEY]?.params.requestedSchema ?? {}) },
    }
    expect((await retry(client, 'T-1', first.requestState, answer)).isError).not.toBe(true)
    expect(denialCodeOf(await retry(client, 'T-1', first.requestState, answer))).toBe('ERR_APPROVAL_MISMATCH')
    expect(served.ran).toEqual(['T-1'])
  })

  it('refuses a declined request answered again with an accept (ERR_APPROVAL_MISMATCH)', async () => {
    const served = await start({ codec })
    const { client } = await connect(served.url, 'alice')
    const first = await firstRound(client, 'T-1')
    const nonce = nonceOf(first.inputRequests[APPROVAL_INPUT_KEY]?.params.requestedSchema ?? {})
    expect(denialCodeOf(await retry(client, 'T-1', first.requestState, { action: 'decline' }))).toBe(
      'ERR_APPROVAL_DECLINED',
    )
    const second = await retry(client, 'T-1', first.requestState, {
      action: 'accept',
      content: { confirmation: nonce },
    })
    expect(denialCodeOf(second)).toBe('ERR_APPROVAL_MISMATCH')
    expect(served.ran).toEqual([])
  })

  it('refuses a tampered state, a wrong confirmation and a missing answer (ERR_APPROVAL_MISMATCH)', async () => {
    const served = await start({ codec })
    const { client } = await connect(served.url, 'alice')
    const first = await firstRound(client, 'T-1')
    const nonce = nonceOf(first.inputRequests[APPROVAL_INPUT_KEY]?.params.requestedSchema ?? {})
    const [body, mac] = first.requestState.split('.') as [string, string]
    const tampered = `${body.slice(0, -2)}AA.${mac}`
    const ok = { action: 'accept', content: { confirmation: nonce } }
    expect(denialCodeOf(await retry(client, 'T-1', tampered, ok))).toBe('ERR_APPROVAL_MISMATCH')
    expect(denialCodeOf(await retry(client, 'T-1', 'not-a-handle', ok))).toBe('ERR_APPROVAL_MISMATCH')
    const wrong = await retry(client, 'T-1', first.requestState, {
      action: 'accept',
      content: { confirmation: 'guess' },
    })
    expect(denialCodeOf(wrong)).toBe('ERR_APPROVAL_MISMATCH')
    expect(JSON.stringify(wrong.content)).toContain('Approval does not confirm this call')
    const fresh = await firstRound(client, 'T-1')
    const noAnswer = (await client.callTool({
      name: 'delete_ticket',
      arguments: { id: 'T-1' },
      requestState: fresh.requestState,
    } as never)) as Record<string, unknown>
    expect(denialCodeOf(noAnswer)).toBe('ERR_APPROVAL_MISMATCH')
    expect(JSON.stringify(noAnswer.content)).toContain('No approval answer for this call')
    expect(served.ran).toEqual([])
  })

  it('denies with ERR_APPROVAL_TIMEOUT when the retry comes after the state expired', async () => {
    const served = await start({ codec, timeoutMs: 50 })
    const { client } = await connect(served.url, 'alice')
    const first = await firstRound(client, 'T-1')
    const nonce = nonceOf(first.inputRequests[APPROVAL_INPUT_KEY]?.params.requestedSchema ?? {})
    await sleep(120)
    const late = await retry(client, 'T-1', first.requestState, { action: 'accept', content: { confirmation: nonce } })
    expect(denialCodeOf(late)).toBe('ERR_APPROVAL_TIMEOUT')
    expect(served.ran).toEqual([])
  })

  it('denies with ERR_APPROVAL_UNSUPPORTED without a codec or an approver, and asks the approver without a codec', async () => {
    const unsupported = await start({})
    const a = await connect(unsupported.url, 'alice', accept)
    expect(denialCodeOf(await a.client.callTool({ name: 'delete_ticket', arguments: { id: 'x' } }))).toBe(
      'ERR_APPROVAL_UNSUPPORTED',
    )
    expect(a.asked).toHaveLength(0)
    const withApprover = await start({ approver: async (request) => ({ approved: request.caller.endsWith('#alice') }) })
    const b = await connect(withApprover.url, 'alice', accept)
    expect((await b.client.callTool({ name: 'delete_ticket', arguments: { id: 'x' } })).isError).not.toBe(true)
    expect(withApprover.ran).toEqual(['x'])
  })

  it('does not send a form to a client without elicitation: ERR_APPROVAL_UNSUPPORTED, or the approver', async () => {
    const served = await start({ codec })
    const { client } = await connect(served.url, 'alice', accept, false)
    expect(denialCodeOf(await client.callTool({ name: 'delete_ticket', arguments: { id: 'x' } }))).toBe(
      'ERR_APPROVAL_UNSUPPORTED',
    )
    const withApprover = await start({ codec, approver: async () => ({ approved: true }) })
    const other = await connect(withApprover.url, 'alice', accept, false)
    expect((await other.client.callTool({ name: 'delete_ticket', arguments: { id: 'y' } })).isError).not.toBe(true)
    expect([...served.ran, ...withApprover.ran]).toEqual(['y'])
  })

  it('remembers an opted-in approval across per-request server instances through the shared store', async () => {
    const served = await start({ codec, remember: { ttlMs: 60_000 }, store: createMemoryStore({ max: 100 }) })
    const { client, asked } = await connect(served.url, 'alice', ({ requestedSchema }) => ({
      action: 'accept',
      content: { confirmation: nonceOf(requestedSchema), remember: true },
    }))
    await client.callTool({ name: 'delete_ticket', arguments: { id: 'T-1' } })
    await client.callTool({ name: 'delete_ticket', arguments: { id: 'T-1' } })
    expect(asked).toHaveLength(1)
    expect(served.ran).toEqual(['T-1', 'T-1'])
  })
})

describe.skipIf(!redisAvailable)('requireApproval (2026-07-28, two instances on Redis)', () => {
  it('accepts a retry on another instance and refuses its replay on the first', async () => {
    const redis = await startRedis()
    const clients: Redis[] = []
    const cleanup: (() => Promise<void>)[] = []
    try {
      const store = () => {
        const client = new Redis(redis.url, { maxRetriesPerRequest: 1 })
        client.on('error', () => {})
        clients.push(client)
        return createRedisStore({ client, prefix: 'approvals:' })
      }
      const codec = hmacCodec(Buffer.alloc(32, 9))
      const one = await serve({ codec, store: store() })
      const two = await serve({ codec, store: store() })
      cleanup.push(
        () => one.close(),
        () => two.close(),
      )
      const manual = async (url: URL) => {
        const client = new Client(
          { name: 'mrtr-client', version: '1.0.0' },
          {
            capabilities: { elicitation: {} },
            versionNegotiation: { mode: { pin: '2026-07-28' } },
            inputRequired: { autoFulfill: false },
          },
        )
        await client.connect(
          new StreamableHTTPClientTransport(url, { requestInit: { headers: { 'x-user': 'alice' } } }),
        )
        cleanup.push(() => client.close())
        return client
      }
      const onOne = await manual(one.url)
      const onTwo = await manual(two.url)
      const first = (await onOne.callTool(
        { name: 'delete_ticket', arguments: { id: 'T-1' } },
        {
          allowInputRequired: true,
        },
      )) as unknown as {
        inputRequests: Record<string, { params: { requestedSchema: Record<string, unknown> } }>
        requestState: string
      }
      const params = {
        name: 'delete_ticket',
        arguments: { id: 'T-1' },
        inputResponses: {
          [APPROVAL_INPUT_KEY]: {
            action: 'accept',
            content: { confirmation: nonceOf(first.inputRequests[APPROVAL_INPUT_KEY]?.params.requestedSchema ?? {}) },
          },
        },
        requestState: first.requestState,
      }
      expect((await onTwo.callTool(params as never)).isError).not.toBe(true)
      expect(denialCodeOf(await onOne.callTool(params as never))).toBe('ERR_APPROVAL_MISMATCH')
      expect([...one.ran, ...two.ran]).toEqual(['T-1'])
    } finally {
      for (const close of cleanup.reverse()) await close()
      for (const client of clients) client.disconnect()
      await redis.stop()
    }
  })
})
