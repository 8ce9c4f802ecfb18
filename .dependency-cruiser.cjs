// The layers of gw, enforced by `npm run lint` (docs/architecture.md draws them):
//
//   src/commands, src/cli, src/tui ─→ src/api (typed control-API client + contract) ─HTTP─→ src/core (daemon)
//   every layer ─→ src/lib (shared library: protocol, chain reads, units, pricing, settings, keystore, ffmpeg)
//   src/devnet (our local peers, run as child processes) ─→ src/lib, src/api
//
// The one crossing allowed: `gw start --foreground` runs the daemon in its own process by a dynamic import of
// src/core/main.ts from src/commands/start.ts.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'ui-not-core',
      comment: 'commands, CLI services and the dashboard reach the daemon through src/api, never by importing src/core',
      severity: 'error',
      from: { path: '^src/(commands|cli|tui)/' },
      to: { path: '^src/core/', pathNot: '^src/core/main\\.ts$' },
    },
    {
      name: 'daemon-entry-only-dynamic-from-start',
      comment: 'only `gw start --foreground` may load the daemon, and only lazily (a dynamic import)',
      severity: 'error',
      from: { pathNot: '^src/(core|commands/start\\.ts$)' },
      to: { path: '^src/core/main\\.ts$' },
    },
    {
      name: 'start-loads-daemon-lazily',
      severity: 'error',
      from: { path: '^src/commands/start\\.ts$' },
      to: { path: '^src/core/', dependencyTypesNot: ['dynamic-import'] },
    },
    {
      name: 'core-not-ui',
      comment: 'the daemon knows nothing of oclif, Ink, the CLI or the devnet',
      severity: 'error',
      from: { path: '^src/core/' },
      to: { path: '^src/(commands|cli|tui|devnet)/' },
    },
    {
      name: 'api-only-lib',
      comment: 'the control-API contract and client depend on the shared library alone',
      severity: 'error',
      from: { path: '^src/api/' },
      to: { path: '^src/(core|commands|cli|tui|devnet)/' },
    },
    {
      name: 'lib-is-a-leaf',
      comment: 'the shared library imports nothing of gw outside src/lib',
      severity: 'error',
      from: { path: '^src/lib/' },
      to: { path: '^src/(core|api|commands|cli|tui|devnet)/' },
    },
    {
      name: 'devnet-is-a-peer',
      comment: 'the devnet is another program (orchestrators, chain, signer): it shares library code, not the daemon',
      severity: 'error',
      from: { path: '^src/devnet/' },
      to: { path: '^src/(core|commands|cli|tui)/' },
    },
    {
      name: 'no-value-cycles',
      comment: 'no cycle of runtime imports between files (type-only imports carry no values and are allowed)',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true, dependencyTypesNot: ['type-only'], viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'no-value-folder-cycles-in-core',
      comment: 'no cycle between the folders of src/core (the folder scope counts type-only imports too, so this is stricter than the issue asks)',
      severity: 'error',
      scope: 'folder',
      from: { path: '^src/core/' },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^src/lib/protocol/gen/|\\.test\\.tsx?$)' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
