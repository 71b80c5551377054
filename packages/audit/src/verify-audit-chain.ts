import { createReadStream } from 'node:fs'
import { createInterface } from 'node:readline'
import { chainHash, GENESIS } from './internal/chain.js'

/** Options of {@link verifyAuditChain} and {@link verifyAuditFile}. */
export interface VerifyAuditChainOptions {
  /** The HMAC key the log was written with (`hashChain: { key }`). Default: none (plain SHA-256). */
  readonly key?: string | Uint8Array
  /** Longest accepted line, in UTF-16 code units; a longer one is reported as broken. Default 1 MiB. */
  readonly maxLineLength?: number
}

/**
 * Result of a verification: every event chained (`ok: true`), or the first broken link, by its
 * 1-based line number and a reason. `segments` counts chains started afresh (`seq` 0, `prev` 64
 * zeros), one per process that wrote to the file.
 */
export type AuditChainVerification =
  | { readonly ok: true; readonly events: number; readonly segments: number }
  | { readonly ok: false; readonly events: number; readonly line: number; readonly reason: string }

const HEX64 = /^[\da-f]{64}$/

/**
 * Checks the hash chain of audit events written with `hashChain` (native JSON Lines format):
 * each event's `hash` must match its content and the previous event's `hash` (its `prev`), and
 * `seq` must increase by one. Reports the first line that was edited, removed, inserted or
 * reordered. Blank lines are ignored.
 *
 * @throws TypeError on bad options.
 * @example
 * ```ts
 * const result = verifyAuditChain(readFileSync('audit.jsonl', 'utf8'))
 * if (!result.ok) console.error(`broken at line ${result.line}: ${result.reason}`)
 * ```
 */
export function verifyAuditChain(
  input: string | Iterable<string>,
  options: VerifyAuditChainOptions = {},
): AuditChainVerification {
  const verifier = createVerifier(options)
  const lines = typeof input === 'string' ? input.split('\n') : input
  for (const line of lines) {
    const failure = verifier.push(line)
    if (failure !== undefined) return failure
  }
  return verifier.result()
}

/**
 * {@link verifyAuditChain} over a file, read as a stream line by line, so large files are not loaded whole.
 *
 * @throws TypeError on bad options; the read error when the file cannot be read.
 */
export async function verifyAuditFile(
  path: string,
  options: VerifyAuditChainOptions = {},
): Promise<AuditChainVerification> {
  const verifier = createVerifier(options)
  const stream = createReadStream(path, { encoding: 'utf8' })
  const lines = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY })
  try {
    for await (const line of lines) {
      const failure = verifier.push(line)
      if (failure !== undefined) return failure
    }
  } finally {
    lines.close()
    stream.destroy()
  }
  return verifier.result()
}

function createVerifier(options: VerifyAuditChainOptions) {
  if (typeof options !== 'object' || options === null)
    throw new TypeError('verifyAuditChain: options must be an object')
  for (const name of Object.keys(options)) {
    if (name !== 'key' && name !== 'maxLineLength') throw new TypeError(`verifyAuditChain: unknown option "${name}"`)
  }
  const { key, maxLineLength = 1024 * 1024 } = options
  if (key !== undefined && !((typeof key === 'string' || key instanceof Uint8Array) && key.length > 0)) {
    throw new TypeError('verifyAuditChain: `key` must be a non-empty string or Uint8Array')
  }
  if (!Number.isSafeInteger(maxLineLength) || maxLineLength < 1) {
    throw new TypeError('verifyAuditChain: `maxLineLength` must be a positive integer')
  }
  let lineNo = 0
  let events = 0
  let segments = 0
  let prevHash: string | undefined
  let prevSeq = -1
  const fail = (reason: string): AuditChainVerification => ({ ok: false, events, line: lineNo, reason })
  return {
    push(raw: string): AuditChainVerification | undefined {
      lineNo += 1
      const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw
      if (line.trim() === '') return undefined
      if (line.length > maxLineLength) return fail('line too long')
      let event: unknown
      try {
        event = JSON.parse(line)
      } catch {
        return fail('not JSON')
      }
      if (typeof event !== 'object' || event === null || Array.isArray(event)) return fail('not a JSON object')
      const record = event as Record<string, unknown>
      const { seq, prev, hash } = record
      if (!Number.isSafeInteger(seq) || typeof prev !== 'string' || typeof hash !== 'string' || !HEX64.test(hash)) {
        return fail('missing or malformed chain fields (seq, prev, hash)')
      }
      let computed: string
      try {
        computed = chainHash(record, key)
      } catch {
        return fail('event cannot be canonicalized')
      }
      if (computed !== hash) return fail('hash mismatch: the event was modified (or the key is wrong)')
      const genesis = seq === 0 && prev === GENESIS
      if (genesis) {
        segments += 1
      } else if (prevHash === undefined) {
        return fail('the chain does not start at its first event: earlier events are missing')
      } else if (seq !== prevSeq + 1) {
        return fail(
          `sequence gap: expected seq ${prevSeq + 1}, found ${String(seq)} (events removed or reordered, or dropped by the sink)`,
        )
      } else if (prev !== prevHash) {
        return fail('broken link: prev does not match the previous event (events replaced or inserted)')
      }
      prevHash = hash
      prevSeq = seq as number
      events += 1
      return undefined
    },
    result(): AuditChainVerification {
      return { ok: true, events, segments }
    },
  }
}
