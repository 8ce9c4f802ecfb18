// The ETH/USD rate from a Chainlink AggregatorV3 feed (go-livepeer's -priceFeedAddr): one typed read of
// decimals() and latestRoundData(), and a watcher that re-reads it periodically (hourly by default, like
// go-livepeer), keeps the last good rate when a read fails, and tells listeners when the rate changes.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { getAddress, isAddress, type Address, type PublicClient } from 'viem';
import { type EthUsdQuote, type EthUsdRateSource, checkRate } from '../../lib/pricing/fiatPrice.js';
import { ChainError, toChainError } from '../../lib/chain/errors.js';

/** Chainlink's ETH/USD feed on Arbitrum One (go-livepeer's -priceFeedAddr default). */
export const ARBITRUM_ONE_ETH_USD_FEED: Address = '0x639Fe6ab55C921f74e7fac1ee960C0B6293ba612';
/** go-livepeer polls its price feed about hourly. */
export const DEFAULT_PRICE_FEED_INTERVAL_MS = 60 * 60 * 1000;
/** After a failed read the watcher tries again sooner than the regular interval. */
export const DEFAULT_PRICE_FEED_RETRY_MS = 60 * 1000;

/** The part of Chainlink's AggregatorV3Interface the gateway reads. */
export const aggregatorV3Abi = [
  { type: 'function', name: 'decimals', stateMutability: 'view', inputs: [], outputs: [{ name: '', type: 'uint8' }] },
  {
    type: 'function',
    name: 'latestRoundData',
    stateMutability: 'view',
    inputs: [],
    outputs: [
      { name: 'roundId', type: 'uint80' },
      { name: 'answer', type: 'int256' },
      { name: 'startedAt', type: 'uint256' },
      { name: 'updatedAt', type: 'uint256' },
      { name: 'answeredInRound', type: 'uint80' },
    ],
  },
] as const;

/** One latestRoundData() answer with the feed's decimals. */
export interface PriceFeedRound {
  readonly roundId: bigint;
  readonly answer: bigint;
  readonly startedAt: bigint;
  readonly updatedAt: bigint;
  readonly answeredInRound: bigint;
  readonly decimals: number;
}

/** Reads decimals() and latestRoundData() at `feed`; throws ChainError when the call fails or the answer is unusable. */
export async function readPriceFeed(client: PublicClient, feed: Address): Promise<PriceFeedRound> {
  let decimals: number;
  let data: readonly [bigint, bigint, bigint, bigint, bigint];
  try {
    [decimals, data] = await Promise.all([
      client.readContract({ address: feed, abi: aggregatorV3Abi, functionName: 'decimals' }),
      client.readContract({ address: feed, abi: aggregatorV3Abi, functionName: 'latestRoundData' }),
    ]);
  } catch (err) {
    throw toChainError(`price feed ${feed}`, err);
  }
  const [roundId, answer, startedAt, updatedAt, answeredInRound] = data;
  const round: PriceFeedRound = { roundId, answer, startedAt, updatedAt, answeredInRound, decimals };
  try {
    checkRate(round);
  } catch (err) {
    throw new ChainError(`price feed ${feed}: ${(err as Error).message}`);
  }
  // Chainlink marks a round that has not completed with updatedAt 0.
  if (updatedAt === 0n) throw new ChainError(`price feed ${feed}: the latest round is not complete (updatedAt 0)`);
  return round;
}

export interface PriceFeedWatcherOptions {
  client: PublicClient;
  feed: Address;
  /** Regular re-read interval (default 1 h). */
  intervalMs?: number;
  /** Re-read interval after a failure (default 60 s, never more than intervalMs). */
  retryMs?: number;
  /** Called with each failed read (the last good rate stays in use). */
  onError?: (err: ChainError) => void;
  now?: () => number;
}

