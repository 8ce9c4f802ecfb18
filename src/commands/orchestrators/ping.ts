import { Args, Flags } from '@oclif/core';
import { GwCommand } from '../../cli/baseCommand.js';
import { type PingResult, explainUnsigned, pingOrchestrators, pingResultsToJson, pingSigning, renderPingReport } from '../../cli/services/orchestratorPing.js';

/** Asks orchestrators for their price, ticket params and capabilities. */
export default class OrchestratorsPing extends GwCommand {
  static override description =
    'Ask orchestrators for their offer (gRPC GetOrchestrator): address, price per pixel, cost of one minute of 720p30, ' +
    'capabilities, ticket parameters, auth token expiry and round-trip latency. The request is signed with the gateway account ' +
    '(its keystore, unlocked with --password-file, the passwordFile setting or GW_ETH_PASSWORD, else asked in a terminal), as ' +
    'on-chain orchestrators require. Exits 1 only if every orchestrator failed.';

  static override examples = [
    '<%= config.bin %> orchestrators ping 1.2.3.4:8935',
    '<%= config.bin %> orchestrators ping :8935 https://orch.example.com:8935 --timeout 5000',
    '<%= config.bin %> orchestrators ping http://127.0.0.1:8935 --json',
    '<%= config.bin %> orchestrators ping orch.example.com --password-file ~/.gw-password   # signed by the gateway account',
    '<%= config.bin %> orchestrators ping 127.0.0.1:8935 --unsigned   # off-chain orchestrators do not check',
  ];

  static override strict = false;

  static override args = {
    uri: Args.string({ description: 'Orchestrator address: host, host:port, :port, or http(s)://host:port (default port 8935, default https)', required: true }),
  };

  static override flags = {
    'eth-key': Flags.string({
      description: 'Hex private key to sign the request with instead of the gateway account; prefer the env variable over the flag',
      env: 'GW_ETH_KEY',
    }),
    'password-file': Flags.string({ description: 'File holding the keystore password of the gateway account (default: the passwordFile setting, then GW_ETH_PASSWORD)' }),
    unsigned: Flags.boolean({ description: 'Send the request unsigned (off-chain orchestrators do not check signatures)', exclusive: ['eth-key', 'password-file'] }),
    timeout: Flags.integer({ description: 'Per-orchestrator deadline in milliseconds', default: 3000, min: 100 }),
  };

  async run(): Promise<unknown> {
    const { argv, flags } = await this.parse(OrchestratorsPing);
    const signing = flags.unsigned
      ? ({ signed: false, reason: '--unsigned', fix: 'leave out --unsigned' } as const)
      : await pingSigning({
          paths: this.pathsFor(flags),
          ...(flags['eth-key'] ? { ethKey: flags['eth-key'] } : {}),
          ...(flags['password-file'] ? { passwordFile: flags['password-file'] } : {}),
        });
    // Said before sending (on stderr, also with --json): an on-chain orchestrator will refuse an unsigned request.
    if (signing.signed) process.stderr.write(`request signed by ${signing.address} (${signing.source})\n`);
    else if (!flags.unsigned) process.stderr.write(`warning: the request is not signed: ${signing.reason}. On-chain orchestrators refuse it; to sign it, ${signing.fix}.\n`);
    const sent: PingResult[] = await pingOrchestrators(argv as string[], { ...(signing.signed ? { signer: signing.signer } : {}), timeoutMs: flags.timeout });
    const results = flags.unsigned ? sent : explainUnsigned(sent, signing);
    if (results.every((r) => !r.ok)) process.exitCode = 1;
    this.log(renderPingReport(results));
    return pingResultsToJson(results);
  }
}
