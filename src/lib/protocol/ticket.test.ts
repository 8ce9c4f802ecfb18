import { describe, expect, it } from 'vitest';
import { Wallet, solidityPackedKeccak256 } from 'ethers';
import {
  MAX_WIN_PROB,
  type Ticket,
  auxData,
  isWinningTicket,
  recipientRandHash,
  ticketEV,
  ticketHash,
  winProbForEV,
  winProbRat,
} from './ticket.js';
import { addressToBytes } from './address.js';
import { bytesToBigint, bytesToHex, hexToBytes, utf8 } from './encoding.js';
import { ZERO_HASH, keccak256 } from './hash.js';
import { localSigner, verifySig } from './signer.js';

const ZERO20 = new Uint8Array(20);

function ticket(over: Partial<Ticket>): Ticket {
  return {
    recipient: ZERO20,
    sender: ZERO20,
    faceValue: 0n,
    winProb: 0n,
    senderNonce: 0,
    recipientRandHash: ZERO_HASH,
    creationRound: 0n,
    creationRoundBlockHash: ZERO_HASH,
    ...over,
  };
}

function ethersHash(t: Ticket): string {
  const aux = auxData(t.creationRound, t.creationRoundBlockHash);
  return solidityPackedKeccak256(
    ['address', 'address', 'uint256', 'uint256', 'uint256', 'bytes32', 'bytes'],
    ['0x' + bytesToHex(t.recipient), '0x' + bytesToHex(t.sender), t.faceValue, t.winProb, BigInt(t.senderNonce),
      '0x' + bytesToHex(t.recipientRandHash), '0x' + bytesToHex(aux)],
  ).slice(2);
}

describe('ticket hash (vector A, pm/ticket_test.go TestHash)', () => {
  const cases: [Partial<Ticket>, string][] = [
    [{ senderNonce: 4294967295 }, 'e1393fc7f6de093780674022f96cb8e3872235167d037c04d554e58c0e63d280'],
    [{ senderNonce: 1 }, 'ce0918ba94518293e9712effbe5fca4f1f431089833a5b8c257cb1e024595f68'],
    [{ faceValue: 1n, winProb: 500n }, '87ef13f2d37e4d5352a01d3c77b8179d80e0887f1953bfabfd0bfd7b0f689ddd'],
    [{ faceValue: 500n, winProb: 1n }, 'aa4b35071043587992ac8b9dd1b2cf1d8311130e6458cf0b2342484e21af5f5b'],
    [{ recipient: addressToBytes('0x73AEd7b5dEb30222fa896f399d46cC99c7BEe57F') }, '81e353ae39046e2b77b9f996abbaeed527fda559b61ef90f299c4499dd508ccc'],
    [
      { recipientRandHash: hexToBytes('41b1a0649752af1b28b3dc29a1556eee781e4a4c3a1f7f53f90fa834de098c4d') },
      'be5eaf9a49a39540b9bb02f1a21904f61324a29819e2c032824bfaa10c100b17',
    ],
  ];
  it.each(cases)('%o', (over, want) => {
    const t = ticket(over);
    expect(bytesToHex(ticketHash(t))).toBe(want);
    expect(ethersHash(t)).toBe(want);
  });

  it('rejects wrong-length binary fields', () => {
    expect(() => ticketHash(ticket({ recipient: new Uint8Array(19) }))).toThrow('recipient');
    expect(() => ticketHash(ticket({ recipientRandHash: new Uint8Array(31) }))).toThrow('recipientRandHash');
  });
});

describe('auxData (vector B, TestAuxData)', () => {
  const blk = hexToBytes('7624778dedc75f8b322b9fa1632a610d40b85e106c7d9bf0e743a9ce291b9c6f');
  const five = '0000000000000000000000000000000000000000000000000000000000000005';
  it('round 0 + block hash → 32 zero bytes ‖ hash', () => {
    expect(bytesToHex(auxData(0n, blk))).toBe('00'.repeat(32) + bytesToHex(blk));
  });
  it('round 5 + zero hash → uint256(5) ‖ 32 zero bytes', () => {
    expect(bytesToHex(auxData(5n, ZERO_HASH))).toBe(five + '00'.repeat(32));
  });
  it('round 0 + zero hash → empty', () => {
    expect(auxData(0n, ZERO_HASH).length).toBe(0);
  });
  it('round 5 + block hash', () => {
    expect(bytesToHex(auxData(5n, blk))).toBe(five + bytesToHex(blk));
  });
});

