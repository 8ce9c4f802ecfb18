/**
 * The gateway's settings: one schema shared by `gw start` flags, `gw config`, the daemon and the docs.
 * Each setting knows its flag, environment variable, default, the go-livepeer flag it mirrors, and how to
 * parse a raw string into a typed value. Values travel as JSON primitives (bigints as decimal strings).
 */
import { GwError } from '../errors.js';
import { parseStoreUrl } from '../storage/storeUrl.js';

export type SettingKind = 'string' | 'int' | 'bool' | 'list' | 'enum' | 'duration' | 'wei' | 'price' | 'address' | 'url';

export type SettingValue = string | number | boolean | string[];

export interface SettingSpec {
  readonly key: string;
  readonly kind: SettingKind;
  readonly description: string;
  readonly default: SettingValue | undefined;
  /** The go-livepeer flag this corresponds to, if any. */
  readonly goFlag?: string;
  /** Allowed values for `enum`. */
  readonly choices?: readonly string[];
  /** Changing it needs a daemon restart (listen addresses, identity). */
  readonly restart?: boolean;
  /** Not persisted by `gw config set` (per-invocation only). */
  readonly flagOnly?: boolean;
  /** A key or password: shown masked by the control API, events and `gw config`. */
  readonly secret?: boolean;
  readonly group: 'node' | 'network' | 'chain' | 'payments' | 'video' | 'ai' | 'ops';
}

// `const` keeps each entry's literal key, kind, default and choices, which the typed accessors below read.
const spec = <const S extends SettingSpec>(s: S): S => s;

