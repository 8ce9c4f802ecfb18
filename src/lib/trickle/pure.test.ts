import { describe, expect, it } from 'vitest';
import { SegmentBuffer, pageSize, FIRST_PAGE_BYTES, MAX_PAGE_BYTES } from './segmentBuffer.js';
import {
  RING_SIZE,
  TrickleChannel,
  mayPrecreate,
  parseSeq,
  resolveReadSeq,
  resolveWriteSeq,
  slotOf,
} from './channel.js';
import { dataHeaders, emptySegmentHeaders, missingHeaders, parseTrickleRoute, postDoneHeaders } from './routes.js';

describe('seq arithmetic', () => {
  it('parses only decimal integers', () => {
    expect(parseSeq('0')).toBe(0);
    expect(parseSeq('-1')).toBe(-1);
    expect(parseSeq('42')).toBe(42);
    expect(parseSeq('1.5')).toBeUndefined();
    expect(parseSeq('x')).toBeUndefined();
    expect(parseSeq('')).toBeUndefined();
    expect(parseSeq('1e3')).toBeUndefined();
  });

  it('resolves -1 to the write head and -2 to the segment before it (0 before any write)', () => {
    expect(resolveReadSeq(-1, 0)).toBe(0);
    expect(resolveReadSeq(-2, 0)).toBe(0);
    expect(resolveReadSeq(-1, 2)).toBe(2);
    expect(resolveReadSeq(-2, 2)).toBe(1);
    expect(resolveReadSeq(7, 2)).toBe(7);
    expect(resolveWriteSeq(-1, 3)).toBe(3);
    expect(resolveWriteSeq(1, 3)).toBe(1);
  });

  it('pre-creates only the write head, or seq 1 before the first write', () => {
    expect(mayPrecreate(0, 0)).toBe(true);
    expect(mayPrecreate(1, 0)).toBe(true);
    expect(mayPrecreate(2, 0)).toBe(false);
    expect(mayPrecreate(3, 3)).toBe(true);
    expect(mayPrecreate(4, 3)).toBe(false);
    expect(mayPrecreate(1, 3)).toBe(false);
  });

  it('maps seqs onto a ring of 5', () => {
    expect(RING_SIZE).toBe(5);
    expect([0, 4, 5, 12].map(slotOf)).toEqual([0, 4, 0, 2]);
  });
});

describe('SegmentBuffer', () => {
  it('grows pages from 32 KiB doubling to 1 MiB', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 100].map(pageSize)).toEqual([
      FIRST_PAGE_BYTES,
      64 * 1024,
      128 * 1024,
      256 * 1024,
      512 * 1024,
      MAX_PAGE_BYTES,
      MAX_PAGE_BYTES,
      MAX_PAGE_BYTES,
    ]);
  });

  it('keeps bytes intact across page boundaries and reads contiguous runs', () => {
    const b = new SegmentBuffer();
    const data = Buffer.alloc(3 * 1024 * 1024 + 17);
    for (let i = 0; i < data.length; i++) data[i] = (i * 31 + (i >> 9)) & 0xff;
    // Odd-sized writes so appends straddle pages.
    for (let at = 0; at < data.length; at += 70_001) b.append(data.subarray(at, Math.min(at + 70_001, data.length)));
    expect(b.length).toBe(data.length);
    expect(b.readAt(0).length).toBe(FIRST_PAGE_BYTES);
    expect(b.readAt(FIRST_PAGE_BYTES - 1).length).toBe(1);
    expect(b.readAt(data.length).length).toBe(0);
    expect(b.snapshot().equals(data)).toBe(true);
  });

  it('notifies on append and close, and stops after unsubscribe', () => {
    const b = new SegmentBuffer();
    let calls = 0;
    const off = b.subscribe(() => calls++);
    b.append(Buffer.from('x'));
    b.append(Buffer.alloc(0));
    b.close();
    b.close();
    expect(calls).toBe(2);
    off();
    expect(b.listenerCount).toBe(0);
    b.append(Buffer.from('late'));
    expect(calls).toBe(2);
    expect(b.snapshot().toString()).toBe('xlate');
  });
});

