// Process entry of one devnet orchestrator (spawned by `gw devnet up`): flags → startDevnetOrchestrator, one JSON
// ready line on stdout, logs on stderr, exit on SIGTERM/SIGINT (and on dieAfter).
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { optionsFromFlags } from './orchestratorFlags.js';
import { startDevnetOrchestrator } from './server.js';

const STRING_FLAGS = ['host', 'port', 'price', 'eth-key', 'capacity', 'fail-next', 'latency', 'error-rate', 'die-after', 'eth-url', 'controller', 'ticket-ev', 'max-face-value', 'ffmpeg', 'control-token', 'ai-models', 'ai-price', 'byoc', 'live-capacity', 'live-price', 'live-status-interval', 'live-debit-interval'] as const;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      ...Object.fromEntries(STRING_FLAGS.map((f) => [f, { type: 'string' as const }])),
      offchain: { type: 'boolean' },
      passthrough: { type: 'boolean' },
      ai: { type: 'boolean' },
      live: { type: 'boolean' },
    },
    strict: true,
  });
  const log = pino({ base: { pid: process.pid, component: 'devnet-orchestrator' } }, pino.destination({ dest: 2, sync: true }));
  const opts = optionsFromFlags(values);
  opts.logger = { info: (m) => log.info(m), warn: (m) => log.warn(m), error: (m) => log.error(m) };
  opts.onDie = () => {
    log.warn('dieAfter reached: exiting');
    process.exit(1);
  };
  const orch = await startDevnetOrchestrator(opts);
  process.stdout.write(`${JSON.stringify({ event: 'ready', serviceUri: orch.serviceUri, address: orch.address, port: orch.port })}\n`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`${signal}: shutting down`);
    orch.close().finally(() => process.exit(0));
    setTimeout(() => process.exit(0), 3000).unref();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(`devnet orchestrator failed to start: ${(err as Error).message}\n`);
  process.exit(1);
});
