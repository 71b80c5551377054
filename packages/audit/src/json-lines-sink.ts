import { close as closeFd, fdatasync, fstat, open, openSync, write } from 'node:fs'
import type { Writable } from 'node:stream'
import { AUDIT_ERROR_CODES, AuditError } from './errors.js'
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
      /**
       * A file, opened for appending when the sink is created (created with mode 0o600 when
       * missing), so a path that cannot be opened fails at start-up. Closed with the sink.
       */
      readonly path: string
    })

const KNOWN = new Set(['stream', 'end', 'path', 'format', 'name'])

/**
 * A sink writing one JSON object per line (JSON Lines) to a stream or appending to a file.
 *
 * A write resolves only once its line reached the target: for a file, once the operating system
 * accepted every byte (partial writes are continued) and the file is still linked (a file removed
 * under the sink fails the write instead of filling an orphan); for a stream, once the stream's
 * write callback reported success. So the audit log never counts an event written that was lost:
 * a failed write rejects and the log counts it dropped. Backpressure follows from it: one line is
 * in flight at a time and the audit log queues (then drops and counts) the rest.
 *
 * A file sink reopens its path on the write after a failure (a directory recreated, a disk freed);
 * a stream that errored stays failed. `flush()` waits for the last write, syncs a file to disk
 * (`fdatasync`), and rejects when the target is failed.
 *
 * @throws TypeError at creation on unknown or ill-typed options, or both or neither of `stream`
 * and `path`.
 * @throws AuditError `ERR_AUDIT_SINK_OPEN` at creation when `path` cannot be opened for appending
 * (missing directory, no permission, a directory).
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
  const serialize = format === 'ocsf' ? (event: AuditEvent) => toOcsf(event) : (event: AuditEvent) => event
  const line = (event: AuditEvent): string => `${JSON.stringify(serialize(event))}\n`
  if ('path' in options && hasPath) {
    if (typeof options.path !== 'string' || options.path.length === 0) {
      throw new TypeError(`${where}: \`path\` must be a non-empty string`)
    }
    return fileSink(name, options.path, line)
  }
  const given = (options as { stream: unknown }).stream as Partial<Writable> | null
  if (typeof given !== 'object' || given === null || typeof given.write !== 'function') {
    throw new TypeError(`${where}: \`stream\` must be a writable stream`)
  }
  const wantEnd = (options as { end?: unknown }).end ?? false
  if (typeof wantEnd !== 'boolean') throw new TypeError(`${where}: \`end\` must be a boolean`)
  return streamSink(name, given as Writable, wantEnd, line)
}

const FILE_MODE = 0o600

function fileSink(name: string, path: string, line: (event: AuditEvent) => string): AuditSink {
  let fd: number | undefined
  try {
    fd = openSync(path, 'a', FILE_MODE)
  } catch (err) {
    throw new AuditError(
      AUDIT_ERROR_CODES.ERR_AUDIT_SINK_OPEN,
      `jsonLinesSink: cannot open ${JSON.stringify(path)} for appending (${codeOf(err)})`,
      { cause: err },
    )
  }
  let closed = false
  /** The last write (or flush): writes run one at a time, in call order, whoever calls them. */
  let tail: Promise<void> = Promise.resolve()

  const drop = (): void => {
    if (fd === undefined) return
    const stale = fd
    fd = undefined
    closeFd(stale, () => undefined)
  }
  const append = async (text: string): Promise<void> => {
    if (closed) throw new AuditError(AUDIT_ERROR_CODES.ERR_AUDIT_SINK_FAILED, 'audit file unavailable: sink closed')
    try {
      fd ??= await call<number>((cb) => open(path, 'a', FILE_MODE, cb))
      const target = fd
      const bytes = Buffer.from(text, 'utf8')
      let offset = 0
      while (offset < bytes.length) {
        const written = await call<number>((cb) => write(target, bytes, offset, bytes.length - offset, null, cb))
        if (written <= 0) throw new Error('the file accepted no bytes')
        offset += written
      }
      const stats = await call<{ nlink: number }>((cb) => fstat(target, cb))
      if (stats.nlink === 0) throw new Error('the file was removed')
    } catch (err) {
      // The next write reopens the path: a recreated directory or a freed disk resumes the trail.
      drop()
      throw AuditError.isInstance(err)
        ? err
        : new AuditError(AUDIT_ERROR_CODES.ERR_AUDIT_SINK_FAILED, `audit file write failed (${codeOf(err)})`, {
            cause: err,
          })
    }
  }
  const queued = (task: () => Promise<void>): Promise<void> => {
    const run = tail.then(task, task)
    tail = run.then(
      () => undefined,
      () => undefined,
    )
    return run
  }
  return {
    name,
    write: (event) => queued(() => append(line(event))),
    flush: () =>
      queued(async () => {
        if (closed) return
        if (fd === undefined) {
          throw new AuditError(AUDIT_ERROR_CODES.ERR_AUDIT_SINK_FAILED, 'audit file unavailable after a failed write')
        }
        const target = fd
        await call<void>((cb) => fdatasync(target, cb)).catch((err: unknown) => {
          throw new AuditError(AUDIT_ERROR_CODES.ERR_AUDIT_SINK_FAILED, `audit file sync failed (${codeOf(err)})`, {
            cause: err,
          })
        })
      }),
    close: () =>
      queued(async () => {
        if (closed) return
        closed = true
        if (fd === undefined) return
        const target = fd
        fd = undefined
        await call<void>((cb) => closeFd(target, cb))
      }),
  }
}

