// Winning-ticket redemption on the devnet TicketBroker, with tickets hashed and signed here (viem).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createPublicClient,
  createWalletClient,
  encodePacked,
  http,
  keccak256,
  parseEventLogs,
  toHex,
  type Address,
  type Hex,
  type PublicClient,
} from 'viem';
import { privateKeyToAccount, type PrivateKeyAccount } from 'viem/accounts';
import { devnetOwner, advanceRounds, setActiveOrchestrators } from '../../src/devnet/chain/admin.js';
import { deployDevnet, localChainDefinition, type DeployResult } from '../../src/devnet/chain/deploy.js';
import { ticketBrokerAdminAbi } from '../../src/devnet/chain/devnetAbi.js';
import { startLocalChain, type LocalChain } from '../../src/devnet/chain/localChain.js';
import { ticketBrokerAbi } from '../../src/lib/chain/abi.js';
import { revertReason } from '../../src/lib/chain/errors.js';
import { getBlockHashForRound, getLastInitializedRound } from '../../src/lib/chain/rounds.js';
import { fundDepositAndReserve, getClaimedReserve, getSenderInfo, waitForTx } from '../../src/lib/chain/ticketBroker.js';
import { parseEth } from '../../src/lib/payments/units.js';

const MAX_WIN_PROB = 2n ** 256n - 1n;

let chain: LocalChain;
let deployed: DeployResult;
let client: PublicClient;
let sender: PrivateKeyAccount;
let recipient: Address;
let redeemer: ReturnType<typeof makeWallet>;
let nonce = 0n;

function makeWallet(key: Hex) {
  const c = localChainDefinition(chain.rpcUrl, chain.chainId);
  return createWalletClient({ chain: c, account: privateKeyToAccount(key), transport: http(chain.rpcUrl, { retryCount: 0 }) });
}

interface Ticket {
  recipient: Address;
  sender: Address;
  faceValue: bigint;
  winProb: bigint;
  senderNonce: bigint;
  recipientRandHash: Hex;
  auxData: Hex;
}

function ticketHash(t: Ticket): Hex {
  return keccak256(
    encodePacked(
      ['address', 'address', 'uint256', 'uint256', 'uint256', 'bytes32', 'bytes'],
      [t.recipient, t.sender, t.faceValue, t.winProb, t.senderNonce, t.recipientRandHash, t.auxData],
    ),
  );
}

async function auxDataFor(round: bigint): Promise<Hex> {
  const hash = await getBlockHashForRound(client, deployed.contracts.roundsManager, round);
  return encodePacked(['uint256', 'bytes32'], [round, hash]);
}

async function makeTicket(over: Partial<Ticket> & { rand?: bigint; signer?: PrivateKeyAccount } = {}) {
  const rand = over.rand ?? BigInt(keccak256(toHex(`rand-${Math.random()}`)));
  const round = await getLastInitializedRound(client, deployed.contracts.roundsManager);
  const ticket: Ticket = {
    recipient,
    sender: sender.address,
    faceValue: parseEth('0.01'),
    winProb: MAX_WIN_PROB,
    senderNonce: ++nonce,
    recipientRandHash: keccak256(encodePacked(['uint256'], [rand])),
    auxData: await auxDataFor(round),
    ...Object.fromEntries(Object.entries(over).filter(([k]) => k !== 'rand' && k !== 'signer')),
  };
  const hash = ticketHash(ticket);
  // EIP-191 personal sign over the 32-byte hash, no extra keccak (protocol.md §5).
  const sig = await (over.signer ?? sender).signMessage({ message: { raw: hash } });
  return { ticket, sig, rand, hash };
}

async function redeem(t: { ticket: Ticket; sig: Hex; rand: bigint }, rand = t.rand) {
  const hash = await redeemer.writeContract({
    address: deployed.contracts.ticketBroker,
    abi: ticketBrokerAdminAbi,
    functionName: 'redeemWinningTicket',
    args: [t.ticket, t.sig, rand],
  });
  const receipt = await client.waitForTransactionReceipt({ hash, pollingInterval: 20 });
  expect(receipt.status).toBe('success');
  return parseEventLogs({ abi: ticketBrokerAbi, logs: receipt.logs });
}

