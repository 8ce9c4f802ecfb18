import { BaseError, ContractFunctionRevertedError, HttpRequestError, InsufficientFundsError, TimeoutError, WaitForTransactionReceiptTimeoutError, parseAbi } from 'viem';
import { describe, expect, it } from 'vitest';
import { ChainError, toChainError } from './errors.js';

const RPC = 'http://127.0.0.1:8545';

describe('toChainError', () => {
  it('classifies an unreachable RPC by viem’s error type, however deep in the chain', () => {
    const e = toChainError('TicketBroker.getSenderInfo', new BaseError('call failed', { cause: new HttpRequestError({ url: RPC, details: 'fetch failed' }) }));
    expect(e).toMatchObject({ code: 'chain_unavailable', kind: 'peer' });
    expect(e.message).toBe(`TicketBroker.getSenderInfo failed: cannot reach the Ethereum RPC at ${RPC}`);
  });

  it('classifies a timed-out request or receipt wait as unavailable', () => {
    expect(toChainError('eth_blockNumber', new TimeoutError({ body: { method: 'eth_blockNumber' }, url: RPC })).code).toBe('chain_unavailable');
    expect(toChainError('waiting for transaction', new WaitForTransactionReceiptTimeoutError({ hash: `0x${'ab'.repeat(32)}` })).code).toBe('chain_unavailable');
  });

  it('classifies missing ETH as insufficient funds, a user error', () => {
    const e = toChainError('TicketBroker.fundDeposit', new BaseError('send failed', { cause: new InsufficientFundsError() }));
    expect(e).toMatchObject({ code: 'insufficient_funds', kind: 'user', message: 'TicketBroker.fundDeposit failed: insufficient ETH for the amount plus gas' });
  });

  it('classifies a revert with its reason', () => {
    const abi = parseAbi(['function unlock()']);
    const reverted = new ContractFunctionRevertedError({ abi, functionName: 'unlock', message: 'sender is unlocked' });
    const e = toChainError('TicketBroker.unlock', new BaseError('unlock failed', { cause: reverted }));
    expect(e).toMatchObject({ code: 'reverted', kind: 'user', reason: 'sender is unlocked' });
  });

  it('does not read the message: words like "timed out" or "insufficient ETH" in other errors change nothing', () => {
    expect(toChainError('x', new Error('the request timed out: cannot reach insufficient ETH')).code).toBe('chain_error');
    expect(toChainError('x', new BaseError('took too long, insufficient ETH')).code).toBe('chain_error');
    expect(new ChainError('cannot reach anything').code).toBe('chain_error');
  });

  it('passes a ChainError through with its code', () => {
    const e = new ChainError('no gateway account', { code: 'invalid_setting' });
    expect(toChainError('y', e)).toBe(e);
    expect(e.kind).toBe('user');
  });
});
