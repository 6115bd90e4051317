// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// A Radicle org (after radicle-orgs OrgV1): an owner who anchors project states on chain.
contract Org {
    event Anchored(bytes32 id, uint32 tag, bytes multihash);
    event OwnerChanged(address indexed previousOwner, address indexed newOwner);

    error NotOwner();
    error ZeroAddress();

    address public owner;

    modifier onlyOwner() {
        if (msg.sender != owner) revert NotOwner();
        _;
    }

    constructor(address owner_) {
        if (owner_ == address(0)) revert ZeroAddress();
        owner = owner_;
        emit OwnerChanged(address(0), owner_);
    }

    /// Records that project `id` is at the commit/state named by `multihash` (`tag` = its kind).
    function anchor(bytes32 id, uint32 tag, bytes calldata multihash) external onlyOwner {
        emit Anchored(id, tag, multihash);
    }

    function setOwner(address newOwner) external onlyOwner {
        if (newOwner == address(0)) revert ZeroAddress();
        emit OwnerChanged(owner, newOwner);
        owner = newOwner;
    }
}
