import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { WardenError } from '@mcp-warden/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { context, denial, run } from '../test/helpers.js'
import { type HostResolver, safeUrl } from './safe-url.js'

const PUBLIC = '93.184.215.14'

/** A resolver that never touches the network: answers from a table, NXDOMAIN otherwise. */
function fakeResolver(table: Readonly<Record<string, readonly string[]>>): HostResolver & { calls: string[] } {
  const calls: string[] = []
  const resolver = async (hostname: string) => {
    calls.push(hostname)
    const answer = table[hostname]
    if (answer === undefined) throw Object.assign(new Error(`ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' })
    return answer
  }
  return Object.assign(resolver, { calls })
}

/** What the names of the SSRF fixture resolve to in the real world (an attacker's DNS, modelled). */
const REAL_WORLD = fakeResolver({
  'example.org': [PUBLIC],
  'redirect.attacker.example': ['52.1.2.3'],
  'loopback.attacker.example': ['127.0.0.1'],
  'metadata.attacker.example': ['169.254.169.254'],
  'v6.attacker.example': ['::1'],
  'ten.10.0.0.1.sslip.example': ['10.0.0.1'],
  'mixed.attacker.example': ['52.1.2.3', '192.168.0.10'],
  'mapped.attacker.example': ['::ffff:10.1.2.3'],
  'attacker.example': [PUBLIC],
})

/**
 * Hand-made SSRF payloads: loopback, unspecified, private, link-local and metadata addresses in
 * every IPv4 and IPv6 spelling (dotted, short, decimal, octal, hex, mixed, IPv4-mapped, NAT64,
 * 6to4), localhost names, names an attacker points at internal addresses, URL-parser confusions
 * (backslash, userinfo, fragments) and schemes outside http(s).
 */
const SSRF_FIXTURE: readonly string[] = [
  'http://169.254.169.254/computeMetadata/v1/',
  'http://[fd00:ec2::254]/latest/api/token',
  'http://100.100.100.200/latest/meta-data/',
  'http://localhost:6379/',
  'https://localhost:8443/admin',
  'http://LocalHost./',
  'http://api.localhost/',
  'http://ip6-loopback/',
  'http://127.0.0.1:22/',
  'http://127.255.255.254/',
  'http://127.0.2/',
  'http://0.0.0.0:8080/',
  'http://0/',
  'http://[::]/',
  'http://[::1]:3000/',
  'http://[0:0:0:0:0:0:0:1]/',
  'http://[::ffff:7f00:1]/',
  'http://[::ffff:10.0.0.1]/',
  'http://[64:ff9b::a9fe:a9fe]/',
  'http://[2002:a9fe:a9fe::]/',
  'http://[fe80::1%25eth0]/',
  'http://2852039166/',
  'http://167772161/',
  'http://3232235777/',
  'http://0251.0376.0251.0376/',
  'http://017700000001/',
  'http://0xA9.0xFE.0xA9.0xFE/',
  'http://0xa9fea9fe/',
  'http://0x7f.1/',
  'http://10.1/',
  'http://192.168.0.1/%2e%2e/admin',
  'http://172.31.255.255/',
  'http://100.64.0.1/',
  'http://198.19.0.1/',
  'http://239.255.255.250:1900/',
  'http://loopback.attacker.example/',
  'http://metadata.attacker.example/latest/meta-data/',
  'http://v6.attacker.example/',
  'http://ten.10.0.0.1.sslip.example/',
  'http://mixed.attacker.example/',
  'http://mapped.attacker.example/',
  'http://user@127.0.0.1/',
  'http://attacker.example@127.0.0.1/',
  'http://127.0.0.1\\@attacker.example/',
  'http://127.0.0.1:80\\@@attacker.example/',
  'http://127.0.0.1#@attacker.example/',
  'http:127.0.0.1/',
  'http:/\\127.0.0.1/',
  'file:///proc/self/environ',
  'file://localhost/etc/shadow',
  'gopher://127.0.0.1:6379/_FLUSHALL',
  'dict://127.0.0.1:11211/stats',
  'ldap://127.0.0.1:389/',
  'ftp://10.0.0.1/',
  'jar:http://127.0.0.1!/x.class',
  'netdoc:///etc/hosts',
  'javascript:fetch("http://127.0.0.1")',
  'data:text/html,<script>alert(1)</script>',
  // Public hosts: checked as public, their redirects are refused at fetch time.
  'https://redirect.attacker.example/?to=http://169.254.169.254/',
  'http://ⓔⓧⓐⓜⓟⓛⓔ.ⓞⓡⓖ/',
]

/** What safeUrl accepts from the fixture with real-world DNS: the public hosts, and nothing else. */
const PUBLIC_OF_FIXTURE = ['https://redirect.attacker.example/?to=http://169.254.169.254/', 'http://ⓔⓧⓐⓜⓟⓛⓔ.ⓞⓡⓖ/']

/** URLs that must pass when names resolve publicly. */
const BENIGN_URLS: readonly string[] = [
  'https://example.org/',
  'https://api.example.org/v1/items?limit=10&cursor=abc',
  'http://example.org:8080/path/to/page.html#section',
  'https://sub.domain.example.org/a%20b?q=caf%C3%A9',
  'https://xn--caf-dma.example/',
  'https://café.example/menu',
  'https://8.8.8.8/dns-query',
  'https://[2606:4700:4700::1111]/',
  'https://1.1.1.1:443/',
  'https://example.org/search?q=127.0.0.1',
  'https://example.org/redirect?url=http://localhost/',
  'https://docs.example.org/api/v2/users/42/avatar.png',
  'HTTPS://EXAMPLE.ORG/UPPER',
]

describe('safeUrl', () => {
  const guard = safeUrl({ allow: ['https', 'http'], resolve: fakeResolver({ 'example.com': [PUBLIC] }), args: ['url'] })

  it('accepts public URLs and returns the normalized URL and checked addresses', async () => {
    expect(await guard.check('https://Example.com./a?b=1')).toEqual({
      url: 'https://example.com./a?b=1',
      hostname: 'example.com',
      addresses: [PUBLIC],
    })
    expect((await guard.check('https://8.8.8.8/')).addresses).toEqual(['8.8.8.8'])
    expect((await guard.check('https://[2606:4700:4700::1111]/')).addresses).toEqual(['2606:4700:4700::1111'])
  })

  it('refuses schemes outside the allowlist with ERR_POLICY_URL_SCHEME', async () => {
    for (const value of ['ftp://example.com/', 'file:///etc/passwd', 'gopher://example.com/', 'javascript:alert(1)']) {
      expect((await denial(guard.check(value))).code, value).toBe('ERR_POLICY_URL_SCHEME')
    }
    const httpsOnly = safeUrl({ allow: ['https:'], resolve: fakeResolver({ 'example.com': [PUBLIC] }) })
    expect((await denial(httpsOnly.check('http://example.com/'))).code).toBe('ERR_POLICY_URL_SCHEME')
  })

  it('refuses special-purpose IP literals in every encoding', async () => {
    const literals = [
      'http://127.0.0.1/',
      'http://2130706433/',
      'http://0177.0.0.1/',
      'http://0x7f.0x0.0x0.0x1/',
      'http://0x7f000001/',
      'http://127.1/',
      'http://0/',
      'http://[::1]/',
      'http://[::ffff:127.0.0.1]/',
      'http://[::ffff:a9fe:a9fe]/',
      'http://169.254.169.254/latest/meta-data/',
      'http://[fd00:ec2::254]/',
      'http://100.100.100.200/',
      'http://192.0.0.192/',
      'http://10.0.0.1/',
      'http://172.16.0.1/',
      'http://192.168.1.1/',
      'http://[fe80::1]/',
      'http://224.0.0.1/',
      'http://255.255.255.255/',
      'http://[2002:7f00:1::]/',
      'http://[64:ff9b::7f00:1]/',
      'http://198.18.0.1/',
      'http://240.0.0.1/',
    ]
    for (const value of literals) {
      expect((await denial(guard.check(value))).code, value).toBe('ERR_POLICY_URL_FORBIDDEN_ADDRESS')
    }
  })

  it('refuses names that resolve to a private address, even when only one of several does', async () => {
    const resolve = fakeResolver({ 'internal.example': ['10.0.0.5'], 'mixed.example': [PUBLIC, '127.0.0.1'] })
    const g = safeUrl({ allow: ['https'], resolve })
    expect((await denial(g.check('https://internal.example/'))).code).toBe('ERR_POLICY_URL_FORBIDDEN_ADDRESS')
    expect((await denial(g.check('https://mixed.example/'))).code).toBe('ERR_POLICY_URL_FORBIDDEN_ADDRESS')
  })

  it('refuses localhost names without asking the resolver', async () => {
    const resolve = fakeResolver({})
    const g = safeUrl({ allow: ['http'], resolve })
    for (const value of ['http://localhost/', 'http://LOCALHOST./', 'http://a.localhost/', 'http://ip6-localhost/']) {
      expect((await denial(g.check(value))).code).toBe('ERR_POLICY_URL_FORBIDDEN_ADDRESS')
    }
    expect(resolve.calls).toEqual([])
  })

  it('refuses unresolvable names, bad resolver answers and slow resolvers', async () => {
    const bad = safeUrl({
      allow: ['https'],
      resolveTimeoutMs: 50,
      resolve: async (host, signal) => {
        if (host === 'empty.example') return []
        if (host === 'garbage.example') return ['not-an-ip']
        if (host === 'slow.example') {
          return new Promise((resolve) => {
            const timer = setTimeout(() => resolve([PUBLIC]), 5_000)
            signal.addEventListener('abort', () => clearTimeout(timer))
          })
        }
        throw new Error('NXDOMAIN')
      },
    })
    expect((await denial(bad.check('https://nx.example/'))).code).toBe('ERR_POLICY_URL_UNRESOLVED')
    expect((await denial(bad.check('https://empty.example/'))).code).toBe('ERR_POLICY_URL_UNRESOLVED')
    expect((await denial(bad.check('https://garbage.example/'))).code).toBe('ERR_POLICY_URL_FORBIDDEN_ADDRESS')
    expect((await denial(bad.check('https://slow.example/'))).code).toBe('ERR_POLICY_URL_UNRESOLVED')
  })

  it('refuses credentials, backslashes, controls, bad types and huge URLs with ERR_POLICY_URL_INVALID', async () => {
    for (const value of [
      'https://user:pass@example.com/',
      'http://127.1.1.1:80\\@example.com/',
      'https://example.com/\u0000',
      'https://exa mple.com/',
      'not a url',
      '',
      7,
      null,
      `https://example.com/${'a'.repeat(2048)}`,
    ]) {
      expect((await denial(guard.check(value))).code, String(value)).toBe('ERR_POLICY_URL_INVALID')
    }
  })

  it('refuses hosts outside the host allowlist before resolving', async () => {
    const resolve = fakeResolver({ 'api.example.com': [PUBLIC] })
    const g = safeUrl({ allow: ['https'], hosts: ['*.example.com'], resolve })
    expect((await g.check('https://API.example.com/x')).hostname).toBe('api.example.com')
    expect((await denial(g.check('https://evil.com/'))).code).toBe('ERR_POLICY_URL_HOST')
    expect(resolve.calls).toEqual(['api.example.com'])
  })

  it('accepts exempt ranges when allowAddresses names them', async () => {
    const g = safeUrl({ allow: ['http'], allowAddresses: ['10.1.2.0/24', '::1'], resolve: fakeResolver({}) })
    expect((await g.check('http://10.1.2.3/')).addresses).toEqual(['10.1.2.3'])
    expect((await g.check('http://[::1]/')).addresses).toEqual(['::1'])
    expect((await denial(g.check('http://10.1.3.3/'))).code).toBe('ERR_POLICY_URL_FORBIDDEN_ADDRESS')
  })

  it('refuses every payload of the SSRF fixture with a typed error when every name resolves internally', async () => {
    const rebinding = safeUrl({ allow: ['http', 'https'], resolve: async () => ['127.0.0.1'] })
    const allowed: string[] = []
    for (const value of SSRF_FIXTURE) {
      try {
        await rebinding.check(value)
        allowed.push(value)
      } catch (err) {
        expect(WardenError.isInstance(err), value).toBe(true)
      }
    }
    expect(allowed).toEqual([])
  })

  it('refuses the SSRF fixture with real-world DNS except its public hosts', async () => {
    const realistic = safeUrl({ allow: ['http', 'https'], resolve: REAL_WORLD })
    const allowed: string[] = []
    for (const value of SSRF_FIXTURE) {
      try {
        await realistic.check(value)
        allowed.push(value)
      } catch (err) {
        expect(WardenError.isInstance(err), value).toBe(true)
      }
    }
    expect(allowed).toEqual(PUBLIC_OF_FIXTURE)
  })

  it('accepts every benign URL of the fixture when names resolve publicly', async () => {
    const g = safeUrl({ allow: ['http', 'https'], resolve: async () => [PUBLIC] })
    for (const value of BENIGN_URLS) {
      await expect(g.check(value), value).resolves.toMatchObject({ addresses: expect.any(Array) })
    }
  })

  it('checks the named argument as middleware and works as a zod refinement', async () => {
    expect((await run(guard, context({ arguments: { url: 'https://example.com/' } }))).reached).toBe(true)
    const err = await denial(run(guard, context({ arguments: { url: 'http://169.254.169.254/' } })))
    expect(err.details.argument).toBe('url')
    const schema = z.string().superRefine(guard.refine)
    expect((await schema.safeParseAsync('https://example.com/')).success).toBe(true)
    const failed = await schema.safeParseAsync('http://[::1]/')
    expect(failed.error?.issues[0]).toMatchObject({ params: { code: 'ERR_POLICY_URL_FORBIDDEN_ADDRESS' } })
  })

  it('refuses private addresses through lookup at connect time', async () => {
    const g = safeUrl({
      allow: ['http'],
      resolve: fakeResolver({ 'rebind.example': ['10.0.0.1'], 'ok.example': [PUBLIC] }),
    })
    const lookup = (host: string, all: boolean) =>
      new Promise<unknown[]>((resolve) => g.lookup(host, { all }, (...args) => resolve(args)))
    expect(await lookup('ok.example', false)).toEqual([null, PUBLIC, 4])
    expect(await lookup('ok.example', true)).toEqual([null, [{ address: PUBLIC, family: 4 }]])
    expect((await lookup('rebind.example', false))[0]).toMatchObject({ code: 'ERR_POLICY_URL_FORBIDDEN_ADDRESS' })
    expect((await lookup('localhost', false))[0]).toMatchObject({ code: 'ERR_POLICY_URL_FORBIDDEN_ADDRESS' })
    expect((await lookup('127.0.0.1', false))[0]).toMatchObject({ code: 'ERR_POLICY_URL_FORBIDDEN_ADDRESS' })
  })

  it('throws TypeError at creation on bad options', () => {
    expect(() => safeUrl({ allow: [] })).toThrow(/allow/)
    expect(() => safeUrl({ allow: ['file'] })).toThrow(/no host/)
    expect(() => safeUrl({ allow: ['ht tp'] })).toThrow(/invalid scheme/)
    expect(() => safeUrl({ allow: ['https'], allowAddresses: ['10.0.0.0/99'] })).toThrow(/allowAddresses/)
    expect(() => safeUrl({ allow: ['https'], resolve: 'dns' as never })).toThrow(/resolve/)
    expect(() => safeUrl({ allow: ['https'], hosts: [''] })).toThrow(/hosts/)
    expect(() => safeUrl({ allow: ['https'], resolveTimeoutMs: 0 })).toThrow(/resolveTimeoutMs/)
    expect(() => safeUrl({ allow: ['https'], extra: 1 } as never)).toThrow(/unknown option/)
  })
})

