import { StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { afterEach, describe, expect, it } from 'vitest'
import { SESSION_ERROR_CODES, SessionError } from '../src/session-error.js'
import { createSessionManager, type SessionManager, type SessionManagerOptions } from '../src/session-manager.js'
import {
  buildServer,
  connect,
  INIT_BODY,
  type Instance,
  listen,
  manualClock,
  principalFor,
  raw,
  recordEvents,
  type TestClient,
} from './session-fixture.js'

const NOT_FOUND = '{"jsonrpc":"2.0","error":{"code":-32001,"message":"Session not found"},"id":null}'

describe('createSessionManager', () => {
  const cleanup: (() => Promise<void> | void)[] = []
  afterEach(async () => {
    for (const fn of cleanup.splice(0).reverse()) await fn()
  })

  async function start(
    extra: Partial<SessionManagerOptions> = {},
  ): Promise<{ manager: SessionManager; instance: Instance; open(user: string): Promise<TestClient> }> {
    const manager = createSessionManager({
      createServer: buildServer,
      maxSessions: 1000,
      ...extra,
    } as SessionManagerOptions)
    const instance = await listen(manager)
    cleanup.push(
      () => manager.close(),
      () => instance.close(),
    )
    return {
      manager,
      instance,
      open: async (user) => {
        const client = await connect(instance.url, user)
        cleanup.push(() => client.close())
        return client
      },
    }
  }

  it('opens a session bound to the caller with a 256-bit url-safe id and serves its calls', async () => {
    const { open, manager } = await start()
    const alice = await open('alice')
    expect(alice.sessionId).toMatch(/^[A-Za-z0-9_-]{43}$/)
    const seen = await alice.whoami()
    expect(seen).toMatchObject({ principal: principalFor('alice').id, session: alice.sessionId })
    const info = await manager.check(alice.sessionId ?? '', principalFor('alice'))
    expect(info).toMatchObject({ principalId: principalFor('alice').id, clientId: 'app' })
  })

  it('gives every session a distinct id', async () => {
    const { open } = await start()
    const ids = new Set<string | undefined>()
    for (let i = 0; i < 5; i++) ids.add((await open('alice')).sessionId)
    expect(ids.size).toBe(5)
  })

  it('keeps the session across token refresh (a new token for the same principal)', async () => {
    const { open } = await start()
    const alice = await open('alice')
    // The fixture mints a new token string for every request; the binding is to the principal.
    for (let i = 0; i < 3; i++) expect((await alice.whoami()).principal).toBe(principalFor('alice').id)
  })

  it('answers 404 exactly as for an unknown id when another principal replays the id, and publishes session.hijack_attempt', async () => {
    const { open, instance } = await start()
    const alice = await open('alice')
    const sessionId = alice.sessionId ?? ''
    const recorder = recordEvents()
    cleanup.push(() => recorder.stop())
    const unknown = await raw(instance.url, { user: 'bob', sessionId: 'A'.repeat(43) })
    const post = await raw(instance.url, { user: 'bob', sessionId })
    const get = await raw(instance.url, { user: 'bob', sessionId, method: 'GET' })
    const resume = await raw(instance.url, {
      user: 'bob',
      sessionId,
      method: 'GET',
      headers: { 'last-event-id': 'stream_0' },
    })
    const del = await raw(instance.url, { user: 'bob', sessionId, method: 'DELETE' })
    for (const response of [unknown, post, get, resume, del]) expect(response).toEqual({ status: 404, text: NOT_FOUND })
    const hijacks = recorder.events.filter((event) => event.type === 'session.hijack_attempt')
    expect(hijacks).toHaveLength(4)
    expect(hijacks[0]).toMatchObject({
      code: SESSION_ERROR_CODES.ERR_SESSION_PRINCIPAL_MISMATCH,
      principalId: principalFor('bob').id,
    })
    expect(JSON.stringify(recorder.events)).not.toContain(sessionId)
    // Alice's session is untouched, DELETE included.
    expect((await alice.whoami()).principal).toBe(principalFor('alice').id)
  })

  it('serves the owner’s GET stream and resumption with Last-Event-ID', async () => {
    const { open, instance } = await start()
    // A raw session has no GET stream yet: the owner's resumption request opens one.
    const opened = await raw(instance.url, { user: 'alice', body: INIT_BODY })
    expect(opened.sessionId).toMatch(/^[A-Za-z0-9_-]{43}$/)
    const resumed = await raw(instance.url, {
      user: 'alice',
      sessionId: opened.sessionId ?? '',
      method: 'GET',
      headers: { 'last-event-id': 'stream_0' },
    })
    expect(resumed.status).toBe(200)
    // The SDK client may already hold its GET stream: then the transport answers 409 (one stream
    // per session). Either way the request passed the binding, which would answer 404.
    const alice = await open('alice')
    const get = await raw(instance.url, { user: 'alice', sessionId: alice.sessionId ?? '', method: 'GET' })
    expect([200, 409]).toContain(get.status)
  })

  it('refuses the same user through another OAuth client', async () => {
    const { open, instance } = await start()
    const alice = await open('alice/app')
    expect(await raw(instance.url, { user: 'alice/other-app', sessionId: alice.sessionId ?? '' })).toEqual({
      status: 404,
      text: NOT_FOUND,
    })
    expect((await alice.whoami()).principal).toBe(principalFor('alice').id)
  })

  it('answers 401 without a principal and 400 without a session id on a non-initialize request', async () => {
    const { open, instance } = await start()
    const alice = await open('alice')
    expect((await raw(instance.url, { sessionId: alice.sessionId ?? '' })).status).toBe(401)
    expect((await raw(instance.url, { body: INIT_BODY })).status).toBe(401)
    expect((await raw(instance.url, { user: 'alice' })).status).toBe(400)
    expect((await raw(instance.url, { user: 'alice', method: 'GET' })).status).toBe(400)
  })

  it('answers 404 for malformed, unicode, empty and huge session ids without crashing', async () => {
    const { instance } = await start()
    for (const sessionId of ['x', 'é'.repeat(43), ' ', 'A'.repeat(10_000), `${'A'.repeat(42)}.`, '../../etc']) {
      const response = await raw(instance.url, { user: 'alice', sessionId: encodeURIComponent(sessionId) })
      expect(response.status, sessionId.slice(0, 20)).toBe(404)
    }
  })

  it('answers 400 for a non-JSON body and 413 for a body over maxBodyBytes on initialize', async () => {
    const { instance } = await start({ maxBodyBytes: 1024 })
    const broken = await fetch(instance.url, {
      method: 'POST',
      headers: {
        'x-test-user': 'alice',
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body: '{"jsonrpc":',
    })
    expect(broken.status).toBe(400)
    await broken.body?.cancel()
    const huge = { ...INIT_BODY, params: { ...INIT_BODY.params, clientInfo: { name: 'x'.repeat(4096), version: '1' } } }
    expect((await raw(instance.url, { user: 'alice', body: huge })).status).toBe(413)
  })

  it('ends a session after idleTimeoutMs without use but not while it is used', async () => {
    const clock = manualClock()
    const { open, instance } = await start({ idleTimeoutMs: 10_000, now: clock.now })
    const alice = await open('alice')
    for (let i = 0; i < 5; i++) {
      clock.advance(6_000)
      expect((await alice.whoami()).principal).toBe(principalFor('alice').id)
    }
    clock.advance(10_000)
    expect(await raw(instance.url, { user: 'alice', sessionId: alice.sessionId ?? '' })).toEqual({
      status: 404,
      text: NOT_FOUND,
    })
  })

  it('keeps a session used more often than the last-use write interval alive past idleTimeoutMs', async () => {
    const clock = manualClock()
    const { open } = await start({ idleTimeoutMs: 10_000, now: clock.now })
    const alice = await open('alice')
    // Last use is written at most every 1 s here; 900 ms steps for 13.5 s cross several writes.
    for (let i = 0; i < 15; i++) {
      clock.advance(900)
      expect((await alice.whoami()).principal).toBe(principalFor('alice').id)
    }
  })

  it('takes the principal from principalOf when given', async () => {
    const { instance } = await start({
      principalOf: (req) => {
        const user = req.headers['x-local-user']
        return typeof user === 'string' ? principalFor(user, 'local') : undefined
      },
    })
    const opened = await raw(instance.url, { headers: { 'x-local-user': 'carol' }, body: INIT_BODY })
    expect(opened.status).toBe(200)
    const sessionId = opened.sessionId ?? ''
    expect((await raw(instance.url, { headers: { 'x-local-user': 'carol' }, sessionId })).status).toBe(200)
    expect((await raw(instance.url, { headers: { 'x-local-user': 'dave' }, sessionId })).status).toBe(404)
    // The default source (req.auth) is not consulted any more.
    expect((await raw(instance.url, { user: 'carol', sessionId })).status).toBe(401)
  })

  it('ends a session after absoluteLifetimeMs even while it is used', async () => {
    const clock = manualClock()
    const { open, manager } = await start({ idleTimeoutMs: 10_000, absoluteLifetimeMs: 30_000, now: clock.now })
    const alice = await open('alice')
    for (let i = 0; i < 5; i++) {
      clock.advance(5_000)
      await alice.whoami()
    }
    clock.advance(5_000)
    await expect(alice.whoami()).rejects.toThrow(/404|Session not found/)
    await expect(manager.check(alice.sessionId ?? '', principalFor('alice'))).rejects.toMatchObject({
      code: SESSION_ERROR_CODES.ERR_SESSION_NOT_FOUND,
    })
  })

  it('retires the id after rotateAfterMs with a 404, and the SDK client re-initializes on a new session', async () => {
    const clock = manualClock()
    const { open, instance } = await start({ rotateAfterMs: 60_000, now: clock.now })
    const alice = await open('alice')
    const first = alice.sessionId
    clock.advance(60_000)
    const error = await alice.whoami().then(
      () => undefined,
      (e: unknown) => e,
    )
    // The SDK 1.x client reports the retirement as a StreamableHTTPError with code 404 ...
    expect(error).toBeInstanceOf(StreamableHTTPError)
    expect((error as StreamableHTTPError).code).toBe(404)
    // ... and re-initializes when connected again, which is what the author does on that error.
    await alice.close()
    const again = await connect(instance.url, 'alice')
    cleanup.push(() => again.close())
    expect(again.sessionId).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(again.sessionId).not.toBe(first)
    expect((await again.whoami()).principal).toBe(principalFor('alice').id)
    expect((await raw(instance.url, { user: 'alice', sessionId: first ?? '' })).status).toBe(404)
  })

  it('revokes one session, leaving the principal’s other sessions alive', async () => {
    const { open, manager } = await start()
    const one = await open('alice')
    const two = await open('alice')
    expect(await manager.revoke(one.sessionId ?? '')).toBe(true)
    expect(await manager.revoke(one.sessionId ?? '')).toBe(false)
    expect(await manager.revoke('not an id')).toBe(false)
    await expect(one.whoami()).rejects.toThrow()
    expect((await two.whoami()).principal).toBe(principalFor('alice').id)
  })

  it('revokes every session of a principal (logout) but not other principals’ or later ones', async () => {
    const clock = manualClock()
    const { open, manager } = await start({ now: clock.now })
    const one = await open('alice')
    const two = await open('alice/other-app')
    const bob = await open('bob')
    clock.advance(1)
    await manager.revokePrincipal(principalFor('alice').id)
    await expect(one.whoami()).rejects.toThrow()
    await expect(two.whoami()).rejects.toThrow()
    expect((await bob.whoami()).principal).toBe(principalFor('bob').id)
    clock.advance(1)
    const later = await open('alice')
    expect((await later.whoami()).principal).toBe(principalFor('alice').id)
    await expect(manager.revokePrincipal('')).rejects.toThrow(TypeError)
  })

  it('retires a principal’s oldest session beyond maxSessionsPerPrincipal, leaving others alone', async () => {
    const { open, instance } = await start({ maxSessionsPerPrincipal: 2 })
    const recorder = recordEvents()
    cleanup.push(() => recorder.stop())
    const bob = await open('bob')
    const first = await open('alice')
    const second = await open('alice')
    const third = await open('alice')
    expect((await raw(instance.url, { user: 'alice', sessionId: first.sessionId ?? '' })).status).toBe(404)
    for (const client of [second, third]) expect((await client.whoami()).principal).toBe(principalFor('alice').id)
    expect((await bob.whoami()).principal).toBe(principalFor('bob').id)
    const evicted = recorder.events.filter((event) => event.type === 'session.evicted')
    expect(evicted).toHaveLength(1)
    expect(evicted[0]?.principalId).toBe(principalFor('alice').id)
  })

  it('closes the session when its owner sends DELETE', async () => {
    const { open, manager } = await start()
    const alice = await open('alice')
    const id = alice.sessionId ?? ''
    await alice.transport.terminateSession()
    await expect(manager.check(id, principalFor('alice'))).rejects.toMatchObject({
      code: SESSION_ERROR_CODES.ERR_SESSION_NOT_FOUND,
    })
    expect(manager.localSessions).toBe(0)
  })

  it('serves a bounded burst of concurrent requests on one session and refuses a concurrent foreign burst', async () => {
    const { open, instance } = await start()
    const alice = await open('alice')
    const [mine, theirs] = await Promise.all([
      Promise.all(Array.from({ length: 40 }, () => alice.whoami())),
      Promise.all(
        Array.from({ length: 20 }, () => raw(instance.url, { user: 'bob', sessionId: alice.sessionId ?? '' })),
      ),
    ])
    expect(mine.every((seen) => seen.principal === principalFor('alice').id)).toBe(true)
    expect(theirs.every((response) => response.status === 404)).toBe(true)
  })

  it('reports each refusal reason through check()', async () => {
    const clock = manualClock()
    const { open, manager } = await start({ rotateAfterMs: 1000, absoluteLifetimeMs: 5000, now: clock.now })
    const codeOf = async (promise: Promise<unknown>) =>
      promise.then(
        () => 'ok',
        (e: unknown) => (SessionError.isInstance(e) ? e.code : String(e)),
      )
    const alice = await open('alice')
    const id = alice.sessionId ?? ''
    expect(await codeOf(manager.check(id, principalFor('alice')))).toBe('ok')
    expect(await codeOf(manager.check(id, principalFor('bob')))).toBe(
      SESSION_ERROR_CODES.ERR_SESSION_PRINCIPAL_MISMATCH,
    )
    expect(await codeOf(manager.check('nope', principalFor('alice')))).toBe(SESSION_ERROR_CODES.ERR_SESSION_NOT_FOUND)
    expect(await codeOf(manager.check(id, {} as never))).toBe(SESSION_ERROR_CODES.ERR_SESSION_UNAUTHENTICATED)
    clock.advance(1000)
    expect(await codeOf(manager.check(id, principalFor('alice')))).toBe(SESSION_ERROR_CODES.ERR_SESSION_ROTATED)
    const other = await open('alice')
    clock.advance(1)
    await manager.revokePrincipal(principalFor('alice').id)
    expect(await codeOf(manager.check(other.sessionId ?? '', principalFor('alice')))).toBe(
      SESSION_ERROR_CODES.ERR_SESSION_REVOKED,
    )
  })

  it('keeps no binding when the server cannot be built or the transport refuses the initialize', async () => {
    let fail = true
    const { instance, manager } = await start({
      createServer: () => {
        if (fail) throw new Error('database down')
        return buildServer()
      },
    })
    const broken = await raw(instance.url, { user: 'alice', body: INIT_BODY })
    expect(broken).toEqual({
      status: 500,
      text: '{"jsonrpc":"2.0","error":{"code":-32603,"message":"Internal error"},"id":null}',
    })
    expect(manager.localSessions).toBe(0)
    fail = false
    // The SDK transport refuses a POST that does not accept an event stream (406).
    const refused = await raw(instance.url, { user: 'alice', body: INIT_BODY, headers: { accept: 'application/json' } })
    expect(refused.status).toBe(406)
    expect(refused.sessionId).toBeUndefined()
    expect(manager.localSessions).toBe(0)
    expect((await raw(instance.url, { user: 'alice', body: INIT_BODY })).status).toBe(200)
    expect(manager.localSessions).toBe(1)
  })

  it('throws TypeError at creation on bad options', () => {
    const make = (options: unknown) => () => createSessionManager(options as SessionManagerOptions)
    expect(make(undefined)).toThrow(TypeError)
    expect(make({ maxSessions: 10 })).toThrow(/createServer/)
    expect(make({ createServer: buildServer })).toThrow(/maxSessions/)
    expect(make({ createServer: buildServer, maxSessions: 0 })).toThrow(TypeError)
    expect(make({ createServer: buildServer, maxSessions: 10, idleTimeoutMs: -1 })).toThrow(TypeError)
    expect(make({ createServer: buildServer, maxSessions: 10, rotateAfterMs: 10, absoluteLifetimeMs: 5 })).toThrow(
      /rotateAfterMs/,
    )
    expect(
      make({ createServer: buildServer, maxSessions: 10, transportOptions: { sessionIdGenerator: () => 'x' } }),
    ).toThrow(/managed here/)
    expect(make({ createServer: buildServer, maxSessions: 10, sessionTtl: 5 })).toThrow(/unknown option/)
    expect(make({ createServer: buildServer, maxSessions: 10, maxSessionsPerPrincipal: 0 })).toThrow(TypeError)
    expect(make({ createServer: buildServer, maxSessions: 10, store: {} })).toThrow(/not both/)
  })
})
