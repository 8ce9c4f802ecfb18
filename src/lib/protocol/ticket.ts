// Probabilistic micropayment tickets (go-livepeer pm/ticket.go, TicketBroker getTicketHash): hashing, EV and
// win-probability math, and the winning check.
import { bytesToBigint, bytesToHex, uint256Bytes, writeUint256 } from './encoding.js';
import { keccak256 } from './hash.js';
import { Rational } from './rational.js';

/** Largest win probability: 2^256 − 1 (a ticket with this winProb always wins). */
export const MAX_WIN_PROB: bigint = (1n << 256n) - 1n;

/** All fields that enter a ticket hash. Binary fields are raw bytes: addresses 20, hashes 32. */
export interface Ticket {
  recipient: Uint8Array;
  sender: Uint8Array;
  faceValue: bigint;
  winProb: bigint;
  senderNonce: number | bigint;
  recipientRandHash: Uint8Array;
  creationRound: bigint;
  creationRoundBlockHash: Uint8Array;
}

function isAllZero(b: Uint8Array): boolean {
  for (const x of b) if (x !== 0) return false;
  return true;
}

function checkLen(name: string, b: Uint8Array, want: number): void {
  if (b.length !== want) throw new Error(`ticket ${name}: ${b.length} bytes, want ${want}`);
}

/** uint256(round) ‖ blockHash (64 bytes), or empty for round 0 with the zero hash (go-livepeer only). */
export function auxData(creationRound: bigint, creationRoundBlockHash: Uint8Array): Uint8Array {
  checkLen('creationRoundBlockHash', creationRoundBlockHash, 32);
  if (creationRound === 0n && isAllZero(creationRoundBlockHash)) return new Uint8Array(0);
  const out = new Uint8Array(64);
  writeUint256(out, 0, creationRound);
  out.set(creationRoundBlockHash, 32);
  return out;
}

/** keccak256(recipient ‖ sender ‖ faceValue ‖ winProb ‖ senderNonce ‖ recipientRandHash ‖ auxData), abi.encodePacked. */
export function ticketHash(t: Ticket): Uint8Array {
  checkLen('recipient', t.recipient, 20);
  checkLen('sender', t.sender, 20);
  checkLen('recipientRandHash', t.recipientRandHash, 32);
  const aux = auxData(t.creationRound, t.creationRoundBlockHash);
  const buf = new Uint8Array(168 + aux.length);
  buf.set(t.recipient, 0);
  buf.set(t.sender, 20);
  writeUint256(buf, 40, t.faceValue);
  writeUint256(buf, 72, t.winProb);
  writeUint256(buf, 104, BigInt(t.senderNonce));
  buf.set(t.recipientRandHash, 136);
  buf.set(aux, 168);
  return keccak256(buf);
}

/** Expected value faceValue × winProb / (2^256 − 1), exact. */
export function ticketEV(faceValue: bigint, winProb: bigint): Rational {
  return Rational.of(faceValue * winProb, MAX_WIN_PROB);
}

/** Win probability as a fraction of 1 (winProb / (2^256 − 1)). */
export function winProbRat(winProb: bigint): Rational {
  return Rational.of(winProb, MAX_WIN_PROB);
}

/** The orchestrator's winProb for a target EV and face value: max if equal, else EV × ⌈(2^256−1)/faceValue⌉. */
export function winProbForEV(ev: bigint, faceValue: bigint): bigint {
  if (faceValue <= 0n) return 0n;
  if (faceValue === ev) return MAX_WIN_PROB;
  const q = MAX_WIN_PROB / faceValue;
  const ceil = MAX_WIN_PROB % faceValue === 0n ? q : q + 1n;
  return ev * ceil;
}

/** recipientRandHash = keccak256(uint256(recipientRand)). */
export function recipientRandHash(recipientRand: bigint): Uint8Array {
  return keccak256(uint256Bytes(recipientRand));
}

/** Winning iff uint256(keccak256(sig ‖ uint256(recipientRand))) < winProb. Only the recipient knows the rand. */
export function isWinningTicket(sig: Uint8Array, recipientRand: bigint, winProb: bigint): boolean {
  const buf = new Uint8Array(sig.length + 32);
  buf.set(sig, 0);
  writeUint256(buf, sig.length, recipientRand);
  return bytesToBigint(keccak256(buf)) < winProb;
}

/** PM session id for a set of ticket params: "0x" + hex(recipient_rand_hash). */
export function pmSessionId(recipientRandHash: Uint8Array): string {
  return `0x${bytesToHex(recipientRandHash)}`;
}