/** Every setting, in documentation order. */
export const SETTINGS = [
  spec({ key: 'controlAddr', kind: 'string', default: '127.0.0.1:5935', goFlag: '-cliAddr', restart: true, group: 'node',
    description: 'Control API listen address (host:port); port 0 picks a free port' }),
  spec({ key: 'httpAddr', kind: 'string', default: '127.0.0.1:9935', goFlag: '-httpAddr', restart: true, group: 'node',
    description: 'Gateway HTTP listen address: HTTP push ingest, HLS, AI API' }),
  spec({ key: 'rtmpAddr', kind: 'string', default: '127.0.0.1:1935', goFlag: '-rtmpAddr', restart: true, group: 'node',
    description: 'RTMP ingest listen address' }),
  spec({ key: 'allowPublicBind', kind: 'bool', default: false, restart: true, group: 'node',
    description: 'Allow the control API to listen on a non-loopback address (it is token-protected; still prints a warning)' }),
  spec({ key: 'logLevel', kind: 'enum', default: 'info', choices: ['trace', 'debug', 'info', 'warn', 'error'], goFlag: '-v', group: 'node',
    description: 'Daemon log level' }),
  spec({ key: 'v8PoolSize', kind: 'int', default: 0, restart: true, group: 'node',
    description: "V8 background threads of the daemon (node --v8-pool-size); 0 = the machine's cores minus one, at least one" }),
  spec({ key: 'drainTimeout', kind: 'duration', default: 10_000, group: 'node',
    description: 'How long `gw stop` and SIGTERM wait for in-flight work before the daemon exits (ms or 10s)' }),
  spec({ key: 'network', kind: 'enum', default: 'offchain', choices: ['offchain', 'devnet', 'arbitrum-one-mainnet'], goFlag: '-network', restart: true, group: 'chain',
    description: 'Which chain pays orchestrators: offchain (no payments), devnet (local chain) or arbitrum-one-mainnet' }),
  spec({ key: 'ethUrl', kind: 'url', default: undefined, goFlag: '-ethUrl', restart: true, group: 'chain',
    description: 'Ethereum (Arbitrum) JSON-RPC URL' }),
  spec({ key: 'ethController', kind: 'address', default: undefined, goFlag: '-ethController', restart: true, group: 'chain',
    description: 'Controller contract address (defaults per network)' }),
  spec({ key: 'keystore', kind: 'string', default: undefined, goFlag: '-ethKeystorePath', restart: true, group: 'chain',
    description: 'Keystore directory or key file (go-livepeer keystores work as they are)' }),
  spec({ key: 'ethAddr', kind: 'address', default: undefined, goFlag: '-ethAcctAddr', restart: true, group: 'chain',
    description: 'Account to use when the keystore holds several' }),
  spec({ key: 'passwordFile', kind: 'string', default: undefined, goFlag: '-ethPassword', restart: true, group: 'chain',
    description: 'File holding the keystore password (the daemon never prompts)' }),
  spec({ key: 'remoteSignerUrl', kind: 'url', default: undefined, goFlag: '-remoteSignerUrl', restart: true, group: 'chain',
    description: 'Use a remote signer for tickets instead of a local key' }),
  spec({ key: 'orchAddr', kind: 'list', default: [], goFlag: '-orchAddr', group: 'network',
    description: 'Orchestrators to use (comma list of host:port or URLs); trusted' }),
  spec({ key: 'orchWebhookUrl', kind: 'url', default: undefined, goFlag: '-orchWebhookUrl', group: 'network',
    description: 'Discovery webhook returning [{"address": "https://host:port"}]' }),
  spec({ key: 'orchBlocklist', kind: 'list', default: [], goFlag: '-orchBlocklist', group: 'network',
    description: 'Orchestrator addresses never to use' }),
  spec({ key: 'discoveryTimeout', kind: 'duration', default: 500, goFlag: '-discoveryTimeout', group: 'network',
    description: 'First GetOrchestrator window (ms or 500ms); doubles up to 6 s when nobody answered' }),
  spec({ key: 'maxPricePerUnit', kind: 'price', default: '0', goFlag: '-maxPricePerUnit', group: 'payments',
    description: 'Max price per pixelsPerUnit pixels: whole wei, or USD like 0.02USD (converted with the ETH/USD price feed; no orchestrator is paid while the rate is unknown); 0 accepts any price' }),
  spec({ key: 'pixelsPerUnit', kind: 'int', default: 1, goFlag: '-pixelsPerUnit', group: 'payments',
    description: 'Pixels the max price is quoted for' }),
  spec({ key: 'priceFeedAddr', kind: 'address', default: undefined, goFlag: '-priceFeedAddr', restart: true, group: 'payments',
    description: 'Chainlink ETH/USD feed (AggregatorV3) for USD prices, read hourly; default 0x639Fe6ab55C921f74e7fac1ee960C0B6293ba612 on arbitrum-one-mainnet, the devnet\'s own feed on devnet' }),
  spec({ key: 'maxTicketEV', kind: 'wei', default: '3000000000000', goFlag: '-maxTicketEV', group: 'payments',
    description: 'Max expected value of one ticket (wei)' }),
  spec({ key: 'maxTotalEV', kind: 'wei', default: '20000000000000', goFlag: '-maxTotalEV', group: 'payments',
    description: 'Max expected value of one payment (wei)' }),
  spec({ key: 'depositMultiplier', kind: 'int', default: 1, goFlag: '-depositMultiplier', group: 'payments',
    description: 'Max ticket face value = deposit / depositMultiplier' }),
  spec({ key: 'transcodingOptions', kind: 'list', default: ['P240p30fps16x9', 'P360p30fps16x9'], goFlag: '-transcodingOptions', group: 'video',
    description: 'Rendition presets (comma list)' }),
  spec({ key: 'maxAttempts', kind: 'int', default: 3, goFlag: '-maxAttempts', group: 'video',
    description: 'Attempts per segment before giving up' }),
  spec({ key: 'maxSessions', kind: 'int', default: 10, goFlag: '-maxSessions', group: 'video',
    description: 'Max concurrent streams' }),
  spec({ key: 'maxPushBacklogMb', kind: 'int', default: 64, group: 'video',
    description: 'MB of pushed segments the gateway holds in flight at once; past it new pushes get 503 with Retry-After instead of growing memory' }),
  spec({ key: 'authWebhookUrl', kind: 'url', default: undefined, goFlag: '-authWebhookUrl', group: 'video',
    description: 'Stream authentication webhook for RTMP and HTTP push' }),
  spec({ key: 'rtmpReconnectGrace', kind: 'duration', default: 30_000, restart: true, group: 'video',
    description: 'After an RTMP publisher drops, how long its stream waits for the same client to resume before it ends with ENDLIST (ms or 30s)' }),
  spec({ key: 'objectStore', kind: 'string', default: undefined, goFlag: '-objectStore', restart: true, group: 'video', secret: true,
    description: 'Upload live segments and playlists to s3://KEY:SECRET@REGION/BUCKET, s3+http(s)://KEY:SECRET@HOST:PORT/BUCKET (any S3-compatible store; a /PREFIX may follow the bucket) or a directory; gw uploads itself (orchestrators never get the credentials)' }),
  spec({ key: 'recordStore', kind: 'string', default: undefined, goFlag: '-recordStore', restart: true, group: 'video', secret: true,
    description: 'Record every rendition, with a VOD playlist at stream end, to a directory or a store URL (the forms of objectStore)' }),
  spec({ key: 'objectStorePlayback', kind: 'enum', default: 'gateway', choices: ['gateway', 'store'], restart: true, group: 'video',
    description: "Playlists uploaded to objectStore/recordStore reference segments relative to themselves (gateway: viewers keep playing through gw's /stream/ URLs) or by the store's absolute object URLs (store)" }),
  spec({ key: 'recordDir', kind: 'string', default: undefined, group: 'video',
    description: 'Older name of recordStore for a directory (used when recordStore is not set)' }),
  spec({ key: 'ffmpegPath', kind: 'string', default: undefined, group: 'video',
    description: 'ffmpeg binary to use (else ffmpeg-static, PATH, @ffmpeg-installer)' }),
  spec({ key: 'aiProcessingRetryTimeout', kind: 'duration', default: 2000, goFlag: '-aiProcessingRetryTimeout', group: 'ai',
    description: 'How long an AI request may keep trying orchestrators before 503 (ms or 2s); a running attempt is not cut' }),
  spec({ key: 'maxPricePerCapability', kind: 'string', default: undefined, goFlag: '-maxPricePerCapability', group: 'ai',
    description: 'Max AI prices per pipeline/model: go-livepeer JSON {"capabilities_prices":[{"pipeline","model_id","price_per_unit","pixels_per_unit","currency"}]} or a path to such a file (gw price set --pipeline)' }),
  spec({ key: 'customerPricePerCapability', kind: 'string', default: undefined, group: 'ai',
    description: 'Prices this gateway charges its own customers per pipeline/model (same JSON shape), listed in GET /capabilities (gw price set --customer)' }),
  spec({ key: 'liveAiApp', kind: 'string', default: 'ai', restart: true, group: 'ai',
    description: 'RTMP app that starts live AI streams: rtmp://host:1935/<app>/<stream>?pipeline=…&params=<json> (other apps transcode)' }),
  spec({ key: 'liveRtmpOutputToSource', kind: 'bool', default: true, group: 'ai',
    description: "Streams started by MediaMTX's hook are also pushed back to <source>-out and <source>-<requestID>-out, as go-livepeer does (off: LIVE_AI_DISABLE_RTMP_OUTPUT)" }),
  spec({ key: 'liveMaxStreams', kind: 'int', default: 50, group: 'ai',
    description: 'Max concurrent live AI streams; more are refused (503) and their input dropped' }),
  spec({ key: 'livePaymentInterval', kind: 'duration', default: 5000, goFlag: '-livePaymentInterval', group: 'ai',
    description: 'How often a live AI stream pays its orchestrator (ms or 5s)' }),
  spec({ key: 'liveOutSegmentTimeout', kind: 'duration', default: 30_000, goFlag: '-liveOutSegmentTimeout', group: 'ai',
    description: 'Swap orchestrators when no output segment arrives for this long while input flows (ms or 30s)' }),
  spec({ key: 'liveEventsTimeout', kind: 'duration', default: 30_000, group: 'ai',
    description: "Swap orchestrators when the runner's events stop for this long (go-livepeer: 30s)" }),
  spec({ key: 'liveAuthWebhookUrl', kind: 'url', default: undefined, goFlag: '-liveAIAuthWebhookUrl', group: 'ai',
    description: 'Live AI auth webhook, asked before a live stream starts (go-livepeer JSON; its answer may override pipeline, params, streamId, RTMP output)' }),
  spec({ key: 'liveAuthApiKey', kind: 'string', default: undefined, goFlag: '-liveAIAuthApiKey', group: 'ai', secret: true,
    description: 'Key sent to the live AI auth webhook as x-api-key and Authorization' }),
  spec({ key: 'liveHeartbeatUrl', kind: 'url', default: undefined, goFlag: '-liveAIHeartbeatURL', group: 'ai',
    description: 'Kill-switch: POST {"ids":[streamIds]} here periodically; streams in the answer\'s terminatedStreamIds are stopped' }),
  spec({ key: 'liveHeartbeatHeaders', kind: 'string', default: undefined, goFlag: '-liveAIHeartbeatHeaders', group: 'ai', secret: true,
    description: 'Headers of the heartbeat request, as k:v,k2:v2' }),
  spec({ key: 'liveHeartbeatInterval', kind: 'duration', default: 5000, goFlag: '-liveAIHeartbeatInterval', group: 'ai',
    description: 'Heartbeat period (ms or 5s)' }),
  spec({ key: 'mediaMtxApiPassword', kind: 'string', default: undefined, goFlag: '-mediaMTXApiPassword', group: 'ai', secret: true,
    description: "MediaMTX API password (user admin, port 9997 on the hook caller's host): kicks inputs of failed live streams" }),
  spec({ key: 'gatewayHost', kind: 'string', default: undefined, goFlag: '-gatewayHost', group: 'ai',
    description: 'Public host of this gateway, for the status and update URLs given to the live AI auth webhook' }),
  spec({ key: 'metricsPublic', kind: 'bool', default: false, goFlag: '-monitor', group: 'ops',
    description: 'Serve /metrics on the control port without the token' }),
  spec({ key: 'alertWebhookUrl', kind: 'url', default: undefined, group: 'ops',
    description: 'POST JSON alerts (low deposit/reserve, unlock, price cap, stream failure, crash restart)' }),
  spec({ key: 'alertDepositBelow', kind: 'wei', default: '100000000000000000', group: 'ops',
    description: 'Alert when the TicketBroker deposit falls below this many wei (default 0.1 ETH); 0 turns the alert off' }),
  spec({ key: 'alertReserveBelow', kind: 'wei', default: '360000000000000000', group: 'ops',
    description: 'Alert when the reserve falls below this many wei (default 0.36 ETH: 1.2M gas × 3 gwei × 100 orchestrators); 0 turns it off' }),
] as const satisfies readonly SettingSpec[];

