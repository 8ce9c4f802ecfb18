import { describe, expect, it } from 'vitest';
import { toEventSelector, toFunctionSelector, type Abi, type AbiEvent, type AbiFunction, type AbiParameter } from 'viem';
import artifactsJson from '../../devnet/chain/artifacts.json' with { type: 'json' };
import { compileContracts } from '../../devnet/chain/compile.js';
import {
  bondingManagerAdminAbi,
  controllerAdminAbi,
  priceFeedAdminAbi,
  roundsManagerAdminAbi,
  serviceRegistryAdminAbi,
  ticketBrokerAdminAbi,
} from '../../devnet/chain/devnetAbi.js';
import {
  bondingManagerAbi,
  controllerAbi,
  roundsManagerAbi,
  serviceRegistryAbi,
  ticketBrokerAbi,
} from './abi.js';
import { contractId } from './controller.js';
import { aggregatorV3Abi } from '../../core/chain/priceFeed.js';

const artifacts = artifactsJson as unknown as { contracts: Record<string, { abi: Abi; bytecode: string }> };

function typeOf(p: AbiParameter): string {
  if ('components' in p && p.components) return `(${p.components.map(typeOf).join(',')})${p.type.slice(5)}`;
  return p.type;
}
function describeParam(p: AbiParameter): string {
  const base = `${typeOf(p)}`;
  return 'components' in p && p.components ? `${base}{${p.components.map((c) => c.name).join(',')}}` : base;
}
function fnKey(f: AbiFunction): string {
  return `${f.name}(${f.inputs.map(typeOf).join(',')})`;
}
function fnShape(f: AbiFunction) {
  return { stateMutability: f.stateMutability, outputs: f.outputs.map(describeParam) };
}
function evKey(e: AbiEvent): string {
  return `${e.name}(${e.inputs.map((i) => `${typeOf(i)}${i.indexed ? ' indexed' : ''}`).join(',')})`;
}

function compiledAbi(name: string): Abi {
  const c = artifacts.contracts[name];
  if (!c) throw new Error(`missing ${name}`);
  return c.abi;
}

const pairs: [string, Abi][] = [
  ['Controller', controllerAbi],
  ['Controller', controllerAdminAbi],
  ['TicketBroker', ticketBrokerAbi],
  ['TicketBroker', ticketBrokerAdminAbi],
  ['RoundsManager', roundsManagerAbi],
  ['RoundsManager', roundsManagerAdminAbi],
  ['BondingManager', bondingManagerAbi],
  ['BondingManager', bondingManagerAdminAbi],
  ['ServiceRegistry', serviceRegistryAbi],
  ['ServiceRegistry', serviceRegistryAdminAbi],
  ['DevnetPriceFeed', aggregatorV3Abi],
  ['DevnetPriceFeed', priceFeedAdminAbi],
];

describe('devnet artifacts', () => {
  it('artifacts.json is up to date with the Solidity sources', () => {
    const fresh = compileContracts();
    expect(Object.keys(fresh.contracts).sort()).toEqual([
      'BondingManager',
      'Controller',
      'DevnetPriceFeed',
      'RoundsManager',
      'ServiceRegistry',
      'TicketBroker',
    ]);
    expect(JSON.parse(JSON.stringify(fresh))).toEqual(artifactsJson);
  });

  it.each(pairs.map(([name, abi], i) => [i, name, abi] as const))('TS ABI #%i matches compiled %s', (_i, name, abi) => {
    const compiled = compiledAbi(name);
    const compiledFns = new Map(
      compiled.filter((x): x is AbiFunction => x.type === 'function').map((f) => [fnKey(f), fnShape(f)]),
    );
    const compiledEvents = new Set(compiled.filter((x): x is AbiEvent => x.type === 'event').map(evKey));
    let checked = 0;
    for (const item of abi) {
      if (item.type === 'function') {
        expect(compiledFns.get(fnKey(item)), `${name}.${fnKey(item)}`).toEqual(fnShape(item));
        checked++;
      } else if (item.type === 'event') {
        expect(compiledEvents.has(evKey(item)), `${name} event ${evKey(item)}`).toBe(true);
        checked++;
      }
    }
    expect(checked).toBe(abi.length);
  });
});

