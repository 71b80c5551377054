/** BMP code units that start a candidate: 1 = candidate, 2 = high surrogate of planes 14 (E0000–E0FFF). */
const CANDIDATE = new Uint8Array(0x10000)
for (const [from, to] of [
  [0xad, 0xad],
  [0x34f, 0x34f],
  [0x61c, 0x61c],
  [0x115f, 0x1160],
  [0x17b4, 0x17b5],
  [0x180b, 0x180f],
  [0x200b, 0x200f],
  [0x202a, 0x202e],
  [0x2060, 0x206f],
  [0x3164, 0x3164],
  [0xfe00, 0xfe0f],
  [0xfeff, 0xfeff],
  [0xffa0, 0xffa0],
  [0xfff0, 0xfffb],
] as const) {
  CANDIDATE.fill(1, from, to + 1)
}
CANDIDATE.fill(2, 0xdb40, 0xdb44)

/**
 * Index of the next candidate at or after `from` (what `INVISIBLE_CANDIDATE_PATTERN` matches),
 * or -1. A table lookup per code unit: no regex, no allocation.
 */
export function nextCandidate(text: string, from: number): number {
  const n = text.length
  for (let i = from; i < n; i++) {
    const c = text.charCodeAt(i)
    if (c < 0xad) continue
    const kind = CANDIDATE[c]
    if (kind === 1) return i
    const low = text.charCodeAt(i + 1)
    if (kind === 2 && low >= 0xdc00 && low <= 0xdfff) return i
    if (c === 0xd834 && low >= 0xdd73 && low <= 0xdd7a) return i
  }
  return -1
}

/** Index of the next character `TERMINAL_CANDIDATE_PATTERN` matches, at or after `from`, or -1. */
export function nextControl(text: string, from: number): number {
  const n = text.length
  for (let i = from; i < n; i++) {
    const c = text.charCodeAt(i)
    if ((c >= 0x20 && c < 0x7f) || c > 0x9f) continue
    if (c !== 0x09 && c !== 0x0a && c !== 0x0d) return i
  }
  return -1
}
