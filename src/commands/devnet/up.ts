import { Flags } from '@oclif/core';
import { GwCommand, GwUserError } from '../../cli/baseCommand.js';
import { renderTable } from '../../cli/render.js';
import { parseEth } from '../../lib/payments/units.js';
import { devnetUp, MAX_DEVNET_ORCHESTRATORS } from '../../devnet/devnetUp.js';
import { devnetStateFile, type DevnetState } from '../../devnet/devnetState.js';

/** JSON view of the state without private keys. */
export function publicDevnetState(state: DevnetState): Omit<DevnetState, 'accounts'> & { accounts: { address: string }[] } {
  return { ...state, accounts: state.accounts.map((a) => ({ address: a.address })) };
}

/** Starts a local devnet: chain, contracts, orchestrators, funded gateway account. */
export default class DevnetUp extends GwCommand {
  static override description =
    'Start a local devnet: a hardhat chain with the protocol contracts, N devnet orchestrators registered on it, and a funded gateway account';

  static override examples = [
    '<%= config.bin %> devnet up',
    '<%= config.bin %> devnet up --orchestrators 3 --prices 1000/1,1200/1,1500/1',
    '<%= config.bin %> devnet up --orchestrators 0   # a chain and a funded gateway account, for your own orchestrators',
    '<%= config.bin %> devnet up --no-chain --passthrough   # off-chain orchestrators, no transcoding',
    '<%= config.bin %> devnet up --ai --ai-price llm=1000/1 --byoc devnet-echo=echo,1000/1,2   # AI pipelines and BYOC on every orchestrator',
    '<%= config.bin %> devnet up --live --live-price 58/1   # live-video-to-video on every orchestrator',
  ];

  static override flags = {
    orchestrators: Flags.integer({
      description: `Number of orchestrators (0–${MAX_DEVNET_ORCHESTRATORS}; 0: only the chain and a funded gateway account, for your own orchestrators)`,
      default: 3,
    }),
    prices: Flags.string({ description: 'Comma list of prices (wei per pixel unit, "1200/1"), one for all or one per orchestrator' }),
    chain: Flags.boolean({ description: 'Start a local chain (--no-chain: off-chain orchestrators only)', default: true, allowNo: true }),
    passthrough: Flags.boolean({ description: 'Orchestrators copy the input to every rendition instead of transcoding' }),
    'base-port': Flags.integer({ description: 'Port of the first orchestrator (then +1 each); 0 = free ports', default: 8935 }),
    'chain-port': Flags.integer({ description: 'JSON-RPC port of the local chain; 0 = a free port', default: 8545 }),
    deposit: Flags.string({ description: 'Gateway TicketBroker deposit', default: '10 ETH' }),
    reserve: Flags.string({ description: 'Gateway TicketBroker reserve', default: '10 ETH' }),
    ai: Flags.boolean({ description: 'Orchestrators serve all AI pipelines with deterministic devnet runners' }),
    'ai-models': Flags.string({ description: 'AI models for every orchestrator: "<pipeline>=warm:<model>[*capacity],cold:<model>;…"' }),
    'ai-price': Flags.string({ description: 'AI prices per pipeline: "<pipeline>=<pricePerUnit>[/<pixelsPerUnit>],…"' }),
    byoc: Flags.string({ description: 'BYOC capabilities for every orchestrator: "<name>=<echo|sleep>,<wei per second[/scaling]>,<capacity>;…"' }),
    live: Flags.boolean({ description: 'Orchestrators serve live-video-to-video (noop, devnet/negate, devnet/hue) with paid, accounted streams' }),
    'live-price': Flags.string({ description: 'Live price for every orchestrator: wei per pixel unit, "<pricePerUnit>/<pixelsPerUnit>" (implies --live; default 58/1)' }),
    'winning-tickets': Flags.string({
      description:
        'Tickets of this face value (e.g. "0.005 ETH") that win half the time, so redemptions and the falling deposit show at once (gateways refuse tickets that always win: EV must stay below face value)',
    }),
  };

  async run(): Promise<{ alreadyUp: boolean; state: ReturnType<typeof publicDevnetState> }> {
    const { flags } = await this.parse(DevnetUp);
    const paths = this.pathsFor(flags);
    let deposit: bigint;
    let reserve: bigint;
    try {
      deposit = parseEth(flags.deposit.replace(/\s*ETH$/i, ''));
      reserve = parseEth(flags.reserve.replace(/\s*ETH$/i, ''));
    } catch (err) {
      throw new GwUserError(`invalid --deposit/--reserve: ${(err as Error).message}`);
    }
    let winning: bigint | undefined;
    try {
      winning = flags['winning-tickets'] === undefined ? undefined : parseEth(flags['winning-tickets'].replace(/\s*ETH$/i, ''));
    } catch (err) {
      throw new GwUserError(`invalid --winning-tickets: ${(err as Error).message}`);
    }
    let result;
    try {
      result = await devnetUp({
        ...(winning !== undefined ? { ticketEV: winning / 2n, maxFaceValue: winning } : {}),
        paths,
        orchestrators: flags.orchestrators,
        ...(flags.prices ? { prices: flags.prices.split(',').map((p) => p.trim()) } : {}),
        chain: flags.chain,
        passthrough: flags.passthrough,
        basePort: flags['base-port'],
        chainPort: flags['chain-port'],
        deposit,
        reserve,
        ai: flags.ai,
        ...(flags['ai-models'] !== undefined ? { aiModels: flags['ai-models'] } : {}),
        ...(flags['ai-price'] !== undefined ? { aiPrices: flags['ai-price'] } : {}),
        ...(flags.byoc !== undefined ? { byoc: flags.byoc } : {}),
        live: flags.live,
        ...(flags['live-price'] !== undefined ? { livePrice: flags['live-price'] } : {}),
        onProgress: (m) => {
          if (!this.jsonEnabled()) this.logToStderr(`… ${m}`);
        },
      });
    } catch (err) {
      throw new GwUserError(`devnet up failed: ${(err as Error).message}`);
    }
    const { state, alreadyUp } = result;
    this.log(alreadyUp ? 'devnet is already up (gw devnet status for details, gw devnet down to stop it)' : '✓ devnet is up');
    if (state.chain) this.log(`Chain:       ${state.chain.rpcUrl} (chain id ${state.chain.chainId}, Controller ${state.chain.contracts.controller})`);
    else this.log('Chain:       none (orchestrators are off-chain)');
    if (state.orchestrators.length > 0) this.log(renderTable(['#', 'orchestrator', 'address', 'price'], state.orchestrators.map((o, i) => [i, o.uri, o.address, o.price])));
    else this.log('Orchestrators: none (point the gateway at your own: gw start --network devnet --orch-addr <host:port>)');
    for (const a of state.accounts) this.log(`Gateway account: ${a.address} (funded; private key: gw devnet status --show-keys)`);
    this.log(`State:       ${devnetStateFile(paths)}`);
    return { alreadyUp, state: publicDevnetState(state) };
  }
}
