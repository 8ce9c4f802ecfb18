// Polls the chain and reports what changed (block, rounds, deposit, reserve, unlock, sender state).
import type { Address } from 'viem';
import type { BlockInfo } from './blocks.js';
import { toChainError, type ChainError } from './errors.js';
import { senderState, type SenderState } from './senderState.js';
import type { ReserveInfo, SenderInfo } from './ticketBroker.js';

/** The reads the watcher needs (ChainClient provides them). */
export interface WatchSource {
  latestBlock(): Promise<BlockInfo>;
  currentRound(): Promise<bigint>;
  lastInitializedRound(): Promise<bigint>;
  getSenderInfo(sender: Address): Promise<SenderInfo>;
}

/** Everything known after one poll. */
export interface ChainSnapshot {
  block: BlockInfo;
  currentRound: bigint;
  lastInitializedRound: bigint;
  /** Present when a sender is watched. */
  sender?: { address: Address; info: SenderInfo; state: SenderState };
}

/** A change seen by the watcher; `previous` is absent on the first poll. */
export type ChainWatchEvent =
  | { type: 'block'; block: BlockInfo; previous?: BlockInfo }
  | { type: 'round'; currentRound: bigint; previous?: bigint }
  | { type: 'lastInitializedRound'; lastInitializedRound: bigint; previous?: bigint }
  | { type: 'deposit'; deposit: bigint; previous?: bigint }
  | { type: 'reserve'; reserve: ReserveInfo; previous?: ReserveInfo }
  | { type: 'withdrawRound'; withdrawRound: bigint; previous?: bigint }
  | { type: 'senderState'; state: SenderState; previous?: SenderState }
  /** Sent after any poll that changed something, with the full picture. */
  | { type: 'snapshot'; snapshot: ChainSnapshot }
  /** A poll failed; polling goes on. */
  | { type: 'error'; error: ChainError };

export interface WatchOptions {
  source: WatchSource;
  /** Sender whose deposit/reserve/unlock to follow. */
  sender?: Address;
  intervalMs?: number;
  signal: AbortSignal;
  onEvent: (event: ChainWatchEvent) => void;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

async function poll(source: WatchSource, sender: Address | undefined, prev: ChainSnapshot | undefined) {
  const block = await source.latestBlock();
  // Contract state only changes with a new block.
  if (prev && block.number === prev.block.number && block.hash === prev.block.hash) return prev;
  const [currentRound, lastInitializedRound, info] = await Promise.all([
    source.currentRound(),
    source.lastInitializedRound(),
    sender ? source.getSenderInfo(sender) : Promise.resolve(undefined),
  ]);
  const snapshot: ChainSnapshot = { block, currentRound, lastInitializedRound };
  if (sender && info) snapshot.sender = { address: sender, info, state: senderState(info, currentRound) };
  return snapshot;
}

function diff(prev: ChainSnapshot | undefined, next: ChainSnapshot): ChainWatchEvent[] {
  const events: ChainWatchEvent[] = [];
  if (!prev || prev.block.number !== next.block.number || prev.block.hash !== next.block.hash) {
    events.push({ type: 'block', block: next.block, ...(prev ? { previous: prev.block } : {}) });
  }
  if (!prev || prev.currentRound !== next.currentRound) {
    events.push({ type: 'round', currentRound: next.currentRound, ...(prev ? { previous: prev.currentRound } : {}) });
  }
  if (!prev || prev.lastInitializedRound !== next.lastInitializedRound) {
    events.push({
      type: 'lastInitializedRound',
      lastInitializedRound: next.lastInitializedRound,
      ...(prev ? { previous: prev.lastInitializedRound } : {}),
    });
  }
  const s = next.sender;
  if (s) {
    const p = prev?.sender;
    if (!p || p.info.deposit !== s.info.deposit) {
      events.push({ type: 'deposit', deposit: s.info.deposit, ...(p ? { previous: p.info.deposit } : {}) });
    }
    if (
      !p ||
      p.info.reserve.fundsRemaining !== s.info.reserve.fundsRemaining ||
      p.info.reserve.claimedInCurrentRound !== s.info.reserve.claimedInCurrentRound
    ) {
      events.push({ type: 'reserve', reserve: s.info.reserve, ...(p ? { previous: p.info.reserve } : {}) });
    }
    if (!p || p.info.withdrawRound !== s.info.withdrawRound) {
      events.push({
        type: 'withdrawRound',
        withdrawRound: s.info.withdrawRound,
        ...(p ? { previous: p.info.withdrawRound } : {}),
      });
    }
    if (!p || p.state !== s.state) {
      events.push({ type: 'senderState', state: s.state, ...(p ? { previous: p.state } : {}) });
    }
  }
  if (events.length > 0) events.push({ type: 'snapshot', snapshot: next });
  return events;
}

/** Poll every `intervalMs` (default 2 s) until `signal` aborts; resolves then. Never rejects. */
export async function watchChain(options: WatchOptions): Promise<void> {
  const interval = options.intervalMs ?? 2000;
  // A throwing listener must not stop the watcher.
  const emit = (event: ChainWatchEvent) => {
    try {
      options.onEvent(event);
    } catch {
      /* listener errors are the listener's business */
    }
  };
  let prev: ChainSnapshot | undefined;
  while (!options.signal.aborted) {
    try {
      const next = await poll(options.source, options.sender, prev);
      if (options.signal.aborted) break;
      if (next !== prev) {
        for (const event of diff(prev, next)) emit(event);
        prev = next;
      }
    } catch (err) {
      if (options.signal.aborted) break;
      emit({ type: 'error', error: toChainError('chain poll', err) });
    }
    await sleep(interval, options.signal);
  }
}
