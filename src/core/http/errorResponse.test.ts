import { describe, expect, it } from 'vitest';
import { ERROR_KINDS, GwError, type ErrorCode } from '../../lib/errors.js';
import { HTTP_STATUS, INTERNAL_MESSAGE, errorResponse, httpStatusFor } from './errorResponse.js';

function recorder() {
  const lines: Array<{ obj: Record<string, unknown>; msg: string }> = [];
  return { lines, log: { error: (obj: Record<string, unknown>, msg: string) => void lines.push({ obj, msg }) } as never };
}

describe('httpStatusFor', () => {
  it('has a status for exactly the codes of the kind table (both total over ErrorCode)', () => {
    expect(Object.keys(HTTP_STATUS).sort()).toEqual(Object.keys(ERROR_KINDS).sort());
  });

  it('never blames the caller (4xx) for a peer or internal error, nor answers a user error with 500', () => {
    for (const [code, kind] of Object.entries(ERROR_KINDS) as Array<[ErrorCode, string]>) {
      const status = httpStatusFor(code);
      expect(status, code).toBeGreaterThanOrEqual(kind === 'user' ? 400 : 500);
      expect(status, code).toBeLessThan(600);
      if (kind === 'user') expect(status, code).not.toBe(500);
    }
  });

  it('keeps the statuses the control API and go-livepeer answered before', () => {
    expect(httpStatusFor('bad_json')).toBe(400);
    expect(httpStatusFor('unauthorized')).toBe(401);
    expect(httpStatusFor('method_not_allowed')).toBe(405);
    expect(httpStatusFor('body_too_large')).toBe(413);
    expect(httpStatusFor('offchain')).toBe(409);
    expect(httpStatusFor('reverted')).toBe(409);
    expect(httpStatusFor('insufficient_funds')).toBe(409);
    expect(httpStatusFor('bad_amount')).toBe(400);
    expect(httpStatusFor('chain_unavailable')).toBe(503);
    expect(httpStatusFor('internal')).toBe(500);
    expect(httpStatusFor('no_sessions')).toBe(503);
    expect(httpStatusFor('bad_segment')).toBe(422);
    expect(httpStatusFor('max_attempts')).toBe(500);
    expect(httpStatusFor('forbidden')).toBe(403);
  });
});

describe('errorResponse', () => {
  it('answers a user or peer error with its code, status and own message, and logs nothing', () => {
    const { lines, log } = recorder();
    expect(errorResponse(new GwError('chain_unavailable', 'cannot reach the Ethereum RPC'), log)).toEqual({
      status: 503,
      body: { error: { code: 'chain_unavailable', message: 'cannot reach the Ethereum RPC' } },
    });
    expect(lines).toEqual([]);
  });

  it('answers a bug as 500 internal with a generic message, and logs it with its stack', () => {
    const { lines, log } = recorder();
    const bug = new TypeError("Cannot read properties of undefined (reading 'secret')");
    const r = errorResponse(bug, log, { path: '/v1/status' });
    expect(r).toEqual({ status: 500, body: { error: { code: 'internal', message: INTERNAL_MESSAGE } } });
    expect(r.body.error.message).not.toContain('secret');
    expect(lines).toHaveLength(1);
    expect(lines[0]!.obj.err).toBe(bug);
    expect(lines[0]!.obj.path).toBe('/v1/status');
    expect((lines[0]!.obj.err as Error).stack).toContain('errorResponse.test.ts');
  });

  it('treats a GwError of kind internal and a thrown non-Error as bugs too', () => {
    const { lines, log } = recorder();
    expect(errorResponse(new GwError('bad_request', 'x', { kind: 'internal' }), log).status).toBe(500);
    expect(errorResponse('thrown string', log).body.error.code).toBe('internal');
    expect(lines).toHaveLength(2);
    expect((lines[1]!.obj.err as Error).message).toBe('thrown string');
  });
});
