/**
 * Character classes checked with code-unit loops rather than regular expressions: linear, no
 * backtracking, and explicit about which code points count.
 */

/** C0 and C1 controls, DEL. */
export function isControl(code: number): boolean {
  return code <= 0x1f || (code >= 0x7f && code <= 0x9f)
}

/** Bidi controls, zero-width and line/paragraph separators that can disguise text. */
export function isInvisibleFormat(code: number): boolean {
  return (
    code === 0x200b ||
    code === 0x200c ||
    code === 0x200d ||
    code === 0x200e ||
    code === 0x200f ||
    code === 0x2028 ||
    code === 0x2029 ||
    (code >= 0x202a && code <= 0x202e) ||
    (code >= 0x2066 && code <= 0x2069) ||
    code === 0xfeff
  )
}

/** Whether `text` holds a control character or an invisible/bidi format character. */
export function hasUnsafeCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    if (isControl(code) || isInvisibleFormat(code)) return true
  }
  return false
}

/** `text` with controls and invisible/bidi characters shown as `\uXXXX`, for terminal output. */
export function escapeUnsafe(text: string): string {
  if (!hasUnsafeCharacter(text)) return text
  let out = ''
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    out += isControl(code) || isInvisibleFormat(code) ? `\\u${code.toString(16).padStart(4, '0')}` : text[i]
  }
  return out
}
