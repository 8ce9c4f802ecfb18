import { describe, expect, it } from 'vitest';
import { describeStore, parseStoreUrl, redactStoreUrl } from './storeUrl.js';
import { findSetting, parseSetting } from '../settings/settings.js';

describe('store URLs (go-livepeer -objectStore / -recordStore forms)', () => {
  it('parses s3://KEY:SECRET@REGION/BUCKET as AWS with the region as host', () => {
    expect(parseStoreUrl('s3://AKIA:s%2Fcret@eu-west-1/my-bucket')).toEqual({
      kind: 's3',
      endpoint: undefined,
      region: 'eu-west-1',
      bucket: 'my-bucket',
      prefix: '',
      accessKeyId: 'AKIA',
      secretAccessKey: 's/cret',
      publicBase: 'https://my-bucket.s3.amazonaws.com',
    });
  });

  it('parses s3+http(s)://KEY:SECRET@HOST:PORT/BUCKET/PREFIX path-style, region from the host like go-tools', () => {
    const l = parseStoreUrl('s3+http://key:secret@127.0.0.1:9000/bucket/some/prefix/');
    expect(l).toMatchObject({ kind: 's3', endpoint: 'http://127.0.0.1:9000', bucket: 'bucket', prefix: 'some/prefix', publicBase: 'http://127.0.0.1:9000/bucket' });
    // 127.0.0.1 has four labels: go-tools would take "0"; any region works for a custom store
    expect(parseStoreUrl('s3+https://k:s@storage.fra1.example.com/b')).toMatchObject({ endpoint: 'https://storage.fra1.example.com', region: 'fra1' });
    expect(parseStoreUrl('s3+https://k:s@minio.local/b')).toMatchObject({ region: 'us-east-1' });
  });

  it('takes directories and file:// URLs; refuses gs/ipfs/w3s and URLs without a secret or bucket', () => {
    expect(parseStoreUrl('/var/rec')).toEqual({ kind: 'dir', path: '/var/rec' });
    expect(parseStoreUrl('./rec')).toEqual({ kind: 'dir', path: './rec' });
    expect(parseStoreUrl('file:///var/rec')).toEqual({ kind: 'dir', path: '/var/rec' });
    expect(() => parseStoreUrl('gs://bucket')).toThrow(/not supported/);
    expect(() => parseStoreUrl('s3://key@region/bucket')).toThrow(/secret is required/);
    expect(() => parseStoreUrl('s3://key:topsecret@region/')).toThrow(/no bucket/);
    let message = '';
    try {
      parseSetting(findSetting('objectStore')!, 's3://key:topsecret@region/');
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/objectStore: no bucket/);
    expect(message).not.toContain('topsecret');
  });

  it('redacts credentials of every URL in a text', () => {
    expect(redactStoreUrl('s3+http://key:secret@127.0.0.1:9000/bucket')).toBe('s3+http://***@127.0.0.1:9000/bucket');
    expect(redactStoreUrl('failed: s3://AKIA:ab/cd@us-east-1/b and http://x.test/a')).toBe('failed: s3://***@us-east-1/b and http://x.test/a');
    expect(redactStoreUrl('/plain/dir')).toBe('/plain/dir');
    expect(describeStore(parseStoreUrl('s3+https://k:s@h:1/b/p'))).toBe('s3+https://***@h:1/b/p');
    expect(findSetting('objectStore')?.secret).toBe(true);
    expect(findSetting('recordStore')?.secret).toBe(true);
  });
});
