import { Flags } from '@oclif/core';
import { GwCommand } from '../../cli/baseCommand.js';
import { renderKeyValues } from '../../cli/render.js';
import { createAccount, type NewKeyResult } from '../../cli/services/account.js';

/** Creates a new gateway account in the keystore. */
export default class AccountCreate extends GwCommand {
  static override description =
    'Create a new account: a go-ethereum v3 key file (scrypt) in <data-dir>/keystore or --keystore, readable only by you';

  static override examples = [
    '<%= config.bin %> account create',
    '<%= config.bin %> account create --password-file ~/.gw-password --keystore ~/.lpData/arbitrum-one-mainnet/keystore',
  ];

  static override flags = {
    'password-file': Flags.string({ description: 'File holding the password (else GW_ETH_PASSWORD, else asked twice)' }),
    keystore: Flags.string({ description: 'Keystore directory to write to (default: the configured keystore or <data-dir>/keystore)' }),
    'light-kdf': Flags.boolean({ description: 'Weaker, faster key derivation (scrypt N=4096): for tests and devnets only' }),
  };

  async run(): Promise<NewKeyResult> {
    const { flags } = await this.parse(AccountCreate);
    const r = await createAccount({
      paths: this.pathsFor(flags),
      ...(flags.keystore ? { keystore: flags.keystore } : {}),
      ...(flags['password-file'] ? { passwordFile: flags['password-file'] } : {}),
      lightKdf: flags['light-kdf'],
    });
    this.log(renderKeyValues([
      ['Address', r.address],
      ['Key file', r.path],
    ]));
    this.log('Back up the key file and its password: without both, funds sent to this address are lost.');
    return r;
  }
}
