// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IProvider, IEthProvider} from "./interfaces/IProvider.sol";
import {OrgFactory} from "./OrgFactory.sol";

/// The marketplace: providers list themselves, users compare them and register an org with one
/// of them in a single transaction.
contract Entrance {
    struct ProviderInfo {
        address provider;
        /// address(0) for ether.
        address currency;
        string name;
        string endpoint;
        uint256 packagePrice;
        uint64 packageBlocks;
        uint256 activeSubscribers;
    }

    struct Listing {
        string name;
        string endpoint;
    }

    event ProviderListed(address indexed provider, string name, string endpoint);
    event ProviderDelisted(address indexed provider);

    error EmptyField();
    error NotAProvider(address provider);
    error NotProviderOwner();
    error NotListed(address provider);
    error NotAnEthProvider(address provider);

    OrgFactory public immutable orgFactory;

    address[] private _listed;
    /// Index in `_listed` plus one; 0 = not listed.
    mapping(address => uint256) private _slot;
    mapping(address => Listing) private _listings;

    constructor(OrgFactory orgFactory_) {
        orgFactory = orgFactory_;
    }

    /// Lists `provider`, or updates its name and endpoint; only its owner may.
    function list(address provider, string calldata name, string calldata endpoint) external {
        if (bytes(name).length == 0 || bytes(endpoint).length == 0) revert EmptyField();
        if (provider.code.length == 0) revert NotAProvider(provider);
        if (IProvider(provider).owner() != msg.sender) revert NotProviderOwner();
        if (_slot[provider] == 0) {
            _listed.push(provider);
            _slot[provider] = _listed.length;
        }
        _listings[provider] = Listing(name, endpoint);
        emit ProviderListed(provider, name, endpoint);
    }

    function delist(address provider) external {
        uint256 slot = _slot[provider];
        if (slot == 0) revert NotListed(provider);
        if (IProvider(provider).owner() != msg.sender) revert NotProviderOwner();
        // Shift the rest up to keep listing order (lists are short).
        uint256 n = _listed.length;
        for (uint256 i = slot; i < n; ++i) {
            address moved = _listed[i];
            _listed[i - 1] = moved;
            _slot[moved] = i;
        }
        _listed.pop();
        delete _slot[provider];
        delete _listings[provider];
        emit ProviderDelisted(provider);
    }

    function isListed(address provider) external view returns (bool) {
        return _slot[provider] != 0;
    }

    /// Every listed provider with its live terms, in listing order.
    function providers() public view returns (ProviderInfo[] memory infos) {
        uint256 n = _listed.length;
        infos = new ProviderInfo[](n);
        for (uint256 i = 0; i < n; ++i) {
            infos[i] = _info(_listed[i]);
        }
    }

    /// Listed providers paid in `currency` (address(0) = ether), cheapest package first; equal
    /// prices: more active subscribers first; still equal: listing order.
    function ranking(address currency) external view returns (ProviderInfo[] memory ranked) {
        ProviderInfo[] memory all = providers();
        ranked = new ProviderInfo[](all.length);
        uint256 n = 0;
        for (uint256 i = 0; i < all.length; ++i) {
            if (all[i].currency != currency) continue;
            // Insertion sort: stable, and provider lists are short.
            uint256 j = n;
            while (j > 0 && _before(all[i], ranked[j - 1])) {
                ranked[j] = ranked[j - 1];
                --j;
            }
            ranked[j] = all[i];
            ++n;
        }
        assembly {
            mstore(ranked, n)
        }
    }

    /// Creates an org owned by the caller and pays `msg.value` (whole packages) for it with an
    /// ether provider; the caller owns the deployment.
    function registerOrgThenTopUp(address provider) external payable returns (address org) {
        if (_slot[provider] == 0) revert NotListed(provider);
        if (IProvider(provider).currency() != address(0)) revert NotAnEthProvider(provider);
        org = orgFactory.createOrg(msg.sender);
        IEthProvider(provider).topUpFor{value: msg.value}(org, msg.sender);
    }

    function _info(address provider) private view returns (ProviderInfo memory) {
        IProvider p = IProvider(provider);
        Listing storage l = _listings[provider];
        return
            ProviderInfo({
                provider: provider,
                currency: p.currency(),
                name: l.name,
                endpoint: l.endpoint,
                packagePrice: p.packagePrice(),
                packageBlocks: p.packageBlocks(),
                activeSubscribers: p.activeSubscribers()
            });
    }

    function _before(ProviderInfo memory a, ProviderInfo memory b) private pure returns (bool) {
        if (a.packagePrice != b.packagePrice) return a.packagePrice < b.packagePrice;
        return a.activeSubscribers > b.activeSubscribers;
    }
}
