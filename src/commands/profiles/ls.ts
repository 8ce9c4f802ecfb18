import type { ConfigEntry } from '../../api/contract.js';
import { GwCommand } from '../../cli/baseCommand.js';
import { renderTable } from '../../cli/render.js';
import { listConfig } from '../../cli/services/configService.js';
import { PRESET_PROFILES } from '../../lib/protocol/profiles.js';

/** Lists the rendition presets and which are in use. */
export default class ProfilesLs extends GwCommand {
  static override description = 'List the rendition presets (resolution, bitrate, fps) and mark the ones streams get';

  static override examples = ['<%= config.bin %> profiles ls', '<%= config.bin %> profiles ls --json'];

  async run(): Promise<{ active: string[]; presets: Array<{ name: string; width: number; height: number; bitrate: string; fps: number; active: boolean }> }> {
    const { flags } = await this.parse(ProfilesLs);
    const { config } = await listConfig(this.pathsFor(flags));
    const entry = config.settings.find((s: ConfigEntry) => s.key === 'transcodingOptions');
    const active = Array.isArray(entry?.value) ? (entry.value as string[]) : [];
    const presets = Object.values(PRESET_PROFILES).map((p) => ({ name: p.name, width: p.width, height: p.height, bitrate: p.bitrate, fps: p.fps, active: active.includes(p.name) }));
    this.log(renderTable(['', 'preset', 'resolution', 'bitrate', 'fps'], presets.map((p) => [p.active ? '●' : '', p.name, `${p.width}x${p.height}`, p.bitrate, p.fps])));
    if (active.length === 1 && active[0]!.endsWith('.json')) this.log(`streams use the JSON profiles in ${active[0]}`);
    else this.log(`streams get: ${active.join(', ')}  (change with gw profiles set)`);
    return { active, presets };
  }
}
