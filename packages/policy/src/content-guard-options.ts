import type { ContentCategory, ContentMode, Detector, Finding } from '@mcp-warden/core'

/** Options shared by `sanitizeInput` and `sanitizeOutput`. */
export interface ContentGuardOptions {
  /** Mode per category; see each middleware for its defaults. */
  readonly modes?: Readonly<Partial<Record<ContentCategory, ContentMode>>>
  /** Which categories run. Default: all except `confusable`. */
  readonly categories?: Readonly<Partial<Record<ContentCategory, boolean>>>
  /** Minimum score per category, 0..1. Default 0.5. */
  readonly thresholds?: Readonly<Partial<Record<ContentCategory, number>>>
  /** Extra synchronous detectors (for example a model-based classifier wrapped synchronously). */
  readonly detectors?: readonly Detector[]
  /**
   * Extra asynchronous detectors, `(text) => Promise<Finding[]>`, awaited once the built-in scan has
   * walked the whole value: each is called on every string (the original text) in the order the
   * walk met them. Their findings obey the thresholds and modes; `strip` is not applied to them
   * (only `report` and `refuse`). Default none.
   */
  readonly asyncDetectors?: readonly ((text: string) => Promise<readonly Finding[]>)[]
  /** Deepest nesting scanned; deeper values are refused (`ERR_CONTENT_TOO_COMPLEX`). Default 32. */
  readonly maxDepth?: number
  /** Most strings scanned per call; more are refused (`ERR_CONTENT_TOO_COMPLEX`). Default 10 000. */
  readonly maxStrings?: number
  /** Most security events published per call; the rest are counted in the last one. Default 20. */
  readonly maxEvents?: number
  /**
   * Most findings kept per string (every one is still stripped or refused); the rest are counted in
   * the last event's `moreFindings`. Default 1000.
   */
  readonly maxFindings?: number
}
