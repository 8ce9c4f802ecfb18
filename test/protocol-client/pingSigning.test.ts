// `gw orchestrators ping` against an on-chain devnet orchestrator (it verifies the OrchestratorRequest signature), as a
// real non-interactive process from the sources: signed with the gateway's keystore account and its password file or
// GW_ETH_PASSWORD; without a password or an account it says so before sending, and how to fix it.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeyFile, LIGHT_SCRYPT } from '../../src/lib/payments/keystore.js';
import { resolvePaths } from '../../src/lib/settings/paths.js';
import { startDevnetOrchestrator, type DevnetOrchestrator } from '../../src/devnet/orchestrator/server.js';
import { ROOT, tempDataDir } from '../helpers/gw.js';

const RUNNER = join(ROOT, 'test/ai/runCommand.ts');
const PING = join(ROOT, 'src/commands/orchestrators/ping.ts');
const PASSWORD = 'ping-test-password';

async function ping(args: string[], dataDir: string, env: Record<string, string> = {}) {
  const r = await execa(process.execPath, ['--import', 'tsx', '--no-warnings', RUNNER, PING, ...args], {
    reject: false,
    // not the caller's GW_ETH_KEY / GW_ETH_PASSWORD: only what each case sets
    extendEnv: false,
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', GW_DATA_DIR: dataDir, NO_COLOR: '1', ...env },
    stdin: 'ignore',
    cwd: ROOT,
    timeout: 30_000,
  });
  return { code: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr).replace(/\s*\n\s*›\s+/g, ' ') };
}

type PingJson = Array<{ ok: boolean; summary?: { ticket?: unknown }; error?: { message: string } }>;

describe('gw orchestrators ping signs with the gateway account', () => {
  const withKey = tempDataDir('gw-ping-key-');
  const noKey = tempDataDir('gw-ping-nokey-');
  let orch: DevnetOrchestrator;
  let address: string;
  let passwordFile: string;

  beforeAll(async () => {
    // no `offchain`: the orchestrator checks the request signature (simulated chain)
    orch = await startDevnetOrchestrator({ pricePerUnit: 1n, pixelsPerUnit: 1n });
    ({ address } = await createKeyFile(resolvePaths(withKey.dir).keystoreDir, PASSWORD, { scrypt: LIGHT_SCRYPT }));
    passwordFile = join(withKey.dir, 'password.txt');
    writeFileSync(passwordFile, `${PASSWORD}\n`);
  });

  afterAll(async () => {
    await orch?.close();
    withKey.cleanup();
    noKey.cleanup();
  });

  it('signs with the keystore account unlocked by --password-file or GW_ETH_PASSWORD', async () => {
    for (const [args, env] of [[['--password-file', passwordFile], {}], [[], { GW_ETH_PASSWORD: PASSWORD }]] as const) {
      const r = await ping([orch.serviceUri, '--json', ...args], withKey.dir, env);
      expect(r.code, r.stderr + r.stdout).toBe(0);
      const [res] = JSON.parse(r.stdout) as PingJson;
      expect(res!.ok, JSON.stringify(res)).toBe(true);
      expect(res!.summary!.ticket).toBeDefined();
      expect(r.stderr).toContain(`signed by ${address}`);
      expect(r.stderr + r.stdout).not.toContain(PASSWORD);
    }
  });

  it('says before sending that it cannot sign, and how to fix it: no password source, then no account', async () => {
    const noPassword = await ping([orch.serviceUri], withKey.dir);
    expect(noPassword.stderr).toMatch(new RegExp(`not signed: no keystore password for ${address}`));
    expect(noPassword.stderr).toMatch(/--password-file <file> or set GW_ETH_PASSWORD/);
    // the warning comes before the orchestrator's refusal, which repeats the fix
    expect(noPassword.code).toBe(1);
    expect(noPassword.stdout).toMatch(/sig check failed.*the request was not signed/);

    const noAccount = await ping([orch.serviceUri], noKey.dir);
    expect(noAccount.code).toBe(1);
    expect(noAccount.stderr).toMatch(/not signed: no gateway account/);
    expect(noAccount.stderr).toContain('gw account create');
  });

  it('refuses a wrong password without printing it', async () => {
    const r = await ping([orch.serviceUri], withKey.dir, { GW_ETH_PASSWORD: 'not-the-password' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/wrong password/);
    expect(r.stderr + r.stdout).not.toContain('not-the-password');
  });
});
