/** Display formatting for the dashboard: money from bigint wei (never floats), durations, clocks, sparklines. */
import { formatEth, formatGwei } from '../../lib/payments/units.js';
import { Rational } from '../../lib/protocol/rational.js';

const WEI_1E15 = 10n ** 15n; // 0.001 ETH
const WEI_1E7 = 10n ** 7n; // 0.01 gwei
/** 2^256 − 1: the win probability of a ticket that always wins. */
const MAX_WIN_PROB = 2n ** 256n - 1n;

/** Exact ETH amount, e.g. "0.36 ETH". */
export function formatEthExact(wei: bigint): string {
  return formatEth(wei);
}

/**
 * A short amount for table cells: ETH from 0.001 ETH up, gwei from 0.01 gwei, else wei; keeps `sig`
 * significant digits (never cutting the integer part), truncated toward zero and marked "~" when cut.
 */
export function formatWei(wei: bigint, sig = 3): string {
  if (wei === 0n) return '0';
  const neg = wei < 0n;
  const abs = neg ? -wei : wei;
  let text: string;
  if (abs >= WEI_1E15) text = formatEth(abs, { maxDecimals: decimalsFor(abs, 18, sig) });
  else if (abs >= WEI_1E7) text = formatGwei(abs, { maxDecimals: decimalsFor(abs, 9, sig) });
  else text = `${abs} wei`;
  return neg ? `-${text}` : text;
}

/** How many decimals keep `sig` significant digits of `abs` smallest units shown with `decimals` places. */
function decimalsFor(abs: bigint, decimals: number, sig: number): number {
  const digits = abs.toString().length;
  const intDigits = digits - decimals;
  if (intDigits > 0) return Math.max(0, sig - intDigits);
  return -intDigits + sig; // leading zeros after the point, then `sig` digits
}

/** The two largest units of a duration: "3h 2m", "45s", "2d 3h"; "—" for undefined. */
export function formatDurationShort(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '—';
  const s = Math.max(0, Math.floor(ms / 1000));
  const units: Array<[string, number]> = [
    ['d', Math.floor(s / 86_400)],
    ['h', Math.floor((s % 86_400) / 3600)],
    ['m', Math.floor((s % 3600) / 60)],
    ['s', s % 60],
  ];
  const first = units.findIndex(([, v]) => v > 0);
  if (first < 0) return '0s';
  return units
    .slice(first, first + 2)
    .filter(([, v], i) => i === 0 || v > 0)
    .map(([u, v]) => `${v}${u}`)
    .join(' ');
}

/** UTC wall clock "HH:MM:SS" (UTC like `gw logs`, so times match the log file). */
export function formatClock(ts: number): string {
  return new Date(ts).toISOString().slice(11, 19);
}

/** Latency: "850ms", "1.2s", "—". */
export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)}s`;
}

/** A 0–1 ratio as a percentage: "98.7%", "100%", "—". */
export function formatPct(r: number | null | undefined): string {
  if (r === null || r === undefined || !Number.isFinite(r)) return '—';
  if (r >= 1) return '100%';
  return `${(Math.floor(r * 1000) / 10).toFixed(1)}%`;
}

/** A per-second rate with one decimal. */
export function formatRate(n: number): string {
  return n >= 100 ? String(Math.round(n)) : n.toFixed(1);
}

const SPARKS = '▁▂▃▄▅▆▇█';

/** A sparkline of ▁…█: zero is the lowest bar, any non-zero sample at least the second, the maximum the top. */
export function sparkline(values: readonly (number | bigint)[]): string {
  let max = 0n;
  const scaled = values.map((v) => (typeof v === 'bigint' ? v : BigInt(Math.round(Math.max(0, v) * 1000))));
  for (const v of scaled) if (v > max) max = v;
  let out = '';
  for (const v of scaled) {
    const idx = v <= 0n || max === 0n ? 0 : 1 + Number((6n * v) / max);
    out += SPARKS[idx];
  }
  return out;
}

/** Cuts `s` to `width` characters with a trailing "…". */
export function truncate(s: string, width: number): string {
  if (width <= 0) return '';
  if (s.length <= width) return s;
  return width === 1 ? '…' : `${s.slice(0, width - 1)}…`;
}

/** Cuts the middle of `s` to fit `width` ("orch-a.exa…com:8935"): both ends of a URI say the most. */
export function truncateMiddle(s: string, width: number): string {
  if (s.length <= width) return s;
  if (width <= 3) return truncate(s, width);
  const tail = Math.floor((width - 1) / 2);
  const head = width - 1 - tail;
  return `${s.slice(0, head)}…${s.slice(s.length - tail)}`;
}

/** Pads or cuts to exactly `width` characters. */
export function fit(s: string, width: number, align: 'left' | 'right' = 'left'): string {
  const t = truncate(s, width);
  return align === 'left' ? t.padEnd(width) : t.padStart(width);
}

/** An orchestrator URI without its scheme: "orch-a.example.com:8935". */
export function shortUri(uri: string): string {
  return uri.replace(/^[a-z]+:\/\//i, '').replace(/\/$/, '');
}

/** "0x1234…abcd" for an address; other strings unchanged. */
export function shortAddress(addr: string | null | undefined): string {
  if (!addr) return '—';
  return /^0x[0-9a-fA-F]{40}$/.test(addr) ? `${addr.slice(0, 6)}…${addr.slice(-4)}` : addr;
}

/** Parses a price as "num/den" or a decimal; undefined when absent or not a number. */
export function parsePrice(text: string | null | undefined): Rational | undefined {
  if (text === null || text === undefined || text.trim() === '') return undefined;
  try {
    return Rational.parse(text);
  } catch {
    return undefined;
  }
}

/** Wei per pixel with up to 3 decimals, trailing zeros trimmed ("1200", "0.5", "0.001"). */
export function formatPrice(r: Rational | undefined): string {
  if (!r) return '—';
  const s = r.toDecimalString(3);
  return s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
}

/**
 * A ticket's win probability given as a uint256 decimal (winProb / (2^256 − 1)) or as a fraction
 * ("0.001"): shown as "1/N" for small odds, else a percentage.
 */
export function formatWinProb(text: string): string {
  let p: Rational;
  try {
    p = /^\d+$/.test(text.trim()) && text.trim().length > 6 ? Rational.of(BigInt(text.trim()), MAX_WIN_PROB) : Rational.parse(text);
  } catch {
    return text;
  }
  if (p.isZero()) return '0';
  if (p.gte(1n)) return '1';
  const inverse = (p.den * 2n + p.num) / (p.num * 2n); // 1/p rounded to the nearest integer
  if (inverse >= 10n) return `1/${inverse}`;
  return `${p.mul(100n).toDecimalString(1)}%`;
}

/** Text from the daemon made safe for one terminal line: control characters (newlines, escapes) become spaces. */
export function oneLine(s: string): string {
  return s.replace(/[\x00-\x1f\x7f-\x9f]+/g, ' ');
}
