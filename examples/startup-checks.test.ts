/**
 * Misconfiguration of the guard chain fails at start-up, on both SDK majors: a middleware factory
 * of any package passed uncalled, and a guard that needs the principal placed before the one that
 * provides it. The export lists are walked programmatically, so a new factory that is not marked
 * (or a new export that is not classified) fails this file.
 */
import * as audit from '@mcp-warden/audit'
import * as auth from '@mcp-warden/auth'
import { createGuard, getSecuredItems, markMiddlewareFactory, middlewareFactoryName } from '@mcp-warden/core'
import * as policy from '@mcp-warden/policy'
import * as cedar from '@mcp-warden/policy/cedar'
import { afterEach, describe, expect, it } from 'vitest'
import { SDKS, type TestClient, type TestServer } from '../packages/core/test/harness.js'

type Exports = Readonly<Record<string, unknown>>

const PACKAGES: Readonly<Record<string, Exports>> = { auth, policy, cedar, audit }

/**
 * Exported functions whose result is not a middleware (nor holds one). Classified by hand: an
 * export missing from both this list and the marked factories fails the first test.
 */
const NOT_MIDDLEWARE_FACTORIES: Readonly<Record<string, readonly string[]>> = {
  auth: [
    'accessTokenOf',
    'createLocalPrincipal',
    'createProtectedResource',
    'createSessionManager',
    'createTokenClient',
    'createTokenVerifier',
    'protectExpress',
    'protectHono',
    'protectNodeHandler',
  ],
  policy: [
    'allow',
    'createLockFile',
    'createScopeHierarchy',
    'defaultRateLimitKey',
    'deny',
    'describePolicy',
    'formatPolicyTable',
    'hashDefinition',
    'isScopeToken',
    'lockTools',
    'needsApproval',
  ],
  cedar: [],
  audit: [
    'createAuditMetrics',
    'jsonLinesSink',
    'loggerSink',
    'onDecision',
    'onSecurityEvent',
    'otelLogSink',
    'toOcsf',
    'verifyAuditChain',
    'verifyAuditFile',
  ],
}

const memorySink = { name: 'memory', write: () => undefined }
const denyAll = policy.rule('deny-all', () => policy.deny('no'))

/** One valid call of every marked factory, and how to get the middleware out of its result. */
const SAMPLES: Readonly<Record<string, () => unknown>> = {
  requireAuth: () => auth.requireAuth(),
  combineRules: () => policy.combineRules(denyAll),
  flowPolicy: () => policy.flowPolicy(),
  limitPayload: () => policy.limitPayload(),
  loadPolicy: () => policy.loadPolicy({ version: 1, rules: [] }),
  quarantine: () => policy.quarantine(),
  rateLimit: () => policy.rateLimit({ limit: 1, windowMs: 1000 }),
  requireApproval: () => policy.requireApproval(),
  requireScopes: () => policy.requireScopes('a'),
  rule: () => policy.rule('r', () => policy.allow()),
  safePath: () => policy.safePath({ roots: ['/srv'] }),
  safeShellArg: () => policy.safeShellArg(),
  safeUrl: () => policy.safeUrl({ allow: ['https'] }),
  sanitizeInput: () => policy.sanitizeInput(),
  sanitizeOutput: () => policy.sanitizeOutput(),
  scopesFromAnnotations: () => policy.scopesFromAnnotations({ read: 'r', write: 'w' }),
  cedarPolicy: () => cedar.cedarPolicy({ policies: 'permit(principal, action, resource);' }),
  auditSpans: () => audit.auditSpans(),
  createAuditLog: () => {
    const log = audit.createAuditLog({ sinks: [memorySink], decisions: false, securityEvents: false })
    void log.close()
    return log.middleware
  },
}

function isClass(value: unknown): boolean {
  return typeof value === 'function' && /^class\b/.test(Function.prototype.toString.call(value))
}

/** Every marked factory of every package, with the name it is exported under. */
function markedFactories(): { readonly pkg: string; readonly name: string; readonly factory: unknown }[] {
  const found: { pkg: string; name: string; factory: unknown }[] = []
  for (const [pkg, exports] of Object.entries(PACKAGES)) {
    for (const [name, value] of Object.entries(exports)) {
      if (middlewareFactoryName(value) !== undefined) found.push({ pkg, name, factory: value })
    }
  }
  found.push({ pkg: 'policy', name: 'requireScopes.any', factory: policy.requireScopes.any })
  found.push({ pkg: 'policy', name: 'requireScopes.with', factory: policy.requireScopes.with })
  found.push({ pkg: 'policy', name: 'requireScopes.with()', factory: policy.requireScopes.with({}) })
  found.push({ pkg: 'policy', name: 'requireScopes.with().any', factory: policy.requireScopes.with({}).any })
  return found
}

