import {
  getSecuredItems,
  PRINCIPAL_AUTH_EXTRA_KEY,
  type PrimitiveKind,
  type Principal,
  publishSecurityEvent,
  WardenError,
} from '@mcp-warden/core'
import { accessTokenOf } from './access-token-of.js'
import { AUTH_ERROR_CODES, AuthError } from './errors.js'
import { parseBearer } from './internal/bearer.js'
import { type BearerErrorCode, buildChallenge } from './internal/challenge.js'
import {
  type HttpDenial,
  isDenial,
  type RequestFacts,
  readRequestJson,
  resourceInternals,
  TOO_LARGE,
} from './internal/http-facts.js'
import { isScopeToken } from './internal/principal.js'
import { isLoopbackAddress, isLoopbackHostname, parseEndpoint } from './internal/urls.js'
import type {
  AuthenticateOptions,
  McpAuthInfo,
  ProtectedResource,
  ProtectedResourceMetadata,
  ProtectedResourceOptions,
  ScopeRequirement,
} from './types.js'

const KNOWN_OPTIONS = new Set([
  'resource',
  'verifier',
  'authorizationServers',
  'scopesSupported',
  'requiredScopes',
  'stepUp',
  'allowedOrigins',
  'allowedHosts',
  'resourceName',
  'resourceDocumentation',
  'maxBodyBytes',
])
const LABEL = 'createProtectedResource'
const WELL_KNOWN = '/.well-known/oauth-protected-resource'
/** What the SDK's `AuthInfo.token` holds when the author did not opt in to exposing the token. */
export const WITHHELD_TOKEN = '[withheld by mcp-warden]'

/**
 * Creates the HTTP protection of one MCP endpoint (an OAuth 2.1 protected resource), framework
 * neutral: `authenticate(request)` answers a Web `Request` with the caller's `Principal`, or with
 * the `Response` the MCP authorization spec wants instead:
 *
 * | situation | answer |
 * |---|---|
 * | `Origin` present and not allowed; `Host` not allowed (DNS rebinding) | 403 |
 * | no bearer credentials (tokens in the query string or body are ignored) | 401 `WWW-Authenticate: Bearer resource_metadata="…", scope="…"`, no error code |
 * | malformed `Authorization` header | 400 `error="invalid_request"` |
 * | token refused by the verifier | 401 `error="invalid_token"` |
 * | key set, discovery, introspection or cache store unreachable | 503 (fail closed) |
 * | token lacks `requiredScopes`, or the scopes of the tool a `tools/call` names | 403 `error="insufficient_scope", scope="…"` |
 *
 * Step-up: for a `POST` whose JSON-RPC body (a message or a batch) calls tools (`tools/call`; also
 * `prompts/get` and `resources/read` of a fixed URI), the scopes those primitives declare (a
 * middleware with `describe.scopes`, such as policy's `requireScopes`, read through
 * `getSecuredItems(stepUp.server)`, or `stepUp.scopesFor(name, kind)`) are checked before the
 * message reaches the server, and the 403 names exactly the scopes the call needs. The in-process
 * guards check again.
 *
 * `metadataResponse(request)` serves the RFC 9728 document at the path-based well-known URL
 * (`/.well-known/oauth-protected-resource/<path of resource>`) and at the root one.
 *
 * @throws TypeError at creation on unknown or invalid options, or when the verifier's audiences do
 * not include `resource` (every token would then be refused, or worse, meant for another server).
 * @see MCP authorization (2025-11-25), RFC 9728 §2–§5, RFC 6750 §3, RFC 8707
 *
 * @example
 * ```ts
 * const protectedResource = createProtectedResource({
 *   resource: 'https://mcp.example.com/mcp',
 *   authorizationServers: ['https://auth.example.com'],
 *   verifier,
 *   scopesSupported: ['tickets:read', 'tickets:write'],
 *   stepUp: { server }, // the secured McpServer: tool scopes come from its guards
 * })
 * const answer = await protectedResource.authenticate(request)
 * if (answer instanceof Response) return answer
 * ```
 */
