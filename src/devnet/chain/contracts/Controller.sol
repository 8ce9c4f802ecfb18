// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import "./Owned.sol";

/// @notice Devnet contract registry with the same lookup interface as Livepeer's Controller:
/// contracts are found by keccak256 of their name.
contract Controller is Owned {
    struct ContractInfo {
        address contractAddress;
        bytes20 gitCommitHash;
    }

    mapping(bytes32 => ContractInfo) private registry;

    event SetContractInfo(bytes32 id, address contractAddress, bytes20 gitCommitHash);

    function setContractInfo(bytes32 id, address contractAddress, bytes20 gitCommitHash) external onlyOwner {
        registry[id] = ContractInfo(contractAddress, gitCommitHash);
        emit SetContractInfo(id, contractAddress, gitCommitHash);
    }

    function getContract(bytes32 id) public view returns (address) {
        return registry[id].contractAddress;
    }

    function getContractInfo(bytes32 id) public view returns (address, bytes20) {
        ContractInfo storage info = registry[id];
        return (info.contractAddress, info.gitCommitHash);
    }
}
