import { describe, expect, it } from 'vitest';
import type { GwEvent } from '../events.js';
import { failoverFromView, initialProjection, projectEvent, recentFailovers, recentTickets, ticketFromView, ticketView, toWei } from './index.js';

const T0 = Date.UTC(2025, 0, 1);

describe('recent tickets and failovers', () => {
  it('lists the newest first, up to the limit, across sessions', () => {
    const state = initialProjection();
    let seq = 0;
    for (let i = 0; i < 5; i++) {
      projectEvent(state, { type: 'tickets.sent', seq: ++seq, ts: T0 + i, streamId: `s${i % 2}`, recipient: '0xr', count: 2, faceValueWei: '1000', winProb: '7', evWei: String(10 + i), firstNonce: i * 2 } as GwEvent);
      projectEvent(state, { type: 'failover', seq: ++seq, ts: T0 + i, streamId: `s${i % 2}`, from: `o${i}`, to: `o${i + 1}`, reason: 'busy', attempt: 2 } as GwEvent);
    }
    expect(recentTickets(state, 2)).toEqual([
      { at: new Date(T0 + 4).toISOString(), sessionId: 's0', recipient: '0xr', nonce: 8, faceValueWei: '1000', winProb: '7', evWei: '14' },
      { at: new Date(T0 + 3).toISOString(), sessionId: 's1', recipient: '0xr', nonce: 6, faceValueWei: '1000', winProb: '7', evWei: '13' },
    ]);
    expect(recentTickets(state, 100)).toHaveLength(5);
    expect(recentFailovers(state, 3).map((f) => f.from)).toEqual(['o4', 'o3', 'o2']);
    // both sessions have their own share
    expect(state.sessions.get('s0')!.tickets.size).toBe(3);
    expect(state.sessions.get('s1')!.failovers.size).toBe(2);
  });

  it('round-trips the wire forms and reads malformed amounts as 0', () => {
    const t = { at: T0, sessionId: 's', recipient: '0xr', count: 1, firstNonce: 4, faceValueWei: 2n ** 200n, winProb: '9', evWei: 3n };
    expect(ticketFromView(ticketView(t))).toEqual(t);
    const f = { at: new Date(T0).toISOString(), sessionId: 's', from: 'a', to: 'b', reason: 'r', attempt: 1 };
    expect(failoverFromView(f)).toEqual({ ...f, at: T0 });
    expect(toWei('12')).toBe(12n);
    expect(toWei('-1')).toBe(0n);
    expect(toWei('1e3')).toBe(0n);
    expect(toWei(null)).toBe(0n);
  });
});
