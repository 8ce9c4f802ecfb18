// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import "./Owned.sol";

/// @notice Devnet rounds: a round is `roundLength` blocks, plus an owner-controlled offset so tests
/// can move rounds forward without mining thousands of blocks. Rounds never move backwards.
contract RoundsManager is Owned {
    uint256 public roundLength;
    uint256 public lastInitializedRound;
    uint256 private roundOffset;
    mapping(uint256 => bytes32) private roundBlockHash;

    event NewRound(uint256 indexed round, bytes32 blockHash);
    event RoundOffsetChanged(uint256 currentRound);

    constructor(uint256 _roundLength) {
        require(_roundLength > 0, "round length must be positive");
        roundLength = _roundLength;
    }

    function currentRound() public view returns (uint256) {
        return block.number / roundLength + roundOffset;
    }

    function currentRoundStartBlock() external view returns (uint256) {
        return (block.number / roundLength) * roundLength;
    }

    function currentRoundInitialized() public view returns (bool) {
        return lastInitializedRound == currentRound();
    }

    /// @notice Records the previous block's hash for the current round (used in ticket auxData).
    function initializeRound() external {
        uint256 round = currentRound();
        require(lastInitializedRound != round, "round already initialized");
        lastInitializedRound = round;
        bytes32 hash = blockhash(block.number - 1);
        roundBlockHash[round] = hash;
        emit NewRound(round, hash);
    }

    function blockHashForRound(uint256 round) external view returns (bytes32) {
        return roundBlockHash[round];
    }

    /// @notice Devnet only: jump to `round` (must not be earlier than the current round).
    function setRound(uint256 round) external onlyOwner {
        uint256 current = currentRound();
        require(round >= current, "rounds cannot move backwards");
        roundOffset += round - current;
        emit RoundOffsetChanged(round);
    }

    /// @notice Devnet only: move the current round forward by `n`.
    function advanceRounds(uint256 n) external onlyOwner {
        roundOffset += n;
        emit RoundOffsetChanged(currentRound());
    }
}
