import { WardenError } from '@mcp-warden/core'
import { describe, expect, it } from 'vitest'
import { SESSION_ERROR_CODES, SessionError } from './session-error.js'

describe('SessionError', () => {
  it('shows one message and status 404 for every refusal of a session, whatever the reason', () => {
    const refusals = Object.values(SESSION_ERROR_CODES).filter(
      (code) => code !== SESSION_ERROR_CODES.ERR_SESSION_UNAUTHENTICATED,
    )
    for (const code of refusals) {
      const error = new SessionError(code, { cause: new Error('internal detail') })
      expect(error).toMatchObject({ code, status: 404, publicMessage: 'Session not found', name: 'SessionError' })
      expect(WardenError.isInstance(error)).toBe(true)
    }
  })

  it('uses status 401 when the request has no verified principal', () => {
    const error = new SessionError(SESSION_ERROR_CODES.ERR_SESSION_UNAUTHENTICATED)
    expect(error).toMatchObject({ status: 401, publicMessage: 'Authentication required' })
  })
})
