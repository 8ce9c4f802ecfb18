import { describe, expect, it } from 'vitest';
import { Suspender, transcodingPenalty } from './suspender.js';

/** Which of the next `n` refreshes skip `orch`. */
function skips(sus: Suspender, orch: string, n: number): boolean[] {
  const out: boolean[] = [];
  for (let i = 0; i < n; i++) out.push(sus.beginRefresh()(orch) > 0);
  return out;
}

describe('suspension penalty', () => {
  it('is ⌈max(1, poolSize) / max(1, numOrchs)⌉', () => {
    expect(transcodingPenalty(10, 3)).toBe(4);
    expect(transcodingPenalty(8, 8)).toBe(1);
    expect(transcodingPenalty(9, 8)).toBe(2);
    expect(transcodingPenalty(3, 8)).toBe(1);
    expect(transcodingPenalty(0, 0)).toBe(1);
    expect(transcodingPenalty(100, 0)).toBe(100);
  });
});

describe('Suspender (intent: out for the next `penalty` refreshes)', () => {
  it('skips a suspended orchestrator in exactly the next p refreshes', () => {
    const sus = new Suspender();
    expect(sus.suspend('o', 2)).toBe(2);
    expect(sus.penalty('o')).toBe(2);
    expect(skips(sus, 'o', 4)).toEqual([true, true, false, false]);
    expect(sus.penalty('o')).toBe(0);
    expect(sus.list()).toEqual([]);
    expect(skips(sus, 'other', 1)).toEqual([false]);
  });

  it('works late in a stream (where go-livepeer’s `list[o] >= count` forgets it)', () => {
    const sus = new Suspender();
    skips(sus, 'x', 10);
    expect(sus.count).toBe(10);
    sus.suspend('o', 1);
    // go-livepeer stores list[o] = 1 and compares with count = 11 at the next refresh: not suspended.
    const goList = 1;
    expect(goList >= sus.count + 1).toBe(false);
    expect(skips(sus, 'o', 2)).toEqual([true, false]);
  });

  it('repeated suspensions stack', () => {
    const sus = new Suspender();
    sus.suspend('o', 2);
    skips(sus, 'o', 1);
    expect(sus.suspend('o', 2)).toBe(3);
    expect(skips(sus, 'o', 4)).toEqual([true, true, true, false]);
  });

  it('a refresh already running when the suspension happens also skips it', () => {
    const sus = new Suspender();
    const running = sus.beginRefresh();
    expect(running('o')).toBe(0);
    sus.suspend('o', 1);
    expect(running('o')).toBeGreaterThan(0);
    expect(skips(sus, 'o', 2)).toEqual([true, false]);
  });

  it('counts remaining penalty, lists, releases, validates', () => {
    const sus = new Suspender();
    sus.suspend('a', 3);
    sus.suspend('b', 1);
    sus.beginRefresh();
    expect(sus.list()).toEqual([{ orch: 'a', penalty: 2 }]);
    sus.release('a');
    expect(sus.penalty('a')).toBe(0);
    expect(() => sus.suspend('a', 0)).toThrow(RangeError);
    expect(() => sus.suspend('a', 1.5)).toThrow(RangeError);
  });
});
