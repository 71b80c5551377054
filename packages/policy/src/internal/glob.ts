/**
 * Glob matching for names and argument values: `*` matches any run of characters (including
 * none), `?` exactly one UTF-16 unit, `\` makes the next character literal (`\*` is a star),
 * everything else itself. No regular expression is built, so no pattern can backtrack
 * catastrophically: the matcher keeps one fallback position and runs in O(pattern × value) at
 * worst, linear for patterns with a single `*`.
 */
export function globMatch(pattern: string, value: string): boolean {
  let p = 0
  let v = 0
  let starP = -1
  let starV = 0
  while (v < value.length) {
    if (p < pattern.length) {
      const c = pattern.charCodeAt(p)
      if (c === 42 /* * */) {
        starP = p++
        starV = v
        continue
      }
      if (c === 92 /* backslash */ && p + 1 < pattern.length) {
        if (pattern.charCodeAt(p + 1) === value.charCodeAt(v)) {
          p += 2
          v++
          continue
        }
      } else if (c === 63 /* ? */ || c === value.charCodeAt(v)) {
        p++
        v++
        continue
      }
    }
    if (starP === -1) return false
    p = starP + 1
    v = ++starV
  }
  while (p < pattern.length && pattern.charCodeAt(p) === 42) p++
  return p === pattern.length
}

/** Whether any of `patterns` matches `value`. */
export function anyGlob(patterns: readonly string[], value: string): boolean {
  for (const pattern of patterns) if (globMatch(pattern, value)) return true
  return false
}
