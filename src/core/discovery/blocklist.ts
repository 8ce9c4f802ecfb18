// `-orchBlocklist`: orchestrator ETH addresses never to use, matched against OrchestratorInfo.address.
import { bytesToHex } from '../../lib/protocol/encoding.js';

/** Set of blocked addresses; entries may be any case, with or without `0x`. */
export class Blocklist {
  private readonly set: ReadonlySet<string>;

  private constructor(set: Set<string>) {
    this.set = set;
  }

  /** An empty blocklist. */
  static readonly EMPTY: Blocklist = new Blocklist(new Set());

  /** Parses entries (or one comma list); throws on anything that is not 40 hex digits. */
  static parse(entries: readonly string[] | string): Blocklist {
    const list = typeof entries === 'string' ? entries.split(',') : entries;
    const set = new Set<string>();
    for (const raw of list) {
      const e = raw.trim();
      if (e === '') continue;
      const hex = e.replace(/^0x/i, '').toLowerCase();
      if (!/^[0-9a-f]{40}$/.test(hex)) throw new Error(`orchestrator blocklist: ${JSON.stringify(e)} is not an address`);
      set.add(hex);
    }
    return new Blocklist(set);
  }

  /** True when the address (20 bytes, or hex text in any case) is blocked; an empty address never is. */
  has(address: Uint8Array | string | undefined): boolean {
    if (address === undefined) return false;
    const hex = typeof address === 'string' ? address.replace(/^0x/i, '').toLowerCase() : bytesToHex(address);
    return hex !== '' && this.set.has(hex);
  }

  get size(): number {
    return this.set.size;
  }
}
