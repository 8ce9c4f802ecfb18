/**
 * Typed daemon events, shared by the daemon (producer), the control API's SSE stream, `gw events` and the
 * dashboard (consumers). Every event has a monotonically increasing `seq` and a unix-ms `ts`.
 * Amounts in wei are decimal strings (JSON has no bigint). `seq` is the event's own sequence number (the SSE id);
 * a segment's sequence number is `segment`.
 */

interface Base<T extends string> {
  readonly type: T;
  readonly seq: number;
  readonly ts: number;
}

export type DaemonStarted = Base<'daemon.started'> & { version: string; pid: number; mode: GatewayMode };
export type DaemonStopping = Base<'daemon.stopping'> & { reason: string };
export type ConfigChanged = Base<'config.changed'> & {
  key: string;
  value: unknown;
  previous: unknown;
  source: 'api' | 'file';
  appliesAfterRestart: boolean;
};
export type LogLine = Base<'log'> & { level: 'debug' | 'info' | 'warn' | 'error'; module: string; msg: string };

export type StreamStarted = Base<'stream.started'> & { streamId: string; ingest: 'rtmp' | 'http-push'; profiles: string[] };
export type StreamEnded = Base<'stream.ended'> & { streamId: string; reason: string; segments: number; failed: number };
export type SegmentSent = Base<'segment.sent'> & { streamId: string; segment: number; orchestrator: string; attempt: number; bytes: number };
export type SegmentTranscoded = Base<'segment.transcoded'> & {
  streamId: string;
  segment: number;
  orchestrator: string;
  latencyMs: number;
  renditions: number;
  feeWei: string;
};
export type SegmentFailed = Base<'segment.failed'> & { streamId: string; segment: number; orchestrator?: string; attempt: number; error: string; final: boolean };
export type OrchestratorSelected = Base<'orchestrator.selected'> & { streamId: string; orchestrator: string; address?: string; pricePerPixel: string };
export type OrchestratorSuspended = Base<'orchestrator.suspended'> & { streamId: string; orchestrator: string; penalty: number; reason: string };
export type OrchestratorRejected = Base<'orchestrator.rejected'> & { orchestrator: string; reason: RejectReason; detail: string };
export type Failover = Base<'failover'> & { streamId: string; from: string; to: string; reason: string; attempt: number };
export type TicketBatchSent = Base<'tickets.sent'> & {
  streamId: string;
  recipient: string;
  count: number;
  faceValueWei: string;
  winProb: string;
  evWei: string;
  firstNonce: number;
};
export type ChainUpdated = Base<'chain.updated'> & { depositWei: string; reserveWei: string; round: string; senderState: string };
/**
 * A live AI stream's event in go-livepeer's shape (its Kafka queue type and data), e.g. `stream_trace`
 * `orchestrator_swap`, `ai_stream_events` `params_update`, `ai_stream_status` from the runner.
 */
export type LiveStreamEvent = Base<'live.event'> & { stream: string; streamId: string; queue: string; data: Record<string, unknown> };
/**
 * Object-store uploads (objectStore, recordStore) fall behind: the bounded queue was full and the oldest live segments
 * were dropped (live output through gw is unaffected). `store` names a store kind, never its URL.
 */
export type StorageBehind = Base<'storage.behind'> & { store: 'object' | 'record'; queued: number; dropped: number };
/** An upload gave up after its retries; `error` has credentials redacted. `failures` counts them since the start. */
export type StorageFailed = Base<'storage.failed'> & { store: 'object' | 'record'; streamId: string; key: string; attempts: number; error: string; failures: number };
export type AlertRaised = Base<'alert'> & { alert: string; severity: 'warning' | 'critical'; message: string };

export type GwEvent =
  | DaemonStarted
  | DaemonStopping
  | ConfigChanged
  | LogLine
  | StreamStarted
  | StreamEnded
  | SegmentSent
  | SegmentTranscoded
  | SegmentFailed
  | OrchestratorSelected
  | OrchestratorSuspended
  | OrchestratorRejected
  | Failover
  | TicketBatchSent
  | ChainUpdated
  | LiveStreamEvent
  | StorageBehind
  | StorageFailed
  | AlertRaised;

export type GwEventType = GwEvent['type'];

/** An event before the bus stamps `seq` and `ts` on it. */
export type GwEventInput = GwEvent extends infer E ? (E extends GwEvent ? Omit<E, 'seq' | 'ts'> : never) : never;

export type GatewayMode = 'off-chain' | 'on-chain' | 'remote-signer';

export type RejectReason = 'unreachable' | 'price too high' | 'incompatible' | 'bad ticket params' | 'blocklisted' | 'error';

/** Parses one SSE `data:` payload into an event, or returns undefined if it is not one. */
export function parseEvent(data: string): GwEvent | undefined {
  try {
    const v = JSON.parse(data) as unknown;
    if (typeof v === 'object' && v !== null && typeof (v as GwEvent).type === 'string' && typeof (v as GwEvent).seq === 'number') {
      return v as GwEvent;
    }
  } catch {
    // not JSON: ignore
  }
  return undefined;
}
