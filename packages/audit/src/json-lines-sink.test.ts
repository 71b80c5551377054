import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PassThrough, Writable } from 'node:stream'
import { afterAll, describe, expect, it } from 'vitest'
import { jsonLinesSink } from './json-lines-sink.js'
import type { AuditEvent } from './types.js'

const dir = mkdtempSync(join(tmpdir(), 'mcp-warden-sink-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const event: AuditEvent = {
  schema: 'mcp-warden.audit/1',
  id: 'e1',
  time: '2026-01-02T03:04:05.678Z',
  type: 'call',
  name: 'tööl ✓',
  decision: 'allow',
  outcome: 'success',
}

describe('jsonLinesSink', () => {
  it('appends one JSON object per line to a file and closes it', async () => {
    const path = join(dir, 'a.jsonl')
    const sink = jsonLinesSink({ path })
    await sink.write(event)
    await sink.write({ ...event, id: 'e2' })
    await sink.flush?.()
    await sink.close?.()
    const lines = readFileSync(path, 'utf8').split('\n')
    expect(lines).toHaveLength(3)
    expect(JSON.parse(lines[1] as string)).toEqual({ ...event, id: 'e2' })
    await expect(async () => sink.write(event)).rejects.toThrow(/unavailable/)
  })

  it('waits for drain when the stream applies backpressure', async () => {
    const chunks: string[] = []
    let pending: (() => void) | undefined
    const slow = new Writable({
      highWaterMark: 8,
      write(chunk: Buffer, _encoding, callback) {
        chunks.push(chunk.toString())
        pending = callback
      },
    })
    const sink = jsonLinesSink({ stream: slow })
    const first = sink.write(event)
    expect(first).toBeInstanceOf(Promise)
    let drained = false
    void (first as Promise<void>).then(() => {
      drained = true
    })
    await new Promise((resolve) => setImmediate(resolve))
    expect(drained).toBe(false)
    pending?.()
    await first
    expect(drained).toBe(true)
    expect(chunks.join('')).toContain('"tööl ✓"')
  })

  it('fails writes, without crashing the process, after the stream errored', async () => {
    const stream = new PassThrough()
    const sink = jsonLinesSink({ stream, name: 'broken' })
    stream.destroy(new Error('EPIPE'))
    await new Promise((resolve) => setImmediate(resolve))
    expect(() => sink.write(event)).toThrow(/unavailable/)
    await expect(sink.flush?.()).rejects.toThrow()
    await sink.close?.()
  })

  it('writes the OCSF form when format is ocsf', async () => {
    const stream = new PassThrough()
    const sink = jsonLinesSink({ stream, format: 'ocsf' })
    await sink.write(event)
    const line = JSON.parse(String(stream.read())) as { class_uid: number; resources: unknown }
    expect(line.class_uid).toBe(6003)
  })

  it('leaves a given stream open unless end is set', async () => {
    const stream = new PassThrough()
    await jsonLinesSink({ stream }).close?.()
    expect(stream.writableEnded).toBe(false)
    await jsonLinesSink({ stream, end: true }).close?.()
    expect(stream.writableEnded).toBe(true)
  })

  it('throws TypeError at creation when options are wrong', () => {
    const stream = new PassThrough()
    const bad: unknown[] = [
      null,
      {},
      { stream, path: 'x' },
      { path: '' },
      { stream: {} },
      { stream, format: 'xml' },
      { stream, name: '' },
      { stream, end: 'yes' },
      { stream, extra: 1 },
    ]
    for (const options of bad) expect(() => jsonLinesSink(options as never)).toThrow(TypeError)
  })
})
