// Runs the account/deposit/reserve commands from sources, in-process (captured output) or as a real process.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { format } from 'node:util';
import { Config, type Command } from '@oclif/core';
import { execa } from 'execa';
import Account from '../../src/commands/account/index.js';
import AccountCreate from '../../src/commands/account/create.js';
import AccountImport from '../../src/commands/account/import.js';
import AccountShow from '../../src/commands/account/show.js';
import DepositCancelUnlock from '../../src/commands/deposit/cancel-unlock.js';
import DepositFund from '../../src/commands/deposit/fund.js';
import DepositUnlock from '../../src/commands/deposit/unlock.js';
import DepositWithdraw from '../../src/commands/deposit/withdraw.js';
import ReserveFund from '../../src/commands/reserve/fund.js';
import Start from '../../src/commands/start.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SELF = fileURLToPath(import.meta.url);

type CommandClass = { run(argv: string[], config: Config): Promise<unknown> } & typeof Command;

/** Command ids (space separated, as typed) → classes; the longest matching prefix wins. */
export const COMMANDS: Record<string, CommandClass> = {
  account: Account,
  'account show': AccountShow,
  'account create': AccountCreate,
  'account import': AccountImport,
  'deposit fund': DepositFund,
  'deposit unlock': DepositUnlock,
  'deposit cancel-unlock': DepositCancelUnlock,
  'deposit withdraw': DepositWithdraw,
  'reserve fund': ReserveFund,
  start: Start,
};

function pick(argv: string[]): { cmd: CommandClass; rest: string[] } {
  for (const n of [2, 1]) {
    const id = argv.slice(0, n).join(' ');
    const cmd = COMMANDS[id];
    if (cmd) return { cmd, rest: argv.slice(n) };
  }
  throw new Error(`unknown command: ${argv.join(' ')}`);
}

let config: Config | undefined;

export interface CmdResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  result: unknown;
}

/** Runs a command in this process, capturing what it writes to stdout and stderr. */
export async function runInProcess(argv: string[]): Promise<CmdResult> {
  config ??= await Config.load({ root: ROOT });
  const { cmd, rest } = pick(argv);
  let stdout = '';
  let stderr = '';
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  const savedExit = process.exitCode;
  // oclif prints through console.log/console.error; spinners and prompts write to the streams.
  const log = console.log;
  const error = console.error;
  console.log = (...a: unknown[]) => void (stdout += `${format(...a)}\n`);
  console.error = (...a: unknown[]) => void (stderr += `${format(...a)}\n`);
  process.stdout.write = ((chunk: string | Uint8Array) => ((stdout += chunk.toString()), true)) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => ((stderr += chunk.toString()), true)) as typeof process.stderr.write;
  let exitCode = 0;
  let result: unknown;
  try {
    result = await cmd.run(rest, config);
    if (process.exitCode !== undefined && process.exitCode !== savedExit) exitCode = Number(process.exitCode);
  } catch (e) {
    const x = e as Error & { oclif?: { exit?: number } };
    exitCode = x.oclif?.exit ?? 1;
    stderr += `${x.message}\n`;
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
    console.log = log;
    console.error = error;
    process.exitCode = savedExit;
  }
  return { exitCode, stdout, stderr, result };
}

/** Runs a command as a real process (stdin not a terminal), through this file's entry point. */
export async function runProcess(argv: string[], env: Record<string, string> = {}): Promise<CmdResult> {
  const r = await execa(process.execPath, ['--import', 'tsx', SELF, ...argv], {
    cwd: ROOT,
    reject: false,
    timeout: 60_000,
    stdin: 'ignore',
    env: { NO_COLOR: '1', ...env },
    extendEnv: true,
  });
  const stderr = String(r.stderr).replace(/\s*\n\s*›\s+/g, ' ');
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr, result: undefined };
}

/**
 * Runs a command in a real pseudo-terminal (util-linux `script`), typing each answer once its prompt appears.
 * Returns everything the terminal showed: typed secrets must not be in it (no echo).
 */
export function runInPty(argv: string[], answers: Array<[prompt: string, input: string]>, env: Record<string, string> = {}): Promise<{ exitCode: number; screen: string }> {
  const command = ['node', '--import', 'tsx', SELF, ...argv].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const child = spawn('script', ['-qfec', command, '/dev/null'], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1', ...env } });
  let screen = '';
  let next = 0;
  const onData = (d: Buffer) => {
    screen += d.toString('utf8');
    const a = answers[next];
    if (a && screen.split(a[0]).length - 1 > answers.slice(0, next).filter(([p]) => p === a[0]).length) {
      next += 1;
      // Let the program switch to raw mode before typing.
      setTimeout(() => child.stdin.write(`${a[1]}\r`), 150);
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  return new Promise((resolve) => {
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ exitCode: code ?? -1, screen: screen.replace(/\r\n/g, '\n') });
    });
  });
}

if (process.argv[1] === SELF) {
  const { flush, handle } = await import('@oclif/core');
  const { cmd, rest } = pick(process.argv.slice(2));
  await cmd
    .run(rest, await Config.load({ root: ROOT }))
    .then(() => flush())
    .catch(handle);
}
