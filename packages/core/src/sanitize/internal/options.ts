import { CONTENT_CATEGORIES, type ContentCategory, type Detector, type Finding } from '../types.js'

const DEFAULT_THRESHOLD = 0.5
export const DEFAULT_MAX_FINDINGS = 1000

/** Reads `maxFindings`: a positive integer, or the default when absent. */
export function resolveMaxFindings(where: string, value: unknown): number {
  if (value === undefined) return DEFAULT_MAX_FINDINGS
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1)
    throw new TypeError(`${where}: \`maxFindings\` must be a positive integer`)
  return value
}

/** Checks a category-keyed record: known keys only, values accepted by `valid`. */
export function checkRecord(
  where: string,
  name: string,
  value: unknown,
  valid: (v: unknown) => boolean,
  allowed: readonly string[] = CONTENT_CATEGORIES,
): void {
  if (value === undefined) return
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new TypeError(`${where}: \`${name}\` must be an object`)
  for (const [key, v] of Object.entries(value)) {
    if (!allowed.includes(key)) throw new TypeError(`${where}: unknown category "${key}" in \`${name}\``)
    if (!valid(v)) throw new TypeError(`${where}: invalid \`${name}.${key}\``)
  }
}

export const isThreshold = (v: unknown): boolean => typeof v === 'number' && v >= 0 && v <= 1
export const isBoolean = (v: unknown): boolean => typeof v === 'boolean'

/** Validates `ScanOptions`-shaped input and returns the resolved switches and thresholds. */
export function resolveScan(
  where: string,
  options: unknown,
  extraKeys: readonly string[] = [],
): {
  enabled: (c: ContentCategory) => boolean
  threshold: (c: ContentCategory) => number
  detectors: readonly Detector[]
  maxFindings: number
} {
  if (options === undefined) return DEFAULTS
  if (typeof options !== 'object' || options === null || Array.isArray(options))
    throw new TypeError(`${where}: options must be an object`)
  const opts = options as Record<string, unknown>
  for (const key of Object.keys(opts)) {
    if (!['categories', 'thresholds', 'detectors', 'maxFindings', ...extraKeys].includes(key))
      throw new TypeError(`${where}: unknown option "${key}"`)
  }
  checkRecord(where, 'categories', opts.categories, isBoolean)
  checkRecord(where, 'thresholds', opts.thresholds, isThreshold)
  const detectors = opts.detectors ?? []
  if (!Array.isArray(detectors)) throw new TypeError(`${where}: \`detectors\` must be an array`)
  for (const d of detectors as unknown[]) {
    if (
      typeof d !== 'object' ||
      d === null ||
      typeof (d as Detector).detect !== 'function' ||
      typeof (d as Detector).name !== 'string'
    ) {
      throw new TypeError(`${where}: each detector needs a \`name\` and a \`detect(text)\` function`)
    }
  }
  // Copies: a prepared sanitizer must not change when the caller's objects do.
  const categories = { ...(opts.categories as object | undefined) } as Partial<Record<ContentCategory, boolean>>
  const thresholds = { ...(opts.thresholds as object | undefined) } as Partial<Record<ContentCategory, number>>
  return {
    enabled: (c) => categories[c] ?? c !== 'confusable',
    threshold: (c) => thresholds[c] ?? DEFAULT_THRESHOLD,
    detectors: [...detectors] as Detector[],
    maxFindings: resolveMaxFindings(where, opts.maxFindings),
  }
}

const DEFAULTS = {
  enabled: (c: ContentCategory) => c !== 'confusable',
  threshold: () => DEFAULT_THRESHOLD,
  detectors: [] as readonly Detector[],
  maxFindings: DEFAULT_MAX_FINDINGS,
}

/** Makes a finding from an extra detector well-formed (clamped span and score) or drops it. */
export function normalizeFinding(raw: unknown, length: number): Finding | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined
  const f = raw as Record<string, unknown>
  if (typeof f.category !== 'string' || !CONTENT_CATEGORIES.includes(f.category as ContentCategory)) return undefined
  const start =
    typeof f.start === 'number' && Number.isFinite(f.start) ? Math.max(0, Math.min(length, Math.floor(f.start))) : 0
  const end =
    typeof f.end === 'number' && Number.isFinite(f.end) ? Math.max(start, Math.min(length, Math.floor(f.end))) : start
  const score = typeof f.score === 'number' && !Number.isNaN(f.score) ? Math.max(0, Math.min(1, f.score)) : 0
  return {
    category: f.category as ContentCategory,
    detector: typeof f.detector === 'string' ? f.detector : 'custom',
    start,
    end,
    score,
    message: typeof f.message === 'string' ? f.message : 'Custom detector finding',
  }
}
