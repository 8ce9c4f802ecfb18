import { Command } from '@oclif/core';

/** Prints the gw version. */
export default class Version extends Command {
  static override description = 'Show the gw version';
  static override enableJsonFlag = true;

  async run(): Promise<{ version: string }> {
    const version = this.config.version;
    this.log(version);
    return { version };
  }
}
