import { Flags } from '@oclif/core';
import { ControlClient } from '../api/controlClient.js';
import { GwCommand } from '../cli/baseCommand.js';

/** Follows the daemon's event stream as JSON lines. */
export default class Events extends GwCommand {
  static override description = "Follow the daemon's event stream as JSON lines (for scripts and alerting)";

  static override examples = [
    '<%= config.bin %> events',
    "<%= config.bin %> events --type failover --type alert | jq -c '{stream: .streamId, to: .to}'",
    '<%= config.bin %> events --since 0   # replay the recent history first',
  ];

  static override enableJsonFlag = false;

  static override flags = {
    type: Flags.string({ char: 't', description: 'Only events of this type (repeatable; prefix match: "segment.")', multiple: true }),
    since: Flags.integer({ description: 'Replay events after this sequence number first' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Events);
    const client = ControlClient.forPaths(this.pathsFor(flags));
    const ac = new AbortController();
    process.once('SIGINT', () => ac.abort());
    process.once('SIGTERM', () => ac.abort());
    const types = flags.type ?? [];
    for await (const ev of client.events({ signal: ac.signal, lastEventId: flags.since })) {
      if (types.length && !types.some((t) => ev.type === t || (t.endsWith('.') && ev.type.startsWith(t)))) continue;
      process.stdout.write(`${JSON.stringify(ev)}\n`);
    }
  }
}