describe('TrickleChannel', () => {
  it('advances the head on the first byte, not when a writer opens', () => {
    const ch = new TrickleChannel('c', 'text/plain');
    const w = ch.openWriter();
    expect(w.seq).toBe(0);
    expect(ch.nextWrite).toBe(0);
    w.write(Buffer.from('a'));
    expect(ch.nextWrite).toBe(1);
    w.end();
    expect(ch.writeSegment(Buffer.alloc(0))).toBe(1);
    expect(ch.nextWrite).toBe(2);
  });

  it('answers missing for evicted and far-ahead seqs, closed once closed', async () => {
    const ch = new TrickleChannel('c', 'text/plain');
    for (let i = 0; i < 7; i++) ch.writeSegment(Buffer.from(`s${i}`));
    expect(ch.lookupForRead(1)).toMatchObject({ kind: 'missing', seq: 1, latest: 7 });
    expect(ch.lookupForRead(9)).toMatchObject({ kind: 'missing', seq: 9, latest: 7 });
    const found = ch.lookupForRead(2);
    expect(found.kind).toBe('segment');
    if (found.kind === 'segment') {
      const got: Buffer[] = [];
      for await (const c of found.segment.chunks()) got.push(c);
      expect(Buffer.concat(got).toString()).toBe('s2');
    }
    ch.close();
    expect(ch.lookupForRead(9)).toMatchObject({ kind: 'closed' });
  });

  it('reset closes only older segments', () => {
    const ch = new TrickleChannel('c', 'text/plain');
    const w0 = ch.openWriter(0);
    w0.write(Buffer.from('Hello'));
    const ahead = ch.lookupForRead(1);
    const w1 = ch.openWriter(-1, { reset: true });
    expect(w1.seq).toBe(1);
    expect(ch.segmentAt(0)?.closed).toBe(true);
    expect(ahead.kind === 'segment' && !ahead.segment.closed).toBe(true);
  });

  it('gives a stale writer a detached segment instead of evicting newer data', () => {
    const ch = new TrickleChannel('c', 'text/plain');
    for (let i = 0; i < 6; i++) ch.writeSegment(Buffer.from(`s${i}`));
    ch.writeSegment(Buffer.from('stale'), 0);
    expect(ch.segmentAt(5)?.buffer.snapshot().toString()).toBe('s5');
    expect(ch.segmentAt(0)).toBeUndefined();
  });
});

describe('routes and headers', () => {
  const p = '/ai/trickle/';
  it('parses paths under the prefix once', () => {
    expect(parseTrickleRoute('/other', p)).toBeUndefined();
    expect(parseTrickleRoute('/ai/trickle/abc', p)).toEqual({ kind: 'channel', channel: 'abc' });
    expect(parseTrickleRoute('/ai/trickle/abc/next', p)).toEqual({ kind: 'next', channel: 'abc' });
    expect(parseTrickleRoute('/ai/trickle/abc/-2?x=1', p)).toEqual({ kind: 'segment', channel: 'abc', seq: -2 });
    expect(parseTrickleRoute('/ai/trickle/abc/zz', p)).toEqual({ kind: 'bad-seq', channel: 'abc' });
    expect(parseTrickleRoute('/ai/trickle/', p)).toEqual({ kind: 'invalid' });
    expect(parseTrickleRoute('/ai/trickle/a/1/2', p)).toEqual({ kind: 'invalid' });
  });

  it('builds response headers', () => {
    expect(dataHeaders(0, 2, 'video/MP2T')).toEqual({
      'lp-trickle-seq': '0',
      'content-type': 'video/MP2T',
      'lp-trickle-latest': '2',
    });
    expect(dataHeaders(2, 2, 'text/plain')).not.toHaveProperty('lp-trickle-latest');
    expect(emptySegmentHeaders(0, 1, false)).toEqual({ 'lp-trickle-seq': '0', 'lp-trickle-latest': '1' });
    expect(emptySegmentHeaders(2, 2, true)).toHaveProperty('lp-trickle-closed', 'terminated');
    expect(missingHeaders(0, 7)).toEqual({ 'lp-trickle-latest': '7', 'lp-trickle-seq': '0' });
    expect(postDoneHeaders(1, { closeConnection: true, channelClosed: true })).toEqual({
      'lp-trickle-seq': '1',
      connection: 'close',
      'lp-trickle-closed': 'terminated',
    });
  });
});
