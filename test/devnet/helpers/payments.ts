// Builders for the headers a gateway sends with a segment, from the protocol modules.
import { execFile } from 'node:child_process';
import {
  buildOrchestratorRequest,
  buildPayment,
  buildSegData,
  encodePaymentHeader,
  encodeSegDataHeader,
  localSigner,
  orchestratorRequestSig,
  PRESET_PROFILES,
  segmentHash,
  signSegData,
  toNetProfile,
  transcodingJobCapabilities,
  type LocalSigner,
  type OrchestratorInfo,
  type OrchestratorRequest,
  type Payment,
  type SegData,
  type VideoProfile,
} from '../../../src/lib/protocol/index.js';

/** Public Hardhat dev keys (never real funds). */
export const DEV_KEYS = {
  gateway: '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80',
  orchestrator: '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d',
  other: '0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a',
} as const;

export const PROFILES: VideoProfile[] = [toNetProfile(PRESET_PROFILES.P240p30fps16x9!), toNetProfile(PRESET_PROFILES.P360p30fps16x9!)];

/** HTTP-push H.264 job capabilities for the profiles. */
export function jobCaps(profiles: readonly VideoProfile[] = PROFILES) {
  return transcodingJobCapabilities({ profiles, httpPush: true });
}

export async function orchRequest(signer: LocalSigner | undefined): Promise<OrchestratorRequest> {
  if (!signer) return buildOrchestratorRequest({ capabilities: jobCaps() });
  return buildOrchestratorRequest({ signer, sig: await orchestratorRequestSig(signer), capabilities: jobCaps() });
}

export interface SegmentSpec {
  info: OrchestratorInfo;
  signer?: LocalSigner;
  data: Uint8Array;
  seq?: number;
  manifestId?: string;
  profiles?: VideoProfile[];
  numTickets?: number;
  firstNonce?: number;
  /** Change the SegData after signing (to break it). */
  mutateSeg?: (seg: SegData) => void;
  /** Change the payment (after the tickets are signed). */
  mutatePayment?: (p: Payment) => void;
  /** Hash to put in SegData instead of the body's. */
  hash?: Uint8Array;
}

/** Livepeer-Segment and Livepeer-Payment values for one segment. */
export async function segmentHeaders(spec: SegmentSpec): Promise<{ seg: string; pay: string }> {
  const seg = buildSegData({
    manifestId: spec.manifestId ?? 'devnet-test',
    seq: spec.seq ?? 0,
    hash: spec.hash ?? segmentHash(spec.data),
    durationMs: 2000,
    profiles: spec.profiles ?? PROFILES,
    capabilities: jobCaps(spec.profiles ?? PROFILES),
    ...(spec.info.authToken ? { authToken: spec.info.authToken } : {}),
  });
  await signSegData(spec.signer, seg);
  spec.mutateSeg?.(seg);
  let payment: Payment | undefined;
  if (spec.signer && spec.info.ticketParams) {
    payment = await buildPayment({ info: spec.info, signer: spec.signer, numTickets: spec.numTickets ?? 1, firstNonce: spec.firstNonce ?? 1 });
    spec.mutatePayment?.(payment);
  }
  return { seg: encodeSegDataHeader(seg), pay: encodePaymentHeader(payment) };
}

export const signers = {
  gateway: () => localSigner(DEV_KEYS.gateway),
  other: () => localSigner(DEV_KEYS.other),
};

/** 2 s of H.264 test pattern + AAC as MPEG-TS (320x240, 30 fps, GOP 2 s). */
export function makeTestTs(seconds = 2): Promise<Uint8Array> {
  const args = [
    '-hide_banner', '-loglevel', 'error',
    '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=30',
    '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=44100',
    '-t', String(seconds), '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '60', '-pix_fmt', 'yuv420p', '-c:a', 'aac',
    '-f', 'mpegts', 'pipe:1',
  ];
  return new Promise((resolve, reject) => {
    execFile('ffmpeg', args, { encoding: 'buffer', maxBuffer: 64 << 20 }, (err, out, stderr) => {
      if (err) reject(new Error(`ffmpeg: ${err.message} ${stderr.toString()}`));
      else resolve(new Uint8Array(out));
    });
  });
}

/** ffprobe width/height/frames of a TS in memory. */
export function probeVideo(data: Uint8Array): Promise<{ width: number; height: number; frames: number }> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      'ffprobe',
      ['-v', 'error', '-select_streams', 'v:0', '-count_frames', '-show_entries', 'stream=width,height,nb_read_frames', '-of', 'json', '-i', 'pipe:0'],
      { encoding: 'utf8' },
      (err, out) => {
        if (err) return reject(err);
        const s = (JSON.parse(out) as { streams: { width: number; height: number; nb_read_frames: string }[] }).streams[0];
        if (!s) return reject(new Error('no video stream'));
        resolve({ width: s.width, height: s.height, frames: Number(s.nb_read_frames) });
      },
    );
    child.stdin?.on('error', () => {});
    child.stdin?.end(data);
  });
}
