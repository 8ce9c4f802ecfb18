// The devnet orchestrator's live accounting, catalog, faults and flags, without sockets: the debit clock against
// go-livepeer's LivePaymentProcessor rules, the accounting loop on an in-process trickle channel, the capability 35
// quote, the /devnet/faults live fields and the --live flags.
import { describe, expect, it } from 'vitest';
import { LiveDebitClock, startLiveAccounting } from '../../src/devnet/orchestrator/live/liveAccounting.js';
import { DEFAULT_LIVE_PRICE, LiveCatalog } from '../../src/devnet/orchestrator/live/liveCatalog.js';
import { FaultInjector, applyFaultPatch } from '../../src/devnet/orchestrator/faults.js';
import { liveOptionsFromFlags, optionsFromFlags } from '../../src/devnet/orchestrator/orchestratorFlags.js';
import { Capability } from '../../src/lib/protocol/capabilities.js';
import { aiJobCapabilities } from '../../src/lib/protocol/jobCapabilities.js';
import { TrickleChannel } from '../../src/lib/trickle/channel.js';

const tick = () => new Promise((r) => setTimeout(r, 5));

describe('live debit clock', () => {
  it('bills 27,648 units per elapsed ms once the interval has passed, advancing by what it billed', () => {
    const c = new LiveDebitClock(1000, 5000);
    expect(c.due(5999)).toBeUndefined();
    expect(c.due(6000)).toBe(27_648n * 5000n);
    expect(c.due(10_999)).toBeUndefined();
    // 5.5 s later: 5500 ms billed, nothing carried (whole ms), the next 5 s count from 11,500.
    expect(c.due(11_500)).toBe(27_648n * 5500n);
    expect(c.due(16_499)).toBeUndefined();
    expect(c.due(16_500)).toBe(138_240_000n);
  });

  it('the default price makes 5 s about one ticket of the default 8e9 wei EV', () => {
    const fee = 138_240_000n * DEFAULT_LIVE_PRICE.pricePerUnit;
    expect(fee).toBe(8_017_920_000n);
  });
});

describe('live accounting loop', () => {
  it('debits per input segment once the interval passed, ends on a short balance without debiting', async () => {
    let now = 0;
    const ch = new TrickleChannel('abcd1234', 'video/MP2T');
    // 1.5 s of units (the debit callback works in units here).
    let balance = 27_648n * 1500n;
    const debits: bigint[] = [];
    let segments = 0;
    const ended: string[] = [];
    const acc = startLiveAccounting({
      input: ch,
      clock: { now: () => now },
      intervalMs: 100,
      onSegment: () => segments++,
      debit: (units) => {
        if (units > balance) return false;
        balance -= units;
        debits.push(units);
        return true;
      },
      onEnd: (why) => ended.push(why),
    });
    await tick();
    now = 50;
    ch.writeSegment(Buffer.from('a'));
    await tick();
    expect([segments, debits]).toEqual([1, []]);
    now = 150;
    ch.writeSegment(Buffer.from('b'));
    await tick();
    expect(debits).toEqual([27_648n * 150n]);
    // No input, no debit: time passes silently until the next segment, which pays for all of it.
    now = 1000;
    await tick();
    expect(debits).toHaveLength(1);
    ch.writeSegment(Buffer.from('c'));
    await tick();
    expect(debits).toEqual([27_648n * 150n, 27_648n * 850n]);
    now = 100_000;
    ch.writeSegment(Buffer.from('d'));
    expect(await acc.done).toBe('insufficient balance');
    expect(ended).toEqual(['insufficient balance']);
    expect([segments, debits.length]).toEqual([4, 2]);
  });

  it('ends when the input channel closes; stop() ends it silently; a free stream only counts', async () => {
    const ch = new TrickleChannel('c1', 'video/MP2T');
    const ended: string[] = [];
    let segments = 0;
    const acc = startLiveAccounting({ input: ch, clock: { now: () => 0 }, intervalMs: 1, onSegment: () => segments++, onEnd: (w) => ended.push(w) });
    ch.writeSegment(Buffer.from('x'));
    await tick();
    ch.close();
    expect(await acc.done).toBe('input closed');
    expect([ended, segments]).toEqual([['input closed'], 1]);

    const ch2 = new TrickleChannel('c2', 'video/MP2T');
    const acc2 = startLiveAccounting({ input: ch2, clock: { now: () => 0 }, intervalMs: 1, onSegment: () => undefined, onEnd: (w) => ended.push(w) });
    acc2.stop();
    ch2.close();
    expect(await acc2.done).toBe('stopped');
    expect(ended).toEqual(['input closed']);
  });
});

