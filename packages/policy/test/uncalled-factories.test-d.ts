import { createGuard } from '@mcp-warden/core'
import { secure as secureV1 } from '@mcp-warden/core/sdk-v1'
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { describe, it } from 'vitest'
import {
  flowPolicy,
  limitPayload,
  quarantine,
  rateLimit,
  requireApproval,
  requireScopes,
  safePath,
  safeShellArg,
  safeUrl,
  sanitizeInput,
  sanitizeOutput,
  scopesFromAnnotations,
} from '../src/index.js'

/**
 * The compile-time half of the start-up check: a factory passed where a middleware goes does not
 * type-check in `createGuard().use()` or `server.guard()`. (`secure({ use })` takes `unknown[]`, so
 * there the run-time check of examples/startup-checks.test.ts is the one that holds.)
 */
describe('middleware factories passed uncalled', () => {
  it('do not type-check in createGuard().use()', () => {
    // @ts-expect-error requireScopes is a factory
    createGuard().use(requireScopes)
    // @ts-expect-error requireScopes.any is a factory
    createGuard().use(requireScopes.any)
    // @ts-expect-error rateLimit is a factory
    createGuard().use(rateLimit)
    // @ts-expect-error limitPayload is a factory
    createGuard().use(limitPayload)
    // @ts-expect-error requireApproval is a factory
    createGuard().use(requireApproval)
    // @ts-expect-error sanitizeInput is a factory
    createGuard().use(sanitizeInput)
    // @ts-expect-error sanitizeOutput is a factory
    createGuard().use(sanitizeOutput)
    // @ts-expect-error quarantine is a factory
    createGuard().use(quarantine)
    // @ts-expect-error flowPolicy is a factory
    createGuard().use(flowPolicy)
    // @ts-expect-error safePath is a factory
    createGuard().use(safePath)
    // @ts-expect-error safeUrl is a factory
    createGuard().use(safeUrl)
    // @ts-expect-error safeShellArg is a factory
    createGuard().use(safeShellArg)
    // @ts-expect-error scopesFromAnnotations is a factory
    createGuard().use(scopesFromAnnotations)
    createGuard().use(rateLimit({ limit: 1, windowMs: 1000 }))
  })

  it('do not type-check in server.guard()', () => {
    const server = secureV1(new McpServer({ name: 't', version: '1' }))
    // @ts-expect-error requireScopes is a factory
    server.guard(requireScopes)
    // @ts-expect-error rateLimit is a factory
    server.guard(rateLimit)
    // @ts-expect-error sanitizeOutput is a factory
    server.guard(sanitizeInput(), sanitizeOutput)
    server.guard(sanitizeInput(), sanitizeOutput())
  })
})
