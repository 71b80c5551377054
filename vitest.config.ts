import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

const src = (path: string): string => fileURLToPath(new URL(`./packages/${path}`, import.meta.url))

export default defineConfig({
  resolve: {
    // Tests run against the sources; the built packages are checked separately by scripts/check-packages.ts.
    alias: [
      { find: /^@mcp-warden\/core\/sdk-v1$/, replacement: src('core/src/sdk-v1/index.ts') },
      { find: /^@mcp-warden\/core\/sdk-v2$/, replacement: src('core/src/sdk-v2/index.ts') },
      { find: /^@mcp-warden\/core\/redis$/, replacement: src('core/src/redis/index.ts') },
      { find: /^@mcp-warden\/policy\/cedar$/, replacement: src('policy/src/cedar/index.ts') },
      { find: /^@mcp-warden\/(core|auth|policy|audit)$/, replacement: src('$1/src/index.ts') },
    ],
  },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'packages/*/test/**/*.test.ts', 'examples/**/*.test.ts'],
    setupFiles: ['./test-support/quiet-warnings.ts'],
    typecheck: {
      enabled: true,
      include: ['packages/*/src/**/*.test-d.ts', 'packages/*/test/**/*.test-d.ts'],
      tsconfig: './tsconfig.json',
    },
    testTimeout: 20_000,
    hookTimeout: 30_000,
  },
})
