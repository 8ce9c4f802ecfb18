// Regenerates docs/settings.md from the settings schema (src/lib/settings/settings.ts, compiled to dist/).
// `node scripts/gen-settings-doc.mjs --check` fails when the committed file is out of date.
import { readFileSync, writeFileSync } from 'node:fs';
import { envName, flagName, SETTINGS } from '../dist/lib/settings/settings.js';

const fmt = (v) => (v === undefined ? '—' : Array.isArray(v) ? (v.length ? `\`${v.join(',')}\`` : '—') : `\`${v}\``);
const groups = [...new Set(SETTINGS.map((s) => s.group))];
let out = `# Settings

Generated from \`src/lib/settings/settings.ts\` by \`node scripts/gen-settings-doc.mjs\`; do not edit by hand.

Precedence: **flag** (\`gw start --flag\`) > **environment** (\`GW_*\`) > **config file** (\`gw config set\`, stored in
\`<data dir>/config.json\`) > **default**. \`gw config ls\` shows each value's source. Settings marked *restart* are
saved at once but take effect at the next \`gw start\`; the others apply live.

Durations accept \`500ms\`, \`10s\`, \`2m\` (a bare number is milliseconds). Wei amounts are whole numbers.
`;
for (const g of groups) {
  out += `\n## ${g}\n\n| setting | flag | env | default | go-livepeer | description |\n| --- | --- | --- | --- | --- | --- |\n`;
  for (const s of SETTINGS.filter((x) => x.group === g)) {
    const choices = s.choices ? ` (one of ${s.choices.map((c) => `\`${c}\``).join(', ')})` : '';
    out += `| \`${s.key}\` | \`--${flagName(s.key)}\` | \`${envName(s.key)}\` | ${fmt(s.default)} | ${s.goFlag ? `\`${s.goFlag}\`` : ''} | ${s.description}${choices}${s.restart ? ' *(restart)*' : ''} |\n`;
  }
}
out += `\nGlobal to every command: \`--data-dir\` / \`GW_DATA_DIR\` selects the gateway (default \`$XDG_STATE_HOME/gw\`, i.e.
\`~/.local/state/gw\`), so several gateways can run side by side; \`--json\` prints machine-readable output.
`;

const path = new URL('../docs/settings.md', import.meta.url);
if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(path, 'utf8');
  } catch {
    // missing counts as stale
  }
  if (current !== out) {
    console.error('docs/settings.md is out of date: run node scripts/gen-settings-doc.mjs');
    process.exit(1);
  }
} else {
  writeFileSync(path, out);
}
