// `gw price set` / `gw price show`: the video cap through /v1/config, per-capability max prices and customer prices
// through /v1/prices (or straight in the config file when no daemon runs), and their rendering. go-livepeer can set
// per-capability prices but never read them back; gw shows them all.
import type { ConfigResponse } from '../../api/contract.js';
import { updateConfigFile } from '../../lib/settings/configFile.js';
import { ControlClient } from '../../api/controlClient.js';
import { checkDaemon } from '../../api/daemonState.js';
import { GwClientError } from '../../api/errors.js';
import type { GwPaths } from '../../lib/settings/paths.js';
import { resolvedValue, resolveSettings } from '../../lib/settings/resolveSettings.js';
import type { NetworkOffersResponse, PriceEntryView, PriceUpdateRequest, PricesResponse } from '../../api/contract.js';
import { type AiConfig, AiPrices } from '../../lib/pricing/aiPrices.js';
import { PriceConfigError, type PriceCurrency } from '../../lib/pricing/capabilityPrices.js';
import { isPricedPipeline, PRICED_PIPELINES } from '../../lib/pricing/pipelines.js';
import { Rational } from '../../lib/protocol/rational.js';
import { GwUserError } from '../baseCommand.js';
import { renderTable } from '../render.js';
import { changeConfig } from './configService.js';

const WEI_PER_ETH = 10n ** 18n;

/**
 * The video cap settings for "N wei (or ETH, or USD) per M pixels", exact: a fractional wei amount moves into
 * pixelsPerUnit (0.5 wei per pixel = 1 wei per 2 pixels); a USD amount is stored as go-livepeer's "0.02USD" and
 * converted by the daemon at the current ETH/USD rate. 0 in any currency clears the cap.
 */
export function videoCapSettings(amount: string, pixelsPerUnit: string, currency: PriceCurrency): { maxPricePerUnit: string; pixelsPerUnit: string } {
  if (!/^\d+(\.\d+)?$/.test(amount.trim())) throw new GwUserError(`--max-price-per-unit must be a non-negative decimal number, got "${amount}"`, 'invalid_price');
  if (!/^\d+$/.test(pixelsPerUnit.trim()) || BigInt(pixelsPerUnit) <= 0n) throw new GwUserError(`--pixels-per-unit must be a positive whole number, got "${pixelsPerUnit}"`, 'invalid_price');
  if (currency === 'USD') {
    const usd = Rational.fromDecimalString(amount);
    return { maxPricePerUnit: usd.isZero() ? '0' : `${amount.trim()}USD`, pixelsPerUnit: BigInt(pixelsPerUnit).toString() };
  }
  let wei = Rational.fromDecimalString(amount);
  if (currency === 'ETH') wei = wei.mul(WEI_PER_ETH);
  const pixels = BigInt(pixelsPerUnit) * wei.den;
  return { maxPricePerUnit: wei.num.toString(), pixelsPerUnit: pixels.toString() };
}

/** Parses --currency. */
export function parseCurrencyFlag(raw: string | undefined): PriceCurrency {
  if (raw === undefined || /^wei$/i.test(raw)) return 'wei';
  if (/^eth$/i.test(raw)) return 'ETH';
  if (/^usd$/i.test(raw)) return 'USD';
  throw new GwUserError(`--currency must be wei, ETH or USD, got "${raw}"`, 'invalid_price');
}

/** Checks a --pipeline value. */
export function checkPipeline(p: string): string {
  if (!isPricedPipeline(p)) throw new GwUserError(`unknown pipeline "${p}"; one of ${PRICED_PIPELINES.join(', ')}`, 'invalid_price');
  return p;
}

/** Sets the video cap (live through POST /v1/config when the daemon runs, else in the config file). */
export async function setVideoCap(paths: GwPaths, cap: { maxPricePerUnit: string; pixelsPerUnit: string }): Promise<'daemon' | 'file'> {
  return (await changeConfig(paths, { maxPricePerUnit: cap.maxPricePerUnit, pixelsPerUnit: cap.pixelsPerUnit }, [])).target;
}

