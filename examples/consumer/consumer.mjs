// Imports the built packages through their published ESM entry points.

import { onDecision } from '@mcp-warden/audit'
import { requireAuth } from '@mcp-warden/auth'
import { createGuard, createMemoryStore, WardenError } from '@mcp-warden/core'
import { createRedisStore } from '@mcp-warden/core/redis'
import { secure as secureV1 } from '@mcp-warden/core/sdk-v1'
import { secure as secureV2 } from '@mcp-warden/core/sdk-v2'
import { requireScopes } from '@mcp-warden/policy'
import { McpServer as ServerV1 } from '@modelcontextprotocol/sdk/server/mcp.js'
import { McpServer as ServerV2 } from '@modelcontextprotocol/server'

const checks = {
  guard: createGuard().use(requireAuth()).use(requireScopes('a')).middlewares.length === 2,
  store: typeof createMemoryStore({ max: 1 }).get === 'function',
  error: WardenError.isInstance(new WardenError('ERR_X_Y', 'x')),
  v1: typeof secureV1(new ServerV1({ name: 'c', version: '1' })).guard === 'function',
  v2: typeof secureV2(new ServerV2({ name: 'c', version: '1' })).guard === 'function',
  audit: typeof onDecision(() => {}) === 'function',
  redis: typeof createRedisStore === 'function',
}
const failed = Object.entries(checks).filter(([, ok]) => !ok)
if (failed.length > 0) {
  console.error('ESM consumer failed:', failed.map(([name]) => name).join(', '))
  process.exit(1)
}
console.log('ESM consumer: ok')
