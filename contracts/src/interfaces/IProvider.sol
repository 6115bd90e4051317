// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// What the Entrance reads from any listed provider.
interface IProvider {
    function owner() external view returns (address);

    /// address(0) for ether, else the ERC-20 the provider is paid in.
    function currency() external view returns (address);

    function packagePrice() external view returns (uint256);

    function packageBlocks() external view returns (uint64);

    function activeSubscribers() external view returns (uint256);
}

/// Providers paid in ether also accept top-ups on behalf of a named deployment owner.
interface IEthProvider is IProvider {
    function topUpFor(address org, address deploymentOwner) external payable;
}
