// The devnet signer's opaque payment state: JSON with go-livepeer's RemotePaymentState field names, signed by the
// signer's key (B-sign of the JSON bytes) so a client cannot edit its balance, nonce or price.
import { randomBytes } from 'node:crypto';
import type { Address } from '../../lib/protocol/address.js';
import { base64Encode, utf8 } from '../../lib/protocol/encoding.js';
import { keccak256 } from '../../lib/protocol/hash.js';
import { type Signer, signMessage, verifySig } from '../../lib/protocol/signer.js';
import type { RemoteSignerState } from '../../lib/payments/remoteSignerWire.js';

/** What the signer remembers between calls of one payment session. */
export interface PaymentState {
  StateID: string;
  /** recipientRandHash of the params the nonce belongs to ("0x…"). */
  PMSessionID: string;
  /** ISO time of the last payment; empty before the first. */
  LastUpdate: string;
  OrchestratorAddress: string;
  App: string;
  SenderNonce: number;
  /** big.Rat string "num/den" (or an integer). */
  Balance: string;
  InitialPricePerUnit: string;
  InitialPixelsPerUnit: string;
  Type: string;
  SequenceNumber: number;
}

/** A fresh state for a session's first call. */
export function newPaymentState(args: {
  orchestratorAddress: string;
  initialPricePerUnit: bigint;
  initialPixelsPerUnit: bigint;
  type: string;
  app: string;
}): PaymentState {
  return {
    StateID: randomBytes(8).toString('hex'),
    PMSessionID: '',
    LastUpdate: '',
    OrchestratorAddress: args.orchestratorAddress,
    App: args.app,
    SenderNonce: 0,
    Balance: '0',
    InitialPricePerUnit: args.initialPricePerUnit.toString(),
    InitialPixelsPerUnit: args.initialPixelsPerUnit.toString(),
    Type: args.type,
    SequenceNumber: 0,
  };
}

/** Serializes and signs a state for the client to hold. */
export async function sealState(signer: Signer, state: PaymentState): Promise<RemoteSignerState> {
  const bytes = utf8(JSON.stringify(state));
  const sig = await signMessage(signer, bytes);
  return { State: base64Encode(bytes), Sig: base64Encode(sig) };
}

/** Why a presented state was refused (go-livepeer's texts). */
export class StateError extends Error {
  constructor(message: 'invalid sig' | 'invalid state') {
    super(message);
    this.name = 'StateError';
  }
}

function isState(v: unknown): v is PaymentState {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  return (
    typeof o.StateID === 'string' &&
    typeof o.PMSessionID === 'string' &&
    typeof o.LastUpdate === 'string' &&
    typeof o.OrchestratorAddress === 'string' &&
    typeof o.App === 'string' &&
    Number.isSafeInteger(o.SenderNonce) &&
    typeof o.Balance === 'string' &&
    typeof o.InitialPricePerUnit === 'string' &&
    typeof o.InitialPixelsPerUnit === 'string' &&
    typeof o.Type === 'string' &&
    Number.isSafeInteger(o.SequenceNumber)
  );
}

/** Verifies the signature (over the exact bytes) and parses the state. */
export function openState(signerAddress: Address, state: Uint8Array, sig: Uint8Array): PaymentState {
  if (!verifySig(signerAddress, keccak256(state), sig).ok) throw new StateError('invalid sig');
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(state));
  } catch {
    throw new StateError('invalid state');
  }
  if (!isState(parsed)) throw new StateError('invalid state');
  return parsed;
}