describe('markMiddlewareFactory (every package)', () => {
  it('marks every exported function that returns a middleware, and nothing else', () => {
    for (const [pkg, exports] of Object.entries(PACKAGES)) {
      const notFactories = new Set(NOT_MIDDLEWARE_FACTORIES[pkg])
      for (const [name, value] of Object.entries(exports)) {
        if (typeof value !== 'function' || isClass(value)) continue
        const mark = middlewareFactoryName(value)
        if (notFactories.has(name)) {
          expect(mark, `${pkg}.${name} is classified as not a middleware factory`).toBeUndefined()
          continue
        }
        expect(mark, `${pkg}.${name}: mark it with markMiddlewareFactory, or classify it here`).toBe(name)
        expect(SAMPLES[name], `${pkg}.${name}: add a sample call`).toBeTypeOf('function')
      }
    }
  })

  it('marks factories whose samples return a middleware every list accepts', () => {
    for (const [name, sample] of Object.entries(SAMPLES)) {
      const middleware = sample()
      expect(typeof middleware, name).toBe('function')
      expect(middlewareFactoryName(middleware), name).toBeUndefined()
      expect(createGuard().use(middleware as never).middlewares).toEqual([middleware])
    }
    expect(middlewareFactoryName(policy.requireScopes.any)).toBe('requireScopes.any')
    expect(() => createGuard().use(policy.requireScopes.with as never)).toThrow(
      /did you mean requireScopes\.with\(options\)\(\.\.\.scopes\)\?/,
    )
    expect(middlewareFactoryName(policy.requireScopes.with({ hideFromLists: false }))).toBe('requireScopes')
  })

  it('makes createGuard().use() refuse every factory passed uncalled', () => {
    const factories = markedFactories()
    expect(factories.length).toBeGreaterThanOrEqual(Object.keys(SAMPLES).length)
    for (const { name, factory } of factories) {
      expect(() => createGuard().use(factory as never), name).toThrow(TypeError)
      expect(() => createGuard().use(factory as never), name).toThrow(/did you mean .+\?/)
    }
  })

  it('refuses an uncalled factory with a message naming the call to write', () => {
    expect(() => createGuard().use(auth.requireAuth as never)).toThrow(/factory requireAuth itself.*requireAuth\(\)\?/)
    expect(() => createGuard().use(audit.createAuditLog as never)).toThrow(/createAuditLog\(options\)\.middleware\?/)
    const log = audit.createAuditLog({ sinks: [memorySink], decisions: false, securityEvents: false })
    expect(() => createGuard().use(log as never)).toThrow(/did you mean its `\.middleware`\?/)
    void log.close()
  })

  it('lets authors mark their own factories the same way', () => {
    const requireTenant = markMiddlewareFactory(
      (tenant: string) => policy.rule(`tenant-${tenant}`, () => policy.allow()),
      'requireTenant',
    )
    expect(() => createGuard().use(requireTenant as never)).toThrow(/did you mean requireTenant\(\)\?/)
  })
})

