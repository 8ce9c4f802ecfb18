/**
 * gRPC length-prefixed message framing (used over HTTP/2 by both our client and the devnet orchestrator):
 * 1 flag byte (0 = uncompressed) + 4-byte big-endian length + protobuf bytes. Status travels in trailers:
 * `grpc-status` (0 = OK, 2 = UNKNOWN for go-livepeer's Go errors) and percent-encoded `grpc-message`.
 */

export const GRPC_CONTENT_TYPE = 'application/grpc';

export const GrpcStatus = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  RESOURCE_EXHAUSTED: 8,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
} as const;

/** Maximum message we accept in either direction (go-livepeer's default receive limit is 4 MiB). */
export const MAX_GRPC_MESSAGE = 4 * 1024 * 1024;

/** Frames one protobuf message. */
export function encodeGrpcFrame(message: Uint8Array): Uint8Array {
  const out = new Uint8Array(5 + message.length);
  new DataView(out.buffer).setUint32(1, message.length);
  out.set(message, 5);
  return out;
}

/** Splits a complete body into messages; throws on truncation, compression or oversize. */
export function decodeGrpcFrames(body: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let off = 0;
  while (off < body.length) {
    if (body.length - off < 5) throw new Error('truncated gRPC frame header');
    if (body[off] !== 0) throw new Error('compressed gRPC messages are not supported');
    const len = new DataView(body.buffer, body.byteOffset + off + 1, 4).getUint32(0);
    if (len > MAX_GRPC_MESSAGE) throw new Error(`gRPC message of ${len} bytes exceeds ${MAX_GRPC_MESSAGE}`);
    if (body.length - off - 5 < len) throw new Error('truncated gRPC message');
    out.push(body.subarray(off + 5, off + 5 + len));
    off += 5 + len;
  }
  return out;
}

/** Percent-encodes a status message as gRPC requires (printable ASCII except %). */
export function encodeGrpcMessage(text: string): string {
  return Array.from(new TextEncoder().encode(text), (b) => (b >= 0x20 && b <= 0x7e && b !== 0x25 ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`)).join('');
}

/** Decodes a percent-encoded `grpc-message`; malformed escapes are kept as they are. */
export function decodeGrpcMessage(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
