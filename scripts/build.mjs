// Build: compile TypeScript to dist/, then regenerate oclif.manifest.json from the compiled commands.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';

const run = (cmd, args) => execFileSync(cmd, args, { stdio: 'inherit' });

rmSync('dist', { recursive: true, force: true });
run('npx', ['tsc', '-p', 'tsconfig.json']);
run('npx', ['tsc', '-p', 'tsconfig.test.json']);
run('npx', ['oclif', 'manifest']);
run('node', ['scripts/gen-settings-doc.mjs', '--check']);
