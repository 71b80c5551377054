import { defineConfig } from 'tsup'

export default defineConfig({
  entry: { index: 'src/index.ts', cedar: 'src/cedar/index.ts' },
  external: ['@cedar-policy/cedar-wasm'],
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
  splitting: false,
  treeshake: true,
})
