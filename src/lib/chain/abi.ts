// Typed ABIs of the Livepeer protocol functions and events the gateway uses. They match Arbitrum One's
// contracts and the devnet contracts (test/chain/abi.test.ts checks them against the compiled devnet ABIs).

const addressIn = (name: string) => ({ name, type: 'address' }) as const;

/** Controller: contract registry keyed by keccak256(name). */
export const controllerAbi = [
  {
    type: 'function',
    name: 'getContract',
    stateMutability: 'view',
    inputs: [{ name: 'id', type: 'bytes32' }],
    outputs: [{ name: '', type: 'address' }],
  },
  {
    type: 'function',
    name: 'getContractInfo',
    stateMutability: 'view',
    inputs: [{ name: 'id', type: 'bytes32' }],
    outputs: [
      { name: '', type: 'address' },
      { name: '', type: 'bytes20' },
    ],
  },
] as const;

const reserveInfoComponents = [
  { name: 'fundsRemaining', type: 'uint256' },
  { name: 'claimedInCurrentRound', type: 'uint256' },
] as const;

/** TicketBroker: sender funding, unlock/withdraw and the reads and events a gateway needs. */
export const ticketBrokerAbi = [
  { type: 'function', name: 'fundDeposit', stateMutability: 'payable', inputs: [], outputs: [] },
  { type: 'function', name: 'fundReserve', stateMutability: 'payable', inputs: [], outputs: [] },
  {
    type: 'function',
    name: 'fundDepositAndReserve',
    stateMutability: 'payable',
    inputs: [
      { name: 'depositAmount', type: 'uint256' },
      { name: 'reserveAmount', type: 'uint256' },
    ],
    outputs: [],
  },
  {
    type: 'function',
    name: 'fundDepositAndReserveFor',
    stateMutability: 'payable',
    inputs: [
      addressIn('addr'),
      { name: 'depositAmount', type: 'uint256' },
      { name: 'reserveAmount', type: 'uint256' },
    ],
    outputs: [],
  },
  { type: 'function', name: 'unlock', stateMutability: 'nonpayable', inputs: [], outputs: [] },
  { type: 'function', name: 'cancelUnlock', stateMutability: 'nonpayable', inputs: [], outputs: [] },
  { type: 'function', name: 'withdraw', stateMutability: 'nonpayable', inputs: [], outputs: [] },
  {
    type: 'function',
    name: 'getSenderInfo',
    stateMutability: 'view',
    inputs: [addressIn('addr')],
    outputs: [
      {
        name: 'sender',
        type: 'tuple',
        components: [
          { name: 'deposit', type: 'uint256' },
          { name: 'withdrawRound', type: 'uint256' },
        ],
      },
      { name: 'reserve', type: 'tuple', components: reserveInfoComponents },
    ],
  },
  {
    type: 'function',
    name: 'getReserveInfo',
    stateMutability: 'view',
    inputs: [addressIn('reserveHolder')],
    outputs: [{ name: 'info', type: 'tuple', components: reserveInfoComponents }],
  },
  {
    type: 'function',
    name: 'isUnlockInProgress',
    stateMutability: 'view',
    inputs: [addressIn('addr')],
    outputs: [{ name: '', type: 'bool' }],
  },
  {
    type: 'function',
    name: 'claimedReserve',
    stateMutability: 'view',
    inputs: [addressIn('reserveHolder'), addressIn('claimant')],
    outputs: [{ name: '', type: 'uint256' }],
  },
  {
    type: 'function',
    name: 'unlockPeriod',
    stateMutability: 'view',
    inputs: [],
    outputs: [{ name: '', type: 'uint256' }],
  },
  {
    type: 'function',
    name: 'ticketValidityPeriod',
    stateMutability: 'view',
    inputs: [],
    outputs: [{ name: '', type: 'uint256' }],
  },
  {
    type: 'event',
    name: 'DepositFunded',
    anonymous: false,
    inputs: [
      { name: 'sender', type: 'address', indexed: true },
      { name: 'amount', type: 'uint256', indexed: false },
    ],
  },
  {
    type: 'event',
    name: 'ReserveFunded',
    anonymous: false,
    inputs: [
      { name: 'reserveHolder', type: 'address', indexed: true },
      { name: 'amount', type: 'uint256', indexed: false },
    ],
  },
  {
    type: 'event',
    name: 'Unlock',
    anonymous: false,
    inputs: [
      { name: 'sender', type: 'address', indexed: true },
      { name: 'startRound', type: 'uint256', indexed: false },
      { name: 'endRound', type: 'uint256', indexed: false },
    ],
  },
  {
    type: 'event',
    name: 'UnlockCancelled',
    anonymous: false,
    inputs: [{ name: 'sender', type: 'address', indexed: true }],
  },
  {
    type: 'event',
    name: 'Withdrawal',
    anonymous: false,
    inputs: [
      { name: 'sender', type: 'address', indexed: true },
      { name: 'deposit', type: 'uint256', indexed: false },
      { name: 'reserve', type: 'uint256', indexed: false },
    ],
  },
  {
    type: 'event',
    name: 'WinningTicketRedeemed',
    anonymous: false,
    inputs: [
      { name: 'sender', type: 'address', indexed: true },
      { name: 'recipient', type: 'address', indexed: true },
      { name: 'faceValue', type: 'uint256', indexed: false },
      { name: 'winProb', type: 'uint256', indexed: false },
      { name: 'senderNonce', type: 'uint256', indexed: false },
      { name: 'recipientRand', type: 'uint256', indexed: false },
      { name: 'auxData', type: 'bytes', indexed: false },
    ],
  },
  {
    type: 'event',
    name: 'WinningTicketTransfer',
    anonymous: false,
    inputs: [
      { name: 'sender', type: 'address', indexed: true },
      { name: 'recipient', type: 'address', indexed: true },
      { name: 'amount', type: 'uint256', indexed: false },
    ],
  },
  {
    type: 'event',
    name: 'ReserveClaimed',
    anonymous: false,
    inputs: [
      { name: 'reserveHolder', type: 'address', indexed: true },
      { name: 'claimant', type: 'address', indexed: false },
      { name: 'amount', type: 'uint256', indexed: false },
    ],
  },
] as const;