type SettingSpecs = (typeof SETTINGS)[number];

/** Every setting's key; a misspelled key is a type error wherever settings are read by key. */
export type SettingKey = SettingSpecs['key'];

interface KindValues {
  string: string;
  int: number;
  bool: boolean;
  list: string[];
  enum: string;
  duration: number;
  wei: string;
  price: string;
  address: string;
  url: string;
}

type SpecOf<K extends SettingKey> = Extract<SettingSpecs, { readonly key: K }>;
type ValueOfSpec<S> = S extends { readonly kind: 'enum'; readonly choices: readonly (infer C extends string)[] }
  ? C
  : S extends { readonly kind: infer Kind extends SettingKind }
    ? KindValues[Kind]
    : never;

/** The value type of one setting: its kind's type (an enum's choices), or undefined too when it has no default. */
export type SettingValueOf<K extends SettingKey> = ValueOfSpec<SpecOf<K>> | (undefined extends SpecOf<K>['default'] ? undefined : never);

/** Every setting's value by key, typed by the schema. */
export type SettingValues = { readonly [K in SettingKey]: SettingValueOf<K> };

/** Reads and watches settings by key, each typed by the schema (the daemon's RuntimeConfig; tests and the CLI fake it). */
export interface SettingsReader {
  get<K extends SettingKey>(key: K): SettingValueOf<K>;
  onChange<K extends SettingKey>(key: K, listener: (value: SettingValueOf<K>) => void): () => void;
}

