import { lookup as dnsLookup } from 'node:dns/promises'
import * as http from 'node:http'
import * as https from 'node:https'
import { isIP } from 'node:net'
import * as ipaddrModule from 'ipaddr.js'
import { POLICY_ERROR_CODES, PolicyError } from './errors.js'
import { argumentGuard, argumentNames, knownOptions, positiveInteger } from './internal/argument-guard.js'
import { hasUnsafeCharacter } from './internal/chars.js'
import { anyGlob } from './internal/glob.js'
import type { ArgumentGuard } from './types.js'

/**
 * Resolves a host name to IP addresses (IPv4 dotted or IPv6 text). Injectable so tests and
 * deployments with their own resolver decide what a name means. Must reject, or return an empty
 * list, when the name does not resolve.
 */
export type HostResolver = (hostname: string, signal: AbortSignal) => Promise<readonly string[]>

/** A URL accepted by `safeUrl`. */
export interface CheckedUrl {
  /** The normalized URL (`new URL(value).href`). */
  readonly url: string
  /** Host name, lower-case, without brackets or a trailing dot. */
  readonly hostname: string
  /** The addresses that were checked; connect only to these (see `lookup` and `fetch`). */
  readonly addresses: readonly string[]
}

/** Options of one `fetch` through `safeUrl`. */
export interface SafeFetchInit {
  /** Default `'GET'`. */
  readonly method?: string
  readonly headers?: Readonly<Record<string, string>>
  readonly body?: string | Uint8Array
  /** Whole-exchange timeout per hop, in milliseconds. Default 10000. */
  readonly timeoutMs?: number
  /** Largest response body read, in bytes. Default 10485760 (10 MiB). */
  readonly maxBytes?: number
  readonly signal?: AbortSignal
}

/** `safeUrl`'s guard: the argument guard plus a pinned `lookup` and a redirect-checking `fetch`. */
export type SafeUrlGuard = ArgumentGuard<CheckedUrl> & {
  /**
   * A `node:net`-compatible `lookup` that resolves with the guard's resolver and refuses
   * special-purpose addresses, for `http.request({ lookup })` or an agent: the check happens at
   * connect time, so DNS rebinding between check and use is refused too.
   */
  readonly lookup: (
    hostname: string,
    options: { all?: boolean } | number | undefined,
    callback: (...args: unknown[]) => void,
  ) => void
  /**
   * Fetches `url` with `node:http`/`node:https`, connecting only to the checked addresses, and
   * follows redirects itself (at most `maxRedirects`), checking every `Location` like the first
   * URL. Credentials headers are dropped when a redirect changes origin.
   *
   * @throws PolicyError as `check`, and `ERR_POLICY_URL_TOO_MANY_REDIRECTS`.
   */
  fetch(url: string, init?: SafeFetchInit): Promise<Response>
}

/** Options of `safeUrl`. */
export interface SafeUrlOptions {
  /** Allowed schemes, with or without the colon: `['https']`. Required, non-empty; no `file`. */
  readonly allow: readonly string[]
  /**
   * Host allowlist: case-insensitive globs over the host name (`*.example.com`) or IP literal.
   * Default: any host that resolves to public addresses only.
   */
  readonly hosts?: readonly string[]
  /**
   * CIDR ranges exempt from the special-purpose address check (`10.1.2.0/24` for an internal API
   * you do mean to reach). Default: none.
   */
  readonly allowAddresses?: readonly string[]
  /** Name resolution. Default: `dns.promises.lookup(name, { all: true, verbatim: true })`. */
  readonly resolve?: HostResolver
  /** Longest wait for the resolver, in milliseconds. Default 2000. */
  readonly resolveTimeoutMs?: number
  /** Longest accepted URL, in UTF-16 code units. Default 2048. */
  readonly maxLength?: number
  /** Most redirects `fetch` follows. Default 5. */
  readonly maxRedirects?: number
  /** Accept `user:password@` in URLs. Default `false`. */
  readonly allowCredentials?: boolean
  /** Arguments the middleware checks. Default: every top-level string and array-of-strings argument. */
  readonly args?: readonly string[]
}

