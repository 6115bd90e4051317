// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ProviderBase} from "./ProviderBase.sol";

/// A provider paid in ether (implements `IEthProvider`).
contract EthProvider is ProviderBase {
    constructor(address owner_, uint256 pricePerBlock_, uint64 packageBlocks_)
        ProviderBase(owner_, pricePerBlock_, packageBlocks_)
    {}

    function currency() public pure override returns (address) {
        return address(0);
    }

    /// Pays `msg.value` (whole packages) for `org`; a new deployment is owned by the caller.
    function topUp(address org) external payable nonReentrant {
        _topUp(org, msg.sender, msg.value);
    }

    /// Like `topUp`, but a new deployment is owned by `deploymentOwner` (used by the Entrance).
    function topUpFor(address org, address deploymentOwner) external payable nonReentrant {
        _topUp(org, deploymentOwner, msg.value);
    }

    function _pay(address to, uint256 amount) internal override {
        (bool ok, ) = payable(to).call{value: amount}("");
        if (!ok) revert TransferFailed();
    }
}