/** The AI price settings straight from the config file (no daemon). */
function fileConfig(paths: GwPaths): AiConfig {
  const read = () => resolveSettings({ configFile: paths.configFile });
  return {
    get: (key) => resolvedValue(read(), key),
    onChange: () => () => undefined,
    update: (req): ConfigResponse => {
      updateConfigFile(paths.configFile, req.set ?? {}, req.unset ?? []);
      return { settings: [], pendingRestart: [] };
    },
  };
}

/** GET /v1/prices, or the same view computed from the config file. */
export async function readPrices(paths: GwPaths): Promise<{ prices: PricesResponse; from: 'daemon' | 'file' }> {
  if (checkDaemon(paths).state === 'running') return { prices: await ControlClient.forPaths(paths).prices(), from: 'daemon' };
  const p = new AiPrices(fileConfig(paths));
  return { prices: p.view(), from: 'file' };
}

/** POST /v1/prices, or the same change made to the config file. */
export async function updatePrice(paths: GwPaths, req: PriceUpdateRequest): Promise<{ prices: PricesResponse; target: 'daemon' | 'file' }> {
  if (checkDaemon(paths).state === 'running') {
    try {
      return { prices: await ControlClient.forPaths(paths).setPrice(req), target: 'daemon' };
    } catch (err) {
      if (err instanceof GwClientError && err.status === 400) throw new GwUserError(err.message, 'invalid_price');
      throw err;
    }
  }
  try {
    return { prices: new AiPrices(fileConfig(paths)).update(req), target: 'file' };
  } catch (err) {
    if (err instanceof PriceConfigError) throw new GwUserError(err.message, 'invalid_price');
    throw err;
  }
}

function entryRows(list: readonly PriceEntryView[]): string[][] {
  return list.map((e) => [
    e.pipeline,
    e.modelId,
    `${e.pricePerUnit} ${e.currency} / ${e.pixelsPerUnit === '0' ? 'pixelsPerUnit' : e.pixelsPerUnit}`,
    e.unknownReason !== undefined ? 'unknown: no ETH/USD rate (pays nothing)' : (e.weiPerUnitDisplay ?? '— (no effect)'),
  ]);
}

const trimDecimals = (r: Rational, digits: number) => r.toDecimalString(digits).replace(/\.?0+$/, '');

/** "42 s", "12 min", "3 h", "2 d". */
export function formatAge(seconds: number): string {
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 2 * 3600) return `${Math.floor(seconds / 60)} min`;
  if (seconds < 2 * 86400) return `${Math.floor(seconds / 3600)} h`;
  return `${Math.floor(seconds / 86400)} d`;
}

/** The video cap line(s) of `gw price show`, also printed after `gw price set`. */
export function renderVideoCap(p: PricesResponse): string[] {
  const v = p.video;
  if (v.acceptsAnyPrice) return ['video cap: none — WARNING: accepting any price (gw price set --max-price-per-unit N --pixels-per-unit M)'];
  if (v.currency === 'USD') {
    const usd = v.maxPricePerUnit.replace(/USD$/i, '');
    if (v.unknownReason !== null || v.weiPerUnit === null) {
      return [`video cap: ${usd} USD per ${v.pixelsPerUnit} pixel(s) — UNKNOWN (${v.unknownReason ?? 'no ETH/USD rate'}): no orchestrator is paid until the rate is known`];
    }
    const perUnit = Rational.parse(v.weiPerUnit);
    const perPixel = Rational.parse(v.weiPerPixel!);
    const rate = p.ethUsd?.usdPerEth ? ` at ${p.ethUsd.usdPerEth} USD/ETH` : '';
    return [`video cap: ${usd} USD per ${v.pixelsPerUnit} pixel(s) = ${trimDecimals(perUnit, 3)} wei per ${v.pixelsPerUnit} pixel(s) = ${trimDecimals(perPixel, 6)} wei/pixel${rate}`];
  }
  return [`video cap: ${v.maxPricePerUnit} wei per ${v.pixelsPerUnit} pixel(s) = ${trimDecimals(Rational.parse(v.weiPerPixel!), 6)} wei/pixel`];
}