for (const sdk of SDKS) {
  describe(`secure() start-up checks (${sdk.name})`, () => {
    const clients: TestClient[] = []
    afterEach(async () => {
      for (const client of clients.splice(0)) await client.close()
    })

    it('refuses every factory passed uncalled to use, guard() and guard().use()', () => {
      for (const { name, factory } of markedFactories()) {
        expect(() => sdk.secured({ use: [factory] }), name).toThrow(TypeError)
        const server = sdk.secured()
        expect(() => server.guard(factory), name).toThrow(/did you mean .+\?/)
        const guarded = server.guard(auth.requireAuth()) as unknown as { use(middleware: unknown): unknown }
        expect(() => guarded.use(factory), name).toThrow(TypeError)
      }
    })

    it('refuses requireScopes before requireAuth in one guard() list', () => {
      const server = sdk.secured()
      expect(() => server.guard(policy.requireScopes('a'), auth.requireAuth())).toThrow(
        /requireScopes \(position 0\) requires the principal but runs before requireAuth \(position 1\)/,
      )
    })

    it('refuses a tool whose per-tool requireAuth comes after a global requireScopes, before registering it', () => {
      const server = sdk.secured({ use: [policy.requireScopes('a')] })
      const handler = server.guard(auth.requireAuth()).wrap(async () => ({ content: [] }))
      expect(() => server.registerTool('t', {}, handler)).toThrow(
        /registerTool\("t"\).*requireScopes \(position 0\) requires the principal.*requireAuth \(position 1\)/,
      )
      server.registerTool(
        'other',
        {},
        server.guard().wrap(async () => ({ content: [] })),
      )
      expect(getSecuredItems(server).map((item) => item.name)).toEqual(['other'])
    })

    it('refuses a principal-keyed policy or Cedar rule placed before requireAuth', () => {
      const byPrincipal = policy.loadPolicy({
        version: 1,
        rules: [{ name: 'no-bob', effect: 'deny', principals: ['*#bob'] }],
      })
      expect(() => sdk.secured({ use: [byPrincipal, auth.requireAuth()] })).toThrow(/policy \(position 0\)/)
      const cedarRule = cedar.cedarPolicy({ policies: 'permit(principal, action, resource);' })
      const server = sdk.secured({ use: [cedarRule] })
      expect(() =>
        server.registerTool(
          't',
          {},
          server.guard(auth.requireAuth()).wrap(async () => ({ content: [] })),
        ),
      ).toThrow(TypeError)
      const byTool = policy.loadPolicy({
        version: 1,
        rules: [{ name: 'no-delete', effect: 'deny', tools: ['delete'] }],
      })
      expect(() => sdk.secured({ use: [byTool, auth.requireAuth()] })).not.toThrow()
    })

    it('refuses an update() that would put requireScopes before requireAuth, keeping the tool as it was', () => {
      const local = auth.createLocalPrincipal({ subject: 'me', scopes: ['a'] })
      const server: TestServer = sdk.secured({ use: [policy.requireScopes('a')] })
      const tool = server.registerTool(
        't',
        {},
        server.guard().wrap(async () => ({ content: [{ type: 'text', text: 'first' }] })),
      )
      const before = getSecuredItems(server)[0]?.middlewares
      const bad = server.guard(auth.requireAuth({ localPrincipal: local })).wrap(async () => ({ content: [] }))
      expect(() => tool.update({ callback: bad })).toThrow(TypeError)
      expect(getSecuredItems(server)[0]?.middlewares).toEqual(before)
      expect(before).toHaveLength(1)
    })

    it('runs the correct order: global requireAuth, per-tool requireScopes', async () => {
      const local = auth.createLocalPrincipal({ subject: 'me', scopes: ['a'] })
      const server = sdk.secured({ use: [auth.requireAuth({ localPrincipal: local })] })
      server.registerTool(
        'ok',
        {},
        server.guard(policy.requireScopes('a')).wrap(async () => ({ content: [{ type: 'text', text: 'ran' }] })),
      )
      server.registerTool(
        'needs-b',
        {},
        server.guard(policy.requireScopes('b')).wrap(async () => ({ content: [{ type: 'text', text: 'ran' }] })),
      )
      const client = await sdk.connect(server)
      clients.push(client)
      expect((await client.listTools()).tools.map((t) => t.name)).toEqual(['ok'])
      expect(await client.callTool({ name: 'ok' })).toMatchObject({ content: [{ type: 'text', text: 'ran' }] })
    })

    it('runs requireScopes alone when the principal comes from the transport', () => {
      expect(() =>
        sdk.secured({ use: [policy.requireScopes('a'), policy.rateLimit({ limit: 5, windowMs: 1000 })] }),
      ).not.toThrow()
    })
  })
}

for (const sdk of SDKS) {
  describe(`secure() approval-gate order (${sdk.name})`, () => {
    it('refuses the approval gate before a flow policy or policy document that asks for approval', () => {
      expect(() => sdk.secured({ use: [policy.requireApproval(), policy.flowPolicy()] })).toThrow(
        /requireApproval \(position 0\) requires the approvals other guards demand \(approvalRequired\) but runs before flowPolicy \(position 1\)/,
      )
      const asks = policy.loadPolicy({ version: 1, rules: [{ name: 'ask', effect: 'approval', tools: ['pay'] }] })
      const server = sdk.secured({ use: [policy.requireApproval()] })
      expect(() =>
        server.registerTool(
          'pay',
          {},
          server.guard(asks).wrap(async () => ({ content: [] })),
        ),
      ).toThrow(/place policy first/)
    })

    it('accepts the gate after them, and a flow policy that only denies anywhere', () => {
      expect(() => sdk.secured({ use: [policy.flowPolicy(), policy.requireApproval()] })).not.toThrow()
      expect(() =>
        sdk.secured({
          use: [policy.requireApproval(), policy.flowPolicy({ afterUntrusted: 'deny', trifecta: 'deny' })],
        }),
      ).not.toThrow()
    })
  })
}
