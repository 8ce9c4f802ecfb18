// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import "./Owned.sol";

interface IControllerLookup {
    function getContract(bytes32 id) external view returns (address);
}

interface IRoundsLookup {
    function currentRound() external view returns (uint256);
    function currentRoundInitialized() external view returns (bool);
    function blockHashForRound(uint256 round) external view returns (bytes32);
}

/// @notice Devnet probabilistic-micropayment broker following the sender rules of Livepeer's
/// TicketBroker (deposit, reserve, unlock period, winning-ticket redemption). Funds stay in this
/// contract; winning tickets pay the recipient directly in ETH.
contract TicketBroker is Owned {
    struct Sender {
        uint256 deposit;
        uint256 withdrawRound;
    }

    struct ReserveInfo {
        uint256 fundsRemaining;
        uint256 claimedInCurrentRound;
    }

    struct Ticket {
        address recipient;
        address sender;
        uint256 faceValue;
        uint256 winProb;
        uint256 senderNonce;
        bytes32 recipientRandHash;
        bytes auxData;
    }

    // secp256k1n / 2: signatures with a larger s are malleable and rejected.
    uint256 private constant HALF_CURVE_ORDER = 0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0;
    bytes32 private constant ROUNDS_MANAGER_ID = keccak256("RoundsManager");

    IControllerLookup public immutable controller;
    uint256 public unlockPeriod;
    uint256 public ticketValidityPeriod;
    /// @notice Number of orchestrators that share a sender's reserve (Livepeer: the active pool size).
    uint256 public activeOrchestrators;

    mapping(address => Sender) private senders;
    mapping(bytes32 => bool) public usedTickets;

    // A reserve is cleared on withdraw; bumping its generation forgets earlier claims.
    mapping(address => uint256) private reserveFunds;
    mapping(address => uint256) private reserveGeneration;
    mapping(address => mapping(uint256 => mapping(uint256 => uint256))) private claimedForRound;
    mapping(address => mapping(uint256 => mapping(uint256 => mapping(address => uint256)))) private claimedByAddress;

    event DepositFunded(address indexed sender, uint256 amount);
    event ReserveFunded(address indexed reserveHolder, uint256 amount);
    event Unlock(address indexed sender, uint256 startRound, uint256 endRound);
    event UnlockCancelled(address indexed sender);
    event Withdrawal(address indexed sender, uint256 deposit, uint256 reserve);
    event WinningTicketRedeemed(
        address indexed sender,
        address indexed recipient,
        uint256 faceValue,
        uint256 winProb,
        uint256 senderNonce,
        uint256 recipientRand,
        bytes auxData
    );
    event WinningTicketTransfer(address indexed sender, address indexed recipient, uint256 amount);
    event ReserveClaimed(address indexed reserveHolder, address claimant, uint256 amount);
    event ParameterUpdate(string param);

    constructor(address _controller, uint256 _unlockPeriod, uint256 _ticketValidityPeriod) {
        require(_ticketValidityPeriod > 0, "ticketValidityPeriod must be greater than 0");
        controller = IControllerLookup(_controller);
        unlockPeriod = _unlockPeriod;
        ticketValidityPeriod = _ticketValidityPeriod;
        activeOrchestrators = 1;
    }

    // ---------------------------------------------------------------- owner settings

    function setUnlockPeriod(uint256 _unlockPeriod) external onlyOwner {
        unlockPeriod = _unlockPeriod;
        emit ParameterUpdate("unlockPeriod");
    }

    function setTicketValidityPeriod(uint256 _ticketValidityPeriod) external onlyOwner {
        require(_ticketValidityPeriod > 0, "ticketValidityPeriod must be greater than 0");
        ticketValidityPeriod = _ticketValidityPeriod;
        emit ParameterUpdate("ticketValidityPeriod");
    }

    function setActiveOrchestrators(uint256 count) external onlyOwner {
        require(count > 0, "activeOrchestrators must be greater than 0");
        activeOrchestrators = count;
        emit ParameterUpdate("activeOrchestrators");
    }

    // ---------------------------------------------------------------- funding

    function fundDeposit() external payable {
        addDeposit(msg.sender, msg.value);
    }

    function fundReserve() external payable {
        addReserve(msg.sender, msg.value);
    }

    function fundDepositAndReserve(uint256 depositAmount, uint256 reserveAmount) external payable {
        fundDepositAndReserveFor(msg.sender, depositAmount, reserveAmount);
    }

    function fundDepositAndReserveFor(address addr, uint256 depositAmount, uint256 reserveAmount) public payable {
        require(
            msg.value == depositAmount + reserveAmount,
            "msg.value does not equal sum of deposit amount and reserve amount"
        );
        addDeposit(addr, depositAmount);
        addReserve(addr, reserveAmount);
    }

    // ---------------------------------------------------------------- unlock / withdraw

    function unlock() external {
        Sender storage sender = senders[msg.sender];
        require(sender.deposit > 0 || reserveFunds[msg.sender] > 0, "sender deposit and reserve are zero");
        require(sender.withdrawRound == 0, "unlock already initiated");
        uint256 round = roundsManager().currentRound();
        sender.withdrawRound = round + unlockPeriod;
        emit Unlock(msg.sender, round, sender.withdrawRound);
    }

    function cancelUnlock() external {
        cancelUnlockOf(msg.sender);
    }

    function withdraw() external {
        Sender storage sender = senders[msg.sender];
        uint256 deposit = sender.deposit;
        uint256 reserve = reserveFunds[msg.sender];
        require(deposit > 0 || reserve > 0, "sender deposit and reserve are zero");
        require(sender.withdrawRound > 0, "no unlock request in progress");
        require(sender.withdrawRound <= roundsManager().currentRound(), "account is locked");

        sender.deposit = 0;
        reserveFunds[msg.sender] = 0;
        reserveGeneration[msg.sender] += 1;

        (bool ok, ) = payable(msg.sender).call{value: deposit + reserve}("");
        require(ok, "withdrawal transfer failed");
        emit Withdrawal(msg.sender, deposit, reserve);
    }

    // ---------------------------------------------------------------- redemption

    function redeemWinningTicket(Ticket memory ticket, bytes memory sig, uint256 recipientRand) external {
        IRoundsLookup rounds = roundsManager();
        require(rounds.currentRoundInitialized(), "current round is not initialized");

        bytes32 ticketHash = getTicketHash(ticket);
        requireValidWinningTicket(rounds, ticket, ticketHash, sig, recipientRand);

        Sender storage sender = senders[ticket.sender];
        require(
            sender.withdrawRound == 0 || rounds.currentRound() < sender.withdrawRound,
            "sender is unlocked"
        );
        require(sender.deposit > 0 || reserveFunds[ticket.sender] > 0, "sender deposit and reserve are zero");

        usedTickets[ticketHash] = true;

        uint256 amount;
        if (ticket.faceValue > sender.deposit) {
            uint256 fromReserve = claimFromReserve(
                rounds.currentRound(),
                ticket.sender,
                ticket.recipient,
                ticket.faceValue - sender.deposit
            );
            amount = sender.deposit + fromReserve;
            sender.deposit = 0;
        } else {
            amount = ticket.faceValue;
            sender.deposit -= ticket.faceValue;
        }

        if (amount > 0) {
            (bool ok, ) = payable(ticket.recipient).call{value: amount}("");
            require(ok, "winning ticket transfer failed");
            emit WinningTicketTransfer(ticket.sender, ticket.recipient, amount);
        }

        emit WinningTicketRedeemed(
            ticket.sender,
            ticket.recipient,
            ticket.faceValue,
            ticket.winProb,
            ticket.senderNonce,
            recipientRand,
            ticket.auxData
        );
    }

    // ---------------------------------------------------------------- views

    function getSenderInfo(address addr) external view returns (Sender memory sender, ReserveInfo memory reserve) {
        sender = senders[addr];
        reserve = getReserveInfo(addr);
    }

    function getReserveInfo(address reserveHolder) public view returns (ReserveInfo memory info) {
        uint256 round = roundsManager().currentRound();
        info.fundsRemaining = reserveFunds[reserveHolder];
        info.claimedInCurrentRound = claimedForRound[reserveHolder][reserveGeneration[reserveHolder]][round];
    }

    function isUnlockInProgress(address addr) external view returns (bool) {
        return senders[addr].withdrawRound > 0;
    }

    function claimedReserve(address reserveHolder, address claimant) external view returns (uint256) {
        uint256 round = roundsManager().currentRound();
        return claimedByAddress[reserveHolder][reserveGeneration[reserveHolder]][round][claimant];
    }

    /// @notice What `claimant` may still take from `reserveHolder`'s reserve this round.
    function claimableReserve(address reserveHolder, address claimant) public view returns (uint256) {
        return claimableAt(roundsManager().currentRound(), reserveHolder, claimant);
    }

    function getTicketHash(Ticket memory ticket) public pure returns (bytes32) {
        return
            keccak256(
                abi.encodePacked(
                    ticket.recipient,
                    ticket.sender,
                    ticket.faceValue,
                    ticket.winProb,
                    ticket.senderNonce,
                    ticket.recipientRandHash,
                    ticket.auxData
                )
            );
    }

    // ---------------------------------------------------------------- internals

    function roundsManager() private view returns (IRoundsLookup) {
        address addr = controller.getContract(ROUNDS_MANAGER_ID);
        require(addr != address(0), "RoundsManager not registered");
        return IRoundsLookup(addr);
    }

    function addDeposit(address addr, uint256 amount) private {
        Sender storage sender = senders[addr];
        sender.deposit += amount;
        if (sender.withdrawRound > 0) {
            cancelUnlockOf(addr);
        }
        emit DepositFunded(addr, amount);
    }

    function addReserve(address addr, uint256 amount) private {
        reserveFunds[addr] += amount;
        emit ReserveFunded(addr, amount);
        if (senders[addr].withdrawRound > 0) {
            cancelUnlockOf(addr);
        }
    }

    function cancelUnlockOf(address addr) private {
        Sender storage sender = senders[addr];
        require(sender.withdrawRound > 0, "no unlock request in progress");
        sender.withdrawRound = 0;
        emit UnlockCancelled(addr);
    }

    function claimableAt(uint256 round, address holder, address claimant) private view returns (uint256) {
        uint256 gen = reserveGeneration[holder];
        // The share is computed on the reserve as it stood at the start of the round.
        uint256 share = (reserveFunds[holder] + claimedForRound[holder][gen][round]) / activeOrchestrators;
        uint256 already = claimedByAddress[holder][gen][round][claimant];
        return share > already ? share - already : 0;
    }

    function claimFromReserve(uint256 round, address holder, address claimant, uint256 amount) private returns (uint256) {
        uint256 claimable = claimableAt(round, holder, claimant);
        uint256 claim = amount > claimable ? claimable : amount;
        if (claim > 0) {
            uint256 gen = reserveGeneration[holder];
            claimedForRound[holder][gen][round] += claim;
            claimedByAddress[holder][gen][round][claimant] += claim;
            reserveFunds[holder] -= claim;
            emit ReserveClaimed(holder, claimant, claim);
        }
        return claim;
    }

    function requireValidWinningTicket(
        IRoundsLookup rounds,
        Ticket memory ticket,
        bytes32 ticketHash,
        bytes memory sig,
        uint256 recipientRand
    ) private view {
        require(ticket.recipient != address(0), "ticket recipient is null address");
        require(ticket.sender != address(0), "ticket sender is null address");
        requireValidAuxData(rounds, ticket.auxData);
        require(
            keccak256(abi.encodePacked(recipientRand)) == ticket.recipientRandHash,
            "recipientRand does not match recipientRandHash"
        );
        require(!usedTickets[ticketHash], "ticket is used");
        require(recoverPersonalSigner(ticketHash, sig) == ticket.sender, "invalid signature over ticket hash");
        require(uint256(keccak256(abi.encodePacked(sig, recipientRand))) < ticket.winProb, "ticket did not win");
    }

    function requireValidAuxData(IRoundsLookup rounds, bytes memory auxData) private view {
        require(auxData.length == 64, "invalid length for ticket auxData: must be 64 bytes");
        uint256 creationRound;
        bytes32 creationRoundBlockHash;
        assembly {
            creationRound := mload(add(auxData, 32))
            creationRoundBlockHash := mload(add(auxData, 64))
        }
        bytes32 expected = rounds.blockHashForRound(creationRound);
        require(expected != bytes32(0), "ticket creationRound does not have a block hash");
        require(creationRoundBlockHash == expected, "ticket creationRoundBlockHash invalid for creationRound");
        require(creationRound + ticketValidityPeriod > rounds.currentRound(), "ticket is expired");
    }

    /// @dev Signer of an EIP-191 personal signature over a 32-byte hash; 65-byte r||s||v, v in {27,28}, low s.
    function recoverPersonalSigner(bytes32 hash, bytes memory sig) private pure returns (address) {
        require(sig.length == 65, "invalid signature length");
        bytes32 r;
        bytes32 s;
        uint8 v;
        assembly {
            r := mload(add(sig, 32))
            s := mload(add(sig, 64))
            v := byte(0, mload(add(sig, 96)))
        }
        require(uint256(s) <= HALF_CURVE_ORDER, "invalid signature s value");
        require(v == 27 || v == 28, "invalid signature v value");
        bytes32 digest = keccak256(abi.encodePacked("\x19Ethereum Signed Message:\n32", hash));
        address signer = ecrecover(digest, v, r, s);
        require(signer != address(0), "invalid signature");
        return signer;
    }

    receive() external payable {
        revert("use fundDeposit or fundReserve");
    }
}
