/** Host names that always resolve to the local machine. */
const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]', '::1'])

/** Whether `hostname` (as `URL.hostname` gives it) is a loopback name or address. */
export function isLoopbackHostname(hostname: string): boolean {
  const host = hostname.toLowerCase()
  if (LOOPBACK_NAMES.has(host) || host.endsWith('.localhost')) return true
  // 127.0.0.0/8 in dotted form; URL normalizes other IPv4 spellings to this.
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)
}

/** Whether a socket address (`req.socket.localAddress`) is loopback. */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (address === undefined) return false
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.')
}

/**
 * Parses an endpoint URL from configuration or metadata: `https:`, or `http:` on a loopback host
 * (local development and tests). No credentials, no fragment.
 *
 * @returns the URL, or an explanation of why it was refused.
 */
export function parseEndpoint(value: unknown): URL | string {
  if (typeof value !== 'string' || value.length === 0) return 'must be a non-empty string'
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return 'must be an absolute URL'
  }
  if (url.username !== '' || url.password !== '') return 'must not carry credentials'
  if (url.hash !== '') return 'must not have a fragment'
  if (url.protocol === 'https:') return url
  if (url.protocol === 'http:' && isLoopbackHostname(url.hostname)) return url
  return 'must use https (http is accepted on loopback hosts only)'
}
