// Keystore passwords for CLI commands: --password-file, then GW_ETH_PASSWORD, then a prompt that never echoes.
import type { GwPaths } from '../../lib/settings/paths.js';
import { resolveSettings, settingValues } from '../../lib/settings/resolveSettings.js';
import type { SettingValue } from '../../lib/settings/settings.js';
import { accountAddress, resolveGatewayChainSettings } from '../../lib/chain/gatewaySettings.js';
import { passwordFromSources, PASSWORD_ENV } from '../../lib/payments/accountUnlock.js';
import { GwUserError } from '../baseCommand.js';

/** Terminal streams a prompt uses (injectable for tests). */
export interface PromptIo {
  stdin: NodeJS.ReadStream;
  stderr: NodeJS.WriteStream;
}

const defaultIo = (): PromptIo => ({ stdin: process.stdin, stderr: process.stderr });

/** Whether the CLI may ask the user: stdin must be a terminal that supports raw mode. */
export function canPrompt(io: PromptIo = defaultIo()): boolean {
  return Boolean(io.stdin.isTTY) && typeof io.stdin.setRawMode === 'function';
}

/** Reads one line from the terminal in raw mode without echoing it; Ctrl+C cancels. */
export function promptSecret(question: string, io: PromptIo = defaultIo()): Promise<string> {
  const { stdin, stderr } = io;
  if (!canPrompt(io)) return Promise.reject(new GwUserError('cannot ask for a password: stdin is not a terminal', 'no_tty'));
  return new Promise((resolve, reject) => {
    let value = '';
    const wasRaw = stdin.isRaw;
    const finish = (err?: Error) => {
      stdin.off('data', onData);
      stdin.setRawMode(wasRaw);
      stdin.pause();
      stderr.write('\n');
      if (err) reject(err);
      else resolve(value);
    };
    const onData = (chunk: Buffer | string) => {
      const text = typeof chunk === 'string' ? chunk : chunk.toString('utf8');
      // Arrow keys and other escape sequences are not part of a password.
      if (text.startsWith('\u001b')) return;
      for (const ch of text) {
        if (ch === '\r' || ch === '\n') return finish();
        if (ch === '\u0003') return finish(new GwUserError('cancelled', 'cancelled'));
        if (ch === '\u0004') return value === '' ? finish(new GwUserError('cancelled', 'cancelled')) : finish();
        if (ch === '\u007f' || ch === '\b') value = [...value].slice(0, -1).join('');
        else if (ch >= ' ') value += ch;
      }
    };
    stderr.write(question);
    stdin.setRawMode(true);
    stdin.resume();
    stdin.on('data', onData);
  });
}

/** Asks for a new password twice; refuses an empty one or a mismatch. */
export async function promptNewPassword(io: PromptIo = defaultIo()): Promise<string> {
  const first = await promptSecret('New keystore password: ', io);
  if (first === '') throw new GwUserError('the password must not be empty', 'bad_password');
  const second = await promptSecret('Repeat the password: ', io);
  if (first !== second) throw new GwUserError('the passwords do not match: nothing was written', 'bad_password');
  return first;
}

/**
 * The password for a CLI command: --password-file, then GW_ETH_PASSWORD, then (in a terminal) a prompt —
 * asked twice when creating a key. Without any of them: a clear error.
 */
export async function passwordForCommand(options: {
  passwordFile?: string;
  purpose: 'create' | 'unlock';
  /** Shown in the prompt when unlocking. */
  address?: string;
  env?: NodeJS.ProcessEnv;
  io?: PromptIo;
}): Promise<string> {
  const found = await passwordFromSources({
    ...(options.passwordFile ? { passwordFile: options.passwordFile } : {}),
    ...(options.env ? { env: options.env } : {}),
  });
  if (found) return found.password;
  const io = options.io ?? defaultIo();
  if (!canPrompt(io)) {
    throw new GwUserError(
      `no keystore password: pass --password-file <file> or set ${PASSWORD_ENV} (stdin is not a terminal, so gw cannot ask)`,
      'no_password',
    );
  }
  if (options.purpose === 'create') return promptNewPassword(io);
  return promptSecret(`Keystore password${options.address ? ` for ${options.address}` : ''}: `, io);
}

/**
 * For `gw start` in a terminal: asks for the keystore password when the daemon will need one and has no
 * other source (password file, GW_ETH_PASSWORD). Undefined when nothing needs asking or no terminal exists
 * (the daemon then reports what is missing).
 */
export async function passwordForStart(
  paths: GwPaths,
  flags: Record<string, SettingValue>,
  options: { env?: NodeJS.ProcessEnv; io?: PromptIo } = {},
): Promise<string | undefined> {
  const env = options.env ?? process.env;
  const values = settingValues(resolveSettings({ flags, env, configFile: paths.configFile }));
  if (values.passwordFile || env[PASSWORD_ENV]) return undefined;
  const io = options.io ?? defaultIo();
  if (!canPrompt(io)) return undefined;
  const str = (v: SettingValue | undefined) => (typeof v === 'string' && v !== '' ? v : undefined);
  let chain;
  try {
    chain = await resolveGatewayChainSettings(
      {
        network: str(values.network),
        ethUrl: str(values.ethUrl),
        ethController: str(values.ethController),
        keystore: str(values.keystore),
        ethAddr: str(values.ethAddr),
      },
      paths,
    );
  } catch {
    // The daemon reports configuration problems with the full context.
    return undefined;
  }
  if (!chain || chain.account.kind === 'dev') return undefined;
  const address = await accountAddress(chain.account).catch(() => undefined);
  return promptSecret(`Keystore password${address ? ` for ${address}` : ''}: `, io);
}
