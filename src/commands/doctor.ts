import { GwCommand } from '../cli/baseCommand.js';
import { renderTable } from '../cli/render.js';
import { runDoctor, type Check } from '../cli/services/doctor.js';

/** Checks what a first run needs. */
export default class Doctor extends GwCommand {
  static override description = 'Check what a first run needs (Node, ffmpeg, ports, data dir, keystore, chain RPC) and say how to fix each miss';

  static override examples = ['<%= config.bin %> doctor', '<%= config.bin %> doctor --json'];

  async run(): Promise<{ ok: boolean; checks: Check[] }> {
    const { flags } = await this.parse(Doctor);
    const checks = await runDoctor(this.pathsFor(flags));
    const ok = checks.every((c) => c.ok || c.optional);
    this.log(renderTable(['', 'check', 'found', 'fix'], checks.map((c) => [c.ok ? '✓' : c.optional ? '!' : '✗', c.name, c.detail, c.fix ?? ''])));
    this.log(ok ? 'ready to run: gw start' : 'fix the ✗ lines above, then run gw doctor again');
    if (!ok) process.exitCode = 1;
    return { ok, checks };
  }
}
