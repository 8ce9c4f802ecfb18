// Runs benchmarks: `npm run bench` (all) or `npm run bench -- cli-latency protocol`.
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';

const wanted = process.argv.slice(2);
const all = readdirSync('bench').filter((f) => f.endsWith('.ts') && f !== 'stats.ts').map((f) => f.replace(/\.ts$/, ''));
for (const name of wanted.length ? wanted : all) {
  if (!all.includes(name)) {
    console.error(`no benchmark named ${name}; have: ${all.join(', ')}`);
    process.exit(2);
  }
  console.log(`\n== bench/${name}`);
  execFileSync(process.execPath, ['--import', 'tsx', `bench/${name}.ts`], { stdio: 'inherit' });
}
