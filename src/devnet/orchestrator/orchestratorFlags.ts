// Command-line settings of a devnet orchestrator (shared by `gw devnet orchestrator` and the process entry), parsed
// once into DevnetOrchestratorOptions. Secrets (node key, control token) may also come from the environment.
import type { Address, Hex } from 'viem';
import { isAddress } from '../../lib/protocol/address.js';
import { aiOptionsFromFlags, parseByoc } from './ai/config.js';
import { type FaultConfig, parseLatency, parsePrice } from './faults.js';
import type { DevnetLiveOptions, DevnetOrchestratorOptions } from './server.js';

/** Environment variable for the node account key (keeps it out of argv). */
export const ETH_KEY_ENV = 'GW_DEVNET_ETH_KEY';
/** Environment variable for the /devnet/* bearer token. */
export const CONTROL_TOKEN_ENV = 'GW_DEVNET_CONTROL_TOKEN';

/** Raw flag values, as strings/booleans from any flag parser. */
export interface OrchestratorFlagValues {
  host?: string;
  port?: string | number;
  price?: string;
  'eth-key'?: string;
  capacity?: string | number;
  offchain?: boolean;
  passthrough?: boolean;
  'fail-next'?: string | number;
  latency?: string;
  'error-rate'?: string | number;
  'die-after'?: string | number;
  'eth-url'?: string;
  controller?: string;
  'ticket-ev'?: string;
  'max-face-value'?: string;
  ffmpeg?: string;
  'control-token'?: string;
  /** Serve the default devnet AI runner set. */
  ai?: boolean;
  /** "<pipeline>=warm:<model>[*capacity],cold:<model>;…" */
  'ai-models'?: string;
  /** "<pipeline>=<pricePerUnit>[/<pixelsPerUnit>],…" */
  'ai-price'?: string;
  /** "<name>=<echo|sleep>,<price per second>,<capacity>;…" */
  byoc?: string;
  /** Serve live-video-to-video (capability 35); implied by any other live flag. */
  live?: boolean;
  /** Concurrent live streams per pipeline. */
  'live-capacity'?: string | number;
  /** "<pricePerUnit>[/<pixelsPerUnit>]" for capability 35. */
  'live-price'?: string;
  /** Runner status event period: "10s", "200ms" or ms. */
  'live-status-interval'?: string | number;
  /** Time between debits of a live stream's balance: "5s", "300ms" or ms. */
  'live-debit-interval'?: string | number;
}

function int(name: string, v: string | number | undefined, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  const n = typeof v === 'number' ? v : Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`--${name} must be an integer between ${min} and ${max}, got ${v}`);
  return n;
}

/** "5s", "300ms", "1.5s" or a bare number of ms, as a whole number of ms in [min, max]. */
function durationMs(name: string, v: string | number | undefined, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s)?\s*$/.exec(String(v));
  const ms = m ? Math.round(Number(m[1]) * (m[2] === 's' ? 1000 : 1)) : NaN;
  if (!(ms >= min && ms <= max)) throw new Error(`--${name} must be a duration between ${min} ms and ${max / 1000} s (e.g. 5s or 300ms), got ${JSON.stringify(v)}`);
  return ms;
}

/** The live options of the live flags, or undefined when none is given. */
export function liveOptionsFromFlags(f: OrchestratorFlagValues): DevnetLiveOptions | undefined {
  const given = f.live === true || f['live-capacity'] !== undefined || f['live-price'] !== undefined || f['live-status-interval'] !== undefined || f['live-debit-interval'] !== undefined;
  if (!given) return undefined;
  const live: { -readonly [K in keyof DevnetLiveOptions]: DevnetLiveOptions[K] } = {};
  const capacity = int('live-capacity', f['live-capacity'], 1, 10_000);
  if (capacity !== undefined) live.capacity = capacity;
  if (f['live-price'] !== undefined) {
    try {
      live.price = parsePrice(f['live-price']);
    } catch (err) {
      throw new Error(`--live-price: ${(err as Error).message}`);
    }
  }
  const status = durationMs('live-status-interval', f['live-status-interval'], 10, 3_600_000);
  if (status !== undefined) live.statusIntervalMs = status;
  const debit = durationMs('live-debit-interval', f['live-debit-interval'], 1, 3_600_000);
  if (debit !== undefined) live.debitIntervalMs = debit;
  return live;
}

