import { defineConfig } from 'tsup'

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    'sdk-v1': 'src/sdk-v1/index.ts',
    'sdk-v2': 'src/sdk-v2/index.ts',
    redis: 'src/redis/index.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
  splitting: false,
  treeshake: true,
})
