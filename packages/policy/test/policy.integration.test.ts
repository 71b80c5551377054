import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  denialCodeOf,
  ERROR_META_KEY,
  type GuardContext,
  type Next,
  PRINCIPAL_AUTH_EXTRA_KEY,
  type Principal,
} from '@mcp-warden/core'
import { secure } from '@mcp-warden/core/sdk-v1'
import {
  type ApprovalGate,
  allow,
  deny,
  describePolicy,
  formatPolicyTable,
  loadPolicy,
  needsApproval,
  PolicyError,
  requireScopes,
  rule,
  safePath,
  safeUrl,
  scopesFromAnnotations,
} from '@mcp-warden/policy'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js'
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { principal } from './helpers.js'

let dir: string
const open: { close(): Promise<void> }[] = []

beforeAll(() => {
  dir = realpathSync(mkdtempSync(join(tmpdir(), 'mcp-warden-policy-it-')))
  mkdirSync(join(dir, 'docs'))
  writeFileSync(join(dir, 'docs', 'readme.txt'), 'hello docs')
})

afterAll(() => {
  rmSync(dir, { recursive: true, force: true })
})

afterEach(async () => {
  while (open.length > 0) await open.pop()?.close()
})

const text = (result: unknown): string =>
  ((result as { content?: { text?: string }[] }).content ?? []).map((c) => c.text ?? '').join('')

function buildServer(options: { hide?: boolean } = {}) {
  const server = secure(new McpServer({ name: 'tickets', version: '1.0.0' }), {
    use: [
      loadPolicy({
        version: 1,
        rules: [
          {
            name: 'no-wildcard-search',
            effect: 'deny',
            reason: 'Wildcard searches are not allowed',
            tools: ['search_tickets'],
            arguments: [{ arg: 'query', glob: '*%*' }],
          },
        ],
      }),
    ],
  })
  const scopes = requireScopes.with({ hideFromLists: options.hide ?? true })
  const files = safePath({ roots: [join(dir, 'docs')], args: ['path'] })
  const urls = safeUrl({ allow: ['https'], args: ['url'], resolve: async () => ['10.0.0.1'] })
  server.registerTool(
    'search_tickets',
    { inputSchema: { query: z.string() }, annotations: { readOnlyHint: true } },
    server
      .guard(scopes('tickets:read'))
      .wrap(async ({ query }) => ({ content: [{ type: 'text', text: `found ${query}` }] })),
  )
  server.registerTool(
    'delete_ticket',
    { inputSchema: { id: z.string(), env: z.string() }, annotations: { destructiveHint: true } },
    server
      .guard(
        scopes('tickets:write'),
        rule('no-prod-deletes', (ctx) =>
          ctx.arguments.env === 'prod' ? deny('Deleting in prod is not allowed') : allow(),
        ),
      )
      .wrap(async ({ id }) => ({ content: [{ type: 'text', text: `deleted ${id}` }] })),
  )
  server.registerTool(
    'read_doc',
    { inputSchema: { path: z.string() }, annotations: { readOnlyHint: true } },
    server.guard(scopes('tickets:read'), files).wrap(async ({ path }) => ({
      content: [{ type: 'text', text: `reading ${path}` }],
    })),
  )
  server.registerTool(
    'fetch_url',
    {
      inputSchema: { url: z.string().superRefine(urls.refine) },
      annotations: { readOnlyHint: true, openWorldHint: true },
    },
    server.guard(scopes('tickets:read')).wrap(async ({ url }) => ({ content: [{ type: 'text', text: url }] })),
  )
  return server
}

async function connect(server: McpServer, caller: Principal | undefined): Promise<Client> {
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair()
  if (caller !== undefined) {
    const send = clientTransport.send.bind(clientTransport)
    clientTransport.send = (message, options) =>
      send(message, {
        ...options,
        authInfo: {
          token: 'test',
          clientId: 'test-client',
          scopes: [...caller.scopes],
          extra: { [PRINCIPAL_AUTH_EXTRA_KEY]: caller },
        },
      })
  }
  const client = new Client({ name: 'test', version: '1.0.0' })
  await server.connect(serverTransport)
  await client.connect(clientTransport)
  open.push(client, server)
  return client
}

