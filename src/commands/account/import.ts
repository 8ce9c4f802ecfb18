import { Args, Flags } from '@oclif/core';
import { GwCommand } from '../../cli/baseCommand.js';
import { renderKeyValues } from '../../cli/render.js';
import { importAccount, type NewKeyResult } from '../../cli/services/account.js';

/** Adds an existing key to the keystore. */
export default class AccountImport extends GwCommand {
  static override description =
    'Import an account: copy a v3 key file (it keeps its password), or encrypt a raw private key from --private-key-file';

  static override examples = [
    '<%= config.bin %> account import ~/.lpData/arbitrum-one-mainnet/keystore/UTC--2024-…',
    '<%= config.bin %> account import --private-key-file ./key.hex --password-file ./password',
  ];

  static override args = {
    'key-file': Args.string({ description: 'A v3 JSON key file (go-ethereum, go-livepeer, MetaMask export)' }),
  };

  static override flags = {
    'private-key-file': Flags.string({ description: 'File holding a raw private key (64 hex digits) to encrypt' }),
    'password-file': Flags.string({ description: 'Password for the new key file (else GW_ETH_PASSWORD, else asked twice)' }),
    keystore: Flags.string({ description: 'Keystore directory to write to (default: the configured keystore or <data-dir>/keystore)' }),
    'light-kdf': Flags.boolean({ description: 'Weaker, faster key derivation for a raw key: for tests and devnets only' }),
  };

  async run(): Promise<NewKeyResult & { encrypted: boolean }> {
    const { args, flags } = await this.parse(AccountImport);
    const r = await importAccount({
      paths: this.pathsFor(flags),
      ...(args['key-file'] ? { keyFile: args['key-file'] } : {}),
      ...(flags['private-key-file'] ? { privateKeyFile: flags['private-key-file'] } : {}),
      ...(flags.keystore ? { keystore: flags.keystore } : {}),
      ...(flags['password-file'] ? { passwordFile: flags['password-file'] } : {}),
      lightKdf: flags['light-kdf'],
    });
    this.log(renderKeyValues([
      ['Address', r.address],
      ['Key file', r.path],
    ]));
    if (!r.encrypted) this.log('The key file was copied as it is: unlock it with its original password.');
    return r;
  }
}