describe('safeUrl fetch', () => {
  let server: Server
  let origin: string
  let hits: string[]

  beforeAll(async () => {
    hits = []
    server = createServer((req, res) => {
      hits.push(req.url ?? '')
      const location: Record<string, string> = {
        '/to-metadata': 'http://169.254.169.254/latest/meta-data/',
        '/to-internal-name': 'http://internal.example/admin',
        '/to-localhost': 'http://localhost/',
        '/loop': '/loop',
        '/to-ok': '/ok',
      }
      if (req.url === '/slow') {
        res.writeHead(200)
        res.write('partial')
        const timer = setTimeout(() => res.end(), 2_000)
        res.on('close', () => clearTimeout(timer))
        return
      }
      const target = location[req.url ?? '']
      if (target !== undefined) {
        res.writeHead(302, { location: target })
        res.end()
        return
      }
      res.writeHead(200, { 'content-type': 'text/plain', 'x-auth-seen': String(req.headers.authorization ?? '') })
      res.end('hello')
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()))
  })

  const local = () =>
    safeUrl({
      allow: ['http'],
      allowAddresses: ['127.0.0.1'],
      maxRedirects: 3,
      resolve: fakeResolver({ 'internal.example': ['10.0.0.7'], 'app.test': ['127.0.0.1'] }),
    })

  it('fetches an allowed URL and follows a safe redirect', async () => {
    const response = await local().fetch(`${origin}/to-ok`)
    expect(response.status).toBe(200)
    expect(await response.text()).toBe('hello')
  })

  it('connects to the checked address of a resolved name', async () => {
    const port = new URL(origin).port
    const response = await local().fetch(`http://app.test:${port}/ok`, { headers: { authorization: 'Bearer t' } })
    expect(response.headers.get('x-auth-seen')).toBe('Bearer t')
  })

  it('refuses redirects to metadata, internal names and localhost without connecting there', async () => {
    for (const path of ['/to-metadata', '/to-internal-name', '/to-localhost']) {
      const err = await denial(local().fetch(`${origin}${path}`))
      expect(err.code, path).toBe('ERR_POLICY_URL_FORBIDDEN_ADDRESS')
    }
  })

  it('stops redirect loops with ERR_POLICY_URL_TOO_MANY_REDIRECTS', async () => {
    const before = hits.length
    const err = await denial(local().fetch(`${origin}/loop`))
    expect(err.code).toBe('ERR_POLICY_URL_TOO_MANY_REDIRECTS')
    expect(hits.length - before).toBe(4)
  })

  it('refuses a forbidden first URL before any connection', async () => {
    const before = hits.length
    const g = safeUrl({ allow: ['http'], resolve: fakeResolver({}) })
    expect((await denial(g.fetch(`${origin}/ok`))).code).toBe('ERR_POLICY_URL_FORBIDDEN_ADDRESS')
    expect(hits.length).toBe(before)
  })

  it('gives up when the exchange outlasts timeoutMs', async () => {
    await expect(local().fetch(`${origin}/slow`, { timeoutMs: 100 })).rejects.toThrow(/timed out/)
  })

  it('refuses responses larger than maxBytes', async () => {
    await expect(local().fetch(`${origin}/ok`, { maxBytes: 2 })).rejects.toThrow(RangeError)
  })
})
