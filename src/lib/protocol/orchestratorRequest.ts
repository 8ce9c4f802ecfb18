// OrchestratorRequest (GetOrchestrator): the gateway's address signature, and the orchestrator's check of it.
import { create } from '@bufbuild/protobuf';
import { addressToBytes, toChecksumAddress } from './address.js';
import { type Capabilities, type OrchestratorRequest, OrchestratorRequestSchema } from './gen/net/lp_rpc_pb.js';
import { keccak256 } from './hash.js';
import { utf8 } from './encoding.js';
import { type Signer, type VerifyResult, signMessage, verifySig } from './signer.js';

/** B-sign(utf8(EIP-55 address with 0x)); computed once per gateway run. */
export function orchestratorRequestSig(signer: Signer): Promise<Uint8Array> {
  return signMessage(signer, utf8(toChecksumAddress(signer.address)));
}

/** Builds the request; off-chain (no signer) address and sig stay empty. */
export function buildOrchestratorRequest(args: {
  signer?: Signer;
  /** Precomputed orchestratorRequestSig (required when signer is given). */
  sig?: Uint8Array;
  capabilities?: Capabilities;
  ignoreCapacityCheck?: boolean;
}): OrchestratorRequest {
  if (args.signer && !args.sig) throw new Error('orchestrator request: signature missing for signer');
  return create(OrchestratorRequestSchema, {
    address: args.signer ? addressToBytes(args.signer.address) : new Uint8Array(0),
    sig: args.signer ? args.sig : new Uint8Array(0),
    capabilities: args.capabilities,
    ignoreCapacityCheck: args.ignoreCapacityCheck ?? false,
  });
}

/** Orchestrator-side check of the request signature (go-livepeer verifyOrchestratorReq). */
export function verifyOrchestratorRequest(req: OrchestratorRequest): VerifyResult {
  if (req.address.length !== 20) return { ok: false, reason: 'invalid address length' };
  const msg = keccak256(utf8(toChecksumAddress(req.address)));
  return verifySig(req.address, msg, req.sig);
}
