// `gw orchestrators ping`: asks each orchestrator for its OrchestratorInfo (GetOrchestrator) and summarises what a
// gateway would pay and get there. Pure summary/rendering functions are separate from the network call. The request
// is signed with the gateway's own account (the keystore and password sources the daemon uses), since on-chain
// orchestrators refuse an unsigned one.
import {
  DEFAULT_PROFILE_LIST,
  type OrchestratorInfo,
  type OrchestratorRequest,
  type Signer,
  buildOrchestratorRequest,
  bytesToBigint,
  capabilityName,
  decodeBitstring,
  localSigner,
  orchestratorRequestSig,
  parseProfileList,
  pricePerPixel,
  ticketEV,
  toChecksumAddress,
  toNetProfile,
  transcodingJobCapabilities,
} from '../../lib/protocol/index.js';
import { OrchestratorError, TransportError } from '../../lib/protocol/errors.js';
import type { H2Pool } from '../../lib/protocol/h2Pool.js';
import { GET_ORCHESTRATOR_TIMEOUT_MS, getOrchestrator } from '../../lib/protocol/orchestratorClient.js';
import { normalizeOrchestratorUri } from '../../lib/protocol/orchestratorUri.js';
import { formatEth } from '../../lib/payments/units.js';
import { type AccountSource, resolveGatewayChainSettings } from '../../lib/chain/gatewaySettings.js';
import { locateKeyFile, PASSWORD_ENV, passwordFromSources, unlockGatewayAccount } from '../../lib/payments/accountUnlock.js';
import { KeystoreError, listKeyFiles } from '../../lib/payments/keystore.js';
import type { GwPaths } from '../../lib/settings/paths.js';
import { resolveSettings, settingValues } from '../../lib/settings/resolveSettings.js';
import type { SettingValue } from '../../lib/settings/settings.js';
import { GwUserError } from '../baseCommand.js';
import { renderKeyValues } from '../render.js';
import { type PromptIo, canPrompt, promptSecret } from './password.js';

/** Pixels in one minute of 720p30: 1280 × 720 × 30 fps × 60 s. */
export const PIXELS_720P30_MINUTE = 1280n * 720n * 30n * 60n;
const MAX_WIN_PROB = (1n << 256n) - 1n;

/** What one orchestrator offers. */
export interface OrchestratorSummary {
  uri: string;
  transcoder: string;
  /** EIP-55, or undefined when O sent none. */
  address: string | undefined;
  price:
    | {
        pricePerUnit: bigint;
        pixelsPerUnit: bigint;
        /** Exact wei per pixel, "num/den". */
        weiPerPixel: string;
        /** Decimal wei per pixel (prefixed "~" when rounded). */
        weiPerPixelDecimal: string;
        /** Wei for one minute of 720p30, rounded up when the price is fractional. */
        cost720p30MinuteWei: bigint;
        cost720p30MinuteExact: boolean;
      }
    | undefined;
  capabilities: string[];
  ticket:
    | {
        faceValueWei: bigint;
        winProb: bigint;
        /** "1 in 125,000" (winProb as a fraction of 2^256 − 1). */
        winOdds: string;
        /** Expected value per ticket in wei (decimal, "~" when rounded). */
        evWei: string;
      }
    | undefined;
  /** Minutes until the auth token expires (negative when already expired). */
  authTokenExpiresInMin: number | undefined;
  latencyMs: number;
}

/** Why a ping failed. */
export type PingErrorKind = 'timeout' | 'refused' | 'unreachable' | 'tls' | 'reset' | 'protocol' | 'orchestrator' | 'invalid-uri' | 'error';

/** Outcome per orchestrator. */
export type PingResult = { uri: string; ok: true; summary: OrchestratorSummary } | { uri: string; ok: false; error: { kind: PingErrorKind; message: string } };

/** Options of a ping run. */
export interface PingOptions {
  /** Signs the request (on-chain orchestrators verify it); unsigned without it. */
  signer?: Signer;
  /** Hex private key: sign the request for on-chain orchestrators that verify it. */
  ethKey?: string;
  timeoutMs?: number;
  pool?: H2Pool;
  /** Clock for token expiry (ms since epoch). */
  now?: () => number;
}