/** The schema default of `key`, typed like its value. */
export function settingDefault<K extends SettingKey>(key: K): SettingValueOf<K> {
  return findSetting(key)?.default as SettingValueOf<K>;
}

export type SettingSource = 'default' | 'file' | 'env' | 'flag';

/** `orchAddr` → `orch-addr`, `maxTicketEV` → `max-ticket-ev`. */
export function flagName(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
}

/** `orchAddr` → `GW_ORCH_ADDR`. */
export function envName(key: string): string {
  return `GW_${flagName(key).replace(/-/g, '_').toUpperCase()}`;
}

const BY_NAME = new Map<string, SettingSpec>();
for (const s of SETTINGS) {
  BY_NAME.set(s.key, s);
  BY_NAME.set(flagName(s.key), s);
}

/** Looks a setting up by its key (`orchAddr`) or its flag name (`orch-addr`). */
export function findSetting(name: string): SettingSpec | undefined {
  return BY_NAME.get(name);
}

export class SettingError extends GwError {
  constructor(readonly key: string, message: string) {
    super('invalid_setting', `${key}: ${message}`);
    this.name = 'SettingError';
  }
}

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Parses a raw string (flag, env, CLI argument) into the setting's typed value, or throws SettingError. */
export function parseSetting(s: SettingSpec, raw: string): SettingValue {
  const text = raw.trim();
  const fail = (why: string): never => {
    throw new SettingError(s.key, why);
  };
  switch (s.kind) {
    case 'string':
      if (text === '') fail('must not be empty');
      if (s.key === 'maxPricePerCapability' || s.key === 'customerPricePerCapability') checkPriceList(text, fail);
      if (s.key === 'objectStore' || s.key === 'recordStore') checkStore(text, fail);
      return text;
    case 'int': {
      if (!/^-?\d+$/.test(text)) fail(`expected an integer, got "${raw}"`);
      const n = Number(text);
      if (!Number.isSafeInteger(n) || n < 0) fail(`expected a non-negative integer, got "${raw}"`);
      if ((s.key === 'pixelsPerUnit' || s.key === 'maxAttempts' || s.key === 'depositMultiplier') && n === 0) fail('must be at least 1');
      return n;
    }
    case 'bool':
      if (/^(true|1|yes|on)$/i.test(text)) return true;
      if (/^(false|0|no|off)$/i.test(text)) return false;
      return fail(`expected true or false, got "${raw}"`);
    case 'list':
      return text === '' ? [] : text.split(',').map((x) => x.trim()).filter((x) => x !== '');
    case 'enum':
      if (!s.choices?.includes(text)) fail(`expected one of ${s.choices?.join(', ')}, got "${raw}"`);
      return text;
    case 'duration': {
      const m = DURATION.exec(text);
      if (!m) fail(`expected a duration like 500ms, 10s or 2m, got "${raw}"`);
      return Math.round(Number(m![1]) * UNIT_MS[m![2] ?? 'ms']!);
    }
    case 'wei':
      if (!/^\d+$/.test(text)) fail(`expected a whole number of wei, got "${raw}"`);
      return BigInt(text).toString();
    case 'price':
      return parsePrice(text, raw, fail);
    case 'address':
      if (!/^(0x)?[0-9a-fA-F]{40}$/.test(text)) fail(`expected a 20-byte hex address, got "${raw}"`);
      return text.startsWith('0x') ? text : `0x${text}`;
    case 'url': {
      let u: URL | undefined;
      try {
        u = new URL(text);
      } catch {
        fail(`expected a URL, got "${raw}"`);
      }
      if (u!.protocol !== 'http:' && u!.protocol !== 'https:') fail(`expected an http(s) URL, got "${raw}"`);
      return text;
    }
  }
}