describe('live catalog', () => {
  it('advertises three warm models and quotes the price only for job caps naming capability 35 and a served model', () => {
    const inUse: Record<string, number> = { noop: 1 };
    const cat = new LiveCatalog(2, { pricePerUnit: 58n, pixelsPerUnit: 1n }, (p) => inUse[p] ?? 0);
    expect(cat.perCapability().get(Capability.LiveVideoToVideo)).toMatchObject({ noop: { warm: true, capacity: 2, capacityInUse: 1 }, 'devnet/hue': { capacityInUse: 0 } });
    expect(cat.capacities().get(Capability.LiveVideoToVideo)).toBe(6);
    const caps = (modelId: string, capability: number = Capability.LiveVideoToVideo) => aiJobCapabilities({ capability, modelId, version: '1' });
    expect(cat.quote(caps('noop')).toString()).toBe(cat.price.toString());
    expect(cat.quote(caps('streamdiffusion')).sign()).toBe(0);
    expect(cat.quote(caps('noop', Capability.TextToImage)).sign()).toBe(0);
    expect(cat.hasRoom('noop')).toBe(true);
    inUse.noop = 2;
    expect(cat.hasRoom('noop')).toBe(false);
    expect(cat.hasRoom('streamdiffusion')).toBe(false);
    expect(() => new LiveCatalog(0, DEFAULT_LIVE_PRICE, () => 0)).toThrow(RangeError);
  });
});

describe('live faults and flags', () => {
  it('/devnet/faults live fields: set, cleared by null/reset, validated; the old fields still work', () => {
    const f = new FaultInjector({ liveStopEvents: true }, { setPrice: () => undefined, price: () => ({ pricePerUnit: 1n, pixelsPerUnit: 1n }) });
    expect(f.live()).toEqual({ stallOutput: false, stopEvents: true, slowMs: 0 });
    applyFaultPatch(f, { liveStallOutput: true, liveSlowMs: 250, failNext: 2 });
    expect(f.state()).toMatchObject({ failNext: 2, liveStallOutput: true, liveStopEvents: true, liveSlowMs: 250 });
    applyFaultPatch(f, { liveSlowMs: null, liveStopEvents: false });
    expect(f.live()).toEqual({ stallOutput: true, stopEvents: false, slowMs: 0 });
    expect(() => applyFaultPatch(f, { liveStallOutput: 'yes' })).toThrow(/liveStallOutput must be true or false/);
    expect(() => applyFaultPatch(f, { liveSlowMs: -1 })).toThrow(/liveSlowMs/);
    applyFaultPatch(f, { reset: true });
    expect(f.live()).toEqual({ stallOutput: false, stopEvents: false, slowMs: 0 });
  });

  it('--live and its flags (any of them enables live)', () => {
    expect(liveOptionsFromFlags({})).toBeUndefined();
    expect(liveOptionsFromFlags({ live: true })).toEqual({});
    expect(liveOptionsFromFlags({ 'live-capacity': '2', 'live-price': '100/3', 'live-status-interval': '10s', 'live-debit-interval': '300ms' })).toEqual({
      capacity: 2,
      price: { pricePerUnit: 100n, pixelsPerUnit: 3n },
      statusIntervalMs: 10_000,
      debitIntervalMs: 300,
    });
    expect(optionsFromFlags({ live: true, 'live-debit-interval': '250' }, {}).live).toEqual({ debitIntervalMs: 250 });
    expect(() => liveOptionsFromFlags({ 'live-price': 'cheap' })).toThrow(/--live-price/);
    expect(() => liveOptionsFromFlags({ 'live-capacity': '0' })).toThrow(/--live-capacity/);
    expect(() => liveOptionsFromFlags({ 'live-status-interval': 'soon' })).toThrow(/--live-status-interval/);
  });
});
