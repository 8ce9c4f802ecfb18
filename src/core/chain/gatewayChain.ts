// The chain side of the daemon: the unlocked gateway account, a watched and cached view of its deposit,
// reserve and rounds (announced as `chain.updated` events), and spend tracking for the runway.
import { stat } from 'node:fs/promises';
import type { Address } from 'viem';
import type { GwPaths } from '../../lib/settings/paths.js';
import type { EventBus } from '../eventBus.js';
import type { Logger } from '../logger.js';
import {
  accountFromPrivateKey,
  locateKeyFile,
  PASSWORD_ENV,
  passwordFromSources,
  unlockGatewayAccount,
  type GatewayAccount,
} from '../../lib/payments/accountUnlock.js';
import { GwError } from '../../lib/errors.js';
import { KeystoreError } from '../../lib/payments/keystore.js';
import type { LocalSigner } from '../../lib/protocol/signer.js';
import type { RuntimeConfig } from '../runtimeConfig.js';
import { readAccountView } from '../../lib/chain/accountReader.js';
import type { AccountView } from '../../lib/chain/accountView.js';
import type { ChainClient } from '../../lib/chain/chainClient.js';
import { connectChain, resolveGatewayChainSettings, type GatewayChainSettings } from '../../lib/chain/gatewaySettings.js';
import { DEFAULT_SPEND_WINDOW_MS, SpendWindow } from '../../lib/chain/runway.js';
import { senderState } from '../../lib/chain/senderState.js';
import { getRedeemedTickets, type RedeemedTicket, type SenderInfo } from '../../lib/chain/ticketBroker.js';
import type { ChainSnapshot } from '../../lib/chain/watcher.js';

export interface GatewayChainOptions {
  config: RuntimeConfig;
  log: Logger;
  bus: EventBus;
  paths: GwPaths;
  signal: AbortSignal;
  /** Keystore password handed over by `gw start` on the daemon's stdin (--password-stdin). */
  password?: string;
  env?: NodeJS.ProcessEnv;
  /** Watcher poll interval (default 1 s on a devnet, 4 s on Arbitrum One). */
  pollIntervalMs?: number;
}

/** The daemon's unlocked account on chain: what payments, funding and the account route use of the chain module. */
export interface ChainAccount {
  readonly address: Address;
  readonly signer: LocalSigner;
  readonly settings: GatewayChainSettings;
  readonly client: ChainClient;
  /** Latest known sender info (refreshed by the watcher and after each funding transaction). */
  senderInfo(): SenderInfo;
  lastInitializedRound(): bigint;
  latestL1Block(): bigint;
  snapshot(): ChainSnapshot;
  /** Reads the chain now and updates the cache (and announces a change). */
  refresh(): Promise<ChainSnapshot>;
  /** Records the EV of a payment just sent, for the runway estimate (10-minute window). */
  recordSpend(evWei: bigint): void;
  /** Largest ticket face value seen in `tickets.sent` events, if any. */
  maxFaceValueSeen(): bigint | null;
  /** Calls `listener` for each of the account's winning tickets redeemed on chain from now on; returns an unsubscribe. */
  onRedeemed(listener: (ticket: RedeemedTicket) => void): () => void;
  /** The account as GET /v1/account shows it. */
  accountView(options?: { poolSize?: number }): Promise<AccountView>;
}

/** The daemon's chain module. */
export interface GatewayChain extends ChainAccount {
  /** Stops watching. */
  close(): Promise<void>;
}

async function warnIfReadableByOthers(file: string, log: Logger): Promise<void> {
  const st = await stat(file).catch(() => undefined);
  if (st && (st.mode & 0o077) !== 0) {
    log.warn({ passwordFile: file, mode: (st.mode & 0o777).toString(8) }, 'the password file is readable by other users: chmod 600 it');
  }
}