describe('policy over a real McpServer', () => {
  it('lists and serves only read tools to a caller with read scopes', async () => {
    const client = await connect(buildServer(), principal(['tickets:read']))
    const { tools } = await client.listTools()
    expect(tools.map((t) => t.name).sort()).toEqual(['fetch_url', 'read_doc', 'search_tickets'])
    expect(text(await client.callTool({ name: 'search_tickets', arguments: { query: 'printer' } }))).toBe(
      'found printer',
    )
    const hidden = await client.callTool({ name: 'delete_ticket', arguments: { id: '1', env: 'dev' } })
    expect(hidden.isError).toBe(true)
    expect(text(hidden)).toContain('not found')
  })

  it('refuses a write tool naming the missing scope when tools stay listed', async () => {
    const client = await connect(buildServer({ hide: false }), principal(['tickets:read']))
    const result = await client.callTool({ name: 'delete_ticket', arguments: { id: '1', env: 'dev' } })
    expect(result.isError).toBe(true)
    expect(denialCodeOf(result)).toBe('ERR_POLICY_INSUFFICIENT_SCOPE')
    expect((result._meta as Record<string, { missing?: unknown }>)[ERROR_META_KEY]?.missing).toEqual(['tickets:write'])
    expect(text(result)).toContain('tickets:write')
  })

  it('lets a writer delete and denies an argument pattern by rule', async () => {
    const client = await connect(buildServer(), principal(['tickets:read', 'tickets:write']))
    expect(text(await client.callTool({ name: 'delete_ticket', arguments: { id: '7', env: 'dev' } }))).toBe('deleted 7')
    const refused = await client.callTool({ name: 'delete_ticket', arguments: { id: '7', env: 'prod' } })
    expect(denialCodeOf(refused)).toBe('ERR_POLICY_RULE_DENIED')
    expect((refused._meta as Record<string, unknown>)[ERROR_META_KEY]).toMatchObject({ rule: 'no-prod-deletes' })
    const wildcard = await client.callTool({ name: 'search_tickets', arguments: { query: 'a%' } })
    expect((wildcard._meta as Record<string, unknown>)[ERROR_META_KEY]).toMatchObject({
      code: 'ERR_POLICY_RULE_DENIED',
      rule: 'no-wildcard-search',
    })
  })

  it('hides every guarded tool from an anonymous caller', async () => {
    const client = await connect(buildServer(), undefined)
    expect((await client.listTools()).tools).toEqual([])
  })

  it('refuses hostile path and URL arguments', async () => {
    const client = await connect(buildServer(), principal(['tickets:read']))
    expect(text(await client.callTool({ name: 'read_doc', arguments: { path: 'readme.txt' } }))).toBe(
      'reading readme.txt',
    )
    for (const path of ['../../etc/passwd', '%2e%2e/%2e%2e/etc/passwd', 'readme.txt\u0000.png', '..\\..\\boot.ini']) {
      const result = await client.callTool({ name: 'read_doc', arguments: { path } })
      expect(denialCodeOf(result), path).toMatch(/^ERR_POLICY_PATH_/)
      expect(text(result)).not.toContain(dir)
    }
    const ssrf = await client.callTool({ name: 'fetch_url', arguments: { url: 'https://metadata.internal/' } })
    expect(ssrf.isError).toBe(true)
    expect(text(ssrf)).toContain('forbidden network address')
  })

  it('applies annotation-derived scopes globally', async () => {
    const server = secure(new McpServer({ name: 'split', version: '1.0.0' }), {
      use: [
        async (_ctx: GuardContext, next: Next<{ principal: Principal }>) => next({ principal: principal(['x:read']) }),
        scopesFromAnnotations({ read: 'x:read', write: 'x:write', hideFromLists: false }),
      ],
    })
    server.registerTool('get', { annotations: { readOnlyHint: true } }, async () => ({
      content: [{ type: 'text', text: 'got' }],
    }))
    server.registerTool('set', { annotations: { readOnlyHint: false } }, async () => ({
      content: [{ type: 'text', text: 'set' }],
    }))
    const client = await connect(server, undefined)
    expect(text(await client.callTool({ name: 'get', arguments: {} }))).toBe('got')
    const refused = await client.callTool({ name: 'set', arguments: {} })
    expect((refused._meta as Record<string, unknown>)[ERROR_META_KEY]).toMatchObject({ missing: ['x:write'] })
  })

  it('reports the permission surface as JSON and as a table', () => {
    const report = describePolicy(buildServer())
    const byName = Object.fromEntries(report.items.map((item) => [item.name, item]))
    expect(byName.delete_ticket).toMatchObject({
      kind: 'tool',
      scopes: { all: ['tickets:write'], any: [] },
      rules: ['no-wildcard-search', 'no-prod-deletes'],
      annotations: { destructiveHint: true },
    })
    expect(byName.read_doc?.guards).toEqual(['policy', 'requireScopes', 'safePath'])
    expect(report.scopes['tickets:read']).toEqual(['tool:search_tickets', 'tool:read_doc', 'tool:fetch_url'])
    expect(JSON.parse(JSON.stringify(report))).toEqual(report)
    const table = formatPolicyTable(report)
    expect(table.split('\n')[0]).toMatch(/^KIND\s+NAME\s+BEHAVIOUR\s+SCOPES\s+RULES\s+WARNINGS$/)
    expect(table).toMatch(
      /tool\s+delete_ticket\s+write,destructive,open-world\s+tickets:write\s+no-wildcard-search no-prod-deletes/,
    )
  })

  it('flags write tools without scopes, wildcard scopes and shared read/destructive scopes', () => {
    const server = secure(new McpServer({ name: 'lax', version: '1.0.0' }))
    server.registerTool('open_write', {}, async () => ({ content: [] }))
    server.registerTool(
      'wide',
      { annotations: { readOnlyHint: true } },
      server.guard(requireScopes('x:*')).wrap(async () => ({ content: [] })),
    )
    server.registerTool(
      'look',
      { annotations: { readOnlyHint: true } },
      server.guard(requireScopes('x:rw')).wrap(async () => ({ content: [] })),
    )
    server.registerTool(
      'wipe',
      {},
      server.guard(requireScopes('x:rw')).wrap(async () => ({ content: [] })),
    )
    server.registerTool('\u001b[2Jevil', { annotations: { readOnlyHint: true } }, async () => ({ content: [] }))
    const report = describePolicy(server)
    const warnings = Object.fromEntries(report.items.map((item) => [item.name, item.warnings]))
    expect(warnings.open_write).toEqual(['no guard', 'write tool without a scope requirement'])
    expect(warnings.wide).toEqual(['requires wildcard scope x:*'])
    expect(report.warnings).toEqual(['scope x:rw guards both read-only and destructive tools'])
    const table = formatPolicyTable(report)
    expect(table).not.toContain('\u001b')
    expect(table).toContain('\\u001b[2Jevil')
    expect(table).toContain('warning: scope x:rw guards both read-only and destructive tools')
  })

  it('hands approval decisions to a gate placed before the rules, and refuses without one', async () => {
    const asked: string[] = []
    const approvalGate: ApprovalGate = {
      async request(decisions, ctx) {
        asked.push(`${ctx.name}:${decisions.map((d) => d.rule).join(',')}`)
        if (ctx.arguments.amount === 999) throw new PolicyError('ERR_POLICY_RULE_DENIED', 'The user declined')
      },
    }
    const build = (withGate: boolean) => {
      const server = secure(new McpServer({ name: 'refunds', version: '1.0.0' }), {
        use: withGate
          ? [async (_ctx: GuardContext, next: Next<{ approvalGate: ApprovalGate }>) => next({ approvalGate })]
          : [],
      })
      const large = rule('large-refund', (ctx) =>
        Number(ctx.arguments.amount) > 100 ? needsApproval('Refunds over 100 need approval') : allow(),
      )
      server.registerTool(
        'refund',
        { inputSchema: { amount: z.number() } },
        server.guard(large).wrap(async ({ amount }) => ({ content: [{ type: 'text', text: `refunded ${amount}` }] })),
      )
      return server
    }
    const gated = await connect(build(true), undefined)
    expect(text(await gated.callTool({ name: 'refund', arguments: { amount: 500 } }))).toBe('refunded 500')
    expect(text(await gated.callTool({ name: 'refund', arguments: { amount: 5 } }))).toBe('refunded 5')
    expect(denialCodeOf(await gated.callTool({ name: 'refund', arguments: { amount: 999 } }))).toBe(
      'ERR_POLICY_RULE_DENIED',
    )
    expect(asked).toEqual(['refund:large-refund', 'refund:large-refund'])
    const ungated = await connect(build(false), undefined)
    const refused = await ungated.callTool({ name: 'refund', arguments: { amount: 500 } })
    expect((refused._meta as Record<string, unknown>)[ERROR_META_KEY]).toMatchObject({
      code: 'ERR_CORE_APPROVAL_REQUIRED',
      requiredBy: ['rule:large-refund'],
      requirements: [{ by: 'rule:large-refund', reason: 'Refunds over 100 need approval', rule: 'large-refund' }],
    })
  })

  it('filters resources and prompts per caller and refuses reads of hidden ones', async () => {
    const server = secure(new McpServer({ name: 'docs', version: '1.0.0' }))
    server.registerResource(
      'handbook',
      'docs://handbook',
      {},
      server
        .guard(requireScopes('docs:read'))
        .wrap(async (uri) => ({ contents: [{ uri: uri.href, text: 'handbook' }] })),
    )
    server.registerResource(
      'salaries',
      'docs://salaries',
      {},
      server.guard(requireScopes('hr:read')).wrap(async (uri) => ({ contents: [{ uri: uri.href, text: 'secret' }] })),
    )
    server.registerPrompt(
      'triage',
      {},
      server.guard(requireScopes('docs:read')).wrap(async () => ({ messages: [] })),
    )
    server.registerPrompt(
      'payroll',
      {},
      server.guard(requireScopes('hr:read')).wrap(async () => ({ messages: [] })),
    )
    const client = await connect(server, principal(['docs:read']))
    expect((await client.listResources()).resources.map((r) => r.name)).toEqual(['handbook'])
    expect((await client.listPrompts()).prompts.map((p) => p.name)).toEqual(['triage'])
    expect((await client.readResource({ uri: 'docs://handbook' })).contents[0]).toMatchObject({ text: 'handbook' })
    await expect(client.readResource({ uri: 'docs://salaries' })).rejects.toThrow(/not found/)
    await expect(client.getPrompt({ name: 'payroll' })).rejects.toThrow(/not found/)
  })

  it('throws TypeError when describing a server that was not secured', () => {
    expect(() => describePolicy(new McpServer({ name: 'plain', version: '1.0.0' }))).toThrow(TypeError)
  })
})
