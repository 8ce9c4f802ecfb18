// Typed ABIs of the devnet-only admin functions and of ticket redemption (orchestrator side), for viem.
// test/chain/abi.test.ts checks them against the compiled contracts.

const uint = (name: string) => ({ name, type: 'uint256' }) as const;

export const controllerAdminAbi = [
  {
    type: 'function',
    name: 'setContractInfo',
    stateMutability: 'nonpayable',
    inputs: [
      { name: 'id', type: 'bytes32' },
      { name: 'contractAddress', type: 'address' },
      { name: 'gitCommitHash', type: 'bytes20' },
    ],
    outputs: [],
  },
] as const;

export const roundsManagerAdminAbi = [
  { type: 'function', name: 'initializeRound', stateMutability: 'nonpayable', inputs: [], outputs: [] },
  { type: 'function', name: 'setRound', stateMutability: 'nonpayable', inputs: [uint('round')], outputs: [] },
  { type: 'function', name: 'advanceRounds', stateMutability: 'nonpayable', inputs: [uint('n')], outputs: [] },
] as const;

export const bondingManagerAdminAbi = [
  {
    type: 'function',
    name: 'register',
    stateMutability: 'nonpayable',
    inputs: [{ name: 'transcoder', type: 'address' }, uint('stake')],
    outputs: [],
  },
  {
    type: 'function',
    name: 'unregister',
    stateMutability: 'nonpayable',
    inputs: [{ name: 'transcoder', type: 'address' }],
    outputs: [],
  },
] as const;

export const serviceRegistryAdminAbi = [
  {
    type: 'function',
    name: 'setServiceURI',
    stateMutability: 'nonpayable',
    inputs: [{ name: 'serviceURI', type: 'string' }],
    outputs: [],
  },
] as const;

const ticketTuple = {
  name: 'ticket',
  type: 'tuple',
  components: [
    { name: 'recipient', type: 'address' },
    { name: 'sender', type: 'address' },
    { name: 'faceValue', type: 'uint256' },
    { name: 'winProb', type: 'uint256' },
    { name: 'senderNonce', type: 'uint256' },
    { name: 'recipientRandHash', type: 'bytes32' },
    { name: 'auxData', type: 'bytes' },
  ],
} as const;

export const ticketBrokerAdminAbi = [
  {
    type: 'function',
    name: 'redeemWinningTicket',
    stateMutability: 'nonpayable',
    inputs: [ticketTuple, { name: 'sig', type: 'bytes' }, uint('recipientRand')],
    outputs: [],
  },
  {
    type: 'function',
    name: 'getTicketHash',
    stateMutability: 'pure',
    inputs: [ticketTuple],
    outputs: [{ name: '', type: 'bytes32' }],
  },
  {
    type: 'function',
    name: 'usedTickets',
    stateMutability: 'view',
    inputs: [{ name: '', type: 'bytes32' }],
    outputs: [{ name: '', type: 'bool' }],
  },
  {
    type: 'function',
    name: 'claimableReserve',
    stateMutability: 'view',
    inputs: [
      { name: 'reserveHolder', type: 'address' },
      { name: 'claimant', type: 'address' },
    ],
    outputs: [{ name: '', type: 'uint256' }],
  },
  {
    type: 'function',
    name: 'activeOrchestrators',
    stateMutability: 'view',
    inputs: [],
    outputs: [{ name: '', type: 'uint256' }],
  },
  { type: 'function', name: 'setActiveOrchestrators', stateMutability: 'nonpayable', inputs: [uint('count')], outputs: [] },
  { type: 'function', name: 'setUnlockPeriod', stateMutability: 'nonpayable', inputs: [uint('_unlockPeriod')], outputs: [] },
  {
    type: 'function',
    name: 'setTicketValidityPeriod',
    stateMutability: 'nonpayable',
    inputs: [uint('_ticketValidityPeriod')],
    outputs: [],
  },
] as const;

export const priceFeedAdminAbi = [
  { type: 'function', name: 'setAnswer', stateMutability: 'nonpayable', inputs: [{ name: 'newAnswer', type: 'int256' }], outputs: [] },
] as const;
