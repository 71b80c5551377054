/**
 * Real Redis servers for tests: each call starts its own `redis-server` on a free 127.0.0.1 port
 * (no persistence), which the test may stop and start again to see how the code behaves while
 * Redis is down. `REDIS_URL`, when set, names an existing server for tests that only need one.
 *
 * Without a `redis-server` binary (it comes from Debian's `redis-server` package; `.ci/run`
 * installs it), `redisAvailable` is false: suites use `describe.skipIf(!redisAvailable)` and print
 * why. Under CI (`CI=true`) a missing binary is an error instead, so CI never passes by skipping.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { connect, createServer } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'

const probe = spawnSync('redis-server', ['--version'], { encoding: 'utf8' })
export const redisAvailable = probe.status === 0

if (!redisAvailable) {
  const message =
    "redis-server not found: Redis tests need Debian's redis-server package (apt-get install redis-server)"
  if (process.env.CI === 'true') throw new Error(message)
  console.warn(`${message}; skipping them`)
}

export interface RedisProcess {
  readonly url: string
  readonly port: number
  /** Stops the server (SIGKILL: as abrupt as a crash). */
  stop(): Promise<void>
  /** Starts it again on the same port, empty. */
  start(): Promise<void>
  /** Freezes the process (SIGSTOP): connections stay open but nothing answers. */
  pause(): void
  /** Thaws a paused process (SIGCONT). */
  resume(): void
}

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  await new Promise<void>((resolve) => server.close(() => resolve()))
  if (address === null || typeof address === 'string') throw new Error('no port')
  return address.port
}

async function waitForPort(port: number, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 10_000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}`)
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1')
      socket.once('connect', () => {
        socket.end()
        resolve(true)
      })
      socket.once('error', () => resolve(false))
    })
    if (ok) return
    if (Date.now() > deadline) throw new Error('redis-server did not start within 10 s')
    await sleep(20)
  }
}

/** Starts a private redis-server on 127.0.0.1. */
export async function startRedis(): Promise<RedisProcess> {
  const port = await freePort()
  let child: ChildProcess | undefined
  const start = async () => {
    if (child !== undefined && child.exitCode === null && child.signalCode === null) return
    child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'yes'],
      { stdio: 'ignore' },
    )
    await waitForPort(port, child)
  }
  const stop = async () => {
    const running = child
    if (running === undefined || running.exitCode !== null || running.signalCode !== null) return
    const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()))
    running.kill('SIGKILL')
    await exited
  }
  await start()
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop,
    start,
    pause: () => child?.kill('SIGSTOP'),
    resume: () => child?.kill('SIGCONT'),
  }
}

/** The part of an ioredis client `keysWithTtl` uses (test-support does not depend on ioredis). */
export interface ScanningClient {
  scan(cursor: string, option: 'COUNT', count: number): Promise<[string, string[]]>
  pipeline(): { pttl(key: string): unknown; exec(): Promise<[Error | null, unknown][] | null> }
}

/** Every key of the server with its PTTL (-1: no expiry, -2: gone meanwhile), by a bounded SCAN. */
export async function keysWithTtl(client: ScanningClient): Promise<Map<string, number>> {
  const out = new Map<string, number>()
  let cursor = '0'
  for (let i = 0; i < 10_000; i++) {
    const [next, keys] = await client.scan(cursor, 'COUNT', 1000)
    if (keys.length > 0) {
      const pipeline = client.pipeline()
      for (const key of keys) pipeline.pttl(key)
      const ttls = (await pipeline.exec()) ?? []
      keys.forEach((key, index) => {
        out.set(key, Number(ttls[index]?.[1]))
      })
    }
    cursor = next
    if (cursor === '0') break
  }
  return out
}