async function unlockAccount(settings: GatewayChainSettings, options: GatewayChainOptions): Promise<GatewayAccount> {
  const source = settings.account;
  if (source.kind === 'dev') return accountFromPrivateKey(source.privateKey);
  try {
    const located = await locateKeyFile(source.keystore, source.ethAddr);
    const passwordFile = options.config.get('passwordFile');
    const found = await passwordFromSources({
      ...(options.password !== undefined ? { handedOver: options.password } : {}),
      ...(passwordFile ? { passwordFile } : {}),
      ...(options.env ? { env: options.env } : {}),
    });
    if (!found) {
      throw new GwError(
        'no_password',
        `no keystore password for ${located.address} and the daemon never prompts: pass --password-file <file>, ` +
          'set GW_ETH_PASSWORD, or run `gw start` in a terminal to be asked',
      );
    }
    if (found.source === 'file') await warnIfReadableByOthers(passwordFile as string, options.log);
    const unlocked = await unlockGatewayAccount({ keystore: located.path, password: found.password });
    // Child processes (ffmpeg, …) have no business inheriting the password.
    if (found.source === 'env' && !options.env) delete process.env[PASSWORD_ENV];
    return unlocked;
  } catch (err) {
    // A wrong password or a bad key file is the operator's to fix: keep the keystore's code (kind user).
    if (err instanceof KeystoreError) throw new GwError(err.code, `cannot unlock the gateway account: ${err.message}`, { cause: err });
    throw err;
  }
}

function sameFunds(a: ChainSnapshot, b: ChainSnapshot): boolean {
  const x = a.sender?.info;
  const y = b.sender?.info;
  return x?.deposit === y?.deposit && x?.reserve.fundsRemaining === y?.reserve.fundsRemaining;
}

function sameSender(a: ChainSnapshot, b: ChainSnapshot): boolean {
  const x = a.sender?.info;
  const y = b.sender?.info;
  return (
    a.currentRound === b.currentRound &&
    a.sender?.state === b.sender?.state &&
    x?.deposit === y?.deposit &&
    x?.withdrawRound === y?.withdrawRound &&
    x?.reserve.fundsRemaining === y?.reserve.fundsRemaining
  );
}

/**
 * Starts the chain module: resolves the network, unlocks the account (fails at once with a clear message when
 * no password source exists), connects, reads the first snapshot and watches. Null when the gateway is off-chain.
 */
