// POST /payment on the devnet orchestrator (go-livepeer server/segment_rpc.go Payment), how a gateway tops up a live
// stream's balance: Livepeer-Payment (402) → Livepeer-Segment (403: signature, capabilities, auth token) → a fresh
// OrchestratorInfo for the sender at the price for the SegData's capabilities → the payment credited to (sender,
// SegData manifestId) (400) → 200 with a protobuf PaymentResult{info} carrying the sender's own auth token.
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import { create, toBinary } from '@bufbuild/protobuf';
import { PaymentResultSchema } from '../../../lib/protocol/gen/net/lp_rpc_pb.js';
import { decodePayment, httpError, verifySegCreds } from '../credentials.js';
import type { OrchestratorNode } from '../orchestratorNode.js';

/**
 * Serves one POST /payment. The body is ignored (go-livepeer sends none). The reply has no explicit type in
 * go-livepeer, whose net/http then sniffs binary bytes as application/octet-stream: the devnet says so outright.
 */
export async function servePayment(node: OrchestratorNode, req: Http2ServerRequest, res: Http2ServerResponse): Promise<void> {
  const reject = (status: number, text: string): void => {
    node.counters.paymentsRejected++;
    httpError(res, status, text);
  };
  if (req.method !== 'POST') return reject(405, 'Method Not Allowed');
  req.resume();
  const pay = decodePayment(req);
  if (!pay.ok) return reject(pay.status, pay.text);
  const creds = verifySegCreds(node, req, pay.senderBytes);
  if (!creds.ok) return reject(creds.status, creds.text);
  // The balance key go-livepeer credits: the SegData's manifest id (for live, the stream's mid).
  const manifestId = new TextDecoder().decode(creds.seg.manifestId);
  let info;
  try {
    info = await node.orchestratorInfo(pay.senderBytes, manifestId, creds.seg.capabilities ?? null);
  } catch (err) {
    node.cfg.logger.error(`error updating orchestrator info: ${(err as Error).message}`);
    return reject(500, 'Internal Server Error');
  }
  // New auth tokens only come from GetOrchestrator: the sender keeps its own.
  info.authToken = creds.authToken;
  const payErr = await node.processPayment(pay.payment, pay.sender, manifestId);
  if (payErr !== null) return reject(400, payErr);
  node.counters.payments++;
  const body = toBinary(PaymentResultSchema, create(PaymentResultSchema, { info }));
  if (res.stream?.destroyed) return;
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length });
  res.end(body);
}
