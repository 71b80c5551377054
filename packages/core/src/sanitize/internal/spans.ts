import type { ContentCategory, Finding } from '../types.js'

const EMPTY_INT = new Int32Array(0)
const EMPTY_FLOAT = new Float64Array(0)
const EMPTY_UINT = new Uint32Array(0)

export interface Kind {
  readonly category: ContentCategory
  readonly detector: string
  readonly message: string
}

/**
 * Findings stored column-wise in typed arrays: start, end, score, and the index of their
 * (category, detector, message) triple, of which a scan has only a handful. Hostile input can hold
 * a finding every other character; half a million `Finding` objects (or plain arrays of half a
 * million entries) that survive until the scan ends cost more in garbage collection than the scan
 * itself, while these columns allocate nothing per finding. Objects are made only for the findings
 * a caller is given (`at`).
 */
export class SpanList {
  // Allocated on the first push: most scans find nothing.
  #starts = EMPTY_INT
  #ends = EMPTY_INT
  #scores = EMPTY_FLOAT
  #kinds = EMPTY_UINT
  #length = 0
  readonly #kindList: Kind[] = []
  /** Kind indexes by message (messages are the rules' constants; a few kinds share one). */
  readonly #kindIndex = new Map<string, number[]>()

  get length(): number {
    return this.#length
  }

  start(i: number): number {
    return this.#starts[i] as number
  }

  end(i: number): number {
    return this.#ends[i] as number
  }

  /** Index of entry `i`'s (category, detector, message) triple; see `kinds`. */
  kind(i: number): number {
    return this.#kinds[i] as number
  }

  /** The distinct (category, detector, message) triples, by `kind` index. */
  get kinds(): readonly Kind[] {
    return this.#kindList
  }