const KNOWN = new Set([
  'allow',
  'hosts',
  'allowAddresses',
  'resolve',
  'resolveTimeoutMs',
  'maxLength',
  'maxRedirects',
  'allowCredentials',
  'args',
])
const SCHEME = /^[a-z][a-z0-9+.-]{0,31}:?$/
const HOSTLESS = new Set(['file:', 'data:', 'javascript:', 'blob:', 'about:', 'mailto:'])
/** Names that mean the local machine by convention (RFC 6761, /etc/hosts defaults), refused without DNS. */
const LOCAL_NAMES = new Set(['localhost', 'localhost.localdomain', 'ip6-localhost', 'ip6-loopback'])
/** Address verdicts remembered per guard. */
const ADDRESS_CACHE_SIZE = 1024
const REDIRECTS = new Set([301, 302, 303, 307, 308])
const CREDENTIAL_HEADERS = ['authorization', 'cookie', 'proxy-authorization']

// ipaddr.js is CommonJS without named-export hints: under ESM its API sits on `default`.
const ipaddr: typeof ipaddrModule =
  (ipaddrModule as unknown as { default?: typeof ipaddrModule }).default ?? ipaddrModule

const defaultResolver: HostResolver = async (hostname) => {
  const found = await dnsLookup(hostname, { all: true, verbatim: true })
  return found.map((entry) => entry.address)
}

function urlError(
  code: (typeof POLICY_ERROR_CODES)[keyof typeof POLICY_ERROR_CODES],
  message: string,
  reason?: string,
) {
  return new PolicyError(code, message, reason === undefined ? {} : { details: { reason } })
}

/** The address as ipaddr sees it, IPv4-mapped IPv6 unwrapped to IPv4. */
function parsed(address: string): ipaddrModule.IPv4 | ipaddrModule.IPv6 | undefined {
  if (isIP(address) === 0) return undefined
  const value = ipaddr.parse(address)
  return value instanceof ipaddr.IPv6 && value.isIPv4MappedAddress() ? value.toIPv4Address() : value
}

/**
 * Argument guard for URLs a tool will fetch (SSRF defence). Accepts a URL only when its scheme is
 * allowed, it carries no credentials, its host passes the optional allowlist, and the host is, or
 * resolves (through the injectable resolver) exclusively to, public unicast addresses.
 *
 * Refused addresses: everything that is not global unicast by the IANA special-purpose registries
 * as `ipaddr.js` classifies them: loopback, private (RFC 1918), link-local (cloud metadata
 * `169.254.169.254`), carrier-grade NAT (`100.100.100.200`), unique-local (`fd00:ec2::254`),
 * unspecified (`0.0.0.0`, `::`), multicast, broadcast, reserved, documentation, benchmarking,
 * 6to4, Teredo, NAT64, IPv4-mapped IPv6 (checked as the IPv4 inside). Decimal (`2130706433`),
 * octal (`0177.0.0.1`), hex (`0x7f000001`) and short (`127.1`) IPv4 forms are normalized by the
 * WHATWG URL parser before the check; `localhost`, `*.localhost`, `ip6-localhost` and `ip6-loopback` are
 * refused without asking DNS. A name that does not resolve in time is refused. Redirects are checked by `fetch`.
 *
 * @throws TypeError at creation on unknown options, an empty or malformed `allow`, a host-less
 * scheme (`file`), a malformed CIDR, or a `resolve` that is not a function.
 * @throws PolicyError `ERR_POLICY_URL_INVALID`, `ERR_POLICY_URL_SCHEME`, `ERR_POLICY_URL_HOST`,
 * `ERR_POLICY_URL_FORBIDDEN_ADDRESS`, `ERR_POLICY_URL_UNRESOLVED`.
 * @see OWASP SSRF Prevention Cheat Sheet; RFC 6890 (special-purpose address registries); WHATWG URL §host parsing
 * @example
 * ```ts
 * const urls = safeUrl({ allow: ['https'], args: ['url'] })
 * server.registerTool('fetch_page', { inputSchema: { url: z.string() } },
 *   server.guard(urls).wrap(async ({ url }) => ({ content: [{ type: 'text', text: await (await urls.fetch(url)).text() }] })))
 * ```
 */
