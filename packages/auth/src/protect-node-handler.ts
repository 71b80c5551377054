import type { IncomingMessage, ServerResponse } from 'node:http'
import { type HttpDenial, isDenial, type RequestFacts, resourceInternals, TOO_LARGE } from './internal/http-facts.js'
import { PARSE_ERROR_BODY, readNodeJson, TOO_LARGE_BODY } from './internal/node-body.js'
import type { McpAuthInfo, ProtectedResource } from './types.js'

/** A Node request after `protectNodeHandler` let it through: `auth` is what the SDK transport reads. */
export type AuthenticatedIncomingMessage = IncomingMessage & { auth?: McpAuthInfo }

/**
 * The handler behind the protection. `body` is the parsed JSON body of a `POST` (read once, at
 * most `maxBodyBytes`), else `undefined`: pass it on as the transport's `parsedBody`.
 */
export type ProtectedNodeHandler = (
  req: AuthenticatedIncomingMessage,
  res: ServerResponse,
  body: unknown,
) => void | Promise<void>

/** Options of `protectNodeHandler`. */
export interface ProtectNodeHandlerOptions {
  /** Largest `POST` body read, in bytes; larger bodies get 413. Default 4194304 (4 MiB). */
  readonly maxBodyBytes?: number
}

/**
 * Puts `resource`'s protection in front of a `node:http` handler: serves the RFC 9728 metadata at
 * its well-known paths, answers denials (400/401/403/413/503 with their challenges), and otherwise
 * sets `req.auth` (the SDK's `AuthInfo`, carrying the principal in
 * `extra["mcp-warden/principal"]`, where `secure()` finds it as `ctx.principal`) and calls
 * `handler` with the parsed JSON body of a `POST` (a body that is not JSON gets the JSON-RPC
 * parse error, 400). The real token is not in `req.auth.token` unless the verifier exposes it.
 *
 * @example
 * ```ts
 * const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: () => randomUUID() })
 * await server.connect(transport)
 * http.createServer(protectNodeHandler(protectedResource, (req, res, body) => transport.handleRequest(req, res, body)))
 *   .listen(3000, '127.0.0.1')
 * ```
 */
export function protectNodeHandler(
  resource: ProtectedResource,
  handler: ProtectedNodeHandler,
  options: ProtectNodeHandlerOptions = {},
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const internals = resourceInternals.get(resource)
  if (internals === undefined) throw new TypeError('protectNodeHandler: expected a createProtectedResource() result')
  if (typeof handler !== 'function') throw new TypeError('protectNodeHandler: handler must be a function')
  const maxBodyBytes = options.maxBodyBytes ?? 4 * 1024 * 1024
  if (!Number.isSafeInteger(maxBodyBytes) || maxBodyBytes <= 0) {
    throw new TypeError('protectNodeHandler: `maxBodyBytes` must be a positive integer')
  }

  return async function protectedNodeHandler(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const method = req.method ?? 'GET'
      const url = req.url ?? '/'
      const query = url.indexOf('?')
      const metadata = internals.metadataAnswer(method, query === -1 ? url : url.slice(0, query))
      if (metadata !== undefined) return send(res, metadata)
      let body: unknown
      let read = false
      const facts: RequestFacts = {
        method,
        host: req.headers.host,
        origin: req.headers.origin,
        authorization: req.headers.authorization,
        localAddress: req.socket.localAddress,
        body: async () => {
          if (!read) {
            read = true
            body = await readNodeJson(req, maxBodyBytes)
          }
          return body
        },
      }
      const answer = await internals.check(facts)
      if (isDenial(answer)) return send(res, answer)
      // Hand the transport a parsed body: it then skips its own (slower) stream conversion.
      if (method === 'POST') body = await facts.body()
      if (body === TOO_LARGE) {
        return send(res, { status: 413, headers: { 'content-type': 'application/json' }, body: TOO_LARGE_BODY })
      }
      if (read && body === undefined) {
        // The stream is consumed and was not JSON: answer as the transport would.
        return send(res, { status: 400, headers: { 'content-type': 'application/json' }, body: PARSE_ERROR_BODY })
      }
      ;(req as AuthenticatedIncomingMessage).auth = resource.authInfo(answer)
      await handler(req as AuthenticatedIncomingMessage, res, body)
    } catch (error) {
      if (!res.headersSent) {
        send(res, { status: 500, headers: { 'content-type': 'application/json' }, body: '{"error":"server_error"}' })
      } else {
        res.destroy(error instanceof Error ? error : undefined)
      }
    }
  }
}

/** Writes a denial or metadata answer. */
export function send(res: ServerResponse, answer: HttpDenial): void {
  res.writeHead(answer.status, answer.headers)
  res.end(answer.body)
}