export function createProtectedResource(options: ProtectedResourceOptions): ProtectedResource {
  if (typeof options !== 'object' || options === null) throw new TypeError(`${LABEL}: options are required`)
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(key)) throw new TypeError(`${LABEL}: unknown option "${key}"`)
  }
  const resourceUrl = parseEndpoint(options.resource)
  if (typeof resourceUrl === 'string') throw new TypeError(`${LABEL}: \`resource\` ${resourceUrl}`)
  if (resourceUrl.search !== '') throw new TypeError(`${LABEL}: \`resource\` must not have a query`)
  const resource = options.resource
  const verifier = options.verifier
  if (typeof verifier?.verify !== 'function' || !Array.isArray(verifier.audiences)) {
    throw new TypeError(`${LABEL}: \`verifier\` must come from createTokenVerifier()`)
  }
  if (!verifier.audiences.includes(resource)) {
    throw new TypeError(`${LABEL}: the verifier's \`audience\` must include \`resource\` (${resource})`)
  }
  const authorizationServers = urlList(options.authorizationServers, 'authorizationServers', true)
  const scopesSupported = scopeList(options.scopesSupported, 'scopesSupported')
  const requiredScopes = scopeList(options.requiredScopes, 'requiredScopes') ?? []
  const allowedOrigins = new Set(
    options.allowedOrigins === undefined
      ? [resourceUrl.origin]
      : urlList(options.allowedOrigins, 'allowedOrigins', false).map((origin) => new URL(origin).origin),
  )
  let allowedHosts: ReadonlySet<string> | undefined
  if (options.allowedHosts !== undefined) {
    if (!Array.isArray(options.allowedHosts) || options.allowedHosts.some((h) => typeof h !== 'string' || h === '')) {
      throw new TypeError(`${LABEL}: \`allowedHosts\` must be an array of host names`)
    }
    allowedHosts = new Set(options.allowedHosts.map((h) => h.toLowerCase()))
  }
  const loopbackHosts = new Set(['localhost', '127.0.0.1', '[::1]', resourceUrl.hostname.toLowerCase()])
  const resourceIsLoopback = isLoopbackHostname(resourceUrl.hostname)
  const maxBodyBytes = options.maxBodyBytes ?? 4 * 1024 * 1024
  if (!Number.isSafeInteger(maxBodyBytes) || maxBodyBytes <= 0) {
    throw new TypeError(`${LABEL}: \`maxBodyBytes\` must be a positive integer`)
  }
  const scopesFor = stepUpResolver(options.stepUp)
  for (const [name, value] of [
    ['resourceName', options.resourceName],
    ['resourceDocumentation', options.resourceDocumentation],
  ] as const) {
    if (value !== undefined && (typeof value !== 'string' || value.length === 0)) {
      throw new TypeError(`${LABEL}: \`${name}\` must be a non-empty string`)
    }
  }
  if (options.resourceDocumentation !== undefined && !URL.canParse(options.resourceDocumentation)) {
    throw new TypeError(`${LABEL}: \`resourceDocumentation\` must be a URL`)
  }

  const resourcePath = resourceUrl.pathname === '/' ? '' : resourceUrl.pathname.replace(/\/$/, '')
  const metadataPath = `${WELL_KNOWN}${resourcePath}`
  const metadataPaths = Object.freeze([...new Set([metadataPath, WELL_KNOWN])])
  const metadataUrl = new URL(metadataPath, resourceUrl.origin).href
  const metadata: ProtectedResourceMetadata = Object.freeze({
    resource,
    authorization_servers: Object.freeze([...authorizationServers]),
    ...(scopesSupported === undefined ? {} : { scopes_supported: scopesSupported }),
    bearer_methods_supported: Object.freeze(['header'] as const),
    ...(options.resourceName === undefined ? {} : { resource_name: options.resourceName }),
    ...(options.resourceDocumentation === undefined ? {} : { resource_documentation: options.resourceDocumentation }),
  })
  const metadataBody = JSON.stringify(metadata)
  const noCredentialsScope = requiredScopes.length > 0 ? requiredScopes : scopesSupported

  function deny(status: number, challenge: Parameters<typeof buildChallenge>[0] | undefined, body: object): HttpDenial {
    const headers: Record<string, string> = { 'content-type': 'application/json', 'cache-control': 'no-store' }
    if (challenge !== undefined)
      headers['www-authenticate'] = buildChallenge({ resourceMetadata: metadataUrl, ...challenge })
    return { status, headers, body: JSON.stringify(body) }
  }

  function denialOf(error: WardenError): HttpDenial {
    const description = error.publicMessage
    let bearerError: BearerErrorCode | undefined
    switch (error.status) {
      case 400:
        bearerError = 'invalid_request'
        break
      case 401:
        bearerError = 'invalid_token'
        break
      default:
        bearerError = undefined
    }
    if (bearerError === undefined) {
      const headers = error.status === 503 ? { 'retry-after': '5' } : {}
      const denial = deny(error.status, undefined, { error: 'temporarily_unavailable', error_description: description })
      return { ...denial, headers: { ...denial.headers, ...headers } }
    }
    return deny(
      error.status,
      { error: bearerError, errorDescription: description },
      {
        error: bearerError,
        error_description: description,
      },
    )
  }

  function hostAllowed(facts: RequestFacts): boolean {
    const checked =
      allowedHosts ?? (resourceIsLoopback || isLoopbackAddress(facts.localAddress) ? loopbackHosts : undefined)
    if (checked === undefined) return true
    const host = facts.host
    if (host === undefined || host === '') return false
    let hostname: string
    try {
      hostname = new URL(`http://${host}`).hostname.toLowerCase()
    } catch {
      return false
    }
    return checked.has(hostname) || (allowedHosts === undefined && isLoopbackHostname(hostname) && hostname !== '')
  }

  async function check(facts: RequestFacts): Promise<Principal | HttpDenial> {
    if (!hostAllowed(facts)) {
      publishSecurityEvent({ type: 'auth.host_rejected', code: AUTH_ERROR_CODES.ERR_AUTH_HOST_NOT_ALLOWED })
      return deny(403, undefined, { error: 'forbidden', error_description: 'Host not allowed' })
    }
    if (facts.origin !== undefined && !allowedOrigins.has(facts.origin)) {
      publishSecurityEvent({ type: 'auth.origin_rejected', code: AUTH_ERROR_CODES.ERR_AUTH_ORIGIN_NOT_ALLOWED })
      return deny(403, undefined, { error: 'forbidden', error_description: 'Origin not allowed' })
    }
    let principal: Principal
    try {
      const token = parseBearer(facts.authorization, 16_384)
      if (token === undefined) {
        return deny(401, noCredentialsScope === undefined ? {} : { scope: noCredentialsScope }, {
          error: 'unauthorized',
          error_description: 'Authentication required',
        })
      }
      principal = await verifier.verify(token)
    } catch (error) {
      if (WardenError.isInstance(error)) return denialOf(error)
      throw error
    }
    const granted = new Set(principal.scopes)
    const requirements: ScopeRequirement[] = requiredScopes.length > 0 ? [{ all: requiredScopes }] : []
    if (scopesFor !== undefined && facts.method === 'POST') {
      const body = await facts.body()
      if (body === TOO_LARGE)
        return deny(413, undefined, { error: 'invalid_request', error_description: 'Body too large' })
      try {
        for (const { kind, name } of targetsOf(body)) requirements.push(...scopesFor(kind, name))
      } catch (error) {
        if (WardenError.isInstance(error)) return denialOf(error)
        throw error
      }
    }
    const needed = scopesToRequest(requirements, granted)
    if (needed !== undefined) {
      publishSecurityEvent({
        type: 'auth.insufficient_scope',
        code: AUTH_ERROR_CODES.ERR_AUTH_INSUFFICIENT_SCOPE,
        principalId: principal.id,
        detail: { scope: needed },
      })
      return deny(
        403,
        { error: 'insufficient_scope', scope: needed, errorDescription: 'Insufficient scope' },
        {
          error: 'insufficient_scope',
          error_description: 'Insufficient scope',
          scope: needed.join(' '),
        },
      )
    }
    return principal
  }

  function metadataDenialOrResponse(method: string, pathname: string): HttpDenial | undefined {
    if (!metadataPaths.includes(pathname)) return undefined
    const cors = {
      'access-control-allow-origin': '*',
      'access-control-allow-methods': 'GET, HEAD, OPTIONS',
      'access-control-allow-headers': 'mcp-protocol-version',
    }
    if (method === 'OPTIONS') return { status: 204, headers: cors, body: '' }
    if (method !== 'GET' && method !== 'HEAD') {
      return { status: 405, headers: { ...cors, allow: 'GET, HEAD, OPTIONS' }, body: '' }
    }
    return {
      status: 200,
      headers: { ...cors, 'content-type': 'application/json', 'cache-control': 'public, max-age=3600' },
      body: method === 'HEAD' ? '' : metadataBody,
    }
  }

  function authInfo(principal: Principal): McpAuthInfo {
    return {
      // The raw token only when the verifier was created with `exposeToken: true`.
      token: accessTokenOf(principal) ?? WITHHELD_TOKEN,
      clientId: principal.clientId ?? '',
      scopes: [...principal.scopes],
      ...(principal.expiresAt === undefined ? {} : { expiresAt: principal.expiresAt }),
      resource: new URL(resource),
      extra: { [PRINCIPAL_AUTH_EXTRA_KEY]: principal },
    }
  }

  const api: ProtectedResource = {
    resource,
    metadataUrl,
    metadataPaths,
    metadata,
    async authenticate(request: Request, authenticateOptions: AuthenticateOptions = {}) {
      const answer = await check(factsOfRequest(request, authenticateOptions, maxBodyBytes))
      return isDenial(answer) ? toResponse(answer) : answer
    },
    metadataResponse(request: Request) {
      const answer = metadataDenialOrResponse(request.method, new URL(request.url).pathname)
      return answer === undefined ? undefined : toResponse(answer)
    },
    authInfo,
  }
  resourceInternals.set(api, { check, metadataAnswer: metadataDenialOrResponse })
  return Object.freeze(api)
}