export async function startGatewayChain(options: GatewayChainOptions): Promise<GatewayChain | null> {
  const { config, bus } = options;
  // The daemon may already pass a child logger for this module.
  const log = options.log.bindings().module ? options.log : options.log.child({ module: 'chain' });
  const opt = <K extends 'network' | 'ethUrl' | 'ethController' | 'keystore' | 'ethAddr'>(key: K) => config.get(key) || undefined;
  const settings = await resolveGatewayChainSettings(
    { network: opt('network'), ethUrl: opt('ethUrl'), ethController: opt('ethController'), keystore: opt('keystore'), ethAddr: opt('ethAddr') },
    options.paths,
  );
  if (!settings) return null;
  const account = await unlockAccount(settings, options);
  const client = await connectChain(settings, account);
  const address = account.address;

  const readSnapshot = async (): Promise<ChainSnapshot> => {
    const [block, currentRound, lastInitializedRound, info] = await Promise.all([
      client.latestBlock(),
      client.currentRound(),
      client.lastInitializedRound(),
      client.getSenderInfo(address),
    ]);
    return { block, currentRound, lastInitializedRound, sender: { address, info, state: senderState(info, currentRound) } };
  };
  let current = await readSnapshot();
  const announce = (s: ChainSnapshot) => {
    const info = s.sender?.info;
    if (!info || !s.sender) return;
    bus.emit({
      type: 'chain.updated',
      depositWei: info.deposit.toString(),
      reserveWei: info.reserve.fundsRemaining.toString(),
      round: s.currentRound.toString(),
      senderState: s.sender.state,
    });
  };
  // Redemptions are found in the TicketBroker's logs, and only looked for when the deposit or reserve moved (a
  // redemption always draws one of them): one getLogs per funding change, not one per poll.
  const redeemedListeners = new Set<(t: RedeemedTicket) => void>();
  const redemptions = { scannedTo: current.block.number, pending: false, scanning: Promise.resolve() as Promise<void>, busy: false, lastError: '' };
  const scanRedemptions = (to: bigint) => {
    if (to <= redemptions.scannedTo) return;
    redemptions.busy = true;
    redemptions.pending = false;
    const from = redemptions.scannedTo + 1n;
    redemptions.scanning = getRedeemedTickets(client.publicClient, client.contracts.ticketBroker, address, from, to)
      .then((found) => {
        redemptions.scannedTo = to;
        redemptions.lastError = '';
        for (const t of found) {
          log.info({ recipient: t.recipient, faceValueWei: t.faceValue.toString(), block: t.blockNumber.toString() }, 'winning ticket redeemed');
          for (const l of redeemedListeners) l(t);
        }
      })
      .catch((err: unknown) => {
        // Tried again at the next poll, from the same block.
        redemptions.pending = true;
        const msg = (err as Error).message;
        if (msg !== redemptions.lastError) log.warn({ err: msg }, 'reading redeemed tickets failed; retrying');
        redemptions.lastError = msg;
      })
      .finally(() => {
        redemptions.busy = false;
        // Funds moved again while this scan ran: look now, the chain may not make another block for a while.
        if (redemptions.pending && redemptions.lastError === '') scanRedemptions(current.block.number);
      });
  };
  const update = (next: ChainSnapshot) => {
    // A slower read must not replace a newer one.
    if (next.block.number < current.block.number) return;
    const changed = !sameSender(current, next);
    if (!sameFunds(current, next)) redemptions.pending = true;
    current = next;
    if (changed) announce(next);
    if (redemptions.busy) return;
    if (redemptions.pending) scanRedemptions(next.block.number);
    else redemptions.scannedTo = next.block.number;
  };
  announce(current);

  const spend = new SpendWindow(DEFAULT_SPEND_WINDOW_MS);
  let maxFace: bigint | null = null;
  const unsubscribe = bus.subscribe((ev) => {
    if (ev.type !== 'tickets.sent' || !/^\d+$/.test(ev.faceValueWei)) return;
    const face = BigInt(ev.faceValueWei);
    if (maxFace === null || face > maxFace) maxFace = face;
  });

  const stop = new AbortController();
  const onAbort = () => stop.abort();
  options.signal.addEventListener('abort', onAbort, { once: true });
  let lastError: string | undefined;
  const watching = client.watch({
    signal: stop.signal,
    intervalMs: options.pollIntervalMs ?? (settings.network === 'devnet' ? 1000 : 4000),
    onEvent: (e) => {
      if (e.type === 'snapshot') {
        lastError = undefined;
        update(e.snapshot);
      } else if (e.type === 'error' && e.error.message !== lastError) {
        lastError = e.error.message;
        log.warn({ err: e.error.message }, 'chain poll failed; retrying');
      }
    },
  });

  const info = current.sender?.info as SenderInfo;
  log.info(
    {
      network: settings.network,
      address,
      controller: settings.controller,
      // Provider URLs often carry an API key in the path: log the host only.
      rpc: new URL(settings.rpcUrl).host,
      account: settings.account.kind === 'dev' ? 'devnet dev account' : account.keyFile,
      depositWei: info.deposit.toString(),
      reserveWei: info.reserve.fundsRemaining.toString(),
      senderState: current.sender?.state,
    },
    'gateway account unlocked',
  );

  const base: ChainAccount = {
    address,
    signer: account.signer,
    settings,
    client,
    senderInfo: () => current.sender?.info as SenderInfo,
    lastInitializedRound: () => current.lastInitializedRound,
    latestL1Block: () => current.block.l1BlockNumber,
    snapshot: () => current,
    async refresh() {
      update(await readSnapshot());
      return current;
    },
    recordSpend: (evWei) => spend.record(evWei),
    maxFaceValueSeen: () => maxFace,
    onRedeemed(listener) {
      redeemedListeners.add(listener);
      return () => redeemedListeners.delete(listener);
    },
    accountView: (o = {}) =>
      readAccountView(client, address, {
        ...(o.poolSize !== undefined ? { poolSize: o.poolSize } : {}),
        depositMultiplier: config.get('depositMultiplier'),
        maxFaceValueSeenWei: maxFace,
        spend: { rate: spend.rate(), windowMs: spend.windowMs },
        source: 'daemon',
      }),
  };
  return {
    ...base,
    async close() {
      unsubscribe();
      options.signal.removeEventListener('abort', onAbort);
      stop.abort();
      await watching;
      await redemptions.scanning;
    },
  };
}
