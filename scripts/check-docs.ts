/**
 * Checks the documentation against the code:
 * - every export of every entry point of every package (`src/index.ts` and the subpath entries)
 *   appears in a code block of that package's shipped Markdown files or of the root README, or in
 *   a TSDoc `@example` of the package's sources, so that a reader finds an example of each;
 * - the README's quick-start blocks are the files of `examples/quickstart/` (which the workspace
 *   typecheck covers), character for character.
 * `pnpm check:docs`; no build needed.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import ts from 'typescript'
import { codeBlocks } from './markdown.js'
import { root } from './pack-packages.js'

/** Entry points as the package.json `exports` map them to sources. */
const ENTRIES: Record<string, readonly string[]> = {
  core: ['src/index.ts', 'src/sdk-v1/index.ts', 'src/sdk-v2/index.ts', 'src/redis/index.ts'],
  auth: ['src/index.ts'],
  policy: ['src/index.ts', 'src/cedar/index.ts'],
  audit: ['src/index.ts'],
}

const QUICKSTART: Record<string, string> = {
  'quickstart:v1': 'examples/quickstart/stdio-v1.ts',
  'quickstart:v2': 'examples/quickstart/stdio-v2.ts',
  'quickstart:http': 'examples/quickstart/http-v1.ts',
}

const problems: string[] = []

/** An export of an entry point: a value (function, class, constant) or a type only. */
interface Export {
  readonly name: string
  readonly value: boolean
  /** Names of the types its declarations refer to (signature, members, aliased type). */
  readonly refers: ReadonlySet<string>
}

/** Every type name referenced inside `node` (type references and `typeof` queries). */
function referencedNames(node: ts.Node, into: Set<string>): void {
  if (ts.isTypeReferenceNode(node)) into.add(node.typeName.getText())
  if (ts.isExpressionWithTypeArguments(node)) into.add(node.expression.getText())
  ts.forEachChild(node, (child) => {
    // Function bodies hold no part of the public signature.
    if (ts.isBlock(child)) return
    referencedNames(child, into)
  })
}

/** The exports of `file`, as the compiler resolves them (re-exports followed). */
function exportsOf(program: ts.Program, file: string): Export[] {
  const source = program.getSourceFile(file)
  const checker = program.getTypeChecker()
  const symbol = source === undefined ? undefined : checker.getSymbolAtLocation(source)
  if (symbol === undefined) throw new Error(`cannot read the exports of ${file}`)
  return checker.getExportsOfModule(symbol).map((s) => {
    const target = s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s
    const refers = new Set<string>()
    for (const declaration of target.declarations ?? []) referencedNames(declaration, refers)
    return { name: s.getName(), value: (target.flags & ts.SymbolFlags.Value) !== 0, refers }
  })
}

/** `@example` sections of the TSDoc comments of every source file under `dir` (tests excluded). */
function tsdocExamples(dir: string): string {
  const out: string[] = []
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts') || /\.test(-d)?\.ts$/.test(entry.name)) continue
    const text = readFileSync(join(entry.parentPath, entry.name), 'utf8')
    for (const comment of text.matchAll(/\/\*\*[\s\S]*?\*\//g)) {
      const example = /@example([\s\S]*?)(?=\n\s*\*\s*@\w|\*\/)/.exec(comment[0])?.[1]
      if (example !== undefined) out.push(example)
    }
  }
  return out.join('\n')
}

const rootReadme = readFileSync(join(root, 'README.md'), 'utf8')
const rootCode = codeBlocks(rootReadme)
  .map((b) => b.code)
  .join('\n')

const files = Object.entries(ENTRIES).flatMap(([pkg, entries]) => entries.map((e) => join(root, 'packages', pkg, e)))
const program = ts.createProgram(files, {
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  target: ts.ScriptTarget.ES2022,
  noEmit: true,
  skipLibCheck: true,
})

let total = 0
for (const [pkg, entries] of Object.entries(ENTRIES)) {
  const dir = join(root, 'packages', pkg)
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { files: string[] }
  const docs = manifest.files.filter((f) => f.endsWith('.md') && f !== 'CHANGELOG.md')
  const corpus = [
    rootCode,
    tsdocExamples(join(dir, 'src')),
    ...docs.map((f) =>
      codeBlocks(readFileSync(join(dir, f), 'utf8'))
        .map((b) => b.code)
        .join('\n'),
    ),
  ].join('\n')
  for (const entry of entries) {
    const exported = exportsOf(program, join(dir, entry))
    total += exported.length
    const shown = new Set(
      exported
        .filter(({ name }) => new RegExp(`(?<![\\w$])${name.replace(/\$/g, '\\$')}(?![\\w$])`).test(corpus))
        .map((e) => e.name),
    )
    // A type is shown by an example of what takes or returns it: `rateLimit({ ... })` shows
    // `RateLimitOptions`, and the union members and member types it refers to.
    for (let changed = true; changed; ) {
      changed = false
      for (const e of exported) {
        if (!shown.has(e.name)) continue
        for (const name of e.refers) {
          if (!shown.has(name) && exported.some((x) => x.name === name && !x.value)) {
            shown.add(name)
            changed = true
          }
        }
      }
    }
    for (const e of exported) {
      if (!shown.has(e.name))
        problems.push(`@mcp-warden/${pkg} (${entry}): no example of ${e.value ? '' : 'type '}${e.name}`)
    }
  }
}

for (const [marker, file] of Object.entries(QUICKSTART)) {
  const blocks = codeBlocks(rootReadme).filter((b) => b.marker === marker)
  const expected = readFileSync(join(root, file), 'utf8').replace(/\n$/, '')
  if (blocks.length !== 1) problems.push(`README.md: ${blocks.length} blocks marked <!-- ${marker} -->, expected 1`)
  else if (blocks[0]?.code !== expected) problems.push(`README.md <!-- ${marker} --> differs from ${file}`)
}

if (problems.length > 0) {
  console.error(problems.join('\n'))
  console.error(`\n${problems.length} documentation problem(s)`)
  process.exit(1)
}
console.log(`ok   an example of each of ${total} exports; the README's quick starts are examples/quickstart`)