describe('EV and win probability (vector C, TestEV / TestWinProbRat)', () => {
  it('EV', () => {
    expect(ticketEV(1000n, MAX_WIN_PROB / 2n).toDecimalString(0)).toBe('500');
    expect(ticketEV(1000n, MAX_WIN_PROB).toDecimalString(0)).toBe('1000');
    expect(ticketEV(1000n, MAX_WIN_PROB).eq(1000n)).toBe(true);
    expect(ticketEV(1000n, 0n).isZero()).toBe(true);
    expect(ticketEV(0n, MAX_WIN_PROB).isZero()).toBe(true);
  });
  it('win probability', () => {
    expect(MAX_WIN_PROB).toBe(2n ** 256n - 1n);
    expect(winProbRat(MAX_WIN_PROB / 2n).toDecimalString(1)).toBe('0.5');
    expect(winProbRat(MAX_WIN_PROB / 4n).toDecimalString(2)).toBe('0.25');
  });
  it("O's formula: max when faceValue = EV, else EV × ⌈max/faceValue⌉", () => {
    expect(winProbForEV(1000n, 1000n)).toBe(MAX_WIN_PROB);
    expect(winProbForEV(8_000_000_000n, 10n ** 15n)).toBe(
      926336713898529563388567880069503262826159877325124512315660680000000000n,
    );
    expect(winProbForEV(8_000_000_000n, 10n ** 15n).toString(16)).toBe(
      '8637bd05af6c69b5a63f9a49c2c1b10fd7e45803cd141a6937d3d7755000',
    );
    expect(winProbForEV(0n, 0n)).toBe(0n);
    // EV of the resulting ticket is at least the target, by less than one face value × 2^-256 per ev unit
    const ev = ticketEV(10n ** 15n, winProbForEV(8_000_000_000n, 10n ** 15n));
    expect(ev.gte(8_000_000_000n)).toBe(true);
    expect(ev.floor()).toBe(8_000_000_000n);
  });
});

describe('vector H2: end-to-end ticket', () => {
  const signer = localSigner('ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80');
  const winProb = winProbForEV(8_000_000_000n, 10n ** 15n);
  const rrh = recipientRandHash(12345n);
  const t: Ticket = {
    recipient: addressToBytes('0x70997970C51812dc3A010C7d01b50e0d17dc79C8'),
    sender: addressToBytes(signer.address),
    faceValue: 10n ** 15n,
    winProb,
    senderNonce: 1,
    recipientRandHash: rrh,
    creationRound: 3500n,
    creationRoundBlockHash: keccak256(utf8('block')),
  };

  it('recipientRandHash and block hash', () => {
    expect(bytesToHex(rrh)).toBe('e546b0a52c2879744f6def0fb483d581dc6d205de83af8440456804dd8b62380');
    expect(bytesToHex(t.creationRoundBlockHash)).toBe('20b53acf0daefc8c6ad68c861fb3b543ca541abd101abc1edfcbf6606b838ef4');
  });

  it('ticket hash (and ethers solidityPackedKeccak256)', () => {
    const want = '09bef5bf46bd9250ed05840549b4331b2c39c30a01e85aa6938cdf873ac31977';
    expect(bytesToHex(ticketHash(t))).toBe(want);
    expect(ethersHash(t)).toBe(want);
  });

  it('ticket sig = account-sign(hash), no extra keccak; same as ethers', async () => {
    const h = ticketHash(t);
    const sig = await signer.signHash(h);
    expect(bytesToHex(sig)).toBe(
      'c7ebc21f4d44f7f253b2f91bd9f18181e724c82e228726c055a9d8f1c0b42f44605a633d3123222e6db56f6262060897ed8d3c5ac6f6b86c9172f0a2e70202d31c',
    );
    expect(new Wallet('0x' + 'ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80').signMessageSync(h).slice(2)).toBe(bytesToHex(sig));
    expect(verifySig(signer.address, h, sig)).toEqual({ ok: true });
  });

  it('winning check compares keccak256(sig ‖ uint256(rand)) with winProb', async () => {
    const sig = await signer.signHash(ticketHash(t));
    const buf = new Uint8Array(97);
    buf.set(sig);
    const randWord = hexToBytes(12345n.toString(16).padStart(64, '0'));
    buf.set(randWord, 65);
    const v = bytesToBigint(keccak256(buf));
    expect(isWinningTicket(sig, 12345n, v)).toBe(false);
    expect(isWinningTicket(sig, 12345n, v + 1n)).toBe(true);
    expect(isWinningTicket(sig, 12345n, MAX_WIN_PROB)).toBe(v < MAX_WIN_PROB);
    expect(isWinningTicket(sig, 12345n, 0n)).toBe(false);
  });
});
