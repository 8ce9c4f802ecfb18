// Build: compile TypeScript to dist/, then regenerate oclif.manifest.json from the compiled commands.
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';

const run = (cmd, args) => execFileSync(cmd, args, { stdio: 'inherit' });

rmSync('dist', { recursive: true, force: true });
run('npx', ['tsc', '-p', 'tsconfig.json']);
run('npx', ['tsc', '-p', 'tsconfig.test.json']);
run('npx', ['oclif', 'manifest']);
// oclif writes commands in load order, which varies from run to run: sort them so the file only changes with the commands.
const manifest = JSON.parse(readFileSync('oclif.manifest.json', 'utf8'));
manifest.commands = Object.fromEntries(Object.entries(manifest.commands).sort(([a], [b]) => a.localeCompare(b)));
writeFileSync('oclif.manifest.json', `${JSON.stringify(manifest, null, 2)}\n`);
run('node', ['scripts/gen-settings-doc.mjs', '--check']);
run('node', ['scripts/gen-routes-doc.mjs', '--check']);
