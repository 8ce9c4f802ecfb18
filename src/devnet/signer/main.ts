// Runs the devnet remote signer: key, chain state (a real chain via --eth-url/--controller, or assumed funds),
// HTTP server. Used by `gw devnet signer` and runnable directly:
//   node --import tsx src/devnet/signer/main.ts --port 3935 --eth-key <hex> [--eth-url <rpc> --controller <addr>]
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { type Address, isAddress } from '../../lib/protocol/address.js';
import { createChainClient } from '../../lib/chain/chainClient.js';
import { fastLocalSigner } from '../../lib/payments/fastSigner.js';
import { SenderMonitor, type SenderStateSource, fixedSenderState } from '../../lib/payments/senderMonitor.js';
import { type SignerServer, startSignerServer } from './server.js';

/** Default port of go-livepeer's signer CLI address (127.0.0.1:3935). */
export const DEFAULT_SIGNER_PORT = 3935;
/** Funds assumed without a chain: enough for any devnet face value. */
const ASSUMED_FUNDS = 1000n * 10n ** 18n;

export interface SignerMainOptions {
  port?: number;
  /** Hex private key of the paying account (never printed). */
  ethKey: string;
  ethUrl?: string;
  controller?: string;
  /** Chain poll interval. */
  pollMs?: number;
}

export interface RunningSigner {
  server: SignerServer;
  stop(): Promise<void>;
}

/** Starts the signer and its chain monitor; `log` gets one-line status messages (no secrets). */
export async function runSigner(options: SignerMainOptions, log: (line: string) => void = () => {}): Promise<RunningSigner> {
  const signer = fastLocalSigner(options.ethKey);
  const abort = new AbortController();
  let chain: SenderStateSource;
  let monitorDone: Promise<void> = Promise.resolve();
  if (options.ethUrl) {
    if (!options.controller || !isAddress(options.controller)) throw new Error('--eth-url needs --controller <address> of the devnet Controller');
    const client = await createChainClient({ rpcUrl: options.ethUrl, controller: options.controller as Address, pollingIntervalMs: 200 });
    const monitor = new SenderMonitor(client, signer.address);
    await monitor.refresh();
    monitorDone = monitor.run({
      signal: abort.signal,
      intervalMs: options.pollMs ?? 1000,
      onError: (err) => log(`chain poll failed: ${(err as Error).message}`),
    });
    chain = monitor;
    log(`chain ${options.ethUrl} (chain id ${client.chainId}), sender ${signer.address}`);
  } else {
    chain = fixedSenderState({
      info: { deposit: ASSUMED_FUNDS, withdrawRound: 0n, reserve: { fundsRemaining: ASSUMED_FUNDS, claimedInCurrentRound: 0n } },
      lastInitializedRound: 0n,
      lastSeenL1Block: 0n,
      lastInitializedBlockHash: new Uint8Array(32),
    });
    log('no --eth-url: sender funds are assumed and tickets are not redeemable');
  }
  let server: SignerServer;
  try {
    server = await startSignerServer({ signer, chain, port: options.port ?? DEFAULT_SIGNER_PORT });
  } catch (err) {
    abort.abort();
    await monitorDone;
    throw err;
  }
  log(`remote signer listening on ${server.url} for ${server.address}`);
  return {
    server,
    async stop() {
      abort.abort();
      await server.close();
      await monitorDone;
    },
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: String(DEFAULT_SIGNER_PORT) },
      'eth-key': { type: 'string' },
      'eth-url': { type: 'string' },
      controller: { type: 'string' },
    },
  });
  const ethKey = values['eth-key'] ?? process.env.GW_SIGNER_ETH_KEY;
  if (!ethKey) throw new Error('--eth-key (or GW_SIGNER_ETH_KEY) is required');
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid --port ${values.port}`);
  const running = await runSigner(
    {
      port,
      ethKey,
      ...(values['eth-url'] ? { ethUrl: values['eth-url'] } : {}),
      ...(values.controller ? { controller: values.controller } : {}),
    },
    (line) => console.log(line),
  );
  const shutdown = () => {
    running.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err: unknown) => {
    console.error(`gw devnet signer: ${(err as Error).message}`);
    process.exit(1);
  });
}
