// `prepack` of every published package: refuses `npm pack` and `npm publish`, which would ship
// `workspace:^` dependency ranges that no registry can resolve. `pnpm pack` and `pnpm publish`
// replace them with the versions of the workspace packages.
const agent = process.env.npm_config_user_agent ?? ''
if (!agent.startsWith('pnpm/')) {
  console.error(
    'This package is packed and published with pnpm (`pnpm pack`, `pnpm publish`, or `pnpm release` at the root):\n' +
      'npm would leave `workspace:^` ranges in its package.json.',
  )
  process.exit(1)
}
