import type { IncomingMessage } from 'node:http';

/** Reads a request body up to `limit` bytes; 'too-large' past it (the rest is drained and dropped). */
export function readRequestBody(req: IncomingMessage, limit: number, onChunk?: (chunk: Buffer) => void): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (c: Buffer) => {
      if (over) return;
      size += c.length;
      if (size > limit) {
        over = true;
        chunks.length = 0;
        resolve('too-large');
        return;
      }
      chunks.push(c);
      onChunk?.(c);
    });
    req.once('end', () => {
      if (!over) resolve(Buffer.concat(chunks, size));
    });
    req.once('error', reject);
  });
}