function streamSink(name: string, stream: Writable, end: boolean, line: (event: AuditEvent) => string): AuditSink {
  let failure: Error | undefined
  const waiting = new Set<(err: Error) => void>()
  const fail = (err: Error): void => {
    failure ??= err
    for (const reject of waiting) reject(failure)
    waiting.clear()
  }
  stream.on('error', fail)
  // A stream closed under the sink loses what it had not yet written.
  stream.on('close', () => fail(new Error('stream closed')))
  const unavailable = (): boolean => failure !== undefined || stream.destroyed || stream.writableEnded
  const unavailableError = (): AuditError =>
    new AuditError(
      AUDIT_ERROR_CODES.ERR_AUDIT_SINK_FAILED,
      `audit stream unavailable${failure === undefined ? '' : ` (${codeOf(failure)})`}`,
      { cause: failure },
    )
  /** Resolves when the stream's callback for `chunk` reports success; rejects on its error or the stream's. */
  const send = (chunk: string): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      const onFail = (err: Error): void => reject(wrap(err))
      waiting.add(onFail)
      stream.write(chunk, (err) => {
        waiting.delete(onFail)
        if (err) reject(wrap(err))
        else resolve()
      })
    })
  return {
    name,
    write(event) {
      if (unavailable()) throw unavailableError()
      return send(line(event))
    },
    async flush() {
      if (unavailable()) throw unavailableError()
      await send('')
    },
    async close() {
      if (!end || stream.writableEnded || stream.destroyed) return
      await new Promise<void>((resolve) => {
        stream.end(() => resolve())
        stream.once('error', () => resolve())
      })
    },
  }
}

function wrap(err: Error): AuditError {
  return AuditError.isInstance(err)
    ? err
    : new AuditError(AUDIT_ERROR_CODES.ERR_AUDIT_SINK_FAILED, `audit stream write failed (${codeOf(err)})`, {
        cause: err,
      })
}

/** `ENOENT`, `EACCES`, ... or the message: what an operator needs, without the stack. */
function codeOf(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code
  if (typeof code === 'string') return code
  return err instanceof Error ? err.message : String(err)
}

function call<T>(start: (callback: (err: Error | null, value: T) => void) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    start((err, value) => (err ? reject(err) : resolve(value)))
  })
}
