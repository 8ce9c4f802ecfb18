// The chain facts the ticket sender needs, kept fresh from the chain (go-livepeer's TimeManager + SenderManager):
// last seen L1 block, last initialized round and its block hash (fallback expiration params), and the sender's
// deposit/reserve/unlock info. Payments read the cached snapshot; they never wait on the RPC.
import type { Address, Hex } from 'viem';
import type { BlockInfo } from '../chain/blocks.js';
import type { SenderInfo } from '../chain/ticketBroker.js';
import type { ChainSnapshot } from '../chain/watcher.js';
import { hexToBytes } from '../protocol/encoding.js';
import type { SenderSnapshot } from './senderValidation.js';

/** Everything a payment needs from the chain, as of one poll. */
export interface SenderChainState extends SenderSnapshot {
  /** RoundsManager.blockHashForRound(lastInitializedRound), 32 bytes. */
  lastInitializedBlockHash: Uint8Array;
}

/** Where the ticket sender reads chain state from. */
export interface SenderStateSource {
  /** The latest known state, or undefined before the first successful read. */
  current(): SenderChainState | undefined;
}

/** A fixed state (tests, off-line tools); `set` replaces it. */
export function fixedSenderState(state: SenderChainState): SenderStateSource & { set(next: SenderChainState): void } {
  let s = state;
  return {
    current: () => s,
    set(next) {
      s = next;
    },
  };
}

/** The reads a SenderMonitor makes (ChainClient provides them). */
export interface SenderMonitorChain {
  latestBlock(): Promise<BlockInfo>;
  lastInitializedRound(): Promise<bigint>;
  getSenderInfo(sender: Address): Promise<SenderInfo>;
  blockHashForRound(round: bigint): Promise<Hex>;
}

/** Keeps a SenderChainState for one sender; feed it watcher snapshots or let it poll. */
export class SenderMonitor implements SenderStateSource {
  private state: SenderChainState | undefined;
  private hashRound: bigint | undefined;
  private hash: Uint8Array | undefined;

  constructor(
    private readonly chain: SenderMonitorChain,
    readonly sender: Address,
  ) {}

  current(): SenderChainState | undefined {
    return this.state;
  }

  private async blockHash(round: bigint): Promise<Uint8Array> {
    if (this.hashRound !== round || !this.hash) {
      this.hash = hexToBytes(await this.chain.blockHashForRound(round));
      this.hashRound = round;
    }
    return this.hash;
  }

  /** Reads everything now and caches it. */
  async refresh(): Promise<SenderChainState> {
    const [block, lastInitializedRound, info] = await Promise.all([
      this.chain.latestBlock(),
      this.chain.lastInitializedRound(),
      this.chain.getSenderInfo(this.sender),
    ]);
    const lastInitializedBlockHash = await this.blockHash(lastInitializedRound);
    this.state = { info, lastInitializedRound, lastSeenL1Block: block.l1BlockNumber, lastInitializedBlockHash };
    return this.state;
  }

  /** Applies a chain watcher snapshot for this sender (the round's block hash is fetched when the round changes). */
  async applySnapshot(snapshot: ChainSnapshot): Promise<void> {
    if (!snapshot.sender || snapshot.sender.address.toLowerCase() !== this.sender.toLowerCase()) {
      throw new Error(`chain snapshot is not for sender ${this.sender}`);
    }
    const lastInitializedBlockHash = await this.blockHash(snapshot.lastInitializedRound);
    this.state = {
      info: snapshot.sender.info,
      lastInitializedRound: snapshot.lastInitializedRound,
      lastSeenL1Block: snapshot.block.l1BlockNumber,
      lastInitializedBlockHash,
    };
  }

  /** Polls every `intervalMs` until `signal` aborts; read errors go to `onError` and polling continues. */
  async run(options: { signal: AbortSignal; intervalMs?: number; onError?: (err: unknown) => void }): Promise<void> {
    const interval = options.intervalMs ?? 2000;
    while (!options.signal.aborted) {
      try {
        await this.refresh();
      } catch (err) {
        if (!options.signal.aborted) options.onError?.(err);
      }
      await new Promise<void>((resolve) => {
        if (options.signal.aborted) return resolve();
        const timer = setTimeout(done, interval);
        function done() {
          clearTimeout(timer);
          options.signal.removeEventListener('abort', done);
          resolve();
        }
        options.signal.addEventListener('abort', done, { once: true });
      });
    }
  }
}
