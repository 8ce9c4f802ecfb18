// The gateway's credit with each orchestrator session (go-livepeer core/accounting.go AddressBalances and
// server/segment_rpc.go newBalanceUpdate/completeBalanceUpdate). Exact rationals; pure (time is injected).
import { ticketsNeeded } from '../protocol/fees.js';
import { Rational, type RationalLike } from '../protocol/rational.js';

/** Idle entries are dropped after this long (go-livepeer's balances cleanup TTL). */
export const BALANCE_IDLE_TTL_MS = 10 * 60 * 1000;

/** Balance key: (ticket_params.recipient, O's auth_token.session_id). A new O session id starts at zero. */
export function balanceKey(recipient: string, sessionId: string): string {
  return `${recipient.toLowerCase()}/${sessionId}`;
}

function rat(v: RationalLike): Rational {
  return typeof v === 'bigint' ? Rational.of(v) : v;
}

interface Entry {
  amount: Rational;
  lastUpdate: number;
}

/** How a staged update ended. */
export type BalanceOutcome =
  /** The request was never sent: the reserved credit goes back. */
  | { status: 'notSent' }
  /** Sent, but no usable reply: O may have credited the tickets, we cannot know — the credit is forfeited. */
  | { status: 'noReply' }
  /** O replied: it credited existing + new credit and debited `debit` (the work's price). */
  | { status: 'reply'; debit: RationalLike };

/** One in-flight balance change (go-livepeer BalanceUpdate). */
export interface BalanceUpdate {
  key: string;
  /** Tickets to send now. */
  numTickets: number;
  /** The balance reserved (read and zeroed) for this request. */
  existingCredit: Rational;
  /** numTickets × EV. */
  newCredit: Rational;
  /** max(fee, EV): what the balance had to reach. */
  minCredit: Rational;
  completed: boolean;
}

/** Per-(recipient, O session) balances. Not shared across processes. */
export class Balances {
  private readonly entries = new Map<string, Entry>();
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor(options: { ttlMs?: number; now?: () => number } = {}) {
    this.ttlMs = options.ttlMs ?? BALANCE_IDLE_TTL_MS;
    this.now = options.now ?? Date.now;
  }

  /** Current balance; zero for an unknown key. */
  balance(key: string): Rational {
    return this.entries.get(key)?.amount ?? Rational.ZERO;
  }

  /** Number of tracked keys. */
  get size(): number {
    return this.entries.size;
  }

  /** Adds `amount` (may be negative). */
  credit(key: string, amount: RationalLike): Rational {
    const next = this.balance(key).add(rat(amount));
    this.entries.set(key, { amount: next, lastUpdate: this.now() });
    return next;
  }

  /** Subtracts `amount`; the balance may go negative. */
  debit(key: string, amount: RationalLike): Rational {
    return this.credit(key, rat(amount).neg());
  }

  /** Reads and zeroes the balance, so concurrent requests never spend the same credit twice. */
  reserve(key: string): Rational {
    const current = this.balance(key);
    this.entries.set(key, { amount: Rational.ZERO, lastUpdate: this.now() });
    return current;
  }

  /**
   * Reserves the balance and computes the tickets a request needs: minCredit = max(fee, ev),
   * n = ⌈(minCredit − existing) / ev⌉ when existing < minCredit (0 for a free O or no price).
   * Without a price (`fee` undefined) nothing is reserved and no tickets are sent.
   */
  stageUpdate(key: string, fee: Rational | undefined, ev: RationalLike): BalanceUpdate {
    const existing = fee ? this.reserve(key) : Rational.ZERO;
    const need = ticketsNeeded({ fee, ev, existingBalance: existing });
    return {
      key,
      numTickets: need.numTickets,
      existingCredit: existing,
      newCredit: need.newCredit,
      minCredit: need.minCredit,
      completed: false,
    };
  }

  /** Settles a staged update; a second call is an error (it would double-count). */
  completeUpdate(update: BalanceUpdate, outcome: BalanceOutcome): Rational {
    if (update.completed) throw new Error(`balance update for ${update.key} already completed`);
    update.completed = true;
    switch (outcome.status) {
      case 'notSent':
        return this.credit(update.key, update.existingCredit);
      case 'noReply':
        return this.balance(update.key);
      case 'reply':
        return this.credit(update.key, update.existingCredit.add(update.newCredit).sub(rat(outcome.debit)));
    }
  }

  /** Drops entries not touched for the TTL; returns how many were dropped. */
  purgeIdle(): number {
    const cutoff = this.now() - this.ttlMs;
    let dropped = 0;
    for (const [key, entry] of this.entries) {
      if (entry.lastUpdate < cutoff) {
        this.entries.delete(key);
        dropped++;
      }
    }
    return dropped;
  }

  /** Forgets one key (e.g. the O session ended). */
  delete(key: string): void {
    this.entries.delete(key);
  }
}
