// Segment credentials for a payment without media (go-livepeer genSegCreds with an empty HLSSegment): the SegData
// a live /payment call carries, signed by the paying account. Used by local live payments and the devnet signer.
import { create } from '@bufbuild/protobuf';
import { utf8 } from '../protocol/encoding.js';
import { type AuthToken, type Capabilities, type SegData, SegDataSchema } from '../protocol/gen/net/lp_rpc_pb.js';
import { encodeSegDataHeader } from '../protocol/headers.js';
import { keccak256 } from '../protocol/hash.js';
import { type Signer } from '../protocol/signer.js';
import { signSegData } from '../protocol/segData.js';

/** keccak256 of no bytes: the hash of the empty segment. */
const EMPTY_SEGMENT_HASH = keccak256(new Uint8Array(0));

/** Signed SegData for an empty segment (seq 0, no profiles) and its Livepeer-Segment header value. */
export async function emptySegmentCredentials(
  signer: Signer,
  args: { manifestId: string; authToken?: AuthToken; capabilities?: Capabilities },
): Promise<{ segData: SegData; header: string }> {
  const seg = create(SegDataSchema, {
    manifestId: utf8(args.manifestId),
    seq: 0n,
    hash: EMPTY_SEGMENT_HASH,
    profiles: utf8('invalid'),
    ...(args.authToken ? { authToken: args.authToken } : {}),
    ...(args.capabilities ? { capabilities: args.capabilities } : {}),
  });
  await signSegData(signer, seg);
  return { segData: seg, header: encodeSegDataHeader(seg) };
}
