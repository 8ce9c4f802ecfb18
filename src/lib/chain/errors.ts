// One error type for chain reads and writes, with the contract's revert reason when there is one.
import {
  BaseError,
  ContractFunctionRevertedError,
  HttpRequestError,
  InsufficientFundsError,
  TimeoutError,
  WaitForTransactionReceiptTimeoutError,
  WebSocketRequestError,
} from 'viem';
import { GwError } from '../errors.js';

/** What went wrong with a chain call; decided where the error is made, so nothing downstream reads its message. */
export type ChainErrorCode = 'reverted' | 'insufficient_funds' | 'chain_unavailable' | 'chain_error' | 'invalid_setting' | 'invalid_amount';

/** A failed chain call; `reason` is the contract's revert string when the node returned one. */
export class ChainError extends GwError {
  declare readonly code: ChainErrorCode;
  readonly reason: string | undefined;
  constructor(message: string, options: { cause?: unknown; reason?: string; code?: ChainErrorCode } = {}) {
    super(options.code ?? (options.reason !== undefined ? 'reverted' : 'chain_error'), message, { cause: options.cause });
    this.name = 'ChainError';
    this.reason = options.reason;
  }
}

/** Revert reason carried by a viem error chain, if any. */
export function revertReason(err: unknown): string | undefined {
  if (!(err instanceof BaseError)) return undefined;
  const reverted = err.walk((e) => e instanceof ContractFunctionRevertedError);
  if (reverted instanceof ContractFunctionRevertedError) {
    return reverted.reason ?? reverted.data?.errorName;
  }
  // Some nodes only put the reason in the message text.
  const m = /reverted with reason string '([^']*)'/.exec(err.message);
  return m?.[1];
}

/** Wrap any error from `action` (e.g. "TicketBroker.unlock") into a ChainError with a short message. */
export function toChainError(action: string, err: unknown): ChainError {
  if (err instanceof ChainError) return err;
  const reason = revertReason(err);
  if (reason !== undefined) return new ChainError(`${action} reverted: ${reason}`, { cause: err, reason });
  if (err instanceof BaseError) {
    if (err.walk((e) => e instanceof InsufficientFundsError) instanceof InsufficientFundsError) {
      return new ChainError(`${action} failed: insufficient ETH for the amount plus gas`, { cause: err, code: 'insufficient_funds' });
    }
    const http = err.walk((e) => e instanceof HttpRequestError || e instanceof WebSocketRequestError);
    if (http instanceof HttpRequestError || http instanceof WebSocketRequestError) {
      return new ChainError(`${action} failed: cannot reach the Ethereum RPC at ${http.url}`, { cause: err, code: 'chain_unavailable' });
    }
    if (err.walk((e) => e instanceof TimeoutError || e instanceof WaitForTransactionReceiptTimeoutError) instanceof BaseError) {
      return new ChainError(`${action} failed: ${err.shortMessage}`, { cause: err, code: 'chain_unavailable' });
    }
    return new ChainError(`${action} failed: ${err.shortMessage}`, { cause: err });
  }
  return new ChainError(`${action} failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
}
