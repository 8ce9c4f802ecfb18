import { describe, expect, it } from 'vitest';
import { Intakes, RequestGate } from './drain.js';

const settledNow = async (p: Promise<void>): Promise<boolean> => {
  let done = false;
  void p.then(() => (done = true));
  await new Promise((r) => setImmediate(r));
  return done;
};

describe('RequestGate', () => {
  it('counts admitted requests until released (once, however often release is called), then refuses after stopIntake', async () => {
    const gate = new RequestGate('ai');
    const release = gate.admit()!;
    expect(gate.inFlight()).toBe(1);
    gate.stopIntake();
    expect(gate.admit()).toBeUndefined();
    const drained = gate.drained();
    expect(await settledNow(drained)).toBe(false);
    release();
    release();
    expect(gate.inFlight()).toBe(0);
    expect(await settledNow(drained)).toBe(true);
  });

  it('holds work an admitted request started until it settles, even after intake stopped, and a rejection too', async () => {
    const gate = new RequestGate('ai');
    const release = gate.admit()!;
    let fail!: (err: Error) => void;
    const download = new Promise<void>((_, reject) => (fail = reject));
    download.catch(() => undefined);
    gate.hold(download);
    gate.stopIntake();
    release();
    const drained = gate.drained();
    expect(await settledNow(drained)).toBe(false);
    fail(new Error('lost'));
    expect(await settledNow(drained)).toBe(true);
  });
});

describe('Intakes', () => {
  it('stops every intake at once, drains when all have drained, and stops one added after the stop', async () => {
    const intakes = new Intakes();
    const video = new RequestGate('video');
    const byoc = new RequestGate('byoc');
    intakes.add(video);
    intakes.add(byoc);
    const job = byoc.admit()!;
    intakes.stop();
    expect([video.closed, byoc.closed]).toEqual([true, true]);
    const late = new RequestGate('live-ai');
    intakes.add(late);
    expect(late.admit()).toBeUndefined();
    expect(intakes.inFlight()).toEqual({ video: 0, byoc: 1, 'live-ai': 0 });
    const drained = intakes.drained();
    expect(await settledNow(drained)).toBe(false);
    job();
    expect(await settledNow(drained)).toBe(true);
  });
});
