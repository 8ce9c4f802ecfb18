/**
 * The baseline the gateway is measured against: the same per-segment work done straight from this process to an
 * orchestrator with the protocol client gw uses (keccak, SegData, POST /segment, rendition downloads), off-chain.
 */
import { resolveProfiles } from '../../src/lib/media/profilesConfig.js';
import type { OrchestratorInfo } from '../../src/lib/protocol/gen/net/lp_rpc_pb.js';
import { keccak256 } from '../../src/lib/protocol/hash.js';
import { transcodingJobCapabilities } from '../../src/lib/protocol/jobCapabilities.js';
import { getOrchestrator } from '../../src/lib/protocol/orchestratorClient.js';
import { buildOrchestratorRequest } from '../../src/lib/protocol/orchestratorRequest.js';
import { buildSegData, signSegData } from '../../src/lib/protocol/segData.js';
import { downloadRenditions, submitSegment } from '../../src/lib/protocol/segmentClient.js';

/** gw's default renditions: their preset names, and as wire profiles. */
export const PROFILE_NAMES = ['P240p30fps16x9', 'P360p30fps16x9'] as const;
export const PROFILES = resolveProfiles([...PROFILE_NAMES]).net;
const capabilities = transcodingJobCapabilities({ profiles: PROFILES, httpPush: true });

/** One stream talking to one orchestrator directly. */
export class DirectStream {
  private seq = 0;

  private constructor(
    readonly id: string,
    private info: OrchestratorInfo,
  ) {}

  /** GetOrchestrator once (auth token, work URL), as a gateway does when a stream starts. */
  static async open(id: string, orchestratorUri: string): Promise<DirectStream> {
    const { info } = await getOrchestrator(orchestratorUri, buildOrchestratorRequest({ capabilities }));
    return new DirectStream(id, info);
  }

  /** Sends one segment and downloads its renditions; returns the total bytes of the renditions. */
  async segment(data: Uint8Array, durationMs = 2000): Promise<number> {
    const files = await this.renditions(data, keccak256(data), durationMs);
    return files.reduce((a, f) => a + f.length, 0);
  }

  /** Sends one segment whose keccak256 is `hash` and returns its renditions in profile order. */
  async renditions(data: Uint8Array, hash: Uint8Array, durationMs = 2000): Promise<Uint8Array[]> {
    const segData = await signSegData(
      undefined,
      buildSegData({ manifestId: this.id, seq: this.seq++, hash, durationMs, profiles: PROFILES, capabilities, authToken: this.info.authToken }),
    );
    const reply = await submitSegment({ info: this.info, segData, payment: '', body: data, durationMs });
    if (reply.info?.authToken) this.info = reply.info;
    const files = await downloadRenditions(reply.renditions.map((r) => r.url));
    if (files.length !== PROFILES.length) throw new Error(`direct: ${files.length} renditions`);
    return files;
  }
}
