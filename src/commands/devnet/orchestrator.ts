import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Flags } from '@oclif/core';
import { GwCommand, GwUserError } from '../../cli/baseCommand.js';
import { renderKeyValues } from '../../cli/render.js';
import { CONTROL_TOKEN_ENV, ETH_KEY_ENV, optionsFromFlags } from '../../devnet/orchestrator/orchestratorFlags.js';
import { startDevnetOrchestrator } from '../../devnet/orchestrator/server.js';

/** Runs one devnet orchestrator in the foreground. */
export default class DevnetOrchestrator extends GwCommand {
  static override description =
    'Run a local Livepeer-compatible orchestrator (gRPC + /segment on one TLS port) for tests and demos, with fault injection';

  static override examples = [
    '<%= config.bin %> devnet orchestrator --port 8935 --price 1200/1 --offchain',
    '<%= config.bin %> devnet orchestrator --price 1200/1 --eth-url http://127.0.0.1:8545 --controller 0x… --eth-key 0x…',
    '<%= config.bin %> devnet orchestrator --offchain --passthrough --latency 50-300ms --error-rate 0.1',
    '<%= config.bin %> devnet orchestrator --ai --ai-price text-to-image=5/1 --byoc devnet-echo=echo,1000/1,2',
    '<%= config.bin %> devnet orchestrator --ai-models "llm=warm:devnet/llm-tiny*2,cold:devnet/llm-large"',
    '<%= config.bin %> devnet orchestrator --live --live-capacity 2 --live-price 58/1 --live-debit-interval 5s',
  ];

  static override flags = {
    host: Flags.string({ description: 'Interface to listen on', default: '127.0.0.1' }),
    port: Flags.integer({ description: 'Port for gRPC and HTTP (TLS); 0 = a free port', default: 8935 }),
    price: Flags.string({ description: 'Price: wei per pixel unit, "<pricePerUnit>/<pixelsPerUnit>"', default: '1200/1' }),
    'eth-key': Flags.string({ description: `Node account private key (hex; also ${ETH_KEY_ENV}); random when omitted` }),
    capacity: Flags.integer({ description: 'Maximum concurrent transcoding sessions', default: 10 }),
    offchain: Flags.boolean({ description: 'Off-chain mode: no price, no tickets, no signature checks' }),
    passthrough: Flags.boolean({ description: 'Copy the input to every rendition instead of transcoding' }),
    'fail-next': Flags.integer({ description: 'Answer the next N segments with OrchestratorBusy' }),
    latency: Flags.string({ description: 'Extra latency per request: "100ms" or a range "50-300ms"' }),
    'error-rate': Flags.string({ description: 'Probability (0..1) that a segment fails' }),
    'die-after': Flags.integer({ description: 'Exit after answering N segments' }),
    'eth-url': Flags.string({ description: 'JSON-RPC URL of the chain (with --controller)' }),
    controller: Flags.string({ description: 'Controller contract address (with --eth-url)' }),
    'ticket-ev': Flags.string({ description: 'Expected value per ticket, wei', default: '8000000000' }),
    'max-face-value': Flags.string({ description: 'Upper bound for ticket face values, wei (0 = none)' }),
    ffmpeg: Flags.string({ description: 'ffmpeg binary' }),
    ai: Flags.boolean({ description: 'Serve all AI pipelines with deterministic devnet runners (default models and prices)' }),
    'ai-models': Flags.string({ description: 'AI models: "<pipeline>=warm:<model>[*capacity],cold:<model>;…" (adds to or replaces --ai pipelines)' }),
    'ai-price': Flags.string({ description: 'AI prices per pipeline: "<pipeline>=<pricePerUnit>[/<pixelsPerUnit>],…"' }),
    byoc: Flags.string({ description: 'BYOC capabilities: "<name>=<echo|sleep>,<wei per second[/scaling]>,<capacity>;…" (more via POST /capability/register)' }),
    live: Flags.boolean({ description: 'Serve live-video-to-video (capability 35: noop, devnet/negate, devnet/hue) with a trickle server at /ai/trickle/' }),
    'live-capacity': Flags.integer({ description: 'Concurrent live streams per pipeline (implies --live; default 4)' }),
    'live-price': Flags.string({ description: 'Live price: wei per pixel unit, "<pricePerUnit>/<pixelsPerUnit>" (27,648,000 units per second; implies --live; default 58/1)' }),
    'live-status-interval': Flags.string({ description: 'Status event period of the live runners, e.g. "10s" (implies --live; default 10s)' }),
    'live-debit-interval': Flags.string({ description: 'Time between debits of a live stream\'s balance, e.g. "5s" (implies --live; default 5s)' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(DevnetOrchestrator);
    let opts;
    try {
      opts = optionsFromFlags(flags);
    } catch (err) {
      throw new GwUserError((err as Error).message);
    }
    opts.logger = { info: (m) => this.logToStderr(m), warn: (m) => this.logToStderr(`warning: ${m}`), error: (m) => this.logToStderr(`error: ${m}`) };
    opts.onDie = () => {
      this.logToStderr('dieAfter reached: exiting');
      process.exit(1);
    };
    // The control token is a secret: take it from the environment, or write a fresh one to a 0600 file.
    let tokenSource = `$${CONTROL_TOKEN_ENV}`;
    if (!opts.controlToken) {
      opts.controlToken = randomBytes(24).toString('base64url');
      const dir = this.pathsFor(flags).devnetDir;
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      tokenSource = join(dir, `orchestrator-${flags.port}.token`);
      writeFileSync(tokenSource, `${opts.controlToken}\n`, { mode: 0o600 });
    }
    const orch = await startDevnetOrchestrator(opts);
    this.log(
      renderKeyValues([
        ['Service URI', orch.serviceUri],
        ['Address', orch.address],
        ['Mode', opts.offchain ? 'off-chain' : opts.chain ? `on-chain (${opts.chain.rpcUrl})` : 'simulated chain (tickets checked, never redeemed)'],
        ['Price', opts.offchain ? 'none (off-chain)' : `${opts.pricePerUnit}/${opts.pixelsPerUnit} wei per pixel`],
        ['AI', opts.ai ? opts.ai.pipelines.map((p) => `${p.pipeline} (${p.models.map((m) => `${m.id}${m.warm ? '' : ' cold'}`).join(', ')})`).join('; ') : 'none'],
        ['Live', opts.live ? `noop, devnet/negate, devnet/hue (${opts.live.capacity ?? 4} each)${opts.offchain ? '' : `, ${opts.live.price ? `${opts.live.price.pricePerUnit}/${opts.live.price.pixelsPerUnit}` : '58/1'} wei per unit`}` : 'none'],
        ['BYOC', opts.byoc && opts.byoc.length > 0 ? opts.byoc.map((b) => b.name).join(', ') : 'none (POST /capability/register, Authorization: <control token>)'],
        ['Control', `${orch.serviceUri}/devnet/faults and /devnet/stats, Authorization: Bearer <token from ${tokenSource}>`],
      ]),
    );
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await orch.close();
  }
}
