import { Flags } from '@oclif/core';
import { GwCommand, GwUserError } from '../cli/baseCommand.js';
import { followLog, readLastLines } from '../cli/services/logReader.js';
import { formatLogLine, levelNumber, parseLogLine } from '../cli/logFormat.js';

/** Shows the daemon log. */
export default class Logs extends GwCommand {
  static override description = "Show the daemon's log (pretty by default, raw pino JSON with --json)";

  static override examples = ['<%= config.bin %> logs', '<%= config.bin %> logs -f', '<%= config.bin %> logs -n 200 --level warn', '<%= config.bin %> logs --json | jq .msg'];

  static override enableJsonFlag = false;

  static override flags = {
    follow: Flags.boolean({ char: 'f', description: 'Keep printing new lines as they are written' }),
    lines: Flags.integer({ char: 'n', description: 'How many recent lines to show', default: 50 }),
    json: Flags.boolean({ description: 'Print raw JSON lines' }),
    level: Flags.string({ description: 'Only lines at or above this level', options: ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Logs);
    const paths = this.pathsFor(flags);
    const min = flags.level ? levelNumber(flags.level) : 0;
    const show = (line: string) => {
      if (min > 0) {
        const o = parseLogLine(line);
        if (o && Number(o.level) < min) return;
      }
      this.log(flags.json ? line : formatLogLine(line));
    };
    const lines = readLastLines(paths.logFile, flags.lines);
    if (lines === undefined) throw new GwUserError(`no log yet at ${paths.logFile}; has gw been started with this data dir?`, 'no_log');
    for (const l of lines) show(l);
    if (!flags.follow) return;
    const ac = new AbortController();
    process.once('SIGINT', () => ac.abort());
    await followLog(paths.logFile, show, ac.signal);
  }
}
