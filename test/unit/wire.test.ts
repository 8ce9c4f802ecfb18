import { describe, expect, it } from 'vitest';
import { SseParser } from '../../src/api/sse.js';
import { httpUrl, isLoopbackHost, parseListenAddr } from '../../src/lib/net/listenAddr.js';
import { buildMultipart, parseMultipart } from '../../src/core/gateway/multipart.js';

describe('SSE parser', () => {
  it('reassembles messages split across chunks and drops comments', () => {
    const p = new SseParser();
    const enc = new TextEncoder();
    expect(p.push(enc.encode(': keepalive\n\nevent: a\nid: 1\nda'))).toEqual([]);
    expect(p.push(enc.encode('ta: {"x":1}\n\nevent: b\r\ndata: l1\r\ndata: l2\r\n\r\n'))).toEqual([
      { event: 'a', id: '1', data: '{"x":1}' },
      { event: 'b', id: undefined, data: 'l1\nl2' },
    ]);
  });
});

describe('listen addresses', () => {
  it('parses host:port forms and tells loopback apart', () => {
    expect(parseListenAddr('127.0.0.1:5935', 'x')).toEqual({ host: '127.0.0.1', port: 5935 });
    expect(parseListenAddr(':9935', 'x')).toEqual({ host: '127.0.0.1', port: 9935 });
    expect(parseListenAddr('[::1]:1', 'x')).toEqual({ host: '::1', port: 1 });
    expect(() => parseListenAddr('localhost', 'controlAddr')).toThrow('controlAddr must look like host:port');
    expect(() => parseListenAddr('h:70000', 'x')).toThrow(/out of range/);
    expect(isLoopbackHost('127.0.0.2')).toBe(true);
    expect(isLoopbackHost('0.0.0.0')).toBe(false);
    expect(isLoopbackHost('::1')).toBe(true);
    expect(httpUrl({ host: '::1', port: 5 })).toBe('http://[::1]:5');
  });
});

describe('multipart push reply', () => {
  it('round-trips renditions with go-livepeer part headers', () => {
    const parts = [
      { profile: 'P240p30fps16x9', seq: 7, data: new Uint8Array([1, 2, 3, 13, 10]) },
      { profile: 'P360p30fps16x9', seq: 7, data: new Uint8Array(1000).fill(9) },
    ];
    const mp = buildMultipart(parts);
    const body = Buffer.concat(mp.chunks);
    expect(body.length).toBe(mp.length);
    const parsed = parseMultipart(body, mp.contentType);
    expect(parsed).toHaveLength(2);
    expect(parsed[0]!.headers['rendition-name']).toBe('P240p30fps16x9');
    expect(parsed[0]!.headers['content-disposition']).toBe('attachment; filename="P240p30fps16x9_7.ts"');
    expect([...parsed[0]!.data]).toEqual([1, 2, 3, 13, 10]);
    expect(parsed[1]!.data.length).toBe(1000);
  });
});
