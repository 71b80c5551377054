import { afterEach, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { DENIED_JSONRPC_CODE, denialCodeOf } from '../src/boundary.js'
import { demandApproval } from '../src/demand-approval.js'
import { WardenError } from '../src/errors.js'
import { PRINCIPAL_AUTH_EXTRA_KEY } from '../src/internal/secure-kit.js'
import type { GuardContext, ListContext, Middleware, PrimitiveResult, Principal } from '../src/types.js'
import { rejection, SDKS, type TestClient } from './harness.js'

const text = (value: string) => ({ content: [{ type: 'text' as const, text: value }] })
const deny =
  (code = 'ERR_POLICY_DENIED', message = 'Denied by test policy'): Middleware =>
  async () => {
    throw new WardenError(code, message)
  }
const hidden = (): Middleware =>
  Object.assign(async (_ctx: GuardContext, next: () => Promise<PrimitiveResult>) => next(), {
    visibility: () => false,
  })
const principal: Principal = {
  id: 'https://issuer.test#alice',
  issuer: 'https://issuer.test',
  subject: 'alice',
  clientId: 'client-1',
  scopes: ['tickets:read'],
  claims: { sub: 'alice' },
}

const clients: TestClient[] = []
const closers: (() => Promise<void>)[] = []
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()))
  await Promise.all(closers.splice(0).map((close) => close()))
})

