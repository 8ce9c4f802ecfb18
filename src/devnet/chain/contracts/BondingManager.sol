// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import "./Owned.sol";

/// @notice Devnet transcoder pool: an owner-managed list kept sorted by stake (highest first),
/// exposing the read interface gateways use for on-chain discovery.
contract BondingManager is Owned {
    mapping(address => uint256) private stakes;
    mapping(address => address) private nextInPool;
    mapping(address => bool) private inPool;
    address private head;
    uint256 private poolSize;

    event TranscoderRegistered(address indexed transcoder, uint256 stake);
    event TranscoderRemoved(address indexed transcoder);

    /// @notice Devnet only: add `transcoder` with `stake`, or update its stake.
    function register(address transcoder, uint256 stake) external onlyOwner {
        require(transcoder != address(0), "transcoder is null address");
        if (inPool[transcoder]) {
            unlink(transcoder);
        }
        stakes[transcoder] = stake;
        insertSorted(transcoder);
        emit TranscoderRegistered(transcoder, stake);
    }

    /// @notice Devnet only: remove `transcoder` from the pool.
    function unregister(address transcoder) external onlyOwner {
        require(inPool[transcoder], "transcoder not in pool");
        unlink(transcoder);
        stakes[transcoder] = 0;
        emit TranscoderRemoved(transcoder);
    }

    function getFirstTranscoderInPool() external view returns (address) {
        return head;
    }

    function getNextTranscoderInPool(address transcoder) external view returns (address) {
        return nextInPool[transcoder];
    }

    function getTranscoderPoolSize() external view returns (uint256) {
        return poolSize;
    }

    function transcoderTotalStake(address transcoder) external view returns (uint256) {
        return stakes[transcoder];
    }

    function isActiveTranscoder(address transcoder) external view returns (bool) {
        return inPool[transcoder];
    }

    function insertSorted(address transcoder) private {
        uint256 stake = stakes[transcoder];
        if (head == address(0) || stakes[head] < stake) {
            nextInPool[transcoder] = head;
            head = transcoder;
        } else {
            address cursor = head;
            while (nextInPool[cursor] != address(0) && stakes[nextInPool[cursor]] >= stake) {
                cursor = nextInPool[cursor];
            }
            nextInPool[transcoder] = nextInPool[cursor];
            nextInPool[cursor] = transcoder;
        }
        inPool[transcoder] = true;
        poolSize += 1;
    }

    function unlink(address transcoder) private {
        if (head == transcoder) {
            head = nextInPool[transcoder];
        } else {
            address cursor = head;
            while (nextInPool[cursor] != transcoder) {
                cursor = nextInPool[cursor];
            }
            nextInPool[cursor] = nextInPool[transcoder];
        }
        delete nextInPool[transcoder];
        inPool[transcoder] = false;
        poolSize -= 1;
    }
}
