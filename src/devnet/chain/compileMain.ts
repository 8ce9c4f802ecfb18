// CLI: compile the devnet contracts and write src/devnet/chain/artifacts.json (run with `node --import tsx`).
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { compileContracts } from './compile.js';

const target = fileURLToPath(new URL('../../../src/devnet/chain/artifacts.json', import.meta.url));
const started = performance.now();
const artifacts = compileContracts();
writeFileSync(target, `${JSON.stringify(artifacts)}\n`);
const names = Object.keys(artifacts.contracts).join(', ');
console.log(`compiled ${names} with solc ${artifacts.compiler} in ${Math.round(performance.now() - started)} ms -> ${target}`);