function toResponse(denial: HttpDenial): Response {
  return new Response(denial.body === '' ? null : denial.body, { status: denial.status, headers: denial.headers })
}

function factsOfRequest(request: Request, options: AuthenticateOptions, maxBodyBytes: number): RequestFacts {
  const headers = request.headers
  return {
    method: request.method,
    host: headers.get('host') ?? new URL(request.url).host,
    origin: headers.get('origin') ?? undefined,
    authorization: headers.get('authorization') ?? undefined,
    localAddress: options.localAddress,
    body: async () => {
      if (options.parsedBody !== undefined) return options.parsedBody
      if (request.body === null || request.bodyUsed) return undefined
      // A clone: the transport reads the original.
      return readRequestJson(request.clone(), maxBodyBytes)
    },
  }
}

/** The JSON-RPC methods that invoke a primitive, and the parameter naming it. */
const INVOKING: Readonly<Record<string, readonly [PrimitiveKind, 'name' | 'uri']>> = {
  'tools/call': ['tool', 'name'],
  'prompts/get': ['prompt', 'name'],
  'resources/read': ['resource', 'uri'],
}

/** The primitives a JSON-RPC message or batch invokes: tools called, prompts got, resources read. */
function targetsOf(body: unknown): { kind: PrimitiveKind; name: string }[] {
  const targets: { kind: PrimitiveKind; name: string }[] = []
  const visit = (message: unknown): void => {
    if (typeof message !== 'object' || message === null) return
    const { method, params } = message as { method?: unknown; params?: unknown }
    const invoking = typeof method === 'string' && Object.hasOwn(INVOKING, method) ? INVOKING[method] : undefined
    if (invoking === undefined || typeof params !== 'object' || params === null) return
    const name = (params as Record<string, unknown>)[invoking[1]]
    if (typeof name === 'string') targets.push({ kind: invoking[0], name })
  }
  if (Array.isArray(body)) for (const message of body) visit(message)
  else visit(body)
  return targets
}

