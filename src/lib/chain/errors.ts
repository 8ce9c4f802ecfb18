// One error type for chain reads and writes, with the contract's revert reason when there is one.
import { BaseError, ContractFunctionRevertedError, InsufficientFundsError, HttpRequestError } from 'viem';

/** A failed chain call; `reason` is the contract's revert string when the node returned one. */
export class ChainError extends Error {
  readonly reason: string | undefined;
  constructor(message: string, options: { cause?: unknown; reason?: string } = {}) {
    super(message, { cause: options.cause });
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
      return new ChainError(`${action} failed: insufficient ETH for the amount plus gas`, { cause: err });
    }
    const http = err.walk((e) => e instanceof HttpRequestError);
    if (http instanceof HttpRequestError) {
      return new ChainError(`${action} failed: cannot reach the Ethereum RPC at ${http.url}`, { cause: err });
    }
    return new ChainError(`${action} failed: ${err.shortMessage}`, { cause: err });
  }
  return new ChainError(`${action} failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
}