function wei(name: string, v: string | undefined): bigint | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v.trim())) throw new Error(`--${name} must be a whole number of wei, got ${JSON.stringify(v)}`);
  return BigInt(v.trim());
}

/** Validates flags (and the environment fallbacks) into orchestrator options; throws with a flag-named message. */
export function optionsFromFlags(f: OrchestratorFlagValues, env: NodeJS.ProcessEnv = process.env): DevnetOrchestratorOptions {
  const price = parsePrice(f.price ?? '1200/1');
  const ethKey = f['eth-key'] ?? env[ETH_KEY_ENV];
  if (ethKey !== undefined && !/^(0x)?[0-9a-fA-F]{64}$/.test(ethKey.trim())) throw new Error('--eth-key must be a 32-byte hex private key');
  if ((f['eth-url'] === undefined) !== (f.controller === undefined)) throw new Error('--eth-url and --controller go together');
  if (f.controller !== undefined && !isAddress(f.controller)) throw new Error(`--controller is not an address: ${f.controller}`);
  if (f.offchain && f['eth-url'] !== undefined) throw new Error('--offchain cannot be combined with --eth-url');
  const faults: FaultConfig = {};
  const failNext = int('fail-next', f['fail-next'], 0, 1_000_000);
  if (failNext !== undefined) faults.failNext = failNext;
  if (f.latency !== undefined) faults.latency = parseLatency(f.latency);
  if (f['error-rate'] !== undefined) {
    const rate = Number(f['error-rate']);
    if (!(rate >= 0 && rate <= 1)) throw new Error(`--error-rate must be between 0 and 1, got ${f['error-rate']}`);
    faults.errorRate = rate;
  }
  const dieAfter = int('die-after', f['die-after'], 1, 1_000_000);
  if (dieAfter !== undefined) faults.dieAfter = dieAfter;
  const opts: DevnetOrchestratorOptions = {
    host: f.host ?? '127.0.0.1',
    port: int('port', f.port, 0, 65535) ?? 8935,
    pricePerUnit: price.pricePerUnit,
    pixelsPerUnit: price.pixelsPerUnit,
    offchain: f.offchain === true,
    passthrough: f.passthrough === true,
    capacity: int('capacity', f.capacity, 1, 100_000) ?? 10,
    faults,
  };
  if (ethKey !== undefined) opts.ethKey = (ethKey.startsWith('0x') ? ethKey.trim() : `0x${ethKey.trim()}`) as Hex;
  if (f['eth-url'] !== undefined && f.controller !== undefined) opts.chain = { rpcUrl: f['eth-url'], controller: f.controller as Address };
  const ev = wei('ticket-ev', f['ticket-ev']);
  if (ev !== undefined) opts.ticketEV = ev;
  const maxFv = wei('max-face-value', f['max-face-value']);
  if (maxFv !== undefined) opts.maxFaceValue = maxFv;
  if (f.ffmpeg !== undefined) opts.ffmpeg = f.ffmpeg;
  const ai = aiOptionsFromFlags({ ai: f.ai === true, ...(f['ai-models'] !== undefined ? { models: f['ai-models'] } : {}), ...(f['ai-price'] !== undefined ? { prices: f['ai-price'] } : {}) });
  if (ai) opts.ai = ai;
  if (f.byoc !== undefined) opts.byoc = parseByoc(f.byoc);
  const live = liveOptionsFromFlags(f);
  if (live) opts.live = live;
  const token = f['control-token'] ?? env[CONTROL_TOKEN_ENV];
  if (token !== undefined && token !== '') opts.controlToken = token;
  return opts;
}
