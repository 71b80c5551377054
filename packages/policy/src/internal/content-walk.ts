import {
  type ContentCategory,
  type ContentMode,
  createSanitizer,
  type Detector,
  type Finding,
  type GuardContext,
  publishSecurityEvent,
  type SanitizeOptions,
  type SanitizeResult,
} from '@mcp-warden/core'
import { CONTENT_ERROR_CODES, ContentError } from '../content-error.js'

export const CONTENT_GUARD_KEYS = [
  'modes',
  'categories',
  'thresholds',
  'detectors',
  'asyncDetectors',
  'maxDepth',
  'maxStrings',
  'maxEvents',
  'maxFindings',
] as const

const isPositiveInt = (v: unknown): boolean => typeof v === 'number' && Number.isInteger(v) && v > 0

/** Validates options at creation; returns the engine options and limits. */
export function resolveContentOptions(
  where: string,
  options: unknown,
  extraKeys: readonly string[],
  defaultModes: Readonly<Record<ContentCategory, ContentMode>>,
): ResolvedContent {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new TypeError(`${where}: options must be an object`)
  }
  const opts = options as Record<string, unknown>
  for (const key of Object.keys(opts)) {
    if (!(CONTENT_GUARD_KEYS as readonly string[]).includes(key) && !extraKeys.includes(key)) {
      throw new TypeError(`${where}: unknown option "${key}"`)
    }
  }
  for (const key of ['maxDepth', 'maxStrings', 'maxEvents'] as const) {
    if (opts[key] !== undefined && !isPositiveInt(opts[key]))
      throw new TypeError(`${where}: \`${key}\` must be a positive integer`)
  }
  const asyncDetectors = opts.asyncDetectors ?? []
  if (!Array.isArray(asyncDetectors) || asyncDetectors.some((d) => typeof d !== 'function')) {
    throw new TypeError(`${where}: \`asyncDetectors\` must be an array of functions`)
  }
  const engine: SanitizeOptions = {
    modes: { ...defaultModes, ...((opts.modes as object | undefined) ?? {}) },
    ...(opts.categories === undefined ? {} : { categories: opts.categories as SanitizeOptions['categories'] & object }),
    ...(opts.thresholds === undefined ? {} : { thresholds: opts.thresholds as SanitizeOptions['thresholds'] & object }),
    ...(opts.detectors === undefined ? {} : { detectors: opts.detectors as readonly Detector[] }),
    ...(opts.maxFindings === undefined ? {} : { maxFindings: opts.maxFindings as number }),
  }
  // The engine options are validated once, now, so a mistake is a start-up TypeError.
  let sanitize: (text: string) => SanitizeResult
  try {
    sanitize = createSanitizer(engine)
  } catch (err) {
    throw new TypeError(`${where}: ${(err as Error).message.replace(/^createSanitizer: /, '')}`)
  }
  return {
    sanitize,
    modes: engine.modes as Readonly<Record<ContentCategory, ContentMode>>,
    thresholds: (opts.thresholds ?? {}) as Readonly<Partial<Record<ContentCategory, number>>>,
    asyncDetectors: asyncDetectors as ResolvedContent['asyncDetectors'],
    maxDepth: (opts.maxDepth as number | undefined) ?? 32,
    maxStrings: (opts.maxStrings as number | undefined) ?? 10_000,
    maxEvents: (opts.maxEvents as number | undefined) ?? 20,
  }
}

export interface ResolvedContent {
  /** The core sanitizer engine, its options validated once. */
  readonly sanitize: (text: string) => SanitizeResult
  readonly modes: Readonly<Record<ContentCategory, ContentMode>>
  readonly thresholds: Readonly<Partial<Record<ContentCategory, number>>>
  readonly asyncDetectors: readonly ((text: string) => Promise<readonly Finding[]>)[]
  readonly maxDepth: number
  readonly maxStrings: number
  readonly maxEvents: number
}

