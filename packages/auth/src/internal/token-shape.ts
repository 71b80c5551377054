/** The characters of an unpadded base64url segment (RFC 7515 §2, RFC 4648 §5). */
const BASE64URL = /^[A-Za-z0-9_-]+$/

/**
 * Whether `segment` is canonical unpadded base64url: only the alphabet, a length that encodes whole
 * bytes, and zero padding bits (so that exactly one string encodes given bytes). Lenient decoders
 * accept spaces, stray characters and non-zero padding bits; a signature must cover one encoding.
 */
export function isCanonicalBase64url(segment: string): boolean {
  if (segment.length % 4 === 1 || !BASE64URL.test(segment)) return false
  return Buffer.from(segment, 'base64url').toString('base64url') === segment
}

/**
 * Whether `token` is a compact JWS (`header.payload.signature`), each segment canonical base64url,
 * header and signature non-empty (an empty payload is a valid JWS; JWT verification refuses it). Used to route a token to JWT verification and to refuse encodings
 * that lenient decoders would accept.
 */
export function isCompactJws(token: string): boolean {
  const first = token.indexOf('.')
  if (first <= 0) return false
  const second = token.indexOf('.', first + 1)
  if (second === -1 || second === token.length - 1) return false
  if (token.indexOf('.', second + 1) !== -1) return false
  return (
    isCanonicalBase64url(token.slice(0, first)) &&
    (second === first + 1 || isCanonicalBase64url(token.slice(first + 1, second))) &&
    isCanonicalBase64url(token.slice(second + 1))
  )
}

/** Whether `token` is at least shaped like a compact JWS (two dots): such tokens never go to introspection. */
export function looksLikeJws(token: string): boolean {
  const first = token.indexOf('.')
  return first !== -1 && token.indexOf('.', first + 1) !== -1
}

/** Decodes the protected header of a compact JWS already checked by `isCompactJws`. */
export function decodeHeader(token: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(token.slice(0, token.indexOf('.')), 'base64url').toString('utf8'))
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined
  } catch {
    return undefined
  }
}
