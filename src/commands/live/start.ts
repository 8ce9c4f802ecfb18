import { Args, Flags } from '@oclif/core';
import type { LiveStartRequestBody, LiveStreamView } from '../../api/contract.js';
import { ControlClient } from '../../api/controlClient.js';
import { GwCommand } from '../../cli/baseCommand.js';
import { aboutStream, parseParamsFlag } from '../../cli/live.js';
import { Spinner } from '../../cli/spinner.js';

/** Starting waits for an orchestrator to take the stream, which may mean trying several in turn. */
const START_TIMEOUT_MS = 60_000;

/** Starts a live AI stream that pulls an RTMP source. */
export default class LiveStart extends GwCommand {
  static override description = 'Start a live AI stream that pulls an RTMP source through a pipeline; answers once an orchestrator has it, with the HLS URL of the output';

  static override examples = [
    '<%= config.bin %> live start my-stream --rtmp-url rtmp://127.0.0.1:1935/live/src --pipeline noop',
    `<%= config.bin %> live start my-stream --rtmp-url rtmp://cam.local/live/1 --pipeline devnet/hue --params '{"hue":90}' --rtmp-output rtmp://cdn.example/live/key`,
  ];

  static override args = { stream: Args.string({ description: 'Stream name (the output plays as <stream>-out)', required: true }) };

  static override flags = {
    'rtmp-url': Flags.string({ description: 'RTMP source the gateway pulls', required: true }),
    pipeline: Flags.string({ description: "Live pipeline (the gateway's default when omitted), e.g. noop, devnet/negate" }),
    params: Flags.string({ description: 'Pipeline params, a JSON object' }),
    'stream-id': Flags.string({ description: 'Stream id for the status API and events (default: none)' }),
    'rtmp-output': Flags.string({ description: 'Also push the output to this RTMP URL (repeatable)', multiple: true }),
    orchestrator: Flags.string({ description: 'Only orchestrators whose URL contains this' }),
  };

  async run(): Promise<LiveStreamView> {
    const { args, flags } = await this.parse(LiveStart);
    const req: LiveStartRequestBody = {
      stream: args.stream,
      rtmpUrl: flags['rtmp-url'],
      ...(flags.pipeline ? { pipeline: flags.pipeline } : {}),
      ...(flags.params !== undefined ? { params: parseParamsFlag(flags.params) } : {}),
      ...(flags['stream-id'] ? { streamId: flags['stream-id'] } : {}),
      ...(flags['rtmp-output']?.length ? { rtmpOutput: flags['rtmp-output'] } : {}),
      ...(flags.orchestrator ? { orchestrator: flags.orchestrator } : {}),
    };
    const client = ControlClient.forPaths(this.pathsFor(flags), START_TIMEOUT_MS);
    const spinner = new Spinner(`starting ${args.stream}…`, Boolean(process.stderr.isTTY) && !this.jsonEnabled()).start();
    let view: LiveStreamView;
    try {
      view = await aboutStream(args.stream, () => client.liveStart(req));
    } finally {
      spinner.stop();
    }
    this.log(`started ${view.stream} on ${view.orchestrator?.url ?? '—'} (pipeline ${view.pipeline}${view.streamId ? `, stream id ${view.streamId}` : ''})`);
    this.log(`output: ${view.hlsUrl}`);
    return view;
  }
}
