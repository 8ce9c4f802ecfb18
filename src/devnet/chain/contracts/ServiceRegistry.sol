// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @notice Orchestrator service URIs, as in Livepeer's ServiceRegistry.
contract ServiceRegistry {
    mapping(address => string) private serviceURIs;

    event ServiceURIUpdate(address indexed addr, string serviceURI);

    function setServiceURI(string calldata serviceURI) external {
        serviceURIs[msg.sender] = serviceURI;
        emit ServiceURIUpdate(msg.sender, serviceURI);
    }

    function getServiceURI(address addr) external view returns (string memory) {
        return serviceURIs[addr];
    }
}