/** Polls a price feed and keeps the last good ETH/USD quote. */
export class PriceFeedWatcher implements EthUsdRateSource {
  readonly feed: Address;
  private quote: EthUsdQuote | null = null;
  private lastProblem: string | null = null;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private inFlight: Promise<EthUsdQuote> | undefined;
  private readonly listeners = new Set<(q: EthUsdQuote) => void>();
  private readonly intervalMs: number;
  private readonly retryMs: number;
  private readonly now: () => number;

  constructor(private readonly options: PriceFeedWatcherOptions) {
    this.feed = getAddress(options.feed);
    this.intervalMs = options.intervalMs ?? DEFAULT_PRICE_FEED_INTERVAL_MS;
    this.retryMs = Math.min(options.retryMs ?? DEFAULT_PRICE_FEED_RETRY_MS, this.intervalMs);
    this.now = options.now ?? Date.now;
  }

  /** Reads once now, then keeps polling until close(). Never rejects: a failed first read leaves the rate unknown. */
  async start(): Promise<EthUsdQuote | null> {
    await this.refresh().catch(() => undefined);
    this.schedule();
    return this.quote;
  }

  current(): EthUsdQuote | null {
    return this.quote;
  }

  problem(): string | null {
    return this.lastProblem;
  }

  onChange(listener: (quote: EthUsdQuote) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Reads the feed now; on failure reports it, keeps the last good quote and rethrows. Concurrent calls share one read. */
  refresh(): Promise<EthUsdQuote> {
    this.inFlight ??= this.read().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  /** Stops polling. */
  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.listeners.clear();
  }

  private async read(): Promise<EthUsdQuote> {
    let round: PriceFeedRound;
    try {
      round = await readPriceFeed(this.options.client, this.feed);
    } catch (err) {
      const e = toChainError(`price feed ${this.feed}`, err);
      this.lastProblem = e.message;
      this.options.onError?.(e);
      throw e;
    }
    const previous = this.quote;
    const quote: EthUsdQuote = {
      answer: round.answer,
      decimals: round.decimals,
      feed: this.feed,
      roundId: round.roundId,
      updatedAt: Number(round.updatedAt),
      readAt: this.now(),
    };
    this.quote = quote;
    this.lastProblem = null;
    if (!previous || previous.answer !== quote.answer || previous.decimals !== quote.decimals) {
      for (const l of [...this.listeners]) {
        try {
          l(quote);
        } catch {
          /* a listener's failure is its own business */
        }
      }
    }
    return quote;
  }

  private schedule(): void {
    if (this.closed) return;
    const delay = this.lastProblem ? this.retryMs : this.intervalMs;
    this.timer = setTimeout(() => {
      void this.refresh()
        .catch(() => undefined)
        .finally(() => this.schedule());
    }, delay);
    this.timer.unref();
  }
}

/** The feed `gw devnet up` deployed, from <devnetDir>/devnet.json, when that devnet serves `rpcUrl`; else undefined. */
export async function devnetPriceFeed(devnetDir: string, rpcUrl: string): Promise<Address | undefined> {
  let json: { chain?: { rpcUrl?: unknown; contracts?: { priceFeed?: unknown } } };
  try {
    json = JSON.parse(await readFile(join(devnetDir, 'devnet.json'), 'utf8')) as typeof json;
  } catch {
    return undefined;
  }
  const feed = json.chain?.contracts?.priceFeed;
  if (json.chain?.rpcUrl !== rpcUrl || typeof feed !== 'string' || !isAddress(feed, { strict: false })) return undefined;
  return getAddress(feed);
}

/**
 * The feed to read: --price-feed-addr when set, else Chainlink's ETH/USD on Arbitrum One, else (devnet) the feed
 * `gw devnet up` deployed; undefined when there is none.
 */
export async function priceFeedAddressFor(o: { network: string; configured: string | undefined; devnetDir: string; rpcUrl: string }): Promise<Address | undefined> {
  if (o.configured) return getAddress(o.configured);
  if (o.network === 'arbitrum-one-mainnet') return ARBITRUM_ONE_ETH_USD_FEED;
  if (o.network === 'devnet') return devnetPriceFeed(o.devnetDir, o.rpcUrl);
  return undefined;
}
