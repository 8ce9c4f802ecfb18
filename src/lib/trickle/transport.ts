// HTTP/1.1 plumbing shared by the trickle publisher and subscriber: streaming requests to a channel on an
// orchestrator (plain HTTP, or TLS with the self-signed certificate go-livepeer orchestrators present), with no
// total timeout (segments and preconnects may idle for long), surviving `100 Continue` interim responses.
import { Agent as HttpAgent, request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { TRICKLE_CLOSED_HEADER, TRICKLE_LATEST_HEADER, TRICKLE_SEQ_HEADER } from './headers.js';

/** Connection pools for one orchestrator's channels (idle sockets kept a minute, as go-livepeer's clients do). */
export interface TrickleAgents {
  readonly http: HttpAgent;
  readonly https: HttpsAgent;
}

/** Agents that keep connections alive and accept a self-signed orchestrator certificate. */
export function trickleAgents(): TrickleAgents {
  return {
    http: new HttpAgent({ keepAlive: true, timeout: 60_000 }),
    // go-livepeer's trickle clients skip verification too: orchestrators serve self-signed certificates.
    https: new HttpsAgent({ keepAlive: true, timeout: 60_000, rejectUnauthorized: false }),
  };
}

let shared: TrickleAgents | undefined;
/** The process-wide default agents. */
export function defaultTrickleAgents(): TrickleAgents {
  return (shared ??= trickleAgents());
}

/** The trickle headers of a response, parsed once. */
export interface TrickleReply {
  readonly status: number;
  /** `Lp-Trickle-Seq`, when present. */
  readonly seq: number | undefined;
  /** `Lp-Trickle-Latest`, when present. */
  readonly latest: number | undefined;
  /** `Lp-Trickle-Closed` present: the channel has ended. */
  readonly closed: boolean;
}

/** Reads the trickle headers of a response. */
export function parseTrickleReply(res: Pick<IncomingMessage, 'statusCode' | 'headers'>): TrickleReply {
  return {
    status: res.statusCode ?? 0,
    seq: intHeader(res.headers[TRICKLE_SEQ_HEADER]),
    latest: intHeader(res.headers[TRICKLE_LATEST_HEADER]),
    closed: res.headers[TRICKLE_CLOSED_HEADER] !== undefined,
  };
}

function intHeader(v: string | string[] | undefined): number | undefined {
  const s = Array.isArray(v) ? v[0] : v;
  if (s === undefined || !/^-?\d+$/.test(s.trim())) return undefined;
  return Number(s);
}

/** The URL of segment `seq` of a channel URL (`…/ai/trickle/{ch}`). */
export function segmentUrl(channelUrl: string, seq: number | 'next'): URL {
  return new URL(`${channelUrl.replace(/\/+$/, '')}/${seq}`);
}

/** Opens a request; the response (final status, after any 1xx) resolves `response`. */
export function openRequest(
  url: URL,
  init: { method: 'GET' | 'POST' | 'DELETE'; headers?: Record<string, string>; agents: TrickleAgents },
): { req: ClientRequest; response: Promise<IncomingMessage> } {
  const tls = url.protocol === 'https:';
  const send = tls ? httpsRequest : httpRequest;
  let req!: ClientRequest;
  const response = new Promise<IncomingMessage>((resolve, reject) => {
    req = send(url, {
      method: init.method,
      agent: tls ? init.agents.https : init.agents.http,
      headers: init.headers ?? {},
      // An IP as SNI makes Node warn (DEP0123); orchestrators are often dialled by IP.
      ...(tls && /^[\d.]+$|^\[/.test(url.hostname) ? { servername: '' } : {}),
    });
    req.once('response', resolve);
    req.once('error', reject);
  });
  // Callers that give up on a request must not leave an unhandled rejection behind.
  response.catch(() => undefined);
  return { req, response };
}

/** Reads a whole (small) response body. */
export async function readBody(res: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of res) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** Sends `DELETE url` and returns its status (0 when the request failed). */
export async function sendDelete(url: URL, agents: TrickleAgents): Promise<number> {
  const { req, response } = openRequest(url, { method: 'DELETE', agents });
  req.end();
  try {
    const res = await response;
    res.resume();
    return res.statusCode ?? 0;
  } catch {
    return 0;
  }
}
