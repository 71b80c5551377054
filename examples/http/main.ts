/**
 * mcp-warden HTTP example: a real authorization server and a protected MCP server on 127.0.0.1,
 * then a scripted client that shows which calls are allowed, which are refused, and why.
 *
 *   pnpm example:http            # the scripted story, then everything is closed
 *   pnpm example:http --serve    # the story, then both servers keep running for your own client
 *
 * MCP_PORT and AUTH_PORT fix the ports (default: free ports).
 */
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { OPERATOR, READER, startAuthorizationServer } from './authorization-server.js'
import { reportsResource, runScript, type Step } from './client.js'
import { SCOPES, startTicketServer } from './server.js'

const tty = process.stdout.isTTY === true
const paint = (code: number) => (s: string) => (tty ? `\x1b[${code}m${s}\x1b[0m` : s)
const [green, red, dim, bold, yellow] = [paint(32), paint(31), paint(2), paint(1), paint(33)]

const SEARCHES_PER_MINUTE = 3

function port(name: string): number {
  const value = Number(process.env[name] ?? '0')
  if (!Number.isInteger(value) || value < 0 || value > 65_535) throw new Error(`${name} must be a TCP port`)
  return value
}

function printStep(step: Step): void {
  const mark = step.outcome === 'allowed' ? green('✔ allowed') : red('✘ denied ')
  const unexpected = step.outcome === step.expected ? '' : yellow(' (unexpected!)')
  const answer = [step.status === undefined ? '' : `HTTP ${step.status}`, step.code ?? ''].filter(Boolean).join(' ')
  console.log(`  ${mark} ${bold(step.title)}${unexpected}`)
  if (answer !== '') console.log(`            ${answer}`)
  if (step.challenge !== undefined) console.log(`            ${dim(`WWW-Authenticate: ${step.challenge}`)}`)
  console.log(`            ${dim(step.detail)}`)
  console.log(`            why: ${step.why}`)
}

function printAsk(message: string, yes: boolean): void {
  const first = message.split('\n')[0] ?? ''
  console.log(`  ${yellow('?')} the server asks the user: ${dim(first)} → ${yes ? 'accepts' : 'declines'}`)
}

/** Runs the example; with `serve`, keeps the servers up until SIGINT/SIGTERM. Resolves the exit code. */
export async function main(serve = process.argv.includes('--serve')): Promise<number> {
  const authorization = await startAuthorizationServer({ port: port('AUTH_PORT') })
  let server: Awaited<ReturnType<typeof startTicketServer>> | undefined
  try {
    server = await startTicketServer({
      issuer: authorization.issuer,
      port: port('MCP_PORT'),
      searchesPerMinute: SEARCHES_PER_MINUTE,
    })
    authorization.allowResource(server.url, SCOPES.join(' '))
    // Another service of the same organisation: its tokens must not open this server.
    authorization.allowResource(reportsResource(server.url), 'tickets:read')

    console.log(bold('mcp-warden HTTP example'))
    console.log(
      `  authorization server  ${authorization.issuer}  (oidc-provider, client credentials, JWT access tokens)`,
    )
    console.log(`  MCP server            ${server.url}  (Streamable HTTP, protected by mcp-warden)`)
    console.log(`  resource metadata     ${server.metadataUrl}`)
    console.log(`  clients               ${READER.id} (${READER.scope}), ${OPERATOR.id} (${OPERATOR.scope})\n`)

    const steps = await runScript(
      { url: server.url, tokenEndpoint: authorization.tokenEndpoint, searchesPerMinute: SEARCHES_PER_MINUTE },
      printStep,
      printAsk,
    )
    const surprises = steps.filter((step) => step.outcome !== step.expected)

    await server.flushAudit()
    const trail = readFileSync(server.auditFile, 'utf8').trim().split('\n').filter(Boolean)
    console.log(
      `\n${bold('Audit trail')} ${dim(`(${trail.length} hash-chained events, JSON Lines in ${server.auditFile})`)}`,
    )
    for (const line of trail) {
      const event = JSON.parse(line) as {
        time: string
        type: string
        principal?: string
        name?: string
        code?: string
        decision?: string
      }
      const who = (event.principal ?? '-').replace(/^.*#/, '')
      const what = event.type === 'call' ? `${event.name ?? ''} ${event.decision ?? ''}` : event.type
      console.log(`  ${dim(event.time.slice(11, 23))} ${who.padEnd(16)} ${what.padEnd(32)} ${event.code ?? ''}`)
    }
    console.log(
      surprises.length === 0
        ? `\n${green('Every call was answered as expected.')}`
        : `\n${red(`${surprises.length} unexpected answer(s): ${surprises.map((s) => s.id).join(', ')}`)}`,
    )

    if (serve) {
      const token = `curl -s -u ${OPERATOR.id}:${OPERATOR.secret} -d grant_type=client_credentials -d resource=${server.url} --data-urlencode "scope=${OPERATOR.scope}" ${authorization.tokenEndpoint}`
      console.log(`\n${bold('Serving')} until Ctrl-C. Get a token (it lasts 10 minutes):\n  ${token}`)
      console.log(`then point your client at ${server.url} with the header  Authorization: Bearer <access_token>`)
      await new Promise<void>((done) => {
        process.once('SIGINT', done)
        process.once('SIGTERM', done)
      })
    }
    return surprises.length === 0 ? 0 : 1
  } finally {
    await server?.close()
    await authorization.close()
  }
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await main()
}
