import { isIP } from 'node:net';

export interface ListenAddr {
  readonly host: string;
  readonly port: number;
}

/** Parses `host:port`, `:port` (loopback) or `[v6]:port`; throws a readable error otherwise. */
export function parseListenAddr(raw: string, what: string): ListenAddr {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(raw.trim());
  if (!m) throw new Error(`${what} must look like host:port, got "${raw}"`);
  const host = m[1] ?? (m[2] === '' ? '127.0.0.1' : m[2]!);
  const port = Number(m[3]);
  if (port > 65535) throw new Error(`${what}: port ${port} is out of range`);
  return { host, port };
}

/** Whether a host name or address only accepts local connections. */
export function isLoopbackHost(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  if (isIP(host) === 6) return host === '::1';
  return false;
}

/** `http://host:port` for an address, bracketing IPv6. */
export function httpUrl(addr: ListenAddr, scheme = 'http'): string {
  const host = isIP(addr.host) === 6 ? `[${addr.host}]` : addr.host;
  return `${scheme}://${host}:${addr.port}`;
}