  category(i: number): ContentCategory {
    return (this.#kindList[this.#kinds[i] as number] as Kind).category
  }

  detector(i: number): string {
    return (this.#kindList[this.#kinds[i] as number] as Kind).detector
  }

  push(category: ContentCategory, detector: string, start: number, end: number, score: number, message: string): void {
    if (this.#length === this.#starts.length) this.#grow()
    const i = this.#length++
    this.#starts[i] = start
    this.#ends[i] = end
    this.#scores[i] = score
    this.#kinds[i] = this.#kindOf(category, detector, message)
  }

  pushFinding(f: Finding): void {
    this.push(f.category, f.detector, f.start, f.end, f.score, f.message)
  }

  /**
   * Pushes a span, or extends the last one (at or after `floor`) when it has the same detector and
   * ends where this one starts: runs of one kind are one finding, with the run's highest score.
   */
  pushOrExtend(
    category: ContentCategory,
    detector: string,
    start: number,
    end: number,
    score: number,
    message: string,
    floor = 0,
  ): void {
    const last = this.#length - 1
    if (last >= floor && this.#ends[last] === start && this.detector(last) === detector) {
      this.#ends[last] = end
      if (score > (this.#scores[last] as number)) this.#scores[last] = score
      return
    }
    this.push(category, detector, start, end, score, message)
  }

  /** Moves entry `i` to a new span (used to map spans of a derived text back to the original). */
  setSpan(i: number, start: number, end: number): void {
    this.#starts[i] = start
    this.#ends[i] = end
  }

  /** Score of entry `i`. */
  score(i: number): number {
    return this.#scores[i] as number
  }

  /** Message of entry `i`. */
  message(i: number): string {
    return (this.#kindList[this.#kinds[i] as number] as Kind).message
  }

  /**
   * Whether an entry of this (sorted) list has this category, detector and span. Binary search on
   * the start: the list must be ordered (`inOrder`).
   */
  has(category: ContentCategory, detector: string, start: number, end: number): boolean {
    let lo = 0
    let hi = this.#length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if ((this.#starts[mid] as number) < start) lo = mid + 1
      else hi = mid
    }
    for (let i = lo; i < this.#length && this.#starts[i] === start; i++) {
      if (this.#ends[i] === end && this.detector(i) === detector && this.category(i) === category) return true
    }
    return false
  }

  /** This (sorted) list without entries equal to the previous one in kind and span; `this` when there are none. */
  withoutDuplicates(): SpanList {
    let duplicates = false
    for (let i = 1; i < this.#length && !duplicates; i++) duplicates = this.#same(i - 1, i)
    if (!duplicates) return this
    const out = new SpanList()
    for (let i = 0; i < this.#length; i++) {
      if (i > 0 && this.#same(i - 1, i)) continue
      out.pushFinding(this.at(i))
    }
    return out
  }

  #same(a: number, b: number): boolean {
    return this.#starts[a] === this.#starts[b] && this.#ends[a] === this.#ends[b] && this.#kinds[a] === this.#kinds[b]
  }

  /** Drops the entries from `from` on whose score is under `threshold`, keeping the order. */
  dropBelow(from: number, threshold: number): void {
    let kept = from
    for (let i = from; i < this.#length; i++) {
      if ((this.#scores[i] as number) < threshold) continue
      if (kept !== i) {
        this.#starts[kept] = this.#starts[i] as number
        this.#ends[kept] = this.#ends[i] as number
        this.#scores[kept] = this.#scores[i] as number
        this.#kinds[kept] = this.#kinds[i] as number
      }
      kept++
    }
    this.#length = kept
  }

  /** Whether the entries are ordered by start, then end. */
  inOrder(): boolean {
    for (let i = 1; i < this.#length; i++) if (this.#compare(i - 1, i) > 0) return false
    return true
  }

  /** A copy ordered by start, then end (stable). */
  sorted(): SpanList {
    const order = Array.from({ length: this.#length }, (_, i) => i).sort((a, b) => this.#compare(a, b) || a - b)
    const out = new SpanList()
    for (const i of order) out.pushFinding(this.at(i))
    return out
  }

  /** Entry `i` as a `Finding` object. */
  at(i: number): Finding {
    const kind = this.#kindList[this.#kinds[i] as number] as Kind
    return {
      category: kind.category,
      detector: kind.detector,
      start: this.#starts[i] as number,
      end: this.#ends[i] as number,
      score: this.#scores[i] as number,
      message: kind.message,
    }
  }

  /** Up to `max` entries, in order, as `Finding` objects: every entry, or those matching `where`. */
  toFindings(max = Number.POSITIVE_INFINITY, where?: (i: number) => boolean): Finding[] {
    const out: Finding[] = []
    for (let i = 0; i < this.#length && out.length < max; i++) if (where === undefined || where(i)) out.push(this.at(i))
    return out
  }

  #compare(a: number, b: number): number {
    return (
      (this.#starts[a] as number) - (this.#starts[b] as number) || (this.#ends[a] as number) - (this.#ends[b] as number)
    )
  }

  #kindOf(category: ContentCategory, detector: string, message: string): number {
    // Detectors emit runs of one kind: check the previous entry's kind before the map.
    const previous = this.#length > 1 ? (this.#kinds[this.#length - 2] as number) : -1
    const last = this.#kindList[previous]
    if (last !== undefined && last.message === message && last.detector === detector && last.category === category)
      return previous
    const candidates = this.#kindIndex.get(message)
    if (candidates !== undefined) {
      for (const index of candidates) {
        const kind = this.#kindList[index] as Kind
        if (kind.detector === detector && kind.category === category) return index
      }
    }
    const index = this.#kindList.push({ category, detector, message }) - 1
    this.#kindIndex.set(message, [...(candidates ?? []), index])
    return index
  }

  #grow(): void {
    const size = Math.max(16, this.#starts.length * 2)
    const grow = <T extends Int32Array | Float64Array | Uint32Array>(old: T, make: (n: number) => T): T => {
      const next = make(size)
      next.set(old)
      return next
    }
    this.#starts = grow(this.#starts, (n) => new Int32Array(n))
    this.#ends = grow(this.#ends, (n) => new Int32Array(n))
    this.#scores = grow(this.#scores, (n) => new Float64Array(n))
    this.#kinds = grow(this.#kinds, (n) => new Uint32Array(n))
  }
}
