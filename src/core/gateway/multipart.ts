import { randomBytes } from 'node:crypto';

/** One rendition part of a push reply. */
export interface RenditionPart {
  readonly profile: string;
  readonly seq: number;
  readonly data: Uint8Array;
  readonly ext?: string;
}

/**
 * Builds go-livepeer's `multipart/mixed` push reply: one part per transcoded rendition (not the source), each with
 * Content-Type, Content-Length, Content-Disposition and Rendition-Name headers.
 */
export function buildMultipart(parts: readonly RenditionPart[]): { contentType: string; chunks: Uint8Array[]; length: number } {
  const boundary = randomBytes(16).toString('hex');
  const chunks: Uint8Array[] = [];
  for (const p of parts) {
    const file = `${p.profile}_${p.seq}${p.ext ?? '.ts'}`;
    chunks.push(
      Buffer.from(
        `--${boundary}\r\nContent-Type: video/MP2T; name="${file}"\r\nContent-Length: ${p.data.length}\r\n` +
          `Content-Disposition: attachment; filename="${file}"\r\nRendition-Name: ${p.profile}\r\n\r\n`,
      ),
      p.data,
      Buffer.from('\r\n'),
    );
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { contentType: `multipart/mixed; boundary=${boundary}`, chunks, length: chunks.reduce((n, c) => n + c.length, 0) };
}

/** Parses a multipart/mixed body into parts with their headers (used by tests and benchmarks as a client). */
export function parseMultipart(body: Uint8Array, contentType: string): Array<{ headers: Record<string, string>; data: Uint8Array }> {
  const m = /boundary=([^;]+)/.exec(contentType);
  if (!m) throw new Error(`no boundary in ${contentType}`);
  const buf = Buffer.from(body.buffer, body.byteOffset, body.length);
  const delim = Buffer.from(`--${m[1]}`);
  const out: Array<{ headers: Record<string, string>; data: Uint8Array }> = [];
  let pos = buf.indexOf(delim);
  while (pos >= 0) {
    const start = pos + delim.length;
    if (buf.subarray(start, start + 2).toString() === '--') break;
    const headerEnd = buf.indexOf('\r\n\r\n', start);
    if (headerEnd < 0) break;
    const headers: Record<string, string> = {};
    for (const line of buf.subarray(start + 2, headerEnd).toString('utf8').split('\r\n')) {
      const i = line.indexOf(':');
      if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
    }
    const len = Number(headers['content-length']);
    const dataStart = headerEnd + 4;
    const dataEnd = Number.isFinite(len) ? dataStart + len : buf.indexOf(delim, dataStart) - 2;
    out.push({ headers, data: new Uint8Array(buf.subarray(dataStart, dataEnd)) });
    pos = buf.indexOf(delim, dataEnd);
  }
  return out;
}