/** RoundsManager reads used for ticket expiration parameters. */
export const roundsManagerAbi = [
  {
    type: 'function',
    name: 'currentRound',
    stateMutability: 'view',
    inputs: [],
    outputs: [{ name: '', type: 'uint256' }],
  },
  {
    type: 'function',
    name: 'lastInitializedRound',
    stateMutability: 'view',
    inputs: [],
    outputs: [{ name: '', type: 'uint256' }],
  },
  {
    type: 'function',
    name: 'currentRoundInitialized',
    stateMutability: 'view',
    inputs: [],
    outputs: [{ name: '', type: 'bool' }],
  },
  {
    type: 'function',
    name: 'roundLength',
    stateMutability: 'view',
    inputs: [],
    outputs: [{ name: '', type: 'uint256' }],
  },
  {
    type: 'function',
    name: 'blockHashForRound',
    stateMutability: 'view',
    inputs: [{ name: 'round', type: 'uint256' }],
    outputs: [{ name: '', type: 'bytes32' }],
  },
] as const;

/** BondingManager pool walk for on-chain discovery. */
export const bondingManagerAbi = [
  {
    type: 'function',
    name: 'getFirstTranscoderInPool',
    stateMutability: 'view',
    inputs: [],
    outputs: [{ name: '', type: 'address' }],
  },
  {
    type: 'function',
    name: 'getNextTranscoderInPool',
    stateMutability: 'view',
    inputs: [addressIn('transcoder')],
    outputs: [{ name: '', type: 'address' }],
  },
  {
    type: 'function',
    name: 'getTranscoderPoolSize',
    stateMutability: 'view',
    inputs: [],
    outputs: [{ name: '', type: 'uint256' }],
  },
  {
    type: 'function',
    name: 'transcoderTotalStake',
    stateMutability: 'view',
    inputs: [addressIn('transcoder')],
    outputs: [{ name: '', type: 'uint256' }],
  },
  {
    type: 'function',
    name: 'isActiveTranscoder',
    stateMutability: 'view',
    inputs: [addressIn('transcoder')],
    outputs: [{ name: '', type: 'bool' }],
  },
] as const;

/** ServiceRegistry: orchestrator service URIs. */
export const serviceRegistryAbi = [
  {
    type: 'function',
    name: 'getServiceURI',
    stateMutability: 'view',
    inputs: [addressIn('addr')],
    outputs: [{ name: '', type: 'string' }],
  },
] as const;
