// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import "./Owned.sol";

/// @notice An ETH/USD feed for the devnet that answers like Chainlink's AggregatorV3Interface
/// (decimals, description, version, latestRoundData). The owner sets the answer; each change starts a new round.
/// Any answer is accepted, zero and negative included, so readers' rejection of bad answers can be exercised.
contract DevnetPriceFeed is Owned {
    uint8 public immutable decimals;
    string public constant description = "ETH / USD (gw devnet)";
    uint256 public constant version = 4;

    uint80 private roundId;
    int256 private answer;
    uint256 private startedAt;
    uint256 private updatedAt;

    /// @dev Chainlink's event for a new answer.
    event AnswerUpdated(int256 indexed current, uint256 indexed roundId, uint256 updatedAt);

    constructor(uint8 decimals_, int256 initialAnswer) {
        decimals = decimals_;
        _setAnswer(initialAnswer);
    }

    /// @notice Publishes a new answer as the next round.
    function setAnswer(int256 newAnswer) external onlyOwner {
        _setAnswer(newAnswer);
    }

    function latestRoundData() external view returns (uint80, int256, uint256, uint256, uint80) {
        return (roundId, answer, startedAt, updatedAt, roundId);
    }

    function latestAnswer() external view returns (int256) {
        return answer;
    }

    function _setAnswer(int256 newAnswer) private {
        roundId += 1;
        answer = newAnswer;
        startedAt = block.timestamp;
        updatedAt = block.timestamp;
        emit AnswerUpdated(newAnswer, roundId, block.timestamp);
    }
}
