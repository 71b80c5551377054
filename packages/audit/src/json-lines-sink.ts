import { createWriteStream } from 'node:fs'
import type { Writable } from 'node:stream'
import { toOcsf } from './to-ocsf.js'
import type { AuditEvent, AuditSink } from './types.js'

/** Options shared by both forms of {@link jsonLinesSink}. */
interface JsonLinesCommon {
  /**
   * `'native'` writes {@link AuditEvent}s (the form {@link verifyAuditFile} checks); `'ocsf'` writes
   * their OCSF API Activity form ({@link toOcsf}). Default `'native'`.
   */
  readonly format?: 'native' | 'ocsf'
  /** Name in statistics and drop reports. Default `'json-lines'`. */
  readonly name?: string
}

/** Options of {@link jsonLinesSink}: a stream you own, or a file it appends to. */
export type JsonLinesSinkOptions =
  | (JsonLinesCommon & {
      /** A writable stream (`process.stdout`, a socket, ...). Not ended on close unless `end` is set. */
      readonly stream: Writable
      /** Ends the stream when the sink closes. Default `false`. */
      readonly end?: boolean
    })
  | (JsonLinesCommon & {
      /** A file, opened for appending (created with mode 0o600 when missing). Closed with the sink. */
      readonly path: string
    })

const KNOWN = new Set(['stream', 'end', 'path', 'format', 'name'])

/**
 * A sink writing one JSON object per line (JSON Lines) to a stream or appending to a file. Honours
 * backpressure: when the stream's buffer is full the write waits for `drain` (and the audit log
 * queues, then drops and counts, further events). Stream errors are caught and fail the writes
 * (counted as dropped), never the process.
 *
 * @throws TypeError at creation on unknown or ill-typed options, or both or neither of `stream`
 * and `path`.
 * @see https://jsonlines.org/
 * @example
 * ```ts
 * const audit = createAuditLog({ sinks: [jsonLinesSink({ path: '/var/log/mcp/audit.jsonl' })], hashChain: true })
 * ```
 */
export function jsonLinesSink(options: JsonLinesSinkOptions): AuditSink {
  const where = 'jsonLinesSink'
  if (typeof options !== 'object' || options === null) throw new TypeError(`${where}: options must be an object`)
  for (const key of Object.keys(options)) {
    if (!KNOWN.has(key)) throw new TypeError(`${where}: unknown option "${key}"`)
  }
  const { format = 'native', name = 'json-lines' } = options
  if (format !== 'native' && format !== 'ocsf') throw new TypeError(`${where}: \`format\` must be 'native' or 'ocsf'`)
  if (typeof name !== 'string' || name.length === 0)
    throw new TypeError(`${where}: \`name\` must be a non-empty string`)
  const hasStream = 'stream' in options && options.stream !== undefined
  const hasPath = 'path' in options && options.path !== undefined
  if (hasStream === hasPath) throw new TypeError(`${where}: give exactly one of \`stream\` and \`path\``)
  let stream: Writable
  let end: boolean
  if ('path' in options && hasPath) {
    if (typeof options.path !== 'string' || options.path.length === 0) {
      throw new TypeError(`${where}: \`path\` must be a non-empty string`)
    }
    stream = createWriteStream(options.path, { flags: 'a', mode: 0o600 })
    end = true
  } else {
    const given = (options as { stream: unknown }).stream as Partial<Writable> | null
    if (typeof given !== 'object' || given === null || typeof given.write !== 'function') {
      throw new TypeError(`${where}: \`stream\` must be a writable stream`)
    }
    stream = given as Writable
    const wantEnd = (options as { end?: unknown }).end ?? false
    if (typeof wantEnd !== 'boolean') throw new TypeError(`${where}: \`end\` must be a boolean`)
    end = wantEnd
  }
  let failure: Error | undefined
  const onError = (err: Error): void => {
    failure = err
  }
  stream.on('error', onError)
  const serialize = format === 'ocsf' ? (event: AuditEvent) => toOcsf(event) : (event: AuditEvent) => event

  const waitWritten = (): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      if (failure !== undefined || stream.destroyed) {
        reject(failure ?? new Error('stream destroyed'))
        return
      }
      stream.write('', (err) => (err ? reject(err) : resolve()))
    })

  return {
    name,
    write(event) {
      if (failure !== undefined || stream.destroyed || stream.writableEnded) {
        throw new Error('audit stream unavailable')
      }
      const ok = stream.write(`${JSON.stringify(serialize(event))}\n`)
      if (ok) return undefined
      return new Promise<void>((resolve, reject) => {
        const cleanup = () => {
          stream.off('drain', onDrain)
          stream.off('error', onFail)
          stream.off('close', onFail)
        }
        const onDrain = () => {
          cleanup()
          resolve()
        }
        const onFail = () => {
          cleanup()
          reject(failure ?? new Error('stream closed'))
        }
        stream.on('drain', onDrain)
        stream.on('error', onFail)
        stream.on('close', onFail)
      })
    },
    flush: waitWritten,
    async close() {
      if (!end || stream.writableEnded || stream.destroyed) return
      await new Promise<void>((resolve) => {
        stream.end(() => resolve())
        stream.once('error', () => resolve())
      })
    },
  }
}
