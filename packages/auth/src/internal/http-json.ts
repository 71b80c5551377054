/** Limits of one outgoing JSON request. */
export interface HttpJsonLimits {
  /** Abort after this many milliseconds. */
  readonly timeoutMs: number
  /** Refuse bodies longer than this many bytes. */
  readonly maxBytes: number
}

/** Why an outgoing JSON request failed; the message names no secret. */
export class HttpJsonError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'HttpJsonError'
  }
}

/**
 * Fetches `url` and parses a JSON object from a 200 answer, within a time and size bound.
 * Redirects are refused: metadata, key sets and introspection answers must come from the URL
 * configured or discovered, not from wherever it points.
 *
 * @throws HttpJsonError on network failure, timeout, non-200 status, oversized or non-JSON body,
 * or a JSON value that is not an object.
 */
export async function fetchJsonObject(
  url: URL,
  init: RequestInit,
  limits: HttpJsonLimits,
): Promise<Record<string, unknown>> {
  let response: Response
  try {
    response = await fetch(url, {
      ...init,
      redirect: 'manual',
      signal: AbortSignal.timeout(limits.timeoutMs),
      headers: { accept: 'application/json', ...(init.headers as Record<string, string> | undefined) },
    })
  } catch (cause) {
    throw new HttpJsonError(`request to ${url.origin}${url.pathname} failed`, { cause })
  }
  try {
    if (response.status !== 200) {
      throw new HttpJsonError(`${url.origin}${url.pathname} answered HTTP ${response.status}`)
    }
    const declared = Number(response.headers.get('content-length') ?? Number.NaN)
    if (declared > limits.maxBytes) throw new HttpJsonError(`${url.origin}${url.pathname}: body too large`)
    const text = await readBounded(response, limits.maxBytes)
    let parsed: unknown
    try {
      parsed = JSON.parse(text)
    } catch (cause) {
      throw new HttpJsonError(`${url.origin}${url.pathname}: body is not JSON`, { cause })
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new HttpJsonError(`${url.origin}${url.pathname}: body is not a JSON object`)
    }
    return parsed as Record<string, unknown>
  } finally {
    // Release the connection whatever happened to the body.
    if (!response.bodyUsed) await response.body?.cancel().catch(() => undefined)
  }
}

async function readBounded(response: Response, maxBytes: number): Promise<string> {
  const body = response.body
  if (body === null) return ''
  const reader = body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      size += value.byteLength
      if (size > maxBytes) throw new HttpJsonError('body too large')
      chunks.push(value)
    }
  } catch (cause) {
    await reader.cancel().catch(() => undefined)
    if (cause instanceof HttpJsonError) throw cause
    throw new HttpJsonError('body could not be read', { cause })
  }
  return Buffer.concat(chunks).toString('utf8')
}
