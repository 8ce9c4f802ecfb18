import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * The daemon's pino logger: JSON lines to the log file (read by `gw logs`), and also to stdout when running
 * in the foreground. Key material is redacted by path in case a caller logs an options object.
 */
export function createLogger(opts: {
  logFile: string;
  level: string;
  foreground: boolean;
  /** Receives every line at info level or above (the daemon forwards them as `log` events to the dashboard). */
  onLine?: (line: { level: number; msg: string; module?: string }) => void;
}): Logger {
  mkdirSync(dirname(opts.logFile), { recursive: true, mode: 0o700 });
  const file = pino.destination({ dest: opts.logFile, sync: true, mode: 0o600 });
  const streams: pino.StreamEntry[] = [{ stream: file, level: opts.level as pino.Level }];
  if (opts.foreground) streams.push({ stream: pino.destination({ dest: 1, sync: true }), level: opts.level as pino.Level });
  const onLine = opts.onLine;
  if (onLine) {
    streams.push({
      level: 'info',
      stream: {
        write(line: string) {
          try {
            onLine(JSON.parse(line) as { level: number; msg: string; module?: string });
          } catch {
            // not a JSON line: nothing to forward
          }
        },
      },
    });
  }
  return pino(
    {
      level: opts.level,
      base: { pid: process.pid },
      redact: { paths: ['token', 'password', 'privateKey', '*.token', '*.password', '*.privateKey', 'authorization'], censor: '[redacted]' },
    },
    pino.multistream(streams),
  );
}
