// The orchestrator's BYOC JobToken (GET /process/token; go-livepeer byoc/types.go) parsed into typed values: Go's
// encoding/json of net.TicketParams (snake_case keys, bytes as base64) and net.PriceInfo (pricePerUnit,
// pixelsPerUnit, capability, constraint), the int64 balance and the nonce to continue from. Pure.
import { create } from '@bufbuild/protobuf';
import { type PriceInfo, PriceInfoSchema, type TicketParams, TicketParamsSchema } from '../../lib/protocol/gen/net/lp_rpc_pb.js';
import { Rational } from '../../lib/protocol/rational.js';
import { GwError } from '../../lib/errors.js';

export interface JobToken {
  readonly senderAddress: { readonly addr: string; readonly sig: string } | undefined;
  readonly ticketParams: TicketParams | undefined;
  /** O's balance for (sender, capability), whole wei. */
  readonly balance: bigint;
  readonly price: PriceInfo | undefined;
  /** Where to send the job. */
  readonly serviceAddr: string;
  readonly availableCapacity: number;
  /** Ticket nonces continue after this one. */
  readonly lastNonce: number;
}

/** A token that cannot be used. */
export class JobTokenError extends GwError {
  constructor(message: string) {
    super('bad_job_token', message);
    this.name = 'JobTokenError';
  }
}

const INT_FIELDS = /"(balance|pricePerUnit|pixelsPerUnit|creation_round|available_capacity|LastNonce)"\s*:\s*(-?\d+)/g;

function bytes(v: unknown, field: string): Uint8Array {
  if (v === undefined || v === null) return new Uint8Array(0);
  if (typeof v !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(v)) throw new JobTokenError(`ticket_params.${field} is not base64`);
  return new Uint8Array(Buffer.from(v, 'base64'));
}

function int(v: unknown, field: string): bigint {
  if (v === undefined || v === null) return 0n;
  if (typeof v === 'string' && /^-?\d+$/.test(v)) return BigInt(v);
  throw new JobTokenError(`${field} is not an integer`);
}

/** Parses a JobToken body; numbers are read exactly (int64 beyond 2^53 included). */
export function parseJobToken(text: string): JobToken {
  let v: unknown;
  try {
    v = JSON.parse(text.replace(INT_FIELDS, '"$1":"$2"'));
  } catch (err) {
    throw new JobTokenError(`token is not JSON: ${(err as Error).message}`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new JobTokenError('token is not a JSON object');
  const t = v as Record<string, unknown>;
  const tp = t['ticket_params'] as Record<string, unknown> | undefined | null;
  let ticketParams: TicketParams | undefined;
  if (tp && typeof tp === 'object') {
    const ep = tp['expiration_params'] as Record<string, unknown> | undefined | null;
    ticketParams = create(TicketParamsSchema, {
      recipient: bytes(tp['recipient'], 'recipient'),
      faceValue: bytes(tp['face_value'], 'face_value'),
      winProb: bytes(tp['win_prob'], 'win_prob'),
      recipientRandHash: bytes(tp['recipient_rand_hash'], 'recipient_rand_hash'),
      seed: bytes(tp['seed'], 'seed'),
      expirationBlock: bytes(tp['expiration_block'], 'expiration_block'),
      ...(ep && typeof ep === 'object'
        ? { expirationParams: { creationRound: int(ep['creation_round'], 'creation_round'), creationRoundBlockHash: bytes(ep['creation_round_block_hash'], 'creation_round_block_hash') } }
        : {}),
    });
  }
  const p = t['price'] as Record<string, unknown> | undefined | null;
  const price =
    p && typeof p === 'object'
      ? create(PriceInfoSchema, {
          pricePerUnit: int(p['pricePerUnit'], 'price.pricePerUnit'),
          pixelsPerUnit: int(p['pixelsPerUnit'], 'price.pixelsPerUnit'),
          capability: Number(int(p['capability'], 'price.capability')),
          constraint: typeof p['constraint'] === 'string' ? p['constraint'] : '',
        })
      : undefined;
  const sa = t['sender_address'] as Record<string, unknown> | undefined | null;
  const serviceAddr = t['service_addr'];
  if (typeof serviceAddr !== 'string' || !/^https?:\/\//.test(serviceAddr)) throw new JobTokenError('token has no service_addr URL');
  return {
    senderAddress: sa && typeof sa['addr'] === 'string' && typeof sa['sig'] === 'string' ? { addr: sa['addr'], sig: sa['sig'] } : undefined,
    ticketParams,
    balance: int(t['balance'], 'balance'),
    price,
    serviceAddr: serviceAddr.replace(/\/+$/, ''),
    availableCapacity: Number(int(t['available_capacity'], 'available_capacity')),
    lastNonce: Number(int(t['LastNonce'], 'LastNonce')),
  };
}

/** Wei per second of the token's price (0 when absent; error on a zero denominator). */
export function tokenPrice(token: JobToken): Rational {
  const p = token.price;
  if (!p || p.pricePerUnit === 0n) return Rational.ZERO;
  if (p.pixelsPerUnit === 0n) throw new JobTokenError('token price has pixelsPerUnit 0');
  return Rational.of(p.pricePerUnit, p.pixelsPerUnit);
}
