import { Args, Flags } from '@oclif/core';
import { GwCommand } from '../../cli/baseCommand.js';
import { type PingResult, pingOrchestrators, pingResultsToJson, renderPingReport } from '../../cli/services/orchestratorPing.js';

/** Asks orchestrators for their price, ticket params and capabilities. */
export default class OrchestratorsPing extends GwCommand {
  static override description =
    'Ask orchestrators for their offer (gRPC GetOrchestrator): address, price per pixel, cost of one minute of 720p30, ' +
    'capabilities, ticket parameters, auth token expiry and round-trip latency. Exits 1 only if every orchestrator failed.';

  static override examples = [
    '<%= config.bin %> orchestrators ping 1.2.3.4:8935',
    '<%= config.bin %> orchestrators ping :8935 https://orch.example.com:8935 --timeout 5000',
    '<%= config.bin %> orchestrators ping http://127.0.0.1:8935 --json',
    'GW_ETH_KEY=0x… <%= config.bin %> orchestrators ping orch.example.com   # signed request, for on-chain orchestrators',
  ];

  static override strict = false;

  static override args = {
    uri: Args.string({ description: 'Orchestrator address: host, host:port, :port, or http(s)://host:port (default port 8935, default https)', required: true }),
  };

  static override flags = {
    'eth-key': Flags.string({
      description: 'Hex private key to sign the request with (on-chain orchestrators verify it); prefer the env variable over the flag',
      env: 'GW_ETH_KEY',
    }),
    timeout: Flags.integer({ description: 'Per-orchestrator deadline in milliseconds', default: 3000, min: 100 }),
  };

  async run(): Promise<unknown> {
    const { argv, flags } = await this.parse(OrchestratorsPing);
    const results: PingResult[] = await pingOrchestrators(argv as string[], { ethKey: flags['eth-key'], timeoutMs: flags.timeout });
    if (results.every((r) => !r.ok)) process.exitCode = 1;
    this.log(renderPingReport(results));
    return pingResultsToJson(results);
  }
}
