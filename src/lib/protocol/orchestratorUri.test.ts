import { describe, expect, it } from 'vitest';
import { OrchestratorUriError, normalizeOrchestratorUri, parseOrchestratorList, segmentUrl, uriOrigin } from './orchestratorUri.js';

describe('normalizeOrchestratorUri (-orchAddr rules)', () => {
  it.each([
    [':8936', 'https://127.0.0.1:8936'],
    ['1.2.3.4', 'https://1.2.3.4:8935'],
    ['1.2.3.4:9000', 'https://1.2.3.4:9000'],
    ['orch.example.com', 'https://orch.example.com:8935'],
    ['orch.example.com:443', 'https://orch.example.com:443'],
    ['https://orch.example.com:8935', 'https://orch.example.com:8935'],
    ['http://127.0.0.1:8935', 'http://127.0.0.1:8935'],
    ['HTTPS://Orch.Example.com:8935', 'https://Orch.Example.com:8935'],
    ['  10.0.0.1:1234  ', 'https://10.0.0.1:1234'],
    ['[::1]', 'https://[::1]:8935'],
    ['[::1]:9', 'https://[::1]:9'],
    // Like go-livepeer, a schemed entry keeps the port it has (none = the scheme's default).
    ['https://orch.example.com', 'https://orch.example.com'],
    ['1.2.3.4:8935/', 'https://1.2.3.4:8935/'],
  ])('%s → %s', (entry, want) => {
    expect(normalizeOrchestratorUri(entry)).toBe(want);
  });

  it.each(['', '   ', 'ftp://x:1', 'https://', 'https://user:pw@host:1'])('rejects %j', (entry) => {
    expect(() => normalizeOrchestratorUri(entry)).toThrow(OrchestratorUriError);
  });

  it('parses comma lists, skipping empty items', () => {
    expect(parseOrchestratorList(':1, 2.2.2.2 ,,http://h:3')).toEqual(['https://127.0.0.1:1', 'https://2.2.2.2:8935', 'http://h:3']);
  });
});

describe('segmentUrl / uriOrigin', () => {
  it('concatenates raw, so a trailing slash gives //segment', () => {
    expect(segmentUrl('https://1.2.3.4:8935')).toBe('https://1.2.3.4:8935/segment');
    expect(segmentUrl('https://1.2.3.4:8935/')).toBe('https://1.2.3.4:8935//segment');
    expect(new URL(segmentUrl('https://1.2.3.4:8935/')).pathname).toBe('//segment');
  });

  it('origin drops the path (gRPC dials host:port only)', () => {
    expect(uriOrigin('https://1.2.3.4:8935/some/path')).toBe('https://1.2.3.4:8935');
    expect(uriOrigin('http://[::1]:9/x')).toBe('http://[::1]:9');
  });
});