/** The ETH/USD line of `gw price show`; empty when the gateway has no feed. */
export function renderEthUsd(p: PricesResponse): string[] {
  const r = p.ethUsd;
  if (!r) return [];
  const lines = [
    r.usdPerEth !== null
      ? `ETH/USD: ${r.usdPerEth} (feed ${r.feed}, updated ${r.updatedAt}, ${formatAge(r.ageSeconds ?? 0)} ago)`
      : `ETH/USD: unknown (feed ${r.feed} not read yet)`,
  ];
  if (r.problem) lines.push(`WARNING: the last ETH/USD read failed: ${r.problem}`);
  return lines;
}

/** `gw price show` text. */
export function renderPrices(p: PricesResponse): string {
  const lines: string[] = [...renderVideoCap(p), ...renderEthUsd(p)];
  lines.push('');
  lines.push(`AI max prices per capability${p.capabilitiesFile ? ` (from ${p.capabilitiesFile})` : ''}:`);
  if (p.capabilities.length === 0) {
    lines.push(p.video.acceptsAnyPrice ? '  none — AI jobs accept any price' : '  none — AI jobs use the video cap per unit');
  } else {
    lines.push(renderTable(['pipeline', 'model', 'max price', 'wei/unit'], entryRows(p.capabilities)));
    lines.push('  (models without an entry use their pipeline\'s "default" entry, else the video cap)');
  }
  lines.push('');
  lines.push(`Customer prices (what this gateway charges)${p.customerFile ? ` (from ${p.customerFile})` : ''}:`);
  lines.push(p.customer.length === 0 ? '  none set (gw price set --customer --pipeline P --model M --price-per-unit N)' : renderTable(['pipeline', 'model', 'price', 'wei/unit'], entryRows(p.customer)));
  for (const problem of p.problems) lines.push(`\nWARNING: ${problem}`);
  return lines.join('\n');
}

/** `gw orchestrators ls --pipeline/--model` table. */
export function renderOffers(view: NetworkOffersResponse, filter: { pipeline?: string; modelId?: string }): string {
  const what = [filter.pipeline, filter.modelId].filter(Boolean).join(' / ') || 'AI';
  if (view.orchestrators.length === 0) {
    const down = view.unreachable.length ? ` (${view.unreachable.length} did not answer: ${view.unreachable.map((u) => `${u.uri}: ${u.error}`).join('; ')})` : '';
    return `no orchestrator serves ${what}${down}`;
  }
  const rows = view.orchestrators.map((o) => [
    o.uri,
    o.pipeline,
    o.modelId,
    o.warm ? 'warm' : 'cold',
    o.capacity > 0 ? `${o.capacity - o.capacityInUse}/${o.capacity}` : '—',
    o.pricePerUnitWei === null ? '—' : `${o.pricePerUnitWei} wei/${o.unit}`,
  ]);
  const out = [renderTable(['orchestrator', 'pipeline', 'model', 'state', 'free', 'price'], rows)];
  if (view.unreachable.length) out.push(`${view.unreachable.length} orchestrator(s) did not answer: ${view.unreachable.map((u) => u.uri).join(', ')}`);
  return out.join('\n');
}

/** GET /v1/ai/network for the filters. */
export function fetchOffers(paths: GwPaths, filter: { pipeline?: string; modelId?: string; refresh?: boolean }): Promise<NetworkOffersResponse> {
  return ControlClient.forPaths(paths).aiNetwork({ ...(filter.pipeline ? { pipeline: filter.pipeline } : {}), ...(filter.modelId ? { model: filter.modelId } : {}), ...(filter.refresh ? { refresh: true } : {}) });
}