/**
 * The scopes to name in an `insufficient_scope` challenge, or `undefined` when `granted` meets
 * every requirement: every `all` scope, and for each `any` list the member already granted or
 * else its first member. Scopes already granted are named too, so that a client asking for
 * exactly these gets a token that still works for the rest of its calls.
 */
function scopesToRequest(
  requirements: readonly ScopeRequirement[],
  granted: ReadonlySet<string>,
): string[] | undefined {
  let unmet = false
  const scopes = new Set<string>()
  for (const requirement of requirements) {
    const judged = requirement.satisfiedBy === undefined ? undefined : requirement.satisfiedBy([...granted]) === true
    for (const scope of requirement.all ?? []) {
      scopes.add(scope)
      if (judged === undefined && !granted.has(scope)) unmet = true
    }
    const any = requirement.any
    if (any !== undefined && any.length > 0) {
      const held = any.find((scope) => granted.has(scope))
      if (judged === undefined && held === undefined) unmet = true
      scopes.add(held ?? (any[0] as string))
    }
    if (judged === false) unmet = true
  }
  return unmet ? [...scopes] : undefined
}

function stepUpResolver(
  stepUp: ProtectedResourceOptions['stepUp'],
): ((kind: PrimitiveKind, name: string) => readonly ScopeRequirement[]) | undefined {
  if (stepUp === undefined) return undefined
  if (typeof stepUp !== 'object' || stepUp === null) throw new TypeError(`${LABEL}: \`stepUp\` must be an object`)
  if (stepUp.server !== undefined && stepUp.scopesFor !== undefined) {
    throw new TypeError(`${LABEL}: \`stepUp.server\` and \`stepUp.scopesFor\` are mutually exclusive`)
  }
  if (typeof stepUp.scopesFor === 'function') {
    const scopesFor = stepUp.scopesFor
    return (kind, name) => {
      const requirement = scopesFor(name, kind)
      return requirement === undefined ? [] : [checkedRequirement(requirement, `scopesFor(${JSON.stringify(name)})`)]
    }
  }
  const server = stepUp.server
  if (typeof server !== 'object' || server === null) {
    throw new TypeError(`${LABEL}: \`stepUp\` needs \`server\` (a secured server) or \`scopesFor\``)
  }
  getSecuredItems(server) // throws TypeError now if the server was not secured
  return (kind, name) => {
    // Read at request time: primitives registered after start-up are covered too. Resources are
    // matched by fixed URI; a read through a template is left to the in-process guards.
    const item = getSecuredItems(server).find(
      (entry) => entry.kind === kind && (kind === 'resource' ? entry.uri === name : entry.name === name),
    )
    if (item === undefined) return []
    const requirements: ScopeRequirement[] = []
    for (const middleware of item.middlewares) {
      const describe = (middleware as { describe?: { scopes?: ScopeRequirement; satisfiedBy?: unknown } }).describe
      const scopes = describe?.scopes
      if (scopes === undefined) continue
      const checked = checkedRequirement(scopes, `${kind} ${JSON.stringify(name)}`)
      const satisfiedBy = describe?.satisfiedBy
      requirements.push(
        typeof satisfiedBy === 'function'
          ? { ...checked, satisfiedBy: satisfiedBy as (granted: readonly string[]) => boolean }
          : checked,
      )
    }
    return requirements
  }
}