async function expectRevert(p: Promise<unknown>, reason: string) {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, `expected revert "${reason}"`).toBeDefined();
  expect(revertReason(err)).toBe(reason);
}

const owner = () => devnetOwner(chain, deployed.contracts);

beforeAll(async () => {
  chain = await startLocalChain();
  deployed = await deployDevnet({
    rpcUrl: chain.rpcUrl,
    chainId: chain.chainId,
    deployerKey: chain.accounts[0]!.privateKey,
    ticketValidityPeriod: 2n,
  });
  client = createPublicClient({
    chain: localChainDefinition(chain.rpcUrl, chain.chainId),
    transport: http(chain.rpcUrl),
    pollingInterval: 20,
  }) as PublicClient;
  sender = privateKeyToAccount(chain.accounts[1]!.privateKey);
  recipient = chain.accounts[2]!.address;
  redeemer = makeWallet(chain.accounts[3]!.privateKey);
  const senderWallet = makeWallet(chain.accounts[1]!.privateKey);
  await waitForTx(
    client,
    await fundDepositAndReserve(senderWallet, deployed.contracts.ticketBroker, parseEth('1'), parseEth('1')),
    { pollingIntervalMs: 20 },
  );
});

afterAll(async () => {
  await chain?.stop();
});

describe('redeemWinningTicket', () => {
  it('our packed ticket hash equals the contract getTicketHash', async () => {
    const t = await makeTicket();
    const onChain = await client.readContract({
      address: deployed.contracts.ticketBroker,
      abi: ticketBrokerAdminAbi,
      functionName: 'getTicketHash',
      args: [t.ticket],
    });
    expect(onChain).toBe(t.hash);
    expect(t.ticket.auxData.length).toBe(2 + 128);
  });

  it('a winning ticket pays faceValue from the deposit to the recipient', async () => {
    const t = await makeTicket({ faceValue: parseEth('0.25') });
    const recipientBefore = await client.getBalance({ address: recipient });
    const logs = await redeem(t);
    expect(await client.getBalance({ address: recipient })).toBe(recipientBefore + parseEth('0.25'));
    const info = await getSenderInfo(client, deployed.contracts.ticketBroker, sender.address);
    expect(info.deposit).toBe(parseEth('0.75'));
    expect(info.reserve.fundsRemaining).toBe(parseEth('1'));
    const names = logs.map((l) => l.eventName);
    expect(names).toEqual(['WinningTicketTransfer', 'WinningTicketRedeemed']);
    const redeemed = logs.find((l) => l.eventName === 'WinningTicketRedeemed');
    expect(redeemed?.args).toMatchObject({
      sender: sender.address,
      recipient,
      faceValue: parseEth('0.25'),
      senderNonce: t.ticket.senderNonce,
      recipientRand: t.rand,
      auxData: t.ticket.auxData,
    });
    expect(
      await client.readContract({
        address: deployed.contracts.ticketBroker,
        abi: ticketBrokerAdminAbi,
        functionName: 'usedTickets',
        args: [t.hash],
      }),
    ).toBe(true);
  });

  it('replaying the same ticket reverts', async () => {
    const t = await makeTicket();
    await redeem(t);
    await expectRevert(redeem(t), 'ticket is used');
  });

  it('a wrong recipientRand reverts', async () => {
    const t = await makeTicket();
    await expectRevert(redeem(t, t.rand + 1n), 'recipientRand does not match recipientRandHash');
  });

  it('a losing ticket (winProb 0) reverts', async () => {
    await expectRevert(redeem(await makeTicket({ winProb: 0n })), 'ticket did not win');
  });

  it('a ticket signed by someone else reverts', async () => {
    const other = privateKeyToAccount(chain.accounts[6]!.privateKey);
    await expectRevert(redeem(await makeTicket({ signer: other })), 'invalid signature over ticket hash');
  });

  it('bad auxData reverts: wrong block hash, unknown round, wrong length', async () => {
    const round = await getLastInitializedRound(client, deployed.contracts.roundsManager);
    const wrongHash = encodePacked(['uint256', 'bytes32'], [round, keccak256('0x01')]);
    await expectRevert(redeem(await makeTicket({ auxData: wrongHash })), 'ticket creationRoundBlockHash invalid for creationRound');
    const unknownRound = encodePacked(['uint256', 'bytes32'], [round + 50n, keccak256('0x01')]);
    await expectRevert(redeem(await makeTicket({ auxData: unknownRound })), 'ticket creationRound does not have a block hash');
    await expectRevert(redeem(await makeTicket({ auxData: '0x' })), 'invalid length for ticket auxData: must be 64 bytes');
  });

  it('a zero recipient reverts', async () => {
    await expectRevert(
      redeem(await makeTicket({ recipient: '0x0000000000000000000000000000000000000000' })),
      'ticket recipient is null address',
    );
  });

  it('faceValue above the deposit takes the rest from the reserve, capped at the recipient share', async () => {
    await setActiveOrchestrators(owner(), 2n);
    let info = await getSenderInfo(client, deployed.contracts.ticketBroker, sender.address);
    const deposit = info.deposit; // 0.74
    expect(deposit).toBe(parseEth('0.74'));
    // share = 1 ETH reserve / 2 = 0.5; the ticket asks deposit + 0.6 → gets deposit + 0.5
    const before = await client.getBalance({ address: recipient });
    const logs = await redeem(await makeTicket({ faceValue: deposit + parseEth('0.6') }));
    expect(await client.getBalance({ address: recipient })).toBe(before + deposit + parseEth('0.5'));
    const claimed = logs.find((l) => l.eventName === 'ReserveClaimed');
    expect(claimed?.args).toEqual({ reserveHolder: sender.address, claimant: recipient, amount: parseEth('0.5') });
    info = await getSenderInfo(client, deployed.contracts.ticketBroker, sender.address);
    expect(info.deposit).toBe(0n);
    expect(info.reserve).toEqual({ fundsRemaining: parseEth('0.5'), claimedInCurrentRound: parseEth('0.5') });
    expect(await getClaimedReserve(client, deployed.contracts.ticketBroker, sender.address, recipient)).toBe(parseEth('0.5'));

    // The share is spent for this round: a further winning ticket transfers nothing but is still consumed.
    const again = await redeem(await makeTicket({ faceValue: parseEth('0.1') }));
    expect(again.map((l) => l.eventName)).toEqual(['WinningTicketRedeemed']);

    // Another orchestrator still has its own share.
    const other = chain.accounts[7]!.address;
    const otherBefore = await client.getBalance({ address: other });
    await redeem(await makeTicket({ recipient: other, faceValue: parseEth('0.2') }));
    expect(await client.getBalance({ address: other })).toBe(otherBefore + parseEth('0.2'));
  });

  it('a ticket from an old round expires after ticketValidityPeriod rounds', async () => {
    const old = await makeTicket({ faceValue: 1n });
    await advanceRounds(owner(), 1n);
    // creationRound + 2 > currentRound still holds one round later
    await redeem(old);
    const older = await makeTicket({ faceValue: 1n });
    await advanceRounds(owner(), 2n);
    await expectRevert(redeem(older), 'ticket is expired');
    // A ticket on the new round's hash is fine (the reserve share resets in the new round).
    const fresh = await makeTicket({ faceValue: 2n });
    const logs = await redeem(fresh);
    expect(logs.map((l) => l.eventName)).toContain('WinningTicketRedeemed');
  });

  it('an uninitialized current round blocks redemption', async () => {
    const t = await makeTicket({ faceValue: 1n });
    await advanceRounds(owner(), 1n, false);
    await expectRevert(redeem(t), 'current round is not initialized');
  });
});
