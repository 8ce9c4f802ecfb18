// Object-store locations in go-livepeer's URL forms (`-objectStore`, `-recordStore`; go-tools drivers.ParseOSURL):
//
//   s3://KEY:SECRET@REGION/BUCKET[/PREFIX]                 AWS S3; objects at https://BUCKET.s3.amazonaws.com/KEY
//   s3+http://KEY:SECRET@HOST:PORT/BUCKET[/PREFIX]         any S3-compatible store, path-style, plain HTTP
//   s3+https://KEY:SECRET@HOST[:PORT]/BUCKET[/PREFIX]      the same over HTTPS
//   file:///path, /path, ./path                           a local directory
//
// go-livepeer's region for a custom host is the second label of a hostname of four or more labels (else us-east-1).
// gs://, ipfs:// and w3s:// (also go-livepeer's) are not supported by gw. Pure functions; no I/O.

export type StoreLocation =
  | {
      kind: 's3';
      /** http(s)://host:port of a custom S3-compatible store; undefined for AWS */
      endpoint: string | undefined;
      region: string;
      bucket: string;
      /** key prefix without leading or trailing slash ('' for none) */
      prefix: string;
      accessKeyId: string;
      secretAccessKey: string;
      /** where objects are fetched from: `${publicBase}/${key}` */
      publicBase: string;
    }
  | { kind: 'dir'; path: string };

const DEFAULT_REGION = 'us-east-1';

export class StoreUrlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StoreUrlError';
  }
}

/** Whether a value is a URL (scheme://…) rather than a directory path. */
export function isStoreUrl(text: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(text.trim());
}

/**
 * Parses a store setting. Error messages never repeat the value (it may hold credentials).
 */
export function parseStoreUrl(raw: string): StoreLocation {
  const text = raw.trim();
  if (text === '') throw new StoreUrlError('must not be empty');
  if (!isStoreUrl(text)) return { kind: 'dir', path: text };
  const scheme = text.slice(0, text.indexOf(':')).toLowerCase();
  if (scheme === 'file') {
    let u: URL;
    try {
      u = new URL(text);
    } catch {
      throw new StoreUrlError('not a valid file:// URL');
    }
    return { kind: 'dir', path: decodeURIComponent(u.pathname) };
  }
  if (scheme !== 's3' && scheme !== 's3+http' && scheme !== 's3+https') {
    throw new StoreUrlError(`${scheme}:// stores are not supported by gw (use s3://, s3+http://, s3+https://, file:// or a directory)`);
  }
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    throw new StoreUrlError(`not a valid ${scheme}:// URL (percent-encode "/", "@" and ":" in the key and secret)`);
  }
  if (u.password === '') throw new StoreUrlError(`a secret is required in ${scheme}://KEY:SECRET@…`);
  const accessKeyId = decodeURIComponent(u.username);
  const secretAccessKey = decodeURIComponent(u.password);
  const parts = u.pathname.split('/').filter((p) => p !== '');
  const bucket = parts[0];
  if (bucket === undefined) throw new StoreUrlError(`no bucket in the ${scheme}:// URL path`);
  const prefix = parts.slice(1).map((p) => decodeURIComponent(p)).join('/');
  if (scheme === 's3') {
    if (u.host === '') throw new StoreUrlError('s3:// needs a region as its host: s3://KEY:SECRET@REGION/BUCKET');
    return {
      kind: 's3',
      endpoint: undefined,
      region: u.host,
      bucket,
      prefix,
      accessKeyId,
      secretAccessKey,
      publicBase: `https://${bucket}.s3.amazonaws.com`,
    };
  }
  if (u.host === '') throw new StoreUrlError(`${scheme}:// needs a host: ${scheme}://KEY:SECRET@HOST:PORT/BUCKET`);
  const endpoint = `${scheme === 's3+https' ? 'https' : 'http'}://${u.host}`;
  return {
    kind: 's3',
    endpoint,
    region: customRegion(u.hostname),
    bucket,
    prefix,
    accessKeyId,
    secretAccessKey,
    publicBase: `${endpoint}/${bucket}`,
  };
}

/** go-livepeer's region for a custom host: the second label of a.b.c.d-style names, else us-east-1. */
function customRegion(hostname: string): string {
  const labels = hostname.split('.');
  return labels.length >= 4 && labels[1] !== '' ? labels[1]! : DEFAULT_REGION;
}

/**
 * Hides the credentials of every URL in a text (a store URL, an error message, a log line):
 * `s3://KEY:SECRET@region/bucket` → `s3://***@region/bucket`. Text without credentials is returned as is.
 */
export function redactStoreUrl(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^\s@/"'<>]*(?:\/[^\s@"'<>]*)?@/gi, (m, scheme: string) => {
    // Only the userinfo (before the last "@" of this URL's authority) is hidden.
    return `${scheme}***@`;
  });
}

/** A store location for logs and events: its URL with the credentials hidden, or the directory. */
export function describeStore(loc: StoreLocation): string {
  if (loc.kind === 'dir') return loc.path;
  const scheme = loc.endpoint === undefined ? 's3' : loc.endpoint.startsWith('https:') ? 's3+https' : 's3+http';
  const host = loc.endpoint === undefined ? loc.region : loc.endpoint.replace(/^https?:\/\//, '');
  return `${scheme}://***@${host}/${loc.bucket}${loc.prefix ? `/${loc.prefix}` : ''}`;
}
