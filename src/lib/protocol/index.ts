// Public surface of the protocol core: pure, I/O-free building blocks for the Livepeer gateway ⇄ orchestrator wire.
export * from './address.js';
export * from './capabilities.js';
export * from './encoding.js';
export * from './fees.js';
export * from './jobCapabilities.js';
export * from './hash.js';
export * from './headers.js';
export * from './orchestratorRequest.js';
export * from './payment.js';
export * from './profiles.js';
export * from './rational.js';
export * from './segData.js';
export * from './signer.js';
export * from './ticket.js';
export * from './transcodeData.js';
export * from './gen/net/lp_rpc_pb.js';
