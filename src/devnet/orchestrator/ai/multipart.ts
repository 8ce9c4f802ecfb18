// A small multipart/form-data parser (RFC 7578) for the AI routes: text fields and file parts, whole body in memory.

/** An uploaded file part. */
export interface FormFile {
  filename: string;
  contentType: string;
  data: Buffer;
}

/** Parsed form: text fields and files by field name (the first of repeated names wins, like Go's FormValue). */
export interface FormData {
  fields: Map<string, string>;
  files: Map<string, FormFile>;
}

/** The boundary parameter of a multipart/form-data content type; throws when it is not one. */
export function multipartBoundary(contentType: string): string {
  const [type, ...params] = contentType.split(';').map((s) => s.trim());
  if (type?.toLowerCase() !== 'multipart/form-data') throw new Error(`request Content-Type isn't multipart/form-data`);
  for (const p of params) {
    const eq = p.indexOf('=');
    if (eq > 0 && p.slice(0, eq).trim().toLowerCase() === 'boundary') {
      const v = p.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
      if (v.length >= 1 && v.length <= 70) return v;
    }
  }
  throw new Error('no multipart boundary param in Content-Type');
}

function dispositionParam(disposition: string, key: string): string | undefined {
  const re = new RegExp(`(?:^|;)\\s*${key}\\s*=\\s*(?:"((?:[^"\\\\]|\\\\.)*)"|([^;\\s]*))`, 'i');
  const m = re.exec(disposition);
  if (!m) return undefined;
  return m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2];
}

/** Parses a multipart/form-data body; throws with a message on malformed input. */
export function parseMultipart(body: Buffer, boundary: string): FormData {
  const form: FormData = { fields: new Map(), files: new Map() };
  const delim = Buffer.from(`--${boundary}`);
  let pos = body.indexOf(delim);
  if (pos < 0) throw new Error('multipart: NextPart: EOF');
  for (;;) {
    pos += delim.length;
    if (body.subarray(pos, pos + 2).toString() === '--') return form;
    if (body.subarray(pos, pos + 2).toString() !== '\r\n') throw new Error('multipart: boundary not followed by CRLF');
    pos += 2;
    const headEnd = body.indexOf('\r\n\r\n', pos);
    if (headEnd < 0) throw new Error('multipart: unterminated part headers');
    const headers = new Map<string, string>();
    for (const line of body.subarray(pos, headEnd).toString('utf8').split('\r\n')) {
      const c = line.indexOf(':');
      if (c > 0) headers.set(line.slice(0, c).trim().toLowerCase(), line.slice(c + 1).trim());
    }
    const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delim]), headEnd + 4);
    if (next < 0) throw new Error('multipart: unexpected EOF');
    const data = body.subarray(headEnd + 4, next);
    const disposition = headers.get('content-disposition') ?? '';
    const name = dispositionParam(disposition, 'name');
    if (name !== undefined && name !== '') {
      const filename = dispositionParam(disposition, 'filename');
      if (filename !== undefined) {
        if (!form.files.has(name)) form.files.set(name, { filename, contentType: headers.get('content-type') ?? 'application/octet-stream', data });
      } else if (!form.fields.has(name)) {
        form.fields.set(name, data.toString('utf8'));
      }
    }
    pos = next + 2;
  }
}

/** Encodes a multipart/form-data body (tests and tools); files are {filename, contentType, data}. */
export function encodeMultipart(parts: Record<string, string | FormFile>, boundary = `devnet${Math.random().toString(16).slice(2)}`): { body: Buffer; contentType: string } {
  const chunks: Buffer[] = [];
  for (const [name, v] of Object.entries(parts)) {
    if (typeof v === 'string') {
      chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${v}\r\n`));
    } else {
      chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"; filename="${v.filename}"\r\nContent-Type: ${v.contentType}\r\n\r\n`));
      chunks.push(v.data, Buffer.from('\r\n'));
    }
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}
