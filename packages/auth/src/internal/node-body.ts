import type { IncomingMessage } from 'node:http'
import { parseJson, TOO_LARGE } from './http-facts.js'

/**
 * Reads and parses a JSON body from a Node request, at most `maxBytes`. Resolves `TOO_LARGE` past
 * the bound (the rest of the stream is discarded), or `undefined` when the body is not JSON.
 */
export async function readNodeJson(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  const declared = Number(req.headers['content-length'] ?? 0)
  if (declared > maxBytes) {
    req.resume()
    return TOO_LARGE
  }
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    const buffer = chunk as Buffer
    size += buffer.length
    if (size > maxBytes) {
      req.resume()
      return TOO_LARGE
    }
    chunks.push(buffer)
  }
  return parseJson(Buffer.concat(chunks).toString('utf8'))
}

/** The JSON-RPC parse error the SDK's transport would send for a body that is not JSON. */
export const PARSE_ERROR_BODY = JSON.stringify({
  jsonrpc: '2.0',
  error: { code: -32700, message: 'Parse error' },
  id: null,
})

/** The answer to a body over the bound. */
export const TOO_LARGE_BODY = JSON.stringify({ error: 'invalid_request', error_description: 'Body too large' })
