// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IProvider, IEthProvider} from "./interfaces/IProvider.sol";
import {OrgFactory} from "./OrgFactory.sol";
import {CertifierRegistry} from "./CertifierRegistry.sol";
import {CertificateLib} from "./CertificateLib.sol";

/// The marketplace: providers list themselves, users compare them and register an org with one
/// of them in a single transaction.
///
/// A provider may list with a certificate (`listCertified`): an EIP-712 statement signed by a
/// certifier of `certifierRegistry`. Whether a listing counts as certified is computed on every read
/// (`isCertified`, `providers`, `ranking`): it stops on expiry, when the certifier leaves the registry
/// or when the registry revokes the certificate, without any transaction here.
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
        /// Live: a certificate is stored, not expired, its certifier still registered, not revoked.
        bool certified;
        /// The stored certificate (zero when none), whether or not it still holds.
        address certifier;
        uint64 certifiedUntil;
        /// The certificate's statement digest.
        bytes32 certificate;
    }

    /// What `listCertified` stores for a provider (all zero when none).
    struct CertificateRecord {
        address certifier;
        bytes32 statement;
        bytes32 subject;
        string spec;
        uint64 issuedAt;
        uint64 validUntil;
    }

    struct Listing {
        string name;
        string endpoint;
    }

    event ProviderListed(address indexed provider, string name, string endpoint);
    event ProviderDelisted(address indexed provider);
    event ProviderCertified(
        address indexed provider,
        address indexed certifier,
        bytes32 indexed statement,
        uint64 validUntil
    );

    error EmptyField();
    error NotAProvider(address provider);
    error NotProviderOwner();
    error NotListed(address provider);
    error NotAnEthProvider(address provider);
    error CertificateForAnotherProvider(address expected, address actual);
    error CertificateForAnotherChain(uint256 expected, uint256 actual);
    error CertificateNotYetValid(uint64 issuedAt, uint256 timestamp);
    error CertificateExpired(uint64 validUntil, uint256 timestamp);
    error CertificateRevoked(bytes32 statement);
    error SignerNotCertifier(address signer);

    OrgFactory public immutable orgFactory;
    CertifierRegistry public immutable certifierRegistry;

    address[] private _listed;
    /// Index in `_listed` plus one; 0 = not listed.
    mapping(address => uint256) private _slot;
    mapping(address => Listing) private _listings;
    mapping(address => CertificateRecord) private _certificates;

    constructor(OrgFactory orgFactory_, CertifierRegistry certifierRegistry_) {
        orgFactory = orgFactory_;
        certifierRegistry = certifierRegistry_;
    }

    /// Lists `provider`, or updates its name and endpoint; only its owner may. A certificate stored
    /// by an earlier `listCertified` stays as it is.
    function list(address provider, string calldata name, string calldata endpoint) external {
        _checkListing(provider, name, endpoint);
        _list(provider, name, endpoint);
    }

    /// `list` with a certificate signed by a certifier of `certifierRegistry`; stores it (replacing
    /// any earlier one) and emits `ProviderCertified` after `ProviderListed`.
    function listCertified(
        address provider,
        string calldata name,
        string calldata endpoint,
        CertificateLib.Certificate calldata cert,
        bytes calldata signature
    ) external {
        _checkListing(provider, name, endpoint);
        address certifier = _checkCertificate(provider, cert, signature);
        _list(provider, name, endpoint);
        _certificates[provider] = CertificateRecord({
            certifier: certifier,
            statement: cert.statement,
            subject: cert.subject,
            spec: cert.spec,
            issuedAt: cert.issuedAt,
            validUntil: cert.validUntil
        });
        emit ProviderCertified(provider, certifier, cert.statement, cert.validUntil);
    }

    /// The EIP-712 digest of `cert` on this chain: what its certifier signs.
    function certificateDigest(CertificateLib.Certificate calldata cert) external view returns (bytes32) {
        return CertificateLib.digest(cert);
    }

    /// The certificate stored for `provider` (all zero when none), whether or not it still holds.
    function certificateOf(address provider) external view returns (CertificateRecord memory) {
        return _certificates[provider];
    }

    /// Whether `provider` holds a certificate right now (see `ProviderInfo.certified`).
    function isCertified(address provider) public view returns (bool) {
        CertificateRecord storage c = _certificates[provider];
        return
            c.certifier != address(0) &&
            block.timestamp <= c.validUntil &&
            certifierRegistry.isCertifier(c.certifier) &&
            !certifierRegistry.isRevoked(c.statement);
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
        delete _certificates[provider];
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

    function _checkListing(address provider, string calldata name, string calldata endpoint) private view {
        if (bytes(name).length == 0 || bytes(endpoint).length == 0) revert EmptyField();
        if (provider.code.length == 0) revert NotAProvider(provider);
        if (IProvider(provider).owner() != msg.sender) revert NotProviderOwner();
    }

    function _list(address provider, string calldata name, string calldata endpoint) private {
        if (_slot[provider] == 0) {
            _listed.push(provider);
            _slot[provider] = _listed.length;
        }
        _listings[provider] = Listing(name, endpoint);
        emit ProviderListed(provider, name, endpoint);
    }

    /// Checks `cert` for `provider` now, in this order, and returns its certifier.
    function _checkCertificate(
        address provider,
        CertificateLib.Certificate calldata cert,
        bytes calldata signature
    ) private view returns (address signer) {
        if (cert.provider != provider) revert CertificateForAnotherProvider(provider, cert.provider);
        if (cert.chainId != block.chainid) revert CertificateForAnotherChain(block.chainid, cert.chainId);
        if (cert.issuedAt > block.timestamp) revert CertificateNotYetValid(cert.issuedAt, block.timestamp);
        if (block.timestamp > cert.validUntil) revert CertificateExpired(cert.validUntil, block.timestamp);
        if (certifierRegistry.isRevoked(cert.statement)) revert CertificateRevoked(cert.statement);
        signer = CertificateLib.recover(CertificateLib.digest(cert), signature);
        if (!certifierRegistry.isCertifier(signer)) revert SignerNotCertifier(signer);
    }

    function _info(address provider) private view returns (ProviderInfo memory info) {
        IProvider p = IProvider(provider);
        Listing storage l = _listings[provider];
        CertificateRecord storage c = _certificates[provider];
        info.provider = provider;
        info.currency = p.currency();
        info.name = l.name;
        info.endpoint = l.endpoint;
        info.packagePrice = p.packagePrice();
        info.packageBlocks = p.packageBlocks();
        info.activeSubscribers = p.activeSubscribers();
        info.certified = isCertified(provider);
        info.certifier = c.certifier;
        info.certifiedUntil = c.validUntil;
        info.certificate = c.statement;
    }

    function _before(ProviderInfo memory a, ProviderInfo memory b) private pure returns (bool) {
        if (a.packagePrice != b.packagePrice) return a.packagePrice < b.packagePrice;
        return a.activeSubscribers > b.activeSubscribers;
    }
}
