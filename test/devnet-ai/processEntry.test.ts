// The orchestrator process entry with --ai/--byoc flags, off-chain: AI and BYOC work without payments.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { AiTestClient } from './helpers/aiClient.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MAIN = fileURLToPath(new URL('../../src/devnet/orchestrator/main.ts', import.meta.url));
let child: ChildProcess | undefined;

afterAll(() => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

function start(args: string[]): Promise<{ serviceUri: string }> {
  child = spawn(process.execPath, ['--import', 'tsx', MAIN, '--port', '0', '--offchain', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child!.stderr?.on('data', (c: Buffer) => (err += c.toString()));
    child!.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('\n')) resolve(JSON.parse(out.split('\n')[0]!) as { serviceUri: string });
    });
    child!.once('exit', (code) => reject(new Error(`entry exited with ${code}: ${err}`)));
  });
}

describe('orchestrator process entry with AI flags', () => {
  it('serves the configured models and BYOC off-chain, unpaid', async () => {
    const { serviceUri } = await start(['--ai-models', 'text-to-image=warm:cli/model*2', '--byoc', 'cli-echo=echo,0,1']);
    const c = new AiTestClient(serviceUri);
    try {
      const info = await c.discover('text-to-image', 'cli/model');
      expect(info.priceInfo).toBeUndefined();
      expect(info.capabilities!.constraints!.PerCapability[27]!.models['cli/model']).toMatchObject({ warm: true, capacity: 2 });
      const h = await c.aiHeaders(info, 'text-to-image', 'cli/model');
      expect(h.pay).toBe('');
      const r = await c.post('text-to-image', { json: { model_id: 'cli/model', prompt: 'cli', width: 8, height: 8 } }, h, false);
      expect(r.status, r.text).toBe(200);
      expect((JSON.parse(r.text) as { images: Array<{ url: string }> }).images[0]!.url).toMatch(/^data:image\/png;base64,/);

      const token = await c.request({ ':method': 'GET', ':path': '/process/token', 'livepeer-eth-address': await c.ethAddressHeader(), 'livepeer-capability': 'cli-echo' });
      expect(JSON.parse(token.text)).toMatchObject({ price: { pixelsPerUnit: 1 }, available_capacity: 1 });
      expect(JSON.parse(token.text).ticket_params).toBeUndefined();
      const job = await c.request({ ':method': 'POST', ':path': '/process/request/x', livepeer: await c.jobHeader({ request: '{}', capability: 'cli-echo' }) }, 'plain');
      expect([job.status, job.headers['livepeer-balance']]).toEqual([200, '0']);
      expect(JSON.parse(job.text)).toMatchObject({ capability: 'cli-echo', body: 'plain' });
    } finally {
      c.close();
    }
    child!.kill('SIGTERM');
  });
});