describe.each(SDKS)('secure ($name)', (sdk) => {
  const connect = async (server: ReturnType<typeof sdk.secured>) => {
    const client = await sdk.connect(server)
    clients.push(client)
    return client
  }

  describe('tools', () => {
    it('runs global guards with the validated arguments and the neutral context when a tool is called', async () => {
      const seen: GuardContext[] = []
      const server = sdk.secured({
        use: [
          async (ctx: GuardContext, next: () => Promise<PrimitiveResult>) => {
            seen.push(ctx)
            return next()
          },
        ],
      })
      server.registerTool(
        'echo',
        {
          title: 'Echo',
          description: 'Echoes',
          inputSchema: { text: z.string(), n: z.coerce.number() },
          annotations: { readOnlyHint: true },
        },
        async ({ text: value }: { text: string }) => text(value),
      )
      const client = await connect(server)
      const traceId = '4bf92f3577b34da6a3ce929d0e0e4736'
      const result = await client.callTool({
        name: 'echo',
        arguments: { text: 'hi', n: '3' },
        _meta: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
      })
      expect(result.content).toEqual([{ type: 'text', text: 'hi' }])
      expect(seen).toHaveLength(1)
      const ctx = seen[0] as GuardContext
      expect(ctx.kind).toBe('tool')
      expect(ctx.name).toBe('echo')
      expect(ctx.arguments).toEqual({ text: 'hi', n: 3 })
      expect(ctx.metadata).toMatchObject({ title: 'Echo', description: 'Echoes', annotations: { readOnlyHint: true } })
      expect(ctx.correlationId).toBe(traceId)
      expect(ctx.requestId).toEqual(expect.anything())
      expect(ctx.protocolVersion).toMatch(/^\d{4}-\d{2}-\d{2}$/)
      expect(ctx.signal).toBeInstanceOf(AbortSignal)
      expect(ctx.principal).toBeUndefined()
      expect(typeof ctx.client.elicit).toBe('function')
    })

    it('calls an argument-less tool with an empty argument object in the context', async () => {
      let args: unknown
      const server = sdk.secured({
        use: [
          async (ctx: GuardContext, next: () => Promise<PrimitiveResult>) => {
            args = ctx.arguments
            return next()
          },
        ],
      })
      server.registerTool('ping', {}, async () => text('pong'))
      const client = await connect(server)
      expect((await client.callTool({ name: 'ping' })).content).toEqual([{ type: 'text', text: 'pong' }])
      expect(args).toEqual({})
    })

    it('returns a tool error with the code and does not run the handler when a guard denies', async () => {
      let ran = false
      const server = sdk.secured({ use: [deny('ERR_POLICY_DENIED', 'Not on weekends')] })
      server.registerTool('t', {}, async () => {
        ran = true
        return text('ran')
      })
      const client = await connect(server)
      const result = await client.callTool({ name: 't' })
      expect(result.isError).toBe(true)
      expect(denialCodeOf(result)).toBe('ERR_POLICY_DENIED')
      expect(result.content).toEqual([{ type: 'text', text: 'Not on weekends (ERR_POLICY_DENIED)' }])
      expect(ran).toBe(false)
    })

    it('hides the message but keeps the code when a denial is not exposable', async () => {
      const server = sdk.secured({
        use: [
          async () => {
            throw new WardenError('ERR_STORE_UNAVAILABLE', 'redis at 10.0.0.5:6379 refused', { expose: false })
          },
        ],
      })
      server.registerTool('t', {}, async () => text('ran'))
      const client = await connect(server)
      const result = await client.callTool({ name: 't' })
      expect(JSON.stringify(result)).not.toContain('10.0.0.5')
      expect(result.content).toEqual([{ type: 'text', text: 'Request denied (ERR_STORE_UNAVAILABLE)' }])
    })

    it('leaves errors that are not denials to the SDK when the handler throws', async () => {
      const server = sdk.secured({ use: [] })
      server.registerTool('boom', {}, async () => {
        throw new Error('disk on fire')
      })
      const client = await connect(server)
      const result = await client.callTool({ name: 'boom' })
      expect(result.isError).toBe(true)
      expect(result.content).toEqual([{ type: 'text', text: 'disk on fire' }])
      expect(denialCodeOf(result)).toBeUndefined()
    })

    it('converts a denial thrown by the handler itself', async () => {
      const server = sdk.secured()
      server.registerTool('t', {}, async () => {
        throw new WardenError('ERR_POLICY_DENIED', 'Handler said no')
      })
      const client = await connect(server)
      expect(denialCodeOf(await client.callTool({ name: 't' }))).toBe('ERR_POLICY_DENIED')
    })

    it('runs global guards before per-tool guards and hands additions to the handler', async () => {
      const order: string[] = []
      const server = sdk.secured({
        use: [
          async (_ctx: GuardContext, next: (add: { principal: Principal }) => Promise<PrimitiveResult>) => {
            order.push('global')
            return next({ principal })
          },
        ],
      })
      server.registerTool(
        'whoami',
        {},
        server
          .guard(async (ctx: GuardContext, next: (add: { tenant: string }) => Promise<PrimitiveResult>) => {
            order.push(`tool:${ctx.principal?.subject}`)
            return next({ tenant: 'acme' })
          })
          .wrap(async (_args: unknown, ctx: GuardContext & { tenant: string; extra: unknown }) => {
            order.push('handler')
            return text(`${ctx.principal?.subject}@${ctx.tenant}:${typeof ctx.extra}`)
          }),
      )
      const client = await connect(server)
      expect((await client.callTool({ name: 'whoami' })).content).toEqual([{ type: 'text', text: 'alice@acme:object' }])
      expect(order).toEqual(['global', 'tool:alice', 'handler'])
    })

    it('passes arguments replaced by a guard to a plain handler', async () => {
      const server = sdk.secured({
        use: [
          async (ctx: GuardContext, next: (add: { arguments: Record<string, unknown> }) => Promise<PrimitiveResult>) =>
            next({ arguments: { ...ctx.arguments, text: String(ctx.arguments.text).toUpperCase() } }),
        ],
      })
      server.registerTool('echo', { inputSchema: { text: z.string() } }, async ({ text: value }: { text: string }) =>
        text(value),
      )
      const client = await connect(server)
      expect((await client.callTool({ name: 'echo', arguments: { text: 'abc' } })).content).toEqual([
        { type: 'text', text: 'ABC' },
      ])
    })

    it('denies with ERR_CORE_NEXT_CALLED_TWICE when a middleware calls next twice', async () => {
      const server = sdk.secured({
        use: [
          async (_ctx: GuardContext, next: () => Promise<PrimitiveResult>) => {
            await next()
            return next()
          },
        ],
      })
      server.registerTool('t', {}, async () => text('ok'))
      const client = await connect(server)
      expect(denialCodeOf(await client.callTool({ name: 't' }))).toBe('ERR_CORE_NEXT_CALLED_TWICE')
    })

    it('keeps guarding a tool whose callback is replaced with update()', async () => {
      const server = sdk.secured({ use: [deny()] })
      const tool = server.registerTool('t', {}, async () => text('old'))
      tool.update({ callback: async () => text('new') })
      const client = await connect(server)
      expect(denialCodeOf(await client.callTool({ name: 't' }))).toBe('ERR_POLICY_DENIED')
    })

    it('reads metadata changed with update() and follows a rename', async () => {
      const names: string[] = []
      const server = sdk.secured({
        use: [
          async (ctx: GuardContext, next: () => Promise<PrimitiveResult>) => {
            names.push(`${ctx.name}:${ctx.metadata.description}`)
            return next()
          },
        ],
      })
      const tool = server.registerTool('old_name', { description: 'v1' }, async () => text('ok'))
      tool.update({ name: 'new_name', description: 'v2' })
      const client = await connect(server)
      await client.callTool({ name: 'new_name' })
      expect(names).toEqual(['new_name:v2'])
    })

    it('isolates the context of concurrent calls', async () => {
      const server = sdk.secured({
        use: [
          async (ctx: GuardContext, next: (add: { seen: unknown }) => Promise<PrimitiveResult>) => {
            await new Promise((resolve) => setTimeout(resolve, Math.random() * 5))
            return next({ seen: ctx.arguments.i })
          },
        ],
      })
      server.registerTool(
        'id',
        { inputSchema: { i: z.number() } },
        server
          .guard()
          .wrap(async (args: { i: number }, ctx: GuardContext & { seen?: unknown }) =>
            text(`${args.i}/${String(ctx.seen)}`),
          ),
      )
      const client = await connect(server)
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) => client.callTool({ name: 'id', arguments: { i } })),
      )
      results.forEach((result, i) => {
        expect(result.content).toEqual([{ type: 'text', text: `${i}/${i}` }])
      })
    })

    it('passes large and non-ASCII arguments through unchanged', async () => {
      const server = sdk.secured({ use: [async (_ctx: GuardContext, next: () => Promise<PrimitiveResult>) => next()] })
      server.registerTool('len', { inputSchema: { s: z.string() } }, async ({ s }: { s: string }) =>
        text(`${s.length}:${s.slice(-4)}`),
      )
      const client = await connect(server)
      const big = `${'x'.repeat(1_000_000)}🇫🇷שלום`
      expect((await client.callTool({ name: 'len', arguments: { s: big } })).content).toEqual([
        { type: 'text', text: `${big.length}:${big.slice(-4)}` },
      ])
    })

    it('refuses to run a guarded handler called outside a secured server', async () => {
      const server = sdk.secured()
      const guarded = server.guard().wrap(async () => text('ran')) as unknown as () => Promise<unknown>
      await expect(guarded()).rejects.toMatchObject({ code: 'ERR_CORE_UNGUARDED' })
    })
  })

  describe('resources and prompts', () => {
    it('guards fixed resources, templates and prompts with the same pipeline', async () => {
      const seen: string[] = []
      const server = sdk.secured({
        use: [
          async (ctx: GuardContext, next: () => Promise<PrimitiveResult>) => {
            seen.push(`${ctx.kind}:${ctx.name}:${ctx.uri ?? ''}:${JSON.stringify(ctx.arguments)}`)
            return next()
          },
        ],
      })
      server.registerResource('readme', 'docs://readme', { description: 'Readme' }, async (uri: URL) => ({
        contents: [{ uri: uri.href, text: 'hello' }],
      }))
      server.registerResource(
        'ticket',
        sdk.template('tickets://{id}'),
        {},
        async (uri: URL, vars: Record<string, string>) => ({
          contents: [{ uri: uri.href, text: `ticket ${vars.id}` }],
        }),
      )
      server.registerPrompt('greet', { argsSchema: { who: z.string() } }, async ({ who }: { who: string }) => ({
        messages: [{ role: 'user', content: { type: 'text', text: `hi ${who}` } }],
      }))
      const client = await connect(server)
      expect((await client.readResource({ uri: 'docs://readme' })).contents).toEqual([
        { uri: 'docs://readme', text: 'hello' },
      ])
      expect((await client.readResource({ uri: 'tickets://42' })).contents).toEqual([
        { uri: 'tickets://42', text: 'ticket 42' },
      ])
      expect((await client.getPrompt({ name: 'greet', arguments: { who: 'bob' } })).messages).toEqual([
        { role: 'user', content: { type: 'text', text: 'hi bob' } },
      ])
      expect(seen).toEqual([
        'resource:readme:docs://readme:{}',
        'resource:ticket:tickets://42:{"id":"42"}',
        'prompt:greet::{"who":"bob"}',
      ])
    })

    it('answers a denied resource read or prompt get with a JSON-RPC error carrying the code', async () => {
      const server = sdk.secured({ use: [deny('ERR_POLICY_DENIED', 'No reading today')] })
      server.registerResource('readme', 'docs://readme', {}, async (uri: URL) => ({
        contents: [{ uri: uri.href, text: 'x' }],
      }))
      server.registerPrompt('p', {}, async () => ({ messages: [] }))
      const client = await connect(server)
      for (const call of [client.readResource({ uri: 'docs://readme' }), client.getPrompt({ name: 'p' })]) {
        const error = await rejection(call)
        expect(error.code).toBe(DENIED_JSONRPC_CODE)
        expect(error.message).toContain('No reading today (ERR_POLICY_DENIED)')
        expect(denialCodeOf(error.data)).toBe('ERR_POLICY_DENIED')
      }
    })

    it('passes the URI to a guarded resource handler and template variables in the context', async () => {
      const server = sdk.secured()
      server.registerResource(
        'ticket',
        sdk.template('tickets://{id}'),
        {},
        server.guard().wrap(async (uri: URL, ctx: GuardContext) => ({
          contents: [{ uri: uri.href, text: `id=${String(ctx.arguments.id)}` }],
        })),
      )
      const client = await connect(server)
      expect((await client.readResource({ uri: 'tickets://7' })).contents).toEqual([
        { uri: 'tickets://7', text: 'id=7' },
      ])
    })
  })

  describe('visibility', () => {
    const register = (server: ReturnType<typeof sdk.secured>, hide: boolean) => {
      const wrap = (handler: (...args: never[]) => unknown) => (hide ? server.guard(hidden()).wrap(handler) : handler)
      server.registerTool(
        'secret_tool',
        { inputSchema: { n: z.number() } },
        wrap(async () => text('x')),
      )
      server.registerTool('open_tool', {}, async () => text('open'))
      server.registerPrompt(
        'secret_prompt',
        {},
        wrap(async () => ({ messages: [] })),
      )
      server.registerResource(
        'secret_doc',
        'docs://secret',
        {},
        wrap(async (uri: URL) => ({ contents: [{ uri: uri.href, text: 's' }] })),
      )
      server.registerResource(
        'secret_tpl',
        sdk.template('vault://{key}'),
        {},
        wrap(async (uri: URL) => ({ contents: [{ uri: uri.href, text: 'v' }] })),
      )
    }

    it('filters every list for a caller who may not see the items', async () => {
      const server = sdk.secured()
      register(server, true)
      const client = await connect(server)
      expect((await client.listTools()).tools.map((t) => t.name)).toEqual(['open_tool'])
      expect((await client.listPrompts()).prompts).toEqual([])
      expect((await client.listResources()).resources).toEqual([])
      expect((await client.listResourceTemplates()).resourceTemplates).toEqual([])
    })

    it('answers a call to a hidden item exactly like a call to an unknown one, even with invalid arguments', async () => {
      const hiddenServer = sdk.secured()
      register(hiddenServer, true)
      const emptyServer = sdk.secured()
      emptyServer.registerTool('unrelated', {}, async () => text('x'))
      emptyServer.registerPrompt('unrelated', {}, async () => ({ messages: [] }))
      emptyServer.registerResource('unrelated', 'docs://unrelated', {}, async (uri: URL) => ({
        contents: [{ uri: uri.href, text: 'u' }],
      }))
      const withHidden = await connect(hiddenServer)
      const without = await connect(emptyServer)
      const outcome = async (p: Promise<unknown>) => {
        try {
          return { ok: await p }
        } catch (err) {
          const e = err as { code?: unknown; message?: unknown; data?: unknown }
          return { code: e.code, message: e.message, data: e.data }
        }
      }
      const calls = (client: TestClient) => [
        client.callTool({ name: 'secret_tool', arguments: { n: 'not a number' } }),
        client.getPrompt({ name: 'secret_prompt' }),
        client.readResource({ uri: 'docs://secret' }),
        client.readResource({ uri: 'vault://k1' }),
      ]
      const a = await Promise.all(calls(withHidden).map(outcome))
      const b = await Promise.all(calls(without).map(outcome))
      expect(a).toEqual(b)
      expect(JSON.stringify(a)).toContain('not found')
    })

    it('answers completion/complete for a hidden prompt or template exactly like for an unknown one', async () => {
      const secrets = (value: string) => ['apollo-secret', 'zeus-secret'].filter((v) => v.startsWith(value))
      const build = (hide: boolean) => {
        const server = sdk.secured()
        const wrap = (handler: (...args: never[]) => unknown) => (hide ? server.guard(hidden()).wrap(handler) : handler)
        server.registerPrompt(
          'secret_prompt',
          { argsSchema: { project: sdk.completable(z.string(), secrets) } },
          wrap(async () => ({ messages: [] })),
        )
        server.registerResource(
          'secret_tpl',
          sdk.template('vault://{key}', { key: secrets }),
          {},
          wrap(async (uri: URL) => ({ contents: [{ uri: uri.href, text: 'v' }] })),
        )
        server.registerResource(
          'secret_doc',
          'docs://secret',
          {},
          wrap(async (uri: URL) => ({ contents: [{ uri: uri.href, text: 's' }] })),
        )
        return server
      }
      const outcome = async (p: Promise<unknown>) => {
        try {
          return { ok: await p }
        } catch (err) {
          const e = err as { code?: unknown; message?: unknown; data?: unknown }
          return { code: e.code, message: e.message, data: e.data }
        }
      }
      const asks = (client: TestClient, prompt: string, template: string, doc: string) =>
        Promise.all(
          [
            client.complete({ ref: { type: 'ref/prompt', name: prompt }, argument: { name: 'project', value: '' } }),
            client.complete({ ref: { type: 'ref/resource', uri: template }, argument: { name: 'key', value: '' } }),
            client.complete({ ref: { type: 'ref/resource', uri: doc }, argument: { name: 'key', value: '' } }),
          ].map(outcome),
        )
      const visible = await connect(build(false))
      const shown = await asks(visible, 'secret_prompt', 'vault://{key}', 'docs://secret')
      expect(JSON.stringify(shown)).toContain('zeus-secret')
      const withHidden = await connect(build(true))
      const hiddenAnswers = await asks(withHidden, 'secret_prompt', 'vault://{key}', 'docs://secret')
      const unknownAnswers = await asks(withHidden, 'other_prompt', 'other://{key}', 'other://doc')
      expect(hiddenAnswers).toEqual(
        unknownAnswers.map((answer) =>
          JSON.parse(
            JSON.stringify(answer)
              .replaceAll('other_prompt', 'secret_prompt')
              .replaceAll('other://{key}', 'vault://{key}')
              .replaceAll('other://doc', 'docs://secret'),
          ),
        ),
      )
      expect(JSON.stringify(hiddenAnswers)).not.toContain('apollo')
      expect(JSON.stringify(hiddenAnswers)).toContain('not found')
    })

    it('lets visibility hooks add to the list context for the hooks after them', async () => {
      const seen: (Principal | undefined)[] = []
      const addPrincipal = Object.assign(async (_c: GuardContext, next: () => Promise<PrimitiveResult>) => next(), {
        visibility: () => ({ principal }),
      })
      const checkPrincipal = Object.assign(async (_c: GuardContext, next: () => Promise<PrimitiveResult>) => next(), {
        visibility: (ctx: ListContext) => {
          seen.push(ctx.principal)
          return ctx.principal?.scopes.includes('tickets:read') === true
        },
      })
      const server = sdk.secured({ use: [addPrincipal] })
      server.registerTool(
        't',
        {},
        server.guard(checkPrincipal).wrap(async () => text('ok')),
      )
      const client = await connect(server)
      expect((await client.listTools()).tools.map((t) => t.name)).toEqual(['t'])
      expect(seen[0]?.subject).toBe('alice')
    })
  })

  describe('visibility hooks that answer late or fail', () => {
    const hook = (visibility: (ctx: ListContext) => unknown) =>
      Object.assign(async (_c: GuardContext, next: () => Promise<PrimitiveResult>) => next(), { visibility })

    it('waits for asynchronous hooks, with what they add, on lists and calls alike', async () => {
      const seen: (string | undefined)[] = []
      const addLater = hook(async () => ({ principal }))
      const check = hook((ctx) => {
        seen.push(ctx.principal?.subject)
        return ctx.principal !== undefined
      })
      const hideLater = hook(async () => false)
      const server = sdk.secured({ use: [addLater] })
      server.registerTool(
        'shown',
        {},
        server.guard(check).wrap(async () => text('shown')),
      )
      let ran = false
      server.registerTool(
        'hidden_later',
        {},
        server.guard(hideLater).wrap(async () => {
          ran = true
          return text('ran')
        }),
      )
      const client = await connect(server)
      expect((await client.listTools()).tools.map((t) => t.name)).toEqual(['shown'])
      expect(await client.callTool({ name: 'shown' })).toMatchObject(text('shown'))
      expect(seen).toEqual(['alice', 'alice'])
      const outcome = await client.callTool({ name: 'hidden_later' }).then(
        (result) => JSON.stringify(result),
        (err: Error) => err.message,
      )
      expect(outcome).toContain('not found')
      expect(ran).toBe(false)
    })

    it('fails a call and a list closed when a hook throws or rejects', async () => {
      for (const failing of [
        hook(() => {
          throw new Error('hook broke')
        }),
        hook(async () => {
          throw new Error('hook broke')
        }),
      ]) {
        let ran = false
        const server = sdk.secured()
        server.registerTool(
          't',
          {},
          server.guard(failing).wrap(async () => {
            ran = true
            return text('ran')
          }),
        )
        const client = await connect(server)
        await expect(client.listTools()).rejects.toThrow()
        const outcome = await client.callTool({ name: 't' }).then(
          (result) => (result as { isError?: boolean }).isError === true,
          () => true,
        )
        expect(outcome).toBe(true)
        expect(ran).toBe(false)
      }
    })
  })

  describe('approval requirements', () => {
    const demand = async (ctx: GuardContext, next: (add: Partial<GuardContext>) => Promise<PrimitiveResult>) =>
      next({ approvalRequired: demandApproval(ctx, { by: 'test-rule', reason: 'Deleting needs a human' }) })

    it('refuses to run the handler while an approval is outstanding', async () => {
      let ran = false
      const server = sdk.secured({ use: [demand] })
      server.registerTool('delete', {}, async () => {
        ran = true
        return text('deleted')
      })
      const client = await connect(server)
      const result = await client.callTool({ name: 'delete' })
      expect(denialCodeOf(result)).toBe('ERR_CORE_APPROVAL_REQUIRED')
      expect(result._meta).toMatchObject({ 'mcp-warden/error': { requiredBy: ['test-rule'] } })
      expect(ran).toBe(false)
    })

    it('runs the handler once a later guard records the grant', async () => {
      const grant = async (_ctx: GuardContext, next: (add: Partial<GuardContext>) => Promise<PrimitiveResult>) =>
        next({ approval: { granted: true, via: 'test', at: Date.now() } })
      const server = sdk.secured({ use: [demand, grant] })
      server.registerTool('delete', {}, async () => text('deleted'))
      const client = await connect(server)
      expect((await client.callTool({ name: 'delete' })).content).toEqual([{ type: 'text', text: 'deleted' }])
    })
  })

  describe('fail-closed backstop', () => {
    it('denies a call to a tool that reached the registry without the pipeline', async () => {
      const server = sdk.secured()
      server.registerTool('normal', {}, async () => text('ok'))
      // Simulate a registration path the pipeline does not know: give another name the same
      // registry entry shape but a callback that was never wrapped.
      const registry = (server as unknown as { _registeredTools: Record<string, Record<string, unknown>> })
        ._registeredTools
      const normal = registry.normal as Record<string, unknown>
      registry.sneaky = { ...normal, handler: async () => text('unguarded!'), executor: async () => text('unguarded!') }
      const client = await connect(server)
      const result = await client.callTool({ name: 'sneaky' })
      expect(denialCodeOf(result)).toBe('ERR_CORE_UNGUARDED')
      expect(JSON.stringify(result)).not.toContain('unguarded!')
      expect((await client.listTools()).tools.map((t) => t.name)).toEqual(['normal'])
    })
  })

  describe('start-up checks', () => {
    it('throws TypeError on an unknown option', () => {
      expect(() => sdk.secured({ use: [], usee: [] })).toThrow(TypeError)
    })

    it('throws TypeError when a middleware is not a function', () => {
      expect(() => sdk.secured({ use: ['nope'] })).toThrow(/entry 0 is string/)
      expect(() => sdk.secured({ use: [null] })).toThrow(TypeError)
      expect(() => sdk.secured({ use: {} })).toThrow(/must be an array/)
      const server = sdk.secured()
      expect(() => server.guard(42)).toThrow(TypeError)
      expect(() => server.guard().wrap('x' as never)).toThrow(TypeError)
    })

    it('refuses a server that already has registrations', () => {
      const server = sdk.bare()
      server.registerTool('early', {}, async () => text('x'))
      expect(() => sdk.secure(server)).toThrow(/already registered: tool "early"/)
    })

    it('refuses to secure a server twice', () => {
      const server = sdk.secured()
      expect(() => sdk.secure(server)).toThrow(/already secured/)
    })

    it('keeps servers apart: each registers and guards only its own items', async () => {
      const calls: string[] = []
      const a = sdk.secured({
        use: [
          async (ctx: GuardContext, next: () => Promise<PrimitiveResult>) => {
            calls.push(`a:${ctx.name}`)
            return next()
          },
        ],
      })
      const b = sdk.secured()
      a.registerTool('only_a', {}, async () => text('a'))
      b.registerTool('only_b', {}, async () => text('b'))
      const clientA = await connect(a)
      const clientB = await connect(b)
      expect((await clientA.listTools()).tools.map((t) => t.name)).toEqual(['only_a'])
      expect((await clientB.listTools()).tools.map((t) => t.name)).toEqual(['only_b'])
      await clientA.callTool({ name: 'only_a' })
      await clientB.callTool({ name: 'only_b' })
      expect(calls).toEqual(['a:only_a'])
    })

    it('refuses a registration method called without its server', () => {
      const server = sdk.secured()
      const { registerTool } = server
      expect(() => registerTool('detached', {}, async () => text('x'))).toThrow(TypeError)
      expect(() => registerTool.call({}, 'detached', {}, async () => text('x'))).toThrow(TypeError)
    })

    it('refuses an object that is not an McpServer', () => {
      expect(() => sdk.secure({} as never)).toThrow(TypeError)
    })
  })

  describe('over Streamable HTTP on 127.0.0.1', () => {
    it('guards calls, filters lists and takes the principal from the transport auth info', async () => {
      const seen: (Principal | undefined)[] = []
      const http = await sdk.serveHttp(
        () => {
          const server = sdk.secured({
            use: [
              async (ctx: GuardContext, next: () => Promise<PrimitiveResult>) => {
                seen.push(ctx.principal)
                return next()
              },
            ],
          })
          server.registerTool('open', {}, async () => text('open'))
          server.registerTool(
            'closed',
            {},
            server.guard(deny()).wrap(async () => text('closed')),
          )
          server.registerTool(
            'invisible',
            {},
            server.guard(hidden()).wrap(async () => text('invisible')),
          )
          return server
        },
        {
          token: 'not-forwarded',
          clientId: 'client-1',
          scopes: ['tickets:read'],
          extra: { [PRINCIPAL_AUTH_EXTRA_KEY]: principal },
        },
      )
      closers.push(http.close)
      const client = await sdk.connectHttp(http.url)
      clients.push(client)
      expect((await client.listTools()).tools.map((t) => t.name)).toEqual(['open', 'closed'])
      expect((await client.callTool({ name: 'open' })).content).toEqual([{ type: 'text', text: 'open' }])
      expect(denialCodeOf(await client.callTool({ name: 'closed' }))).toBe('ERR_POLICY_DENIED')
      expect(seen.map((p) => p?.id)).toEqual([principal.id, principal.id])
    })
  })
})