/** A store is a directory or a URL in go-livepeer's forms; the error never repeats the value (it holds credentials). */
function checkStore(text: string, fail: (why: string) => never): void {
  try {
    parseStoreUrl(text);
  } catch (err) {
    fail((err as Error).message);
  }
}

const USD_PRICE = /^(\d+(?:\.\d+)?)\s*USD$/i;

/** A price is whole wei ("1200", "0" = any) or a positive USD amount, stored as "<decimal>USD" (go-livepeer's suffix). */
function parsePrice(text: string, raw: string, fail: (why: string) => never): string {
  if (/^\d+$/.test(text)) return BigInt(text).toString();
  const m = USD_PRICE.exec(text);
  if (!m) return fail(`expected a whole number of wei or a USD amount like 0.02USD, got "${raw}"`);
  const amount = m[1] as string;
  if (!/[1-9]/.test(amount)) fail('a USD price must be greater than 0 (0 alone accepts any price)');
  return `${amount}USD`;
}

/** A capability price list is go-livepeer JSON with a capabilities_prices array, or (not starting with { or [) a file path. */
function checkPriceList(text: string, fail: (why: string) => never): void {
  if (!text.startsWith('{') && !text.startsWith('[')) return;
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    fail(`not valid JSON: ${(err as Error).message}`);
  }
  const list = Array.isArray(v) ? v : (v as Record<string, unknown> | null)?.['capabilities_prices'];
  if (!Array.isArray(list)) fail('expected {"capabilities_prices": [ … ]}');
}

/** Checks a JSON value (from a config file or the control API) against the setting's kind. */
export function coerceSetting(s: SettingSpec, value: unknown): SettingValue {
  if (typeof value === 'string') return parseSetting(s, value);
  if (s.kind === 'list' && Array.isArray(value) && value.every((v) => typeof v === 'string')) return value as string[];
  if (typeof value === 'number' || typeof value === 'boolean') return parseSetting(s, String(value));
  throw new SettingError(s.key, `unexpected value ${JSON.stringify(value)}`);
}

/** Renders a value the way a person would type it back. */
export function formatSetting(value: SettingValue | undefined): string {
  if (value === undefined) return '';
  if (Array.isArray(value)) return value.join(',');
  return String(value);
}
