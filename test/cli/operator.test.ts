import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMultipart } from '../../src/core/gateway/multipart.js';
import { startDevnetOrchestrator, type DevnetOrchestrator } from '../../src/devnet/orchestrator/server.js';
import { httpRequest, startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { GW_BIN, runGw } from '../helpers/gw.js';
import { makeTsSegment } from '../helpers/media.js';

describe('everyday commands against a live gateway (built CLI)', () => {
  let orch: DevnetOrchestrator;
  let gw: TestGateway;
  let segment: Buffer;
  const gwCli = (args: string[]) => runGw(args, { dataDir: gw.paths.dataDir });

  beforeAll(async () => {
    orch = await startDevnetOrchestrator({ pricePerUnit: 0n, pixelsPerUnit: 1n, offchain: true });
    gw = await startTestGateway({ orchAddr: [orch.serviceUri] });
    segment = makeTsSegment({ seconds: 2 });
  });
  afterAll(async () => {
    await gw?.stop();
    await orch?.close();
  });

  it('lists presets, refuses unknown ones, and applies a new set live to new streams', async () => {
    const ls = await gwCli(['profiles', 'ls', '--json']);
    expect(ls.exitCode).toBe(0);
    const listed = JSON.parse(ls.stdout) as { active: string[]; presets: Array<{ name: string; active: boolean }> };
    expect(listed.active).toEqual(['P240p30fps16x9', 'P360p30fps16x9']);
    expect(listed.presets.find((p) => p.name === 'P720p30fps16x9')?.active).toBe(false);

    const bad = await gwCli(['profiles', 'set', 'P240p30fps16x9,P999p']);
    expect(bad.exitCode).toBe(1);
    expect(bad.stderr).toContain('P999p');

    const set = await gwCli(['profiles', 'set', 'P144p30fps16x9,P240p30fps16x9']);
    expect(set.exitCode, set.stderr).toBe(0);
    expect(set.stdout).toContain('applied live');
    const r = await httpRequest(`${gw.state.httpUrl}/live/newprofiles/0.ts`, { method: 'POST', headers: { Accept: 'multipart/mixed' }, body: segment });
    expect(r.status).toBe(200);
    expect(parseMultipart(r.body, String(r.headers['content-type'])).map((p) => p.headers['rendition-name'])).toEqual(['P144p30fps16x9', 'P240p30fps16x9']);
  });

  it('shows sessions, one session in detail, orchestrators, tickets and failovers', async () => {
    const sessions = JSON.parse((await gwCli(['sessions', 'ls', '--json'])).stdout) as { sessions: Array<{ id: string; segmentsOk: number; orchestrator: string }> };
    expect(sessions.sessions.find((s) => s.id === 'newprofiles')).toEqual(expect.objectContaining({ segmentsOk: 1, orchestrator: orch.serviceUri }));
    const show = await gwCli(['sessions', 'show', 'newprofiles']);
    expect(show.exitCode).toBe(0);
    expect(show.stdout).toMatch(/Segments:\s+1 ok, 0 failed/);
    const missing = await gwCli(['sessions', 'show', 'nope']);
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toContain('no stream or job named "nope"');
    const orchs = JSON.parse((await gwCli(['orchestrators', 'ls', '--json'])).stdout) as { orchestrators: Array<{ uri: string; rejected: unknown }> };
    expect(orchs.orchestrators).toEqual([expect.objectContaining({ uri: orch.serviceUri, rejected: null })]);
    expect((await gwCli(['tickets', 'ls'])).stdout).toContain('no tickets sent yet');
    expect((await gwCli(['failovers', 'ls'])).stdout).toContain('no failovers');
  });

  it('follows the event stream as JSON lines', async () => {
    const child = execa(process.execPath, [GW_BIN, 'events', '--since', '0', '--type', 'stream.'], { env: { GW_DATA_DIR: gw.paths.dataDir }, reject: false });
    let out = '';
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', (c: Buffer) => {
        out += c.toString();
        if (out.includes('\n')) resolve();
      });
      setTimeout(() => reject(new Error(`no event line: ${out}`)), 10_000);
    });
    child.kill('SIGINT');
    await child;
    const first = JSON.parse(out.split('\n')[0]!) as { type: string; streamId: string };
    expect(first.type).toBe('stream.started');
    expect(first.streamId).toBe('newprofiles');
  });
});