describe('secure (sdk-v1) resource subscriptions', () => {
  it('refuses a subscription to a resource hidden from the caller, as for an unknown one', async () => {
    const { McpServer } = await import('@modelcontextprotocol/sdk/server/mcp.js')
    const { Client } = await import('@modelcontextprotocol/sdk/client/index.js')
    const { InMemoryTransport } = await import('@modelcontextprotocol/sdk/inMemory.js')
    const { SubscribeRequestSchema } = await import('@modelcontextprotocol/sdk/types.js')
    const { secure } = await import('../src/sdk-v1/index.js')
    const server = secure(
      new McpServer({ name: 's', version: '1' }, { capabilities: { resources: { subscribe: true } } }),
    )
    server.registerResource('open', 'docs://open', {}, async (uri: URL) => ({
      contents: [{ uri: uri.href, text: 'o' }],
    }))
    server.registerResource(
      'secret',
      'docs://secret',
      {},
      server.guard(hidden()).wrap(async (uri: URL) => ({ contents: [{ uri: uri.href, text: 's' }] })),
    )
    const subscribed: string[] = []
    server.server.setRequestHandler(SubscribeRequestSchema, async (request) => {
      subscribed.push(request.params.uri)
      return {}
    })
    const [a, b] = InMemoryTransport.createLinkedPair()
    await server.connect(a)
    const client = new Client({ name: 'c', version: '1' })
    await client.connect(b)
    clients.push(client as unknown as TestClient)
    await client.subscribeResource({ uri: 'docs://open' })
    const refused = await rejection(client.subscribeResource({ uri: 'docs://secret' }))
    expect(refused.code).toBe(-32602)
    expect(refused.message).toContain('Resource docs://secret not found')
    expect(subscribed).toEqual(['docs://open'])
  })
})
