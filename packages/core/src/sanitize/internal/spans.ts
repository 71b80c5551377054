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
    const kept: number[] = []
    for (let i = 0; i < this.#length; i++) if (i === 0 || !this.#same(i - 1, i)) kept.push(i)
    return this.#permuted(Int32Array.from(kept))
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

  /**
   * A copy ordered by start, then end (stable). A natural merge sort: the list is a concatenation
   * of a few ordered runs (one per detector), so the cost is close to linear.
   */
  sorted(): SpanList {
    const n = this.#length
    let order = new Int32Array(n)
    for (let i = 0; i < n; i++) order[i] = i
    let spare = new Int32Array(n)
    const bounds: number[] = [0]
    for (let i = 1; i < n; i++) if (this.#compare(i - 1, i) > 0) bounds.push(i)
    bounds.push(n)
    let runs = bounds
    while (runs.length > 2) {
      const next: number[] = [0]
      for (let r = 0; r + 1 < runs.length; r += 2) {
        const lo = runs[r] as number
        const mid = runs[r + 1] as number
        const hi = (runs[r + 2] ?? mid) as number
        let a = lo
        let b = mid
        let k = lo
        const starts = this.#starts
        const ends = this.#ends
        while (a < mid && b < hi) {
          const x = order[a] as number
          const y = order[b] as number
          const c = (starts[x] as number) - (starts[y] as number) || (ends[x] as number) - (ends[y] as number)
          // `<=` keeps equal entries in their original order.
          if (c <= 0) {
            spare[k++] = x
            a++
          } else {
            spare[k++] = y
            b++
          }
        }
        while (a < mid) spare[k++] = order[a++] as number
        while (b < hi) spare[k++] = order[b++] as number
        next.push(hi)
      }
      ;[order, spare] = [spare, order]
      runs = next
    }
    return this.#permuted(order)
  }

  /** A copy holding the entries at `order`, in that order, with the same kinds. */
  #permuted(order: Int32Array): SpanList {
    const out = new SpanList()
    const n = order.length
    out.#starts = new Int32Array(Math.max(16, n))
    out.#ends = new Int32Array(Math.max(16, n))
    out.#scores = new Float64Array(Math.max(16, n))
    out.#kinds = new Uint32Array(Math.max(16, n))
    for (let j = 0; j < n; j++) {
      const i = order[j] as number
      out.#starts[j] = this.#starts[i] as number
      out.#ends[j] = this.#ends[i] as number
      out.#scores[j] = this.#scores[i] as number
      out.#kinds[j] = this.#kinds[i] as number
    }
    out.#length = n
    out.#kindList.push(...this.#kindList)
    for (const [message, indexes] of this.#kindIndex) out.#kindIndex.set(message, [...indexes])
    return out
  }

  /** Appends entry `i` of `other` (no `Finding` object is made). */
  pushFrom(other: SpanList, i: number): void {
    this.push(other.category(i), other.detector(i), other.start(i), other.end(i), other.score(i), other.message(i))
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
