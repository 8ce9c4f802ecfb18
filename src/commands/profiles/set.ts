import { resolve } from 'node:path';
import { Args, Flags } from '@oclif/core';
import { GwCommand, GwUserError } from '../../cli/baseCommand.js';
import { changeConfig } from '../../cli/services/configService.js';
import { resolveProfiles } from '../../lib/media/profilesConfig.js';

/** Chooses the renditions new streams get. */
export default class ProfilesSet extends GwCommand {
  static override description = 'Set the renditions of new streams: preset names, or a go-livepeer JSON profiles file (validated before it is applied)';

  static override examples = [
    '<%= config.bin %> profiles set P240p30fps16x9,P720p30fps16x9',
    '<%= config.bin %> profiles set --file profiles.json',
  ];

  static override args = { presets: Args.string({ description: 'Comma list of preset names (see gw profiles ls)' }) };

  static override flags = { file: Flags.string({ description: "JSON profiles file in go-livepeer's schema" }) };

  async run(): Promise<{ transcodingOptions: string[]; renditions: Array<{ name: string; width: number; height: number; bitrate: number }> }> {
    const { args, flags } = await this.parse(ProfilesSet);
    if (Boolean(args.presets) === Boolean(flags.file)) throw new GwUserError('give either preset names or --file', 'usage');
    const option = flags.file ? [resolve(flags.file)] : args.presets!.split(',').map((p) => p.trim()).filter(Boolean);
    let renditions;
    try {
      renditions = resolveProfiles(option).sizes;
    } catch (err) {
      throw new GwUserError(`invalid profiles: ${(err as Error).message}`, 'invalid_profiles');
    }
    const { target } = await changeConfig(this.pathsFor(flags), { transcodingOptions: option.join(',') }, []);
    this.log(`new streams get ${renditions.map((r) => `${r.name} (${r.width}x${r.height}, ${Math.round(r.bitrate / 1000)}k)`).join(', ')}`);
    this.log(target === 'daemon' ? 'applied live (running streams keep their renditions) and saved' : 'saved; used at the next start');
    return { transcodingOptions: option, renditions: [...renditions] };
  }
}
