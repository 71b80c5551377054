import { defineConfig } from 'tsup'

export default defineConfig({
  entry: { index: 'src/index.ts', 'bin/mcp-warden-audit-verify': 'src/bin/verify.ts' },
  format: ['esm', 'cjs'],
  dts: { entry: { index: 'src/index.ts' } },
  clean: true,
  sourcemap: true,
  target: 'node20',
  splitting: false,
  treeshake: true,
})
