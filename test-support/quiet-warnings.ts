/**
 * Vitest setup: the suites that build stateful guards per request do so on purpose, and the
 * library warns once per guard rebuilt that way (`MCP_WARDEN_GUARD_REBUILT`). Those suites assert
 * the warning through their own `warning` listener; this keeps Node from also printing it, so the
 * test run shows only what a reader should look at. Every other warning is printed as usual.
 */
const printers = process.listeners('warning')
process.removeAllListeners('warning')
process.on('warning', (warning: Error & { code?: string }) => {
  if (warning.code === 'MCP_WARDEN_GUARD_REBUILT') return
  for (const print of printers) print(warning)
})
