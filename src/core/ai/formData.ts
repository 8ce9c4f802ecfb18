// multipart/form-data (RFC 7578): a strict parser for AI requests arriving at the gateway and an encoder for the
// bodies forwarded to orchestrators. Pure; whole bodies in memory (the route caps their size first).
import { GwError } from '../../lib/errors.js';

/** One form field: text fields have no filename. */
export interface FormPart {
  readonly name: string;
  readonly filename?: string;
  readonly contentType?: string;
  readonly data: Buffer;
}

/** A body that is not valid multipart/form-data. */
export class FormDataError extends GwError {
  constructor(message: string) {
    super('bad_request', message);
    this.name = 'FormDataError';
  }
}

/** The boundary parameter of a multipart Content-Type, or undefined when it is not multipart/form-data. */
export function formBoundary(contentType: string | undefined): string | undefined {
  if (!contentType || !/^\s*multipart\/form-data\s*(;|$)/i.test(contentType)) return undefined;
  const m = /;\s*boundary=(?:"([^"]{1,70})"|([^\s;"]{1,70}))/i.exec(contentType);
  return m ? (m[1] ?? m[2]) : undefined;
}

/** Reads one header parameter (`name="x"`, `name=x`), unescaping quoted-pair escapes. */
function headerParam(header: string, key: string): string | undefined {
  const re = new RegExp(`;\\s*${key}\\s*=\\s*(?:"((?:[^"\\\\]|\\\\.)*)"|([^;\\s]*))`, 'i');
  const m = re.exec(header);
  if (!m) return undefined;
  return m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2];
}

/** Splits a multipart/form-data body into its parts; throws FormDataError naming what is wrong. */
export function parseFormData(body: Buffer, contentType: string | undefined, opts: { maxParts?: number } = {}): FormPart[] {
  const boundary = formBoundary(contentType);
  if (boundary === undefined) throw new FormDataError('expected Content-Type multipart/form-data with a boundary');
  const maxParts = opts.maxParts ?? 100;
  const delim = Buffer.from(`--${boundary}`);
  const parts: FormPart[] = [];
  let pos = body.indexOf(delim);
  if (pos < 0) throw new FormDataError('multipart body has no boundary line');
  for (;;) {
    let cur = pos + delim.length;
    if (body[cur] === 0x2d && body[cur + 1] === 0x2d) return parts; // closing "--boundary--"
    // Transport padding may follow the boundary before its CRLF.
    while (body[cur] === 0x20 || body[cur] === 0x09) cur++;
    if (body[cur] !== 0x0d || body[cur + 1] !== 0x0a) throw new FormDataError('malformed multipart boundary line');
    const headerStart = cur + 2;
    const headerEnd = body.indexOf('\r\n\r\n', headerStart);
    if (headerEnd < 0) throw new FormDataError('multipart part without a header end');
    const headers = new Map<string, string>();
    for (const line of body.subarray(headerStart, headerEnd).toString('utf8').split('\r\n')) {
      if (line === '') continue;
      const i = line.indexOf(':');
      if (i <= 0) throw new FormDataError(`malformed multipart header line "${line.slice(0, 60)}"`);
      headers.set(line.slice(0, i).trim().toLowerCase(), line.slice(i + 1).trim());
    }
    const dataStart = headerEnd + 4;
    const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delim]), dataStart);
    if (next < 0) throw new FormDataError('multipart body ends without its closing boundary');
    const disposition = headers.get('content-disposition');
    if (!disposition || !/^\s*form-data\s*(;|$)/i.test(disposition)) throw new FormDataError('multipart part without Content-Disposition: form-data');
    const name = headerParam(disposition, 'name');
    if (name === undefined || name === '') throw new FormDataError('multipart part without a field name');
    const filename = headerParam(disposition, 'filename');
    const type = headers.get('content-type');
    parts.push({
      name,
      ...(filename !== undefined ? { filename } : {}),
      ...(type !== undefined ? { contentType: type } : {}),
      data: body.subarray(dataStart, next),
    });
    if (parts.length > maxParts) throw new FormDataError(`more than ${maxParts} form fields`);
    pos = next + 2;
  }
}

function quote(s: string): string {
  return s.replace(/[\r\n"\\]/g, (c) => (c === '"' || c === '\\' ? `\\${c}` : ' '));
}

/** Encodes parts as multipart/form-data with a random boundary. */
export function encodeFormData(parts: readonly FormPart[], boundary = `gw-${crypto.randomUUID()}`): { contentType: string; body: Buffer } {
  const chunks: Buffer[] = [];
  for (const p of parts) {
    let head = `--${boundary}\r\nContent-Disposition: form-data; name="${quote(p.name)}"`;
    if (p.filename !== undefined) head += `; filename="${quote(p.filename)}"`;
    head += '\r\n';
    if (p.contentType !== undefined) head += `Content-Type: ${p.contentType.replace(/[\r\n]/g, '')}\r\n`;
    chunks.push(Buffer.from(`${head}\r\n`), p.data, Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { contentType: `multipart/form-data; boundary=${boundary}`, body: Buffer.concat(chunks) };
}
