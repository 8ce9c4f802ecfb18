// TranscodeData.sig: the orchestrator's account-sign over the rendition hashes (checked only when verifying).
import type { Address } from './address.js';
import { keccak256 } from './hash.js';
import { type Signer, type VerifyResult, verifySig } from './signer.js';

/** keccak256(keccak256(r0) ‖ keccak256(r1) ‖ …) over the downloaded renditions in profile order. */
export function transcodeResultHash(renditions: readonly Uint8Array[]): Uint8Array {
  const buf = new Uint8Array(32 * renditions.length);
  renditions.forEach((r, i) => buf.set(keccak256(r), 32 * i));
  return keccak256(buf);
}

/** Orchestrator side: TranscodeData.sig for the renditions. */
export function signTranscodeResult(signer: Signer, renditions: readonly Uint8Array[]): Promise<Uint8Array> {
  return signer.signHash(transcodeResultHash(renditions));
}

/** Gateway side: sig is O's account-sign of the rendition hash (against info.address, else ticket recipient). */
export function verifyTranscodeResult(address: Address | Uint8Array, renditions: readonly Uint8Array[], sig: Uint8Array): VerifyResult {
  return verifySig(address, transcodeResultHash(renditions), sig);
}
