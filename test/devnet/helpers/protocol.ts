// Protocol helpers re-exported for the devnet tests, plus a few serializers.
import { fromBinary, toBinary } from '@bufbuild/protobuf';
import {
  type OrchestratorInfo,
  OrchestratorInfoSchema,
  type OrchestratorRequest,
  OrchestratorRequestSchema,
} from '../../../src/lib/protocol/gen/net/lp_rpc_pb.js';

export * from '../../../src/lib/protocol/index.js';

export const fromBinaryOrchestratorInfo = (b: Uint8Array): OrchestratorInfo => fromBinary(OrchestratorInfoSchema, b);
export const toBinaryOrchestratorRequest = (r: OrchestratorRequest): Uint8Array => toBinary(OrchestratorRequestSchema, r);
