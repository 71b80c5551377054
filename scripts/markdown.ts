/**
 * The little Markdown reading the checks need: fenced code blocks (with the HTML comment marker
 * before them), links outside code, and the anchors GitHub gives headings.
 */

/** A fenced code block. */
export interface CodeBlock {
  /** The info string's first word (`ts`, `sh`, ...), `''` when none. */
  readonly lang: string
  readonly code: string
  /** 1-based line of the opening fence. */
  readonly line: number
  /** The value of a `<!-- name -->` comment on the closest non-blank line above the fence, if any. */
  readonly marker?: string
}

const FENCE = /^( {0,3})(`{3,}|~{3,})\s*([^`\s]*)/

/** Every fenced code block of `markdown`, in order. */
export function codeBlocks(markdown: string): CodeBlock[] {
  const lines = markdown.split('\n')
  const blocks: CodeBlock[] = []
  let lastText = ''
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i] as string
    const open = FENCE.exec(line)
    if (open === null) {
      if (line.trim() !== '') lastText = line.trim()
      continue
    }
    const fence = open[2] as string
    const indent = (open[1] as string).length
    const body: string[] = []
    let j = i + 1
    for (; j < lines.length; j += 1) {
      const current = lines[j] as string
      if (closes(current, fence)) break
      body.push(indent > 0 ? current.replace(new RegExp(`^ {0,${indent}}`), '') : current)
    }
    const marker = /^<!--\s*([\w:.-]+)\s*-->$/.exec(lastText)?.[1]
    blocks.push({
      lang: open[3] ?? '',
      code: body.join('\n'),
      line: i + 1,
      ...(marker === undefined ? {} : { marker }),
    })
    lastText = ''
    i = j
  }
  return blocks
}

/** Whether `line` closes a block opened by `fence`: the same character, at least as many, nothing else. */
function closes(line: string, fence: string): boolean {
  const trimmed = line.trim()
  const char = fence[0] as string
  return trimmed.length >= fence.length && [...trimmed].every((c) => c === char)
}

/** `markdown` with fenced code blocks blanked out (line numbers kept). */
function outsideFences(markdown: string): string[] {
  let fence: string | undefined
  const out: string[] = []
  for (const line of markdown.split('\n')) {
    const open = FENCE.exec(line)
    if (fence === undefined && open !== null) {
      fence = open[2]
      out.push('')
    } else if (fence !== undefined) {
      if (closes(line, fence)) fence = undefined
      out.push('')
    } else {
      out.push(line)
    }
  }
  return out
}

/** `markdown` with fenced code blocks and inline code spans blanked out (line numbers kept). */
export function proseOnly(markdown: string): string {
  return outsideFences(markdown)
    .map((line) => line.replace(/(`+)[^`]*?\1/g, ''))
    .join('\n')
}

/** A link of a Markdown document. */
export interface Link {
  readonly target: string
  readonly line: number
}

/** Inline links and images `[text](target)` and reference definitions `[ref]: target`, outside code. */
export function links(markdown: string): Link[] {
  const found: Link[] = []
  proseOnly(markdown)
    .split('\n')
    .forEach((line, index) => {
      for (const match of line.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
        found.push({ target: match[1] as string, line: index + 1 })
      }
      const definition = /^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/.exec(line)
      if (definition !== null) found.push({ target: definition[1] as string, line: index + 1 })
    })
  return found
}

/** The anchors GitHub makes for the headings of `markdown` (`## Quick start` → `quick-start`). */
export function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>()
  const seen = new Map<string, number>()
  for (const line of outsideFences(markdown)) {
    const heading = /^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(line)
    if (heading === null) continue
    const base = (heading[1] as string)
      .replace(/<[^>]+>/g, '')
      .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-')
    const count = seen.get(base) ?? 0
    seen.set(base, count + 1)
    anchors.add(count === 0 ? base : `${base}-${count}`)
  }
  return anchors
}

/** Whether `target` leaves the document's own files (a URL with a scheme, or protocol-relative). */
export function isExternal(target: string): boolean {
  return /^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//')
}
