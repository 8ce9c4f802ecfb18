// Livepeer-Segment / Livepeer-Payment header values: standard padded base64 of the protobuf bytes.
import { fromBinary, toBinary } from '@bufbuild/protobuf';
import { base64Decode, base64Encode } from './encoding.js';
import { type Payment, PaymentSchema, type SegData, SegDataSchema } from './gen/net/lp_rpc_pb.js';

export const SEGMENT_HEADER = 'Livepeer-Segment';
export const PAYMENT_HEADER = 'Livepeer-Payment';

/** Livepeer-Segment value for a SegData. */
export function encodeSegDataHeader(seg: SegData): string {
  return base64Encode(toBinary(SegDataSchema, seg));
}

/** Livepeer-Payment value; off-chain (no payment) the header is present but empty. */
export function encodePaymentHeader(payment: Payment | undefined): string {
  return payment ? base64Encode(toBinary(PaymentSchema, payment)) : '';
}

/** Parses a Livepeer-Segment value; throws on bad base64 or protobuf. */
export function decodeSegDataHeader(value: string): SegData {
  return fromBinary(SegDataSchema, base64Decode(value));
}

/** Parses a Livepeer-Payment value; an empty header is an empty Payment (no ticket params). */
export function decodePaymentHeader(value: string): Payment {
  return fromBinary(PaymentSchema, base64Decode(value));
}
