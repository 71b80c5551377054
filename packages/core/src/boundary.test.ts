import { describe, expect, it } from 'vitest'
import { DENIED_JSONRPC_CODE, denialCodeOf, ERROR_META_KEY, toJsonRpcError, toToolErrorResult } from './boundary.js'
import { WardenError } from './errors.js'

describe('toToolErrorResult', () => {
  it('produces an error result with the safe message and the code in _meta', () => {
    const result = toToolErrorResult(
      new WardenError('ERR_POLICY_INSUFFICIENT_SCOPE', 'Missing scope: a', {
        details: { missing: ['a'] },
        cause: new Error('internal'),
      }),
    )
    expect(result).toEqual({
      isError: true,
      content: [{ type: 'text', text: 'Missing scope: a (ERR_POLICY_INSUFFICIENT_SCOPE)' }],
      _meta: { [ERROR_META_KEY]: { code: 'ERR_POLICY_INSUFFICIENT_SCOPE', missing: ['a'] } },
    })
    expect(JSON.stringify(result)).not.toContain('internal')
  })
})

describe('toJsonRpcError', () => {
  it('uses the denial code -32003 and carries the code in data', () => {
    const error = toJsonRpcError(new WardenError('ERR_X_Y', 'secret', { expose: false }))
    expect(error.code).toBe(DENIED_JSONRPC_CODE)
    expect(error.message).toBe('Request denied (ERR_X_Y)')
    expect(denialCodeOf(error.data)).toBe('ERR_X_Y')
  })
})

describe('denialCodeOf', () => {
  it('returns undefined for anything that is not a denial', () => {
    expect(denialCodeOf(undefined)).toBeUndefined()
    expect(denialCodeOf({ content: [] })).toBeUndefined()
    expect(denialCodeOf({ _meta: { [ERROR_META_KEY]: { code: 42 } } })).toBeUndefined()
  })
})