export function safeUrl(options: SafeUrlOptions): SafeUrlGuard {
  const where = 'safeUrl'
  knownOptions(where, options, KNOWN)
  if (!Array.isArray(options.allow) || options.allow.length === 0) {
    throw new TypeError(`${where}: \`allow\` must be a non-empty array of schemes, such as ['https']`)
  }
  const schemes = new Set<string>()
  for (const scheme of options.allow) {
    if (typeof scheme !== 'string' || !SCHEME.test(scheme.toLowerCase())) {
      throw new TypeError(`${where}: invalid scheme ${JSON.stringify(scheme)} in \`allow\``)
    }
    const normalized = scheme.toLowerCase().endsWith(':') ? scheme.toLowerCase() : `${scheme.toLowerCase()}:`
    if (HOSTLESS.has(normalized))
      throw new TypeError(`${where}: scheme ${normalized} has no host to check; refusing it`)
    schemes.add(normalized)
  }
  const hosts = options.hosts
  if (hosts !== undefined && (!Array.isArray(hosts) || !hosts.every((h) => typeof h === 'string' && h.length > 0))) {
    throw new TypeError(`${where}: \`hosts\` must be an array of host patterns`)
  }
  const hostPatterns = hosts?.map((h) => h.toLowerCase())
  const exempt: [ipaddrModule.IPv4 | ipaddrModule.IPv6, number][] = []
  for (const cidr of options.allowAddresses ?? []) {
    try {
      exempt.push(
        typeof cidr === 'string' && cidr.includes('/')
          ? ipaddr.parseCIDR(cidr)
          : ipaddr.parseCIDR(`${cidr}/${isIP(String(cidr)) === 6 ? 128 : 32}`),
      )
    } catch {
      throw new TypeError(`${where}: invalid address range ${JSON.stringify(cidr)} in \`allowAddresses\``)
    }
  }
  const resolve = options.resolve ?? defaultResolver
  if (typeof resolve !== 'function') throw new TypeError(`${where}: \`resolve\` must be a function`)
  const resolveTimeoutMs = positiveInteger(where, 'resolveTimeoutMs', options.resolveTimeoutMs, 2000)
  const maxLength = positiveInteger(where, 'maxLength', options.maxLength, 2048)
  const maxRedirects = options.maxRedirects === 0 ? 0 : positiveInteger(where, 'maxRedirects', options.maxRedirects, 5)
  const allowCredentials = options.allowCredentials ?? false
  if (typeof allowCredentials !== 'boolean') throw new TypeError(`${where}: \`allowCredentials\` must be a boolean`)
  const args = argumentNames(where, options.args)

  const classify = (address: string): boolean => {
    const ip = parsed(address)
    if (ip === undefined) return false
    for (const [range, bits] of exempt) {
      if (range.kind() === ip.kind() && ip.match(range, bits)) return true
    }
    return ip.range() === 'unicast'
  }
  // Classification is pure and costs microseconds (ipaddr walks every special range), so verdicts
  // are remembered per address text, in a bounded map cleared when full.
  const verdicts = new Map<string, boolean>()
  const isAllowedAddress = (address: string): boolean => {
    const known = verdicts.get(address)
    if (known !== undefined) return known
    const verdict = classify(address)
    if (verdicts.size >= ADDRESS_CACHE_SIZE) verdicts.clear()
    verdicts.set(address, verdict)
    return verdict
  }

  const resolveChecked = async (hostname: string): Promise<readonly string[]> => {
    const controller = new AbortController()
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort()
        reject(new Error('resolution timed out'))
      }, resolveTimeoutMs)
    })
    let addresses: unknown
    try {
      addresses = await Promise.race([resolve(hostname, controller.signal), timeout])
    } catch (err) {
      throw new PolicyError(POLICY_ERROR_CODES.ERR_POLICY_URL_UNRESOLVED, 'URL host could not be resolved', {
        cause: err,
      })
    } finally {
      clearTimeout(timer)
    }
    if (!Array.isArray(addresses) || addresses.length === 0 || addresses.length > 64) {
      throw urlError(POLICY_ERROR_CODES.ERR_POLICY_URL_UNRESOLVED, 'URL host could not be resolved')
    }
    for (const address of addresses) {
      if (typeof address !== 'string' || !isAllowedAddress(address)) {
        throw urlError(POLICY_ERROR_CODES.ERR_POLICY_URL_FORBIDDEN_ADDRESS, 'URL points to a forbidden network address')
      }
    }
    return Object.freeze([...(addresses as string[])])
  }

  const check = async (value: unknown): Promise<CheckedUrl> => {
    if (typeof value !== 'string')
      throw urlError(POLICY_ERROR_CODES.ERR_POLICY_URL_INVALID, 'URL must be a string', 'type')
    if (value.length === 0) throw urlError(POLICY_ERROR_CODES.ERR_POLICY_URL_INVALID, 'URL is empty', 'empty')
    if (value.length > maxLength) throw urlError(POLICY_ERROR_CODES.ERR_POLICY_URL_INVALID, 'URL is too long', 'length')
    // Whitespace, controls and backslashes are where URL parsers disagree: refuse them outright.
    if (hasUnsafeCharacter(value) || value.includes(' ') || value.includes('\\')) {
      throw urlError(POLICY_ERROR_CODES.ERR_POLICY_URL_INVALID, 'URL contains forbidden characters', 'character')
    }
    let url: URL
    try {
      url = new URL(value)
    } catch {
      throw urlError(POLICY_ERROR_CODES.ERR_POLICY_URL_INVALID, 'URL is malformed', 'syntax')
    }
    if (!schemes.has(url.protocol))
      throw urlError(POLICY_ERROR_CODES.ERR_POLICY_URL_SCHEME, 'URL scheme is not allowed')
    if (!allowCredentials && (url.username !== '' || url.password !== '')) {
      throw urlError(POLICY_ERROR_CODES.ERR_POLICY_URL_INVALID, 'URL must not carry credentials', 'credentials')
    }
    let hostname = url.hostname.toLowerCase()
    if (hostname.startsWith('[') && hostname.endsWith(']')) hostname = hostname.slice(1, -1)
    while (hostname.endsWith('.')) hostname = hostname.slice(0, -1)
    if (hostname === '') throw urlError(POLICY_ERROR_CODES.ERR_POLICY_URL_INVALID, 'URL has no host', 'host')
    if (hostPatterns !== undefined && !anyGlob(hostPatterns, hostname)) {
      throw urlError(POLICY_ERROR_CODES.ERR_POLICY_URL_HOST, 'URL host is not allowed')
    }
    let addresses: readonly string[]
    if (isIP(hostname) !== 0) {
      if (!isAllowedAddress(hostname)) {
        throw urlError(POLICY_ERROR_CODES.ERR_POLICY_URL_FORBIDDEN_ADDRESS, 'URL points to a forbidden network address')
      }
      addresses = Object.freeze([hostname])
    } else {
      if (LOCAL_NAMES.has(hostname) || hostname.endsWith('.localhost')) {
        throw urlError(POLICY_ERROR_CODES.ERR_POLICY_URL_FORBIDDEN_ADDRESS, 'URL points to a forbidden network address')
      }
      addresses = await resolveChecked(hostname)
    }
    return Object.freeze({ url: url.href, hostname, addresses })
  }

  const lookup: SafeUrlGuard['lookup'] = (hostname, lookupOptions, callback) => {
    const all = typeof lookupOptions === 'object' && lookupOptions !== null && lookupOptions.all === true
    const host = hostname.startsWith('[') ? hostname.slice(1, -1) : hostname
    const pending =
      isIP(host) !== 0
        ? isAllowedAddress(host)
          ? Promise.resolve([host])
          : Promise.reject(
              urlError(
                POLICY_ERROR_CODES.ERR_POLICY_URL_FORBIDDEN_ADDRESS,
                'URL points to a forbidden network address',
              ),
            )
        : LOCAL_NAMES.has(host.toLowerCase()) || host.toLowerCase().endsWith('.localhost')
          ? Promise.reject(
              urlError(
                POLICY_ERROR_CODES.ERR_POLICY_URL_FORBIDDEN_ADDRESS,
                'URL points to a forbidden network address',
              ),
            )
          : resolveChecked(host.toLowerCase())
    pending.then(
      (addresses) => {
        const entries = addresses.map((address) => ({ address, family: isIP(address) }))
        const first = entries[0] as { address: string; family: number }
        if (all) callback(null, entries)
        else callback(null, first.address, first.family)
      },
      (err: unknown) => callback(err),
    )
  }

  const fetchOnce = (
    checked: CheckedUrl,
    method: string,
    headers: Record<string, string>,
    body: string | Uint8Array | undefined,
    timeoutMs: number,
    maxBytes: number,
    signal: AbortSignal | undefined,
  ): Promise<{ status: number; headers: Headers; body: Buffer; location: string | undefined }> =>
    new Promise((resolvePromise, reject) => {
      const pinned = checked.addresses[0] as string
      const family = isIP(pinned)
      const client = checked.url.startsWith('https:') ? https : http
      const request = client.request(checked.url, {
        method,
        headers,
        ...(signal === undefined ? {} : { signal }),
        lookup: ((_host: string, lookupOptions: { all?: boolean } | undefined, cb: (...a: unknown[]) => void) => {
          if (lookupOptions?.all === true) cb(null, [{ address: pinned, family }])
          else cb(null, pinned, family)
        }) as never,
      })
      // One deadline for the whole exchange (connect, headers, body), not an idle timeout.
      const timer = setTimeout(() => request.destroy(new Error(`request timed out after ${timeoutMs} ms`)), timeoutMs)
      request.on('close', () => clearTimeout(timer))
      request.on('error', reject)
      request.on('response', (response) => {
        const chunks: Buffer[] = []
        let size = 0
        let tooLarge = false
        response.on('data', (chunk: Buffer) => {
          size += chunk.length
          if (size > maxBytes) {
            tooLarge = true
            response.destroy()
            reject(new RangeError(`response larger than ${maxBytes} bytes`))
            return
          }
          chunks.push(chunk)
        })
        response.on('error', reject)
        response.on('end', () => {
          if (tooLarge) return
          const responseHeaders = new Headers()
          for (const [key, value] of Object.entries(response.headers)) {
            if (value === undefined) continue
            for (const item of Array.isArray(value) ? value : [value]) responseHeaders.append(key, item)
          }
          const location = response.headers.location
          resolvePromise({
            status: response.statusCode ?? 0,
            headers: responseHeaders,
            body: Buffer.concat(chunks),
            location: typeof location === 'string' ? location : undefined,
          })
        })
      })
      if (body !== undefined) request.write(body)
      request.end()
    })

  const guardedFetch = async (input: string, init: SafeFetchInit = {}): Promise<Response> => {
    let method = (init.method ?? 'GET').toUpperCase()
    let body = init.body
    let headers: Record<string, string> = { ...(init.headers ?? {}) }
    const timeoutMs = positiveInteger('safeUrl.fetch', 'timeoutMs', init.timeoutMs, 10_000)
    const maxBytes = positiveInteger('safeUrl.fetch', 'maxBytes', init.maxBytes, 10 * 1024 * 1024)
    let target = input
    for (let hop = 0; ; hop++) {
      const checked = await check(target)
      const answer = await fetchOnce(checked, method, headers, body, timeoutMs, maxBytes, init.signal)
      if (REDIRECTS.has(answer.status) && answer.location !== undefined) {
        if (hop >= maxRedirects) {
          throw urlError(POLICY_ERROR_CODES.ERR_POLICY_URL_TOO_MANY_REDIRECTS, 'Too many redirects')
        }
        let next: URL
        try {
          next = new URL(answer.location, checked.url)
        } catch {
          throw urlError(POLICY_ERROR_CODES.ERR_POLICY_URL_INVALID, 'Redirect location is malformed', 'syntax')
        }
        if (next.origin !== new URL(checked.url).origin) {
          headers = Object.fromEntries(
            Object.entries(headers).filter(([key]) => !CREDENTIAL_HEADERS.includes(key.toLowerCase())),
          )
        }
        if (answer.status === 303 || ((answer.status === 301 || answer.status === 302) && method === 'POST')) {
          method = 'GET'
          body = undefined
        }
        target = next.href
        continue
      }
      const nullBody = answer.status === 204 || answer.status === 205 || answer.status === 304
      return new Response(nullBody ? null : answer.body, {
        status: answer.status < 200 || answer.status > 599 ? 502 : answer.status,
        headers: answer.headers,
      })
    }
  }

  const guard = argumentGuard('safeUrl', args, POLICY_ERROR_CODES.ERR_POLICY_URL_INVALID, check, {
    allow: [...schemes],
    ...(hostPatterns === undefined ? {} : { hosts: hostPatterns }),
  })
  return Object.assign(guard, { lookup, fetch: guardedFetch })
}
