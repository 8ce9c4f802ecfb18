import { readFileSync } from 'node:fs';
import type { VideoProfile } from '../protocol/gen/net/lp_rpc_pb.js';
import { parseBitrate, parseJsonProfiles, parseProfileList, toNetProfile, type VideoProfileSpec } from '../protocol/profiles.js';

/** The stream renditions in every form the daemon needs. */
export interface ResolvedProfiles {
  readonly specs: readonly VideoProfileSpec[];
  /** Wire profiles for SegData and job capabilities. */
  readonly net: readonly VideoProfile[];
  /** Name, size and bit/s per rendition, for the HLS master playlist. */
  readonly sizes: ReadonlyArray<{ name: string; width: number; height: number; bitrate: number }>;
}

/**
 * Resolves the `transcodingOptions` setting like go-livepeer's `-transcodingOptions`: a list of preset names, or a
 * single path to a JSON profiles file (go-livepeer's JSON schema). Errors name the bad preset or field.
 */
export function resolveProfiles(option: readonly string[]): ResolvedProfiles {
  const specs = option.length === 1 && option[0]!.toLowerCase().endsWith('.json') ? parseJsonProfiles(readFileSync(option[0]!, 'utf8')) : parseProfileList(option.join(','));
  if (specs.length === 0) throw new Error('no transcoding profiles configured');
  return {
    specs,
    net: specs.map(toNetProfile),
    sizes: specs.map((s) => ({ name: s.name, width: s.width, height: s.height, bitrate: parseBitrate(s.bitrate) })),
  };
}
