/** Pretty-printing of the daemon's pino JSON log lines (used by `gw logs` and start-up failure reports). */

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const SKIP = new Set(['level', 'time', 'pid', 'hostname', 'msg', 'module', 'v']);

/** Numeric pino level of a level name (`warn` → 40). */
export function levelNumber(name: string): number {
  const entry = Object.entries(LEVELS).find(([, n]) => n === name.toUpperCase());
  return entry ? Number(entry[0]) : 30;
}

/** Parses one log line; undefined for lines that are not pino JSON (e.g. a crash trace). */
export function parseLogLine(line: string): Record<string, unknown> | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** `12:01:02.345 INFO  [sessions] msg key=value …`; non-JSON lines come back unchanged. */
export function formatLogLine(line: string, opts: { withTime?: boolean } = {}): string {
  const o = parseLogLine(line);
  if (!o) return line;
  const level = (LEVELS[Number(o.level)] ?? 'INFO').padEnd(5);
  const time = opts.withTime === false || typeof o.time !== 'number' ? '' : `${new Date(o.time).toISOString().slice(11, 23)} `;
  const mod = typeof o.module === 'string' ? `[${o.module}] ` : '';
  const extras = Object.entries(o)
    .filter(([k]) => !SKIP.has(k))
    .map(([k, v]) => `${k}=${k === 'err' && typeof v === 'object' && v !== null ? JSON.stringify((v as { message?: string }).message) : JSON.stringify(v)}`)
    .join(' ');
  return `${time}${level} ${mod}${String(o.msg ?? '')}${extras ? ` ${extras}` : ''}`;
}