describe('selectors and ids match Livepeer mainnet (operators.md §6)', () => {
  const selector = (abi: Abi, name: string) => {
    const f = abi.find((x): x is AbiFunction => x.type === 'function' && x.name === name);
    if (!f) throw new Error(name);
    return toFunctionSelector(f);
  };

  it('function selectors', () => {
    expect(selector(controllerAbi, 'getContract')).toBe('0xe16c7d98');
    expect(selector(controllerAbi, 'getContractInfo')).toBe('0x613e2de2');
    const tb: Record<string, string> = {
      fundDeposit: '0x6caa736b',
      fundReserve: '0x6f9c3c8f',
      fundDepositAndReserve: '0x511f4073',
      fundDepositAndReserveFor: '0x989f789c',
      unlock: '0xa69df4b5',
      cancelUnlock: '0xc2c4c2c8',
      withdraw: '0x3ccfd60b',
      getSenderInfo: '0xe1a589da',
      getReserveInfo: '0x5b6333eb',
      isUnlockInProgress: '0x121cdcc2',
      claimedReserve: '0x4ac826da',
      unlockPeriod: '0x20d3a0b4',
      ticketValidityPeriod: '0x856a2cf8',
    };
    for (const [name, sel] of Object.entries(tb)) expect(selector(ticketBrokerAbi, name), name).toBe(sel);
    expect(selector(roundsManagerAbi, 'currentRound')).toBe('0x8a19c8bc');
    expect(selector(roundsManagerAbi, 'lastInitializedRound')).toBe('0x8807f36e');
    expect(selector(roundsManagerAbi, 'blockHashForRound')).toBe('0x3aa4add4');
  });

  it('event topics', () => {
    const topics: Record<string, string> = {
      DepositFunded: '0x5159e237d952190e68d5215430f305831be7c9c8776d1377c76679ae4773413f',
      ReserveFunded: '0xb52b99b9e83551fcbd069b559cc3e823e2a1a3bad8ece46561ea77524394c850',
      Unlock: '0xf7870c5b224cbc19873599e46ccfc7103934650509b1af0c3ce90138377c2004',
      UnlockCancelled: '0xfa044b7b93a40365dc68049797c2eb06918523d694e5d56e406cac3eb35578e5',
      Withdrawal: '0xdf273cb619d95419a9cd0ec88123a0538c85064229baa6363788f743fff90deb',
      WinningTicketRedeemed: '0xc389eb51ed006dbf2528507f010efdf5225ea596e1e1741d74f550dab1925ee7',
      WinningTicketTransfer: '0x8b87351a208c06e3ceee59d80725fd77a23b4129e1b51ca231fc89b40712649c',
      ReserveClaimed: '0x5c2b394723f408a40a60335e24b71829642e35f350cebe2036a96a66e895ea98',
    };
    const events = ticketBrokerAbi.filter((x) => x.type === 'event');
    expect(events.map((e) => e.name).sort()).toEqual(Object.keys(topics).sort());
    for (const e of events) expect(toEventSelector(e), e.name).toBe(topics[e.name]);
  });

  it('Controller ids are keccak256(name)', () => {
    expect(contractId('TicketBroker')).toBe('0xbd1aa3e8d2464256d7fd3dcf645c16418d5d8c51d971f1ad7d57e7b1b5eee239');
    expect(contractId('BondingManager')).toBe('0x2517d59a36a86548e38734e8ab416f42afff4bca78706a66ad65750dae7f9e37');
    expect(contractId('RoundsManager')).toBe('0xe8438ea868df48e3fc21f2f087b993c9b1837dc0f6135064161ce7d7a1701fe8');
    expect(contractId('ServiceRegistry')).toBe('0x79c5d2a4a07754f4bacb0ffba18ac516030ee589ebc89db8627680c4d4cdb230');
  });
});
