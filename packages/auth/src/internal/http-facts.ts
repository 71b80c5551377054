import type { Principal } from '@mcp-warden/core'

/** What the HTTP check needs from a request, whatever the framework. */
export interface RequestFacts {
  readonly method: string
  /** The `Host` header (or the authority of an HTTP/2 request). */
  readonly host: string | undefined
  readonly origin: string | undefined
  readonly authorization: string | readonly string[] | undefined
  /** Local address of the socket, when known: a loopback-bound server checks `Host`. */
  readonly localAddress: string | undefined
  /** The parsed JSON body, `undefined` when absent or not JSON, `TOO_LARGE` over the bound. Read only when needed. */
  body(): Promise<unknown>
}

/** An answer other than "go on": status, headers and body. */
export interface HttpDenial {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
}

/** Marker returned by `RequestFacts.body()` when the body exceeds the bound. */
export const TOO_LARGE: unique symbol = Symbol('mcp-warden.body-too-large')

/** The framework-neutral operations adapters use, kept off the public object. */
export interface ResourceInternals {
  check(facts: RequestFacts): Promise<Principal | HttpDenial>
  metadataAnswer(method: string, pathname: string): HttpDenial | undefined
}

export const resourceInternals = new WeakMap<object, ResourceInternals>()

/** Whether a check answered with a denial rather than a principal. */
export function isDenial(value: Principal | HttpDenial): value is HttpDenial {
  return typeof (value as HttpDenial).status === 'number' && typeof (value as HttpDenial).body === 'string'
}

/** Parses a body as JSON, or `undefined` when it is not JSON (the transport answers that itself). */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

/**
 * Reads a Web request body as JSON, at most `maxBytes` (streamed, so a chunked body without a
 * length cannot make it buffer more). Resolves `TOO_LARGE` past the bound, `undefined` when not JSON.
 */
export async function readRequestJson(request: Request, maxBytes: number): Promise<unknown> {
  const declared = Number(request.headers.get('content-length') ?? 0)
  if (declared > maxBytes) return TOO_LARGE
  const body = request.body
  if (body === null) return undefined
  const reader = body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > maxBytes) {
      // Not awaited: cancelling one branch of a cloned (tee'd) body settles only when the other
      // branch is cancelled too, which happens when the 413 is sent and the request dropped.
      reader.cancel().catch(() => undefined)
      return TOO_LARGE
    }
    chunks.push(value)
  }
  return parseJson(Buffer.concat(chunks).toString('utf8'))
}
