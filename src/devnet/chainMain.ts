// Process entry that keeps the devnet's local chain alive after `gw devnet up` exits: starts `hardhat node`, prints
// one JSON ready line, stops the node on SIGTERM/SIGINT.
import { parseArgs } from 'node:util';
import { startLocalChain } from './chain/localChain.js';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { port: { type: 'string' }, 'data-dir': { type: 'string' } }, strict: true });
  const port = Number(values.port ?? '0');
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid --port ${values.port}`);
  const chain = await startLocalChain({ port, ...(values['data-dir'] ? { dataDir: values['data-dir'] } : {}) });
  process.stdout.write(`${JSON.stringify({ event: 'ready', rpcUrl: chain.rpcUrl, chainId: chain.chainId, nodePid: chain.pid, startupMs: chain.startupMs })}\n`);
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    chain.stop().finally(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`devnet chain failed to start: ${(err as Error).message}\n`);
  process.exit(1);
});