function checkedRequirement(value: ScopeRequirement, where: string): ScopeRequirement {
  const valid = (list: unknown) => list === undefined || (Array.isArray(list) && list.every(isScopeToken))
  if (typeof value !== 'object' || value === null || !valid(value.all) || !valid(value.any)) {
    // A declaration the HTTP layer cannot read must not silently allow: refuse the call.
    throw new AuthError(AUTH_ERROR_CODES.ERR_AUTH_INSUFFICIENT_SCOPE, `Unreadable scope declaration for ${where}`, {
      expose: false,
      status: 500,
    })
  }
  return value
}

function urlList(value: unknown, name: string, required: boolean): string[] {
  if (value === undefined && !required) return []
  if (!Array.isArray(value) || (required && value.length === 0)) {
    throw new TypeError(`${LABEL}: \`${name}\` must be a${required ? ' non-empty' : 'n'} array of URLs`)
  }
  for (const entry of value) {
    if (typeof entry !== 'string' || !URL.canParse(entry))
      throw new TypeError(`${LABEL}: \`${name}\` entries must be URLs`)
  }
  return value as string[]
}

function scopeList(value: unknown, name: string): readonly string[] | undefined {
  if (value === undefined) return undefined
  if (!Array.isArray(value) || !value.every(isScopeToken)) {
    throw new TypeError(`${LABEL}: \`${name}\` must be an array of scope tokens`)
  }
  return Object.freeze([...new Set(value)])
}
