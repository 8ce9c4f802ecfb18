// Regenerates src/lib/protocol/gen/ from proto/ (run: node scripts/gen-proto.mjs).
//
// Why this setup: protobuf-es v2 gives plain TypeScript message types with bigint for 64-bit integers,
// Uint8Array for bytes and oneofs as tagged unions ({ case, value }), which is what the wire layer needs for
// exact money math. buf is invoked from its npm-shipped binary with the local protoc-gen-es plugin, so codegen
// runs fully offline and at the versions pinned in package-lock.json.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const buf = join(root, 'node_modules', '.bin', process.platform === 'win32' ? 'buf.cmd' : 'buf');

rmSync(join(root, 'src', 'core', 'protocol', 'gen'), { recursive: true, force: true });
execFileSync(buf, ['generate', '--template', 'buf.gen.yaml'], { cwd: root, stdio: 'inherit' });
console.log('generated src/lib/protocol/gen/');
