// Orchestrator addresses as operators write them (`-orchAddr` entries) and the URLs derived from them
// (go-livepeer cmd/livepeer/starter: parseOrchAddrs/defaultAddr; server/segment_rpc.go for `/segment`).
import { GwError } from '../errors.js';

/** Port an orchestrator listens on when an entry names none. */
export const DEFAULT_ORCHESTRATOR_PORT = 8935;
/** Host assumed for `:port` entries. */
export const DEFAULT_ORCHESTRATOR_HOST = '127.0.0.1';

/** An entry that cannot be turned into an orchestrator URI. */
export class OrchestratorUriError extends GwError {
  constructor(message: string) {
    super('invalid_orchestrator_uri', message);
    this.name = 'OrchestratorUriError';
  }
}

/** True when the text already names a port (bracketed IPv6 aware). */
function hasPort(hostPort: string): boolean {
  if (hostPort.startsWith('[')) return /\]:\d*$/.test(hostPort);
  return hostPort.includes(':');
}

/**
 * Normalises one `-orchAddr` entry: `:port` → `127.0.0.1:port`, a bare host → `host:8935`, no scheme → `https://`.
 * Like go-livepeer, an entry that already has a scheme keeps its port as written (none = the scheme's default).
 * Returns the URI text (no trailing slash added) or throws OrchestratorUriError.
 */
export function normalizeOrchestratorUri(entry: string): string {
  let text = entry.trim();
  if (text === '') throw new OrchestratorUriError('empty orchestrator address');
  const schemed = /^https?:\/\//i.test(text);
  if (!schemed) {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) throw new OrchestratorUriError(`orchestrator address ${JSON.stringify(entry)}: only http:// and https:// are supported`);
    const slash = text.indexOf('/');
    const hostPort = slash < 0 ? text : text.slice(0, slash);
    const rest = slash < 0 ? '' : text.slice(slash);
    let hp = hostPort;
    if (hp.startsWith(':')) hp = DEFAULT_ORCHESTRATOR_HOST + hp;
    else if (!hasPort(hp)) hp = `${hp}:${DEFAULT_ORCHESTRATOR_PORT}`;
    text = `https://${hp}${rest}`;
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new OrchestratorUriError(`orchestrator address ${JSON.stringify(entry)} is not a valid URI`);
  }
  if (url.hostname === '') throw new OrchestratorUriError(`orchestrator address ${JSON.stringify(entry)} has no host`);
  if (url.username || url.password) throw new OrchestratorUriError(`orchestrator address ${JSON.stringify(entry)} must not carry credentials`);
  // Keep the text as written apart from scheme case, so raw concatenation rules (e.g. `//segment`) still hold.
  return text.replace(/^https?/i, (s) => s.toLowerCase());
}

/** Splits and normalises a comma list of entries (empty items skipped). */
export function parseOrchestratorList(list: string): string[] {
  return list.split(',').map((s) => s.trim()).filter((s) => s !== '').map(normalizeOrchestratorUri);
}

/** The work URL for a transcoder: raw concatenation, exactly as go-livepeer (a trailing `/` gives `//segment`). */
export function segmentUrl(transcoder: string): string {
  return transcoder + '/segment';
}

/** Scheme, host and port of a URI, e.g. `https://1.2.3.4:8935` (gRPC dials only these; the path is ignored). */
export function uriOrigin(uri: string | URL): string {
  const u = typeof uri === 'string' ? new URL(uri) : uri;
  return `${u.protocol}//${u.host}`;
}
