// BYOC job requests (go-livepeer byoc/types.go, job_gateway.go; ai-live-signer.md §8): the client's `Livepeer`
// header (base64 JSON JobRequest) parsed at the edge, its orchestrator filter, and the gateway's signature over
// request + parameters. Pure.
import { bytesToHex, utf8 } from '../../lib/protocol/encoding.js';
import { type Signer, signMessage } from '../../lib/protocol/signer.js';
import { GwError } from '../../lib/errors.js';

/** A client job request as received (sender and sig are the gateway's to add). */
export interface JobRequest {
  readonly id: string;
  /** JSON string; may hold `stream_id`. */
  readonly request: string;
  /** JSON string of JobParameters. */
  readonly parameters: string;
  readonly capability: string;
  readonly timeoutSeconds: number;
}

/** JobParameters.orchestrators: URLs compared as exact strings, like go-livepeer. */
export interface OrchestratorFilter {
  readonly include: readonly string[];
  readonly exclude: readonly string[];
}

/** The header or its JSON is unusable: 400. */
export class JobRequestError extends GwError {
  constructor(message: string) {
    super('bad_request', message);
    this.name = 'JobRequestError';
  }
}

function decodeBase64(text: string): Buffer {
  const t = text.trim();
  // Go's StdEncoding is strict; accept the URL alphabet and missing padding too, refuse anything else.
  if (t === '' || !/^[A-Za-z0-9+/_-]+={0,2}$/.test(t)) throw new JobRequestError('Livepeer header is not base64');
  return Buffer.from(t.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
}

function stringList(v: unknown, field: string): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw new JobRequestError(`parameters.orchestrators.${field} must be an array of URLs`);
  return v as string[];
}

/** Parses the `Livepeer` header of a BYOC request; throws JobRequestError with go-livepeer-like reasons. */
export function parseJobRequest(header: string | undefined): { job: JobRequest; filter: OrchestratorFilter; raw: Record<string, unknown> } {
  if (header === undefined || header.trim() === '') throw new JobRequestError('Livepeer header is missing: send base64(JSON {request, parameters, capability, timeout_seconds})');
  let v: unknown;
  try {
    v = JSON.parse(decodeBase64(header).toString('utf8'));
  } catch (err) {
    if (err instanceof JobRequestError) throw err;
    throw new JobRequestError(`Unable to parse job request, err=${(err as Error).message}`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new JobRequestError('Unable to parse job request, err=not a JSON object');
  const raw = v as Record<string, unknown>;
  const str = (k: string): string => {
    const x = raw[k];
    if (x === undefined || x === null) return '';
    if (typeof x !== 'string') throw new JobRequestError(`${k} must be a string`);
    return x;
  };
  const timeout = raw['timeout_seconds'];
  if (timeout === undefined || timeout === 0) throw new JobRequestError('no timeout_seconds set with request, timeout_seconds is required');
  if (typeof timeout !== 'number' || !Number.isInteger(timeout) || timeout < 1 || timeout > 86_400) throw new JobRequestError('timeout_seconds must be a whole number of seconds from 1 to 86400');
  const capability = str('capability');
  if (capability === '') throw new JobRequestError('capability is required');
  const request = str('request');
  const parameters = str('parameters');
  try {
    if (request !== '') JSON.parse(request);
  } catch (err) {
    throw new JobRequestError(`Unable to unmarshal job request err=${(err as Error).message}`);
  }
  let params: unknown = {};
  try {
    if (parameters !== '') params = JSON.parse(parameters);
  } catch (err) {
    throw new JobRequestError(`Unable to unmarshal job parameters err=${(err as Error).message}`);
  }
  const orchs = typeof params === 'object' && params !== null ? (params as Record<string, unknown>)['orchestrators'] : undefined;
  const o = typeof orchs === 'object' && orchs !== null ? (orchs as Record<string, unknown>) : {};
  return {
    job: { id: str('id'), request, parameters, capability, timeoutSeconds: timeout },
    filter: { include: stringList(o['include'], 'include'), exclude: stringList(o['exclude'], 'exclude') },
    raw,
  };
}

/** go-livepeer's include/exclude rule for one orchestrator URL. */
export function passesFilter(uri: string, filter: OrchestratorFilter): boolean {
  if (filter.exclude.includes(uri)) return false;
  return filter.include.length === 0 || filter.include.includes(uri);
}

/** The sender's `Livepeer-Eth-Address` value: base64 JSON {addr, sig} with sig over the EIP-55 address string. */
export async function senderHeader(signer: Signer): Promise<{ header: string; addr: string; sig: string }> {
  const sig = `0x${bytesToHex(await signMessage(signer, utf8(signer.address)))}`;
  return { header: Buffer.from(JSON.stringify({ addr: signer.address, sig })).toString('base64'), addr: signer.address, sig };
}

/** The signed `Livepeer` header sent to O: the job with sender and `sig = sign(request + parameters)`. */
export async function signedJobHeader(signer: Signer, job: JobRequest): Promise<string> {
  const sig = `0x${bytesToHex(await signMessage(signer, utf8(job.request + job.parameters)))}`;
  const body = {
    id: job.id,
    request: job.request,
    parameters: job.parameters,
    capability: job.capability,
    capability_url: '',
    sender: signer.address,
    sig,
    timeout_seconds: job.timeoutSeconds,
  };
  return Buffer.from(JSON.stringify(body)).toString('base64');
}
