import { execa } from 'execa';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Failover, GwEvent, SegmentTranscoded } from '../../src/api/events.js';
import { resolvePaths } from '../../src/lib/settings/paths.js';
import { createChainClient, type ChainClient } from '../../src/lib/chain/chainClient.js';
import { devnetDown, devnetUp } from '../../src/devnet/devnetUp.js';
import type { DevnetState } from '../../src/devnet/devnetState.js';
import { startTestGateway, waitFor, type TestGateway } from '../helpers/gateway.js';
import { tempDataDir } from '../helpers/gw.js';
import { probeVideo } from '../helpers/media.js';

// Tickets of 0.005 ETH winning half the time (a gateway refuses tickets whose EV equals their face value), and
// prices high enough that every segment needs tickets, so redemptions are all but certain within the stream.
const WINNING_FACE_VALUE = 5_000_000_000_000_000n;

describe('RTMP → gw → three devnet orchestrators on the devnet chain', () => {
  const { dir, cleanup } = tempDataDir('gw-rtmp-');
  const paths = resolvePaths(dir);
  const recordDir = join(dir, 'rec');
  let devnet: DevnetState;
  let gw: TestGateway;
  let chain: ChainClient;
  let depositBefore: bigint;

  beforeAll(async () => {
    ({ state: devnet } = await devnetUp({
      paths,
      orchestrators: 3,
      prices: ['100000000/1', '120000000/1', '5000000000/1'],
      chain: true,
      passthrough: false,
      basePort: 0,
      chainPort: 0,
      deposit: 1_000_000_000_000_000_000n,
      reserve: 1_000_000_000_000_000_000n,
      ticketEV: WINNING_FACE_VALUE / 2n,
      maxFaceValue: WINNING_FACE_VALUE,
    }));
    chain = await createChainClient({ rpcUrl: devnet.chain!.rpcUrl, controller: devnet.chain!.contracts.controller });
    depositBefore = (await chain.getSenderInfo(devnet.accounts[0]!.address)).deposit;
    gw = await startTestGateway(
      {
        network: 'devnet',
        orchAddr: devnet.orchestrators.map((o) => o.uri),
        maxPricePerUnit: '200000000',
        maxTicketEV: '10000000000000000',
        maxTotalEV: '100000000000000000',
        recordDir,
      },
      dir,
    );
  }, 120_000);

  afterAll(async () => {
    await gw?.stop();
    await devnetDown(paths);
    cleanup();
  });

  it('never uses the orchestrator above the price cap, and says why', async () => {
    await waitFor(async () => (await gw.client.orchestrators()).orchestrators.length === 3, 'three orchestrators probed');
    const { orchestrators, maxPricePerPixel } = await gw.client.orchestrators();
    expect(maxPricePerPixel).toBe('200000000/1');
    const expensive = orchestrators.find((o) => o.uri === devnet.orchestrators[2]!.uri)!;
    expect(expensive.rejected).toEqual(expect.objectContaining({ reason: 'price too high' }));
    expect(orchestrators.filter((o) => !o.rejected)).toHaveLength(2);
  });

  it('transcodes a 20 s stream, survives kill -9 of the orchestrator in use without losing a segment, and pays', async () => {
    const publish = execa('ffmpeg', [
      '-loglevel', 'error', '-re',
      '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=30', '-f', 'lavfi', '-i', 'sine',
      '-t', '20', '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '60', '-c:a', 'aac',
      '-f', 'flv', `rtmp://127.0.0.1:${gw.rtmpPort}/live/cam1`,
    ]);
    const transcoded = () => gw.events.filter((e): e is SegmentTranscoded => e.type === 'segment.transcoded' && e.streamId === 'cam1');
    await waitFor(() => transcoded().length >= 3, 'three segments transcoded', 30_000);
    const inUse = transcoded().at(-1)!.orchestrator;
    const victim = devnet.orchestrators.find((o) => o.uri === inUse)!;
    process.kill(victim.pid, 'SIGKILL');
    await publish;
    await waitFor(() => transcoded().length >= 9, 'the rest of the stream transcoded', 30_000);

    const failovers = gw.events.filter((e): e is Failover => e.type === 'failover' && e.streamId === 'cam1');
    expect(failovers.length).toBeGreaterThanOrEqual(1);
    expect(failovers[0]).toEqual(expect.objectContaining({ from: victim.uri, to: expect.not.stringMatching(victim.uri) }));
    expect(devnet.orchestrators.map((o) => o.uri)).toContain(failovers[0]!.to);
    expect(transcoded().every((e) => e.orchestrator !== devnet.orchestrators[2]!.uri)).toBe(true);
    const finalFailures = gw.events.filter((e: GwEvent) => e.type === 'segment.failed' && e.final);
    expect(finalFailures).toEqual([]);

    // Winning tickets were redeemed on the chain by the orchestrators: the gateway's deposit went down.
    await waitFor(async () => (await chain.getSenderInfo(devnet.accounts[0]!.address)).deposit < depositBefore, 'a redemption', 30_000);
    const after = await chain.getSenderInfo(devnet.accounts[0]!.address);
    expect((depositBefore - after.deposit) % WINNING_FACE_VALUE).toBe(0n);
    expect(gw.events.some((e) => e.type === 'tickets.sent')).toBe(true);

    // Ending the gateway ends the stream: recordings hold every segment of every rendition, contiguous.
    await gw.stop();
    const seqs = (rendition: string) =>
      readdirSync(join(recordDir, 'cam1', rendition))
        .map((f) => Number(f.replace('.ts', '')))
        .sort((a, b) => a - b);
    const source = seqs('source');
    expect(source.length).toBeGreaterThanOrEqual(9);
    expect(source).toEqual(source.map((_, i) => i));
    for (const [profile, size] of [['P240p30fps16x9', { width: 426, height: 240 }], ['P360p30fps16x9', { width: 640, height: 360 }]] as const) {
      expect(seqs(profile)).toEqual(source);
      expect(probeVideo(join(recordDir, 'cam1', `${profile}.m3u8`))).toEqual(expect.objectContaining(size));
    }
  }, 150_000);
});
