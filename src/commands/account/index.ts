import AccountShow from './show.js';

/** `gw account`: the same as `gw account show`. */
export default class Account extends AccountShow {
  static override description = 'Show the gateway account (same as `gw account show`); see also account create and account import';

  static override examples = ['<%= config.bin %> account', '<%= config.bin %> account --json | jq .depositWei'];
}