/** A finding located in a JSON value: `path` is a JSON Pointer (RFC 6901) to the string. */
export interface LocatedFinding extends Finding {
  readonly path: string
  /** `true` when the finding is in an object key rather than a value. */
  readonly inKey: boolean
}

/**
 * Per-call scanning state: counts strings, collects findings. The walk is synchronous (the engine
 * is); strings are remembered for the asynchronous detectors, which `detectLater` runs once the
 * walk is done, in the order the strings were met.
 */
export class ContentScan {
  readonly findings: LocatedFinding[] = []
  readonly refused: LocatedFinding[] = []
  private strings = 0
  /** Findings the engine counted but did not return (`SanitizeResult.omitted`). */
  private omitted = 0
  /** Strings for the asynchronous detectors (only when there are any). */
  private readonly pending: { readonly value: string; readonly path: string; readonly inKey: boolean }[] = []
  constructor(
    private readonly resolved: ResolvedContent,
    private readonly direction: 'input' | 'output',
  ) {}

  /** Whether `detectLater` has work: asynchronous detectors and at least one string. */
  get hasPending(): boolean {
    return this.pending.length > 0
  }

  /** Sanitizes one string at `path`; returns the (possibly) cleaned string. */
  text(value: string, path: string, inKey = false): string {
    if (++this.strings > this.resolved.maxStrings)
      throw this.tooComplex(`more than ${this.resolved.maxStrings} strings`)
    const async = this.resolved.asyncDetectors.length > 0
    const result = this.resolved.sanitize(value)
    this.omitted += result.omitted
    for (const f of result.findings) this.findings.push({ ...f, path, inKey })
    for (const f of result.refused) this.refused.push({ ...f, path, inKey })
    if (async) this.pending.push({ value, path, inKey })
    return result.text
  }

  /** Runs the asynchronous detectors over every string the walk met (the original text). */
  async detectLater(): Promise<void> {
    for (const { value, path, inKey } of this.pending) {
      for (const detect of this.resolved.asyncDetectors) {
        for (const f of await detect(value)) {
          if (typeof f !== 'object' || f === null || typeof f.score !== 'number') continue
          if (f.score < (this.resolved.thresholds[f.category] ?? 0.5)) continue
          const located = { ...f, path, inKey }
          this.findings.push(located)
          if (this.resolved.modes[f.category] === 'refuse') this.refused.push(located)
        }
      }
    }
  }

  /** Walks a JSON value, sanitizing every string (and key, when `keys`); returns the cleaned copy. */
  value(value: unknown, path: string, depth: number, keys: boolean): unknown {
    if (typeof value === 'string') return this.text(value, path)
    if (typeof value !== 'object' || value === null) return value
    if (depth >= this.resolved.maxDepth) throw this.tooComplex(`nested deeper than ${this.resolved.maxDepth}`)
    // Scan what the transport serializes: a value with `toJSON` (URL, Date, ...) as what it
    // returns, a boxed string as its string. The original is kept when that needs no change.
    const toJSON = (value as { toJSON?: unknown }).toJSON
    if (typeof toJSON === 'function') {
      const serialized: unknown = toJSON.call(value, '')
      const cleaned = this.value(serialized, path, depth + 1, keys)
      return cleaned === serialized ? value : cleaned
    }
    if (value instanceof String) {
      const text = String(value)
      const cleaned = this.text(text, path)
      return cleaned === text ? value : cleaned
    }
    if (Array.isArray(value)) {
      let changed = false
      const out: unknown[] = []
      for (let i = 0; i < value.length; i++) {
        const item = this.value(value[i], `${path}/${i}`, depth + 1, keys)
        if (item !== value[i]) changed = true
        out.push(item)
      }
      return changed ? out : value
    }
    let changed = false
    const out: Record<string, unknown> = {}
    for (const [key, item] of Object.entries(value)) {
      const pointer = `${path}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`
      const cleanKey = keys ? this.text(key, pointer, true) : key
      if (Object.hasOwn(out, cleanKey)) {
        throw new ContentError(this.refusedCode(), 'Two keys become identical once sanitized', {
          details: { path: this.safePointer(pointer), reason: 'key-collision' },
        })
      }
      const cleanItem = this.value(item, pointer, depth + 1, keys)
      if (cleanKey !== key || cleanItem !== item) changed = true
      out[cleanKey] = cleanItem
    }
    return changed ? out : value
  }

