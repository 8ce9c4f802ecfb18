// `gw devnet up/status/down` end to end through the command classes: real detached chain and orchestrator
// processes (run from TypeScript via tsx), registered on-chain, answering a funded gateway.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import DevnetDown from '../../src/commands/devnet/down.js';
import DevnetStatus from '../../src/commands/devnet/status.js';
import DevnetUp from '../../src/commands/devnet/up.js';
import { isProcessAlive } from '../../src/api/daemonState.js';
import { resolvePaths } from '../../src/lib/settings/paths.js';
import { bytesToBigint, localSigner } from '../../src/lib/protocol/index.js';
import { devnetDown, devnetUp } from '../../src/devnet/devnetUp.js';
import { devnetPids, readDevnetState } from '../../src/devnet/devnetState.js';
import { OrchClient } from './helpers/orchClient.js';
import { orchRequest } from './helpers/payments.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'gw-devnet-cli-'));
const paths = resolvePaths(dir);

afterAll(async () => {
  await devnetDown(paths); // in case a test failed half-way
  rmSync(dir, { recursive: true, force: true });
});

describe('gw devnet', () => {
  it('up starts a chain and 2 registered orchestrators (with --live), status reports them, down stops everything', async () => {
    const flags = ['--data-dir', dir, '--json'];
    const up = (await DevnetUp.run(['--orchestrators', '2', '--prices', '1000/1,1500/1', '--base-port', '0', '--chain-port', '0', '--passthrough', '--live', ...flags], ROOT)) as Awaited<ReturnType<DevnetUp['run']>>;
    expect(up.alreadyUp).toBe(false);
    expect(up.state.orchestrators.map((o) => o.price)).toEqual(['1000/1', '1500/1']);
    expect(JSON.stringify(up.state)).not.toMatch(/privateKey/);

    const state = readDevnetState(paths)!;
    expect(state.chain?.contracts.controller).toMatch(/^0x[0-9a-fA-F]{40}$/);
    expect(state.accounts).toHaveLength(1);
    for (const pid of devnetPids(state)) expect(isProcessAlive(pid)).toBe(true);

    // The funded gateway account gets ticket params from an on-chain orchestrator at its price.
    const gw = localSigner(state.accounts[0]!.privateKey);
    const client = new OrchClient(state.orchestrators[1]!.uri);
    try {
      const r = await client.getOrchestrator(await orchRequest(gw));
      expect(r.status, r.message).toBe(0);
      expect(r.info!.priceInfo?.pricePerUnit).toBe(1500n);
      expect(bytesToBigint(r.info!.ticketParams!.recipient)).toBe(BigInt(state.orchestrators[1]!.address));
      // --live: capability 35 with the devnet pipelines (transcoding job caps still get the transcoding price).
      expect(Object.keys(r.info!.capabilities!.constraints!.PerCapability[35]!.models)).toEqual(['noop', 'devnet/negate', 'devnet/hue']);
    } finally {
      client.close();
    }

    const again = (await DevnetUp.run(['--orchestrators', '2', '--base-port', '0', '--chain-port', '0', ...flags], ROOT)) as { alreadyUp: boolean };
    expect(again.alreadyUp).toBe(true);

    const status = (await DevnetStatus.run(flags, ROOT)) as {
      up: boolean;
      chain: { alive: boolean };
      orchestrators: { alive: boolean; stats?: { getOrchestrator?: number } }[];
      accounts: { address: string; privateKey?: string; deposit?: string; reserve?: string }[];
    };
    expect(status.up).toBe(true);
    expect(status.chain.alive).toBe(true);
    expect(status.orchestrators.map((o) => o.alive)).toEqual([true, true]);
    expect(status.orchestrators[1]!.stats?.getOrchestrator).toBe(1);
    expect(status.accounts[0]).toMatchObject({ address: gw.address, deposit: (10n ** 19n).toString(), reserve: (10n ** 19n).toString() });
    expect(status.accounts[0]!.privateKey).toBeUndefined();

    const down = (await DevnetDown.run(flags, ROOT)) as { wasUp: boolean; stopped: number };
    expect(down).toEqual({ wasUp: true, stopped: 3 });
    for (const pid of devnetPids(state)) expect(isProcessAlive(pid)).toBe(false);
    expect(readDevnetState(paths)).toBeUndefined();
    expect(((await DevnetStatus.run(flags, ROOT)) as { up: boolean }).up).toBe(false);
  });

  it('up --orchestrators 0: a chain and a funded gateway account only (not without the chain)', async () => {
    const flags = ['--data-dir', dir, '--json'];
    await expect(DevnetUp.run(['--orchestrators', '0', '--no-chain', '--data-dir', dir], ROOT)).rejects.toThrow(/--orchestrators 0 needs the chain/);
    const up = (await DevnetUp.run(['--orchestrators', '0', '--chain-port', '0', ...flags], ROOT)) as Awaited<ReturnType<DevnetUp['run']>>;
    expect(up.state.orchestrators).toEqual([]);
    expect(up.state.chain?.contracts.controller).toMatch(/^0x[0-9a-fA-F]{40}$/);
    const status = (await DevnetStatus.run(flags, ROOT)) as { up: boolean; accounts: { deposit?: string }[] };
    expect(status.up).toBe(true);
    expect(status.accounts[0]!.deposit).toBe((10n ** 19n).toString());
    expect(await DevnetDown.run(flags, ROOT)).toEqual({ wasUp: true, stopped: 1 });
  });

  it('without hardhat (a devDependency a package install leaves out) fails before starting anything, saying what to install', async () => {
    const missing = (id: string): string => {
      throw Object.assign(new Error(`Cannot find module '${id}'`), { code: 'MODULE_NOT_FOUND' });
    };
    const opts = { paths, orchestrators: 1, chain: true, passthrough: true, basePort: 0, chainPort: 0, deposit: 1n, reserve: 1n, resolveModule: missing };
    const err = await devnetUp(opts).then(() => undefined, (e: unknown) => e as Error);
    expect(err?.message).toMatch(/needs hardhat/);
    expect(err?.message).toMatch(/npm install --no-save --prefix \S+ hardhat@2\.29\.1/);
    expect(readDevnetState(paths)).toBeUndefined();
  });
});
