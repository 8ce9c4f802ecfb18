// Orchestrator-side session state: auth tokens, transcoding session slots with their in-memory rendition store,
// and per-(sender, session) balances with the pinned price.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { create } from '@bufbuild/protobuf';
import { bigintToBytes } from '../../lib/protocol/encoding.js';
import { type AuthToken, AuthTokenSchema } from '../../lib/protocol/gen/net/lp_rpc_pb.js';
import { Rational } from '../../lib/protocol/rational.js';
import type { Clock } from './clock.js';

/** Auth tokens: HMAC-SHA256(secret, sessionId ‖ big-endian expiration), random 8-hex session ids. */
export class AuthTokens {
  private readonly secret = randomBytes(32);

  constructor(
    private readonly clock: Clock,
    private readonly ttlMs: number,
  ) {}

  private mac(sessionId: string, expiration: bigint): Uint8Array {
    const exp = expiration < 0n ? -expiration : expiration;
    return createHmac('sha256', this.secret).update(sessionId, 'utf8').update(bigintToBytes(exp)).digest();
  }

  /** A new token for a new session id. */
  mint(): AuthToken {
    const sessionId = randomBytes(4).toString('hex');
    const expiration = BigInt(Math.floor((this.clock.now() + this.ttlMs) / 1000));
    return create(AuthTokenSchema, { token: this.mac(sessionId, expiration), sessionId, expiration });
  }

  /** Whether the token is one of ours (ignores expiry). */
  authentic(t: AuthToken): boolean {
    const want = this.mac(t.sessionId, t.expiration);
    return t.token.length === want.length && timingSafeEqual(t.token, want);
  }

  /** go-livepeer's checks and texts: missing, invalid, then expired. */
  check(t: AuthToken | undefined): string | null {
    if (!t) return 'missing auth token';
    if (!this.authentic(t)) return 'invalid auth token';
    if (this.clock.now() > Number(t.expiration) * 1000) return 'expired auth token';
    return null;
  }
}

interface Session {
  lastUsed: number;
  /** Rendition objects by "<profile>/<seq><ext>", oldest first. */
  objects: Map<string, Uint8Array>;
}

/** How many objects a session's memory store keeps (go-tools drivers/local.go). */
export const STORE_OBJECTS = 12;

/** Transcoding session slots (go-livepeer SegmentChans) and their memory object stores. */
export class Sessions {
  private readonly map = new Map<string, Session>();

  constructor(
    private readonly clock: Clock,
    public capacity: number,
  ) {}

  get count(): number {
    return this.map.size;
  }

  has(id: string): boolean {
    return this.map.has(id);
  }

  /** go-livepeer CheckCapacity: an existing session passes, a new one needs a free slot. */
  hasRoomFor(id: string): boolean {
    return this.map.has(id) || this.map.size < this.capacity;
  }

  /** Takes a slot for `id` (kept while used); false when capped. */
  acquire(id: string): boolean {
    const s = this.map.get(id);
    if (s) {
      s.lastUsed = this.clock.now();
      return true;
    }
    if (this.map.size >= this.capacity) return false;
    this.map.set(id, { lastUsed: this.clock.now(), objects: new Map() });
    return true;
  }

  /** Frees the slot and drops its objects. */
  end(id: string): boolean {
    return this.map.delete(id);
  }

  put(id: string, name: string, data: Uint8Array): void {
    const s = this.map.get(id);
    if (!s) return;
    s.objects.delete(name);
    s.objects.set(name, data);
    while (s.objects.size > STORE_OBJECTS) s.objects.delete(s.objects.keys().next().value as string);
  }

  get(id: string, name: string): Uint8Array | undefined {
    return this.map.get(id)?.objects.get(name);
  }

  /** Ends sessions idle for longer than idleMs; returns their ids. */
  sweep(idleMs: number): string[] {
    const now = this.clock.now();
    const gone: string[] = [];
    for (const [id, s] of this.map) {
      if (now - s.lastUsed > idleMs) {
        this.map.delete(id);
        gone.push(id);
      }
    }
    return gone;
  }
}

interface BalanceEntry {
  balance: Rational;
  /** Price pinned by the first payment of the session. */
  price?: Rational;
  lastUsed: number;
}

/** Balances keyed by (sender, auth session id), in wei. */
export class Balances {
  private readonly map = new Map<string, BalanceEntry>();

  constructor(private readonly clock: Clock) {}

  private entry(sender: string, sessionId: string): BalanceEntry {
    const key = `${sender}/${sessionId}`;
    let e = this.map.get(key);
    if (!e) {
      e = { balance: Rational.ZERO, lastUsed: this.clock.now() };
      this.map.set(key, e);
    }
    e.lastUsed = this.clock.now();
    return e;
  }

  balance(sender: string, sessionId: string): Rational {
    return this.map.get(`${sender}/${sessionId}`)?.balance ?? Rational.ZERO;
  }

  credit(sender: string, sessionId: string, amount: Rational): void {
    const e = this.entry(sender, sessionId);
    e.balance = e.balance.add(amount);
  }

  debit(sender: string, sessionId: string, amount: Rational): void {
    const e = this.entry(sender, sessionId);
    e.balance = e.balance.sub(amount);
  }

  pinnedPrice(sender: string, sessionId: string): Rational | undefined {
    return this.map.get(`${sender}/${sessionId}`)?.price;
  }

  /** Pins the session price if none is pinned yet. */
  pin(sender: string, sessionId: string, price: Rational): void {
    const e = this.entry(sender, sessionId);
    e.price ??= price;
  }

  /** Drops entries idle for longer than idleMs (go-livepeer purges after 10 min). */
  sweep(idleMs: number): void {
    const now = this.clock.now();
    for (const [k, e] of this.map) if (now - e.lastUsed > idleMs) this.map.delete(k);
  }

  /** "<sender>/<sessionId>" → balance in wei with 3 decimals (EVs are fractions of a wei). */
  snapshot(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, e] of this.map) out[k] = e.balance.toDecimalString(3);
    return out;
  }
}