  /**
   * Runs the asynchronous detectors when there is work for them, then `settle`; returns `value`.
   * Synchronous (no promise) when there is none.
   */
  finish<T>(ctx: GuardContext, value: T): T | Promise<T> {
    if (!this.hasPending) {
      this.settle(ctx)
      return value
    }
    return this.detectLater().then(() => {
      this.settle(ctx)
      return value
    })
  }

  /** Publishes findings as `content.<category>` security events and throws on refused content. */
  settle(ctx: GuardContext): void {
    const limit = Math.min(this.resolved.maxEvents, this.findings.length)
    // The last event carries the count of findings not published (including those the engine left
    // out of its report once a string held more than `maxFindings`).
    const unpublished = this.findings.length - limit + this.omitted
    this.findings.forEach((f, i) => {
      if (i >= limit) return
      const more = i === limit - 1 ? unpublished : 0
      publishSecurityEvent({
        type: `content.${f.category}`,
        ...(this.refused.includes(f) ? { code: this.refusedCode() } : {}),
        correlationId: ctx.correlationId,
        ...(ctx.principal === undefined ? {} : { principalId: ctx.principal.id }),
        ...(ctx.principal?.clientId === undefined ? {} : { clientId: ctx.principal.clientId }),
        kind: ctx.kind,
        name: ctx.name,
        detail: {
          direction: this.direction,
          category: f.category,
          detector: f.detector,
          path: this.safePointer(f.path),
          inKey: f.inKey,
          start: f.start,
          end: f.end,
          score: f.score,
          action: this.resolved.modes[f.category],
          ...(more > 0 ? { moreFindings: more } : {}),
        },
      })
    })
    const first = this.refused[0]
    if (first !== undefined) {
      const path = this.safePointer(first.path)
      throw new ContentError(
        this.refusedCode(),
        `${this.direction === 'input' ? 'Argument' : 'Result'} refused: ${first.category} (${first.detector}) at ${path || '/'}`,
        {
          details: {
            category: first.category,
            detector: first.detector,
            path,
            start: first.start,
            end: first.end,
            count: this.refused.length,
          },
        },
      )
    }
  }

  /**
   * `path` as it may be shown (in a denial, an event, an audit record): a segment is an object key
   * of the scanned value, so one that is not plain ASCII or that the engine flags becomes `*`,
   * lest a refusal or an event carry the secret or the hidden text it is about.
   */
  private safePointer(path: string): string {
    return path
      .split('/')
      .map((segment) => {
        if (segment === '' || /^[0-9]{1,10}$/.test(segment)) return segment
        if (!/^[A-Za-z0-9_.$@:~-]{1,64}$/.test(segment)) return '*'
        const scanned = this.resolved.sanitize(segment)
        return scanned.findings.length === 0 && scanned.refused.length === 0 && !scanned.changed ? segment : '*'
      })
      .join('/')
  }

  private refusedCode() {
    return this.direction === 'input'
      ? CONTENT_ERROR_CODES.ERR_CONTENT_REFUSED_INPUT
      : CONTENT_ERROR_CODES.ERR_CONTENT_REFUSED_OUTPUT
  }

  private tooComplex(reason: string): ContentError {
    return new ContentError(CONTENT_ERROR_CODES.ERR_CONTENT_TOO_COMPLEX, `Content too complex to scan: ${reason}`, {
      details: { direction: this.direction },
    })
  }
}
