import { Flags } from '@oclif/core';
import { GwCommand } from '../../cli/baseCommand.js';
import { DEFAULT_SIGNER_PORT, runSigner } from '../../devnet/signer/main.js';

/** Runs a devnet remote signer (go-livepeer protocol) in the foreground. */
export default class DevnetSigner extends GwCommand {
  static override description =
    'Run a devnet remote signer on 127.0.0.1 (go-livepeer /sign-orchestrator-info and /generate-live-payment) until Ctrl-C';

  static override enableJsonFlag = false;

  static override examples = [
    '<%= config.bin %> devnet signer --eth-key $KEY',
    '<%= config.bin %> devnet signer --port 3935 --eth-key $KEY --eth-url http://127.0.0.1:8545 --controller 0x…',
  ];

  static override flags = {
    port: Flags.integer({ description: 'Port on 127.0.0.1', default: DEFAULT_SIGNER_PORT, min: 0, max: 65535 }),
    'eth-key': Flags.string({ description: 'Hex private key of the paying account', env: 'GW_SIGNER_ETH_KEY', required: true }),
    'eth-url': Flags.string({ description: 'Ethereum RPC of the devnet (without it, funds are assumed)' }),
    controller: Flags.string({ description: 'Controller address of the devnet (with --eth-url)', dependsOn: ['eth-url'] }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(DevnetSigner);
    const running = await runSigner(
      {
        port: flags.port,
        ethKey: flags['eth-key'],
        ...(flags['eth-url'] ? { ethUrl: flags['eth-url'] } : {}),
        ...(flags.controller ? { controller: flags.controller } : {}),
      },
      (line) => this.log(line),
    );
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    await running.stop();
  }
}
