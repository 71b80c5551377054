import { defineConfig } from 'tsup'

export default defineConfig([
  {
    entry: { index: 'src/index.ts', cedar: 'src/cedar/index.ts' },
    external: ['@cedar-policy/cedar-wasm'],
    format: ['esm', 'cjs'],
    dts: true,
    clean: true,
    sourcemap: true,
    target: 'node20',
    splitting: false,
    treeshake: true,
  },
  {
    // The `mcp-warden-lock` command: ESM only, no types.
    entry: { cli: 'src/cli.ts' },
    format: ['esm'],
    dts: false,
    clean: false,
    sourcemap: true,
    target: 'node20',
    splitting: false,
    treeshake: true,
  },
])