function groupThousands(n: bigint): string {
  return n.toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** Thousands separators for the integer part of a decimal text ("~1234.5" → "~1,234.5"). */
function groupDecimal(text: string): string {
  return text.replace(/^(~?)(\d+)/, (_m, approx: string, int: string) => approx + groupThousands(BigInt(int)));
}

/** "1 in N" for a win probability expressed over 2^256 − 1; N rounded to the nearest integer. */
export function formatWinOdds(winProb: bigint): string {
  if (winProb <= 0n) return 'never';
  const n = (2n * MAX_WIN_PROB + winProb) / (2n * winProb);
  return `1 in ${groupThousands(n < 1n ? 1n : n)}`;
}

function decimalText(num: bigint, den: bigint, decimals: number): string {
  if (num % den === 0n) return (num / den).toString();
  const scale = 10n ** BigInt(decimals);
  const scaled = (num * scale * 2n + den) / (2n * den);
  const exact = (num * scale) % den === 0n;
  const whole = scaled / scale;
  const frac = (scaled % scale).toString().padStart(decimals, '0').replace(/0+$/, '');
  return `${exact ? '' : '~'}${whole}${frac ? `.${frac}` : ''}`;
}

/** Builds the summary of an OrchestratorInfo (pure). */
export function summarizeOrchestrator(uri: string, info: OrchestratorInfo, latencyMs: number, nowMs: number): OrchestratorSummary {
  const ppp = pricePerPixel(info.priceInfo);
  let price: OrchestratorSummary['price'];
  if (info.priceInfo && ppp) {
    const cost = ppp.mul(PIXELS_720P30_MINUTE);
    price = {
      pricePerUnit: info.priceInfo.pricePerUnit,
      pixelsPerUnit: info.priceInfo.pixelsPerUnit,
      weiPerPixel: ppp.toString(),
      weiPerPixelDecimal: decimalText(ppp.num, ppp.den, 6),
      cost720p30MinuteWei: cost.ceil(),
      cost720p30MinuteExact: cost.isInteger(),
    };
  }
  let ticket: OrchestratorSummary['ticket'];
  const tp = info.ticketParams;
  if (tp) {
    const faceValue = bytesToBigint(tp.faceValue);
    const winProb = bytesToBigint(tp.winProb);
    const ev = ticketEV(faceValue, winProb);
    ticket = { faceValueWei: faceValue, winProb, winOdds: formatWinOdds(winProb), evWei: decimalText(ev.num, ev.den, 3) };
  }
  const exp = info.authToken?.expiration;
  return {
    uri,
    transcoder: info.transcoder,
    address: info.address.length === 20 ? toChecksumAddress(info.address) : undefined,
    price,
    capabilities: decodeBitstring(info.capabilities?.bitstring ?? []).map(capabilityName),
    ticket,
    authTokenExpiresInMin: exp !== undefined && exp > 0n ? Math.round((Number(exp) * 1000 - nowMs) / 6000) / 10 : undefined,
    latencyMs: Math.round(latencyMs * 10) / 10,
  };
}

function describeError(err: unknown): { kind: PingErrorKind; message: string } {
  if (err instanceof OrchestratorError) return { kind: 'orchestrator', message: err.message };
  if (err instanceof TransportError) {
    const kind: PingErrorKind = err.reason === 'aborted' || err.reason === 'too-large' ? 'error' : err.reason === 'unresponsive' ? 'timeout' : err.reason;
    return { kind, message: err.message };
  }
  return { kind: 'error', message: err instanceof Error ? err.message : String(err) };
}

/** The request a ping sends: default transcoding job caps, signed when a key is given. */
export async function pingRequest(signer?: Signer): Promise<OrchestratorRequest> {
  const capabilities = transcodingJobCapabilities({ profiles: parseProfileList(DEFAULT_PROFILE_LIST).map(toNetProfile) });
  if (!signer) return buildOrchestratorRequest({ capabilities });
  return buildOrchestratorRequest({ signer, sig: await orchestratorRequestSig(signer), capabilities });
}

/** Pings every orchestrator in parallel; one failure never fails the others. */
export async function pingOrchestrators(uris: readonly string[], opts: PingOptions = {}): Promise<PingResult[]> {
  const signer = opts.signer ?? (opts.ethKey ? localSigner(opts.ethKey) : undefined);
  const request = await pingRequest(signer);
  const now = opts.now ?? Date.now;
  return Promise.all(
    uris.map(async (entry): Promise<PingResult> => {
      let uri: string;
      try {
        uri = normalizeOrchestratorUri(entry);
      } catch (err) {
        return { uri: entry, ok: false, error: { kind: 'invalid-uri', message: (err as Error).message } };
      }
      try {
        const { info, latencyMs } = await getOrchestrator(uri, request, { timeoutMs: opts.timeoutMs ?? GET_ORCHESTRATOR_TIMEOUT_MS, pool: opts.pool });
        return { uri, ok: true, summary: summarizeOrchestrator(uri, info, latencyMs, now()) };
      } catch (err) {
        return { uri, ok: false, error: describeError(err) };
      }
    }),
  );
}

/** Who signs a ping, or why nobody does and how to fix it. */
export type PingSigning =
  | { signed: true; signer: Signer; address: string; source: string }
  | { signed: false; reason: string; fix: string };

function str(v: SettingValue | undefined): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/**
 * The gateway's account as the daemon would find it: on-chain settings (keystore, else the default keystore
 * directory, else a devnet's dev account); off-chain, the configured or default keystore when it holds keys.
 */
async function gatewayAccountSource(paths: GwPaths, values: Record<string, SettingValue | undefined>): Promise<AccountSource | undefined> {
  const keystore = str(values['keystore']);
  const ethAddr = str(values['ethAddr']);
  if ((str(values['network']) ?? 'offchain') !== 'offchain') {
    const chain = await resolveGatewayChainSettings(
      { network: str(values['network']), ethUrl: str(values['ethUrl']), ethController: str(values['ethController']), keystore, ethAddr },
      paths,
    ).catch(() => null);
    if (chain) return chain.account;
  }
  if (keystore) return { kind: 'keystore', keystore, ...(ethAddr ? { ethAddr } : {}) };
  if ((await listKeyFiles(paths.keystoreDir).catch(() => [])).length > 0) return { kind: 'keystore', keystore: paths.keystoreDir, ...(ethAddr ? { ethAddr } : {}) };
  return undefined;
}

/**
 * Who signs a ping: a raw key (--eth-key / GW_ETH_KEY), else the gateway's own account unlocked with the
 * daemon's password sources (--password-file, the passwordFile setting, GW_ETH_PASSWORD, else a prompt in a
 * terminal). Unsigned, with the reason and the fix, when there is no account or no password; a wrong password throws.
 */
export async function pingSigning(opts: { paths: GwPaths; ethKey?: string; passwordFile?: string; env?: NodeJS.ProcessEnv; io?: PromptIo }): Promise<PingSigning> {
  if (opts.ethKey) {
    const signer = localSigner(opts.ethKey);
    return { signed: true, signer, address: toChecksumAddress(signer.address), source: 'the key in --eth-key / GW_ETH_KEY' };
  }
  const env = opts.env ?? process.env;
  const values = settingValues(resolveSettings({ configFile: opts.paths.configFile, env }));
  let account: AccountSource | undefined;
  try {
    account = await gatewayAccountSource(opts.paths, values);
  } catch (err) {
    if (err instanceof KeystoreError) return { signed: false, reason: err.message, fix: 'check --keystore / --eth-addr (gw config ls)' };
    throw err;
  }
  if (!account) {
    return {
      signed: false,
      reason: `no gateway account (no key files in ${opts.paths.keystoreDir})`,
      fix: 'create one with `gw account create` (or `gw account import`), or pass a key in GW_ETH_KEY',
    };
  }
  if (account.kind === 'dev') {
    const signer = localSigner(account.privateKey);
    return { signed: true, signer, address: account.address, source: `the devnet account of ${account.devnetFile}` };
  }
  let address: string;
  try {
    address = (await locateKeyFile(account.keystore, account.ethAddr)).address;
  } catch (err) {
    if (err instanceof KeystoreError) return { signed: false, reason: err.message, fix: 'create an account with `gw account create`, or pass a key in GW_ETH_KEY' };
    throw err;
  }
  const passwordFile = opts.passwordFile ?? str(values['passwordFile']);
  let password: string | undefined;
  try {
    password = (await passwordFromSources({ ...(passwordFile ? { passwordFile } : {}), env }))?.password;
  } catch (err) {
    if (err instanceof KeystoreError) throw new GwUserError(err.message, err.code);
    throw err;
  }
  const io = opts.io;
  if (password === undefined && canPrompt(io)) {
    password = await promptSecret(`Keystore password for ${address} (to sign the request; Enter to send it unsigned): `, io);
    if (password === '') return { signed: false, reason: 'no password given', fix: `pass --password-file <file> or set ${PASSWORD_ENV}` };
  }
  if (password === undefined) {
    return {
      signed: false,
      reason: `no keystore password for ${address}`,
      fix: `pass --password-file <file> or set ${PASSWORD_ENV} (stdin is not a terminal, so gw cannot ask)`,
    };
  }
  try {
    const unlocked = await unlockGatewayAccount({ keystore: account.keystore, ...(account.ethAddr ? { ethAddr: account.ethAddr } : {}), password });
    return { signed: true, signer: unlocked.signer, address: unlocked.address, source: unlocked.keyFile ?? account.keystore };
  } catch (err) {
    if (err instanceof KeystoreError) throw new GwUserError(err.message, err.code);
    throw err;
  }
}

/** Adds to an orchestrator's signature refusal that the request went unsigned, and how to sign it (pure). */
export function explainUnsigned(results: readonly PingResult[], signing: PingSigning): PingResult[] {
  if (signing.signed) return [...results];
  return results.map((r) =>
    !r.ok && /sig(nature)? check failed/i.test(r.error.message)
      ? { ...r, error: { ...r.error, message: `${r.error.message} (the request was not signed: ${signing.reason}; ${signing.fix})` } }
      : r,
  );
}

/** Text report for people: one block per orchestrator. */
export function renderPingReport(results: readonly PingResult[]): string {
  return results
    .map((r) => {
      if (!r.ok) return renderKeyValues([['orchestrator', r.uri], ['error', `${r.error.kind}: ${r.error.message}`]]);
      const s = r.summary;
      const pairs: Array<[string, string]> = [
        ['orchestrator', s.uri],
        ['address', s.address ?? '(none)'],
      ];
      if (s.transcoder !== s.uri) pairs.push(['work URL', s.transcoder]);
      if (s.price) {
        const quoted = `${s.price.pricePerUnit}/${s.price.pixelsPerUnit}` === s.price.weiPerPixel ? '' : `; quoted as ${s.price.pricePerUnit} wei per ${s.price.pixelsPerUnit} pixels`;
        pairs.push(['price', `${groupDecimal(s.price.weiPerPixelDecimal)} wei/pixel (= ${s.price.weiPerPixel} exactly${quoted})`]);
        pairs.push(['1 min 720p30', `${s.price.cost720p30MinuteExact ? '' : '~'}${formatEth(s.price.cost720p30MinuteWei)} (${groupThousands(PIXELS_720P30_MINUTE)} pixels)`]);
      } else {
        pairs.push(['price', '(none: off-chain or free)']);
      }
      pairs.push(['capabilities', s.capabilities.length ? s.capabilities.join(', ') : '(none)']);
      if (s.ticket) {
        pairs.push(['ticket', `face value ${formatEth(s.ticket.faceValueWei)}, win ${s.ticket.winOdds}, EV ${groupDecimal(s.ticket.evWei)} wei`]);
      } else {
        pairs.push(['ticket', '(no ticket params: off-chain orchestrator)']);
      }
      pairs.push(['auth token', s.authTokenExpiresInMin === undefined ? '(none)' : `expires in ${s.authTokenExpiresInMin} min`]);
      pairs.push(['latency', `${s.latencyMs} ms`]);
      return renderKeyValues(pairs);
    })
    .join('\n\n');
}

/** JSON-safe copy (bigints as decimal strings). */
export function pingResultsToJson(results: readonly PingResult[]): unknown {
  return JSON.parse(JSON.stringify(results, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)));
}
