import { describe, expect, it } from 'vitest'
import { PipelineError, StoreUnavailableError, WardenError } from './errors.js'

describe('WardenError', () => {
  it('keeps code, details and status, and hides the cause from the public message', () => {
    const cause = new Error('secret internal detail')
    const err = new WardenError('ERR_POLICY_DENIED', 'Denied', { details: { rule: 'weekdays' }, cause, status: 403 })
    expect(err.code).toBe('ERR_POLICY_DENIED')
    expect(err.details).toEqual({ rule: 'weekdays' })
    expect(err.cause).toBe(cause)
    expect(err.publicMessage).toBe('Denied')
    expect(Object.isFrozen(err.details)).toBe(true)
  })

  it('replaces the message with a generic one when not exposable', () => {
    expect(new WardenError('ERR_X_Y', 'db password wrong', { expose: false }).publicMessage).toBe('Request denied')
  })

  it('does not keep a reference to the caller-owned details object', () => {
    const details = { a: 1 }
    const err = new WardenError('ERR_X_Y', 'x', { details })
    details.a = 2
    expect(err.details).toEqual({ a: 1 })
  })

  it('recognizes instances of subclasses and of another copy of the module', async () => {
    // A query string makes the bundler load a second, independent copy of the module.
    const specifier = './errors.js?copy'
    const copy = (await import(/* @vite-ignore */ specifier)) as typeof import('./errors.js')
    expect(copy.WardenError).not.toBe(WardenError)
    const foreign = new copy.WardenError('ERR_X_Y', 'from another copy')
    expect(foreign instanceof WardenError).toBe(false)
    expect(WardenError.isInstance(foreign)).toBe(true)
    expect(WardenError.isInstance(new StoreUnavailableError('down'))).toBe(true)
    expect(WardenError.isInstance(new PipelineError('ERR_CORE_DENIED', 'x'))).toBe(true)
  })

  it('rejects look-alikes', () => {
    expect(WardenError.isInstance(new Error('x'))).toBe(false)
    expect(WardenError.isInstance({ code: 'ERR_X', message: 'x' })).toBe(false)
    expect(WardenError.isInstance(null)).toBe(false)
    expect(WardenError.isInstance('ERR_X')).toBe(false)
  })
})

describe('StoreUnavailableError', () => {
  it('is a 503 that never exposes its message', () => {
    const err = new StoreUnavailableError('ECONNREFUSED 127.0.0.1:6379')
    expect(err.code).toBe('ERR_STORE_UNAVAILABLE')
    expect(err.status).toBe(503)
    expect(err.publicMessage).toBe('Request denied')
  })
})
