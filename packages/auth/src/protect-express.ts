import type { IncomingMessage, ServerResponse } from 'node:http'
import { isDenial, type RequestFacts, resourceInternals, TOO_LARGE } from './internal/http-facts.js'
import { PARSE_ERROR_BODY, readNodeJson, TOO_LARGE_BODY } from './internal/node-body.js'
import { send } from './protect-node-handler.js'
import type { McpAuthInfo, ProtectedResource } from './types.js'

/** The parts of an Express 5 request the middleware uses (an `IncomingMessage` with `body`). */
export type ExpressRequestLike = IncomingMessage & { body?: unknown; originalUrl?: string; auth?: McpAuthInfo }

/** An Express 5 middleware, structurally (no runtime dependency on Express). */
export type ExpressMiddlewareLike = (
  req: ExpressRequestLike,
  res: ServerResponse,
  next: (error?: unknown) => void,
) => void

/** Options of `protectExpress`. */
export interface ProtectExpressOptions {
  /** Largest body read for step-up when no body parser ran before, in bytes. Default 4194304. */
  readonly maxBodyBytes?: number
}

/**
 * Express 5 middleware for `resource`'s protection. Mount it before the MCP route
 * (`app.use(protectExpress(protectedResource))`): it serves the RFC 9728 metadata at the
 * well-known paths, answers denials with their challenges, and sets `req.auth` (which the SDK's
 * Streamable HTTP transport passes on as `authInfo`) for the rest. It uses `req.body` when a body
 * parser ran before it, and otherwise reads the JSON body of a `POST` itself (after the token
 * check) and leaves it in `req.body`: pass it on, `transport.handleRequest(req, res, req.body)`.
 *
 * @example
 * ```ts
 * const app = express()
 * app.use(express.json(), protectExpress(protectedResource))
 * app.post('/mcp', (req, res) => transport.handleRequest(req, res, req.body))
 * ```
 */
export function protectExpress(
  resource: ProtectedResource,
  options: ProtectExpressOptions = {},
): ExpressMiddlewareLike {
  const internals = resourceInternals.get(resource)
  if (internals === undefined) throw new TypeError('protectExpress: expected a createProtectedResource() result')
  const maxBodyBytes = options.maxBodyBytes ?? 4 * 1024 * 1024
  if (!Number.isSafeInteger(maxBodyBytes) || maxBodyBytes <= 0) {
    throw new TypeError('protectExpress: `maxBodyBytes` must be a positive integer')
  }
  return function protectExpressMiddleware(req, res, next) {
    const run = async (): Promise<void> => {
      const method = req.method ?? 'GET'
      const pathname = new URL(req.originalUrl ?? req.url ?? '/', 'http://localhost').pathname
      const metadata = internals.metadataAnswer(method, pathname)
      if (metadata !== undefined) return send(res, metadata)
      let readHere = false
      const facts: RequestFacts = {
        method,
        host: req.headers.host,
        origin: req.headers.origin,
        authorization: req.headers.authorization,
        localAddress: req.socket.localAddress,
        body: async () => {
          if (req.body !== undefined || readHere) return req.body
          readHere = true
          const parsed = await readNodeJson(req, maxBodyBytes)
          if (parsed !== TOO_LARGE) req.body = parsed
          return parsed
        },
      }
      const answer = await internals.check(facts)
      if (isDenial(answer)) return send(res, answer)
      // Without a body parser before it, parse the body here: the transport gets it as `req.body`.
      if (method === 'POST' && (await facts.body()) === TOO_LARGE) {
        return send(res, { status: 413, headers: { 'content-type': 'application/json' }, body: TOO_LARGE_BODY })
      }
      if (readHere && req.body === undefined) {
        return send(res, { status: 400, headers: { 'content-type': 'application/json' }, body: PARSE_ERROR_BODY })
      }
      req.auth = resource.authInfo(answer)
      next()
    }
    run().catch(next)
  }
}
