import { describe, expect, it } from 'vitest';
import { ERROR_KINDS, GwError, isErrorCode, isInternalError } from './errors.js';
import { ChainError } from './chain/errors.js';
import { KeystoreError } from './payments/keystore.js';
import { PaymentValidationError, SenderFundsError } from './payments/senderValidation.js';
import { SegmentError, TransportError, WireError } from './protocol/errors.js';
import { SettingError } from './settings/settings.js';

describe('GwError', () => {
  it('carries a code, the kind of that code, and the standard cause', () => {
    const cause = new Error('socket hang up');
    const e = new GwError('chain_unavailable', 'cannot reach the RPC', { cause });
    expect(e).toBeInstanceOf(Error);
    expect(e.code).toBe('chain_unavailable');
    expect(e.kind).toBe('peer');
    expect(e.cause).toBe(cause);
    expect(e.message).toBe('cannot reach the RPC');
    expect(e.name).toBe('GwError');
    expect('cause' in new GwError('bad_request', 'no cause')).toBe(false);
  });

  it('takes a kind that differs from the code’s usual one', () => {
    expect(new GwError('chain_error', 'x', { kind: 'user' }).kind).toBe('user');
  });

  it('is the root of the existing families, which keep their names, fields and messages', () => {
    const setting = new SettingError('maxAttempts', 'expected an integer');
    expect(setting).toBeInstanceOf(GwError);
    expect([setting.name, setting.key, setting.message, setting.code, setting.kind]).toEqual(['SettingError', 'maxAttempts', 'maxAttempts: expected an integer', 'invalid_setting', 'user']);

    const transport = new TransportError('connect ECONNREFUSED', 'dial', 'refused');
    expect(transport).toBeInstanceOf(WireError);
    expect([transport.name, transport.phase, transport.reason, transport.code, transport.kind]).toEqual(['TransportError', 'dial', 'refused', 'orchestrator_unreachable', 'peer']);
    expect(new SegmentError('UnknownResponse', { paymentSpent: true }).paymentSpent).toBe(true);

    // domain codes stay what they were; whose fault follows from them
    expect(new KeystoreError('wrong_password', 'could not decrypt key with given password')).toMatchObject({ name: 'KeystoreError', code: 'wrong_password', kind: 'user' });
    expect(new SenderFundsError('no_deposit', 'no sender deposit')).toMatchObject({ code: 'no_deposit', kind: 'user', stopsStream: true });
    expect(new PaymentValidationError('face_value_too_high', 'too high')).toMatchObject({ code: 'face_value_too_high', kind: 'peer', stopsStream: false });
    expect(new ChainError('TicketBroker.unlock reverted: sender is unlocked', { reason: 'sender is unlocked' })).toMatchObject({ code: 'reverted', kind: 'user' });
  });
});

describe('isInternalError', () => {
  it('is true for internal GwErrors and anything that is not a GwError, false for user and peer errors', () => {
    expect(isInternalError(new GwError('internal', 'bug'))).toBe(true);
    expect(isInternalError(new TypeError("Cannot read properties of undefined (reading 'x')"))).toBe(true);
    expect(isInternalError('a string')).toBe(true);
    expect(isInternalError(new GwError('bad_request', 'no'))).toBe(false);
    expect(isInternalError(new GwError('orchestrator_error', 'OrchestratorBusy'))).toBe(false);
  });
});

describe('isErrorCode', () => {
  it('knows every code of the kind table and nothing else', () => {
    for (const code of Object.keys(ERROR_KINDS)) expect(isErrorCode(code)).toBe(true);
    expect(isErrorCode('http_error')).toBe(true);
    expect(isErrorCode('toString')).toBe(false);
    expect(isErrorCode('nope')).toBe(false);
    expect(isErrorCode(undefined)).toBe(false);
  });
});
