// Requires the built packages through their published CommonJS entry points.
const { createGuard, createMemoryStore, WardenError } = require('@mcp-warden/core')
const { secure: secureV1 } = require('@mcp-warden/core/sdk-v1')
const { secure: secureV2 } = require('@mcp-warden/core/sdk-v2')
const { createRedisStore } = require('@mcp-warden/core/redis')
const { requireAuth } = require('@mcp-warden/auth')
const { requireScopes } = require('@mcp-warden/policy')
const { onDecision } = require('@mcp-warden/audit')
const { McpServer: ServerV1 } = require('@modelcontextprotocol/sdk/server/mcp.js')
const { McpServer: ServerV2 } = require('@modelcontextprotocol/server')

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
  console.error('CJS consumer failed:', failed.map(([name]) => name).join(', '))
  process.exit(1)
}
console.log('CJS consumer: ok')
