// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// Who may certify providers: an owner-managed set of certifier addresses, plus the owner's list of
/// single certificates it has withdrawn (by the certificate's statement digest). An Entrance reads
/// both live, so a change here takes effect on every listing without touching the Entrance.
///
/// Ownership moves in two steps: the owner names a pending owner, who must accept.
contract CertifierRegistry {
    event CertifierAdded(address indexed certifier);
    event CertifierRevoked(address indexed certifier);
    /// One atomic change: `oldCertifier` leaves the set and `newCertifier` takes its place.
    event CertifierRotated(address indexed oldCertifier, address indexed newCertifier);
    event CertificateRevoked(bytes32 indexed statement);
    event OwnershipTransferStarted(address indexed previousOwner, address indexed newOwner);
    event OwnershipTransferred(address indexed previousOwner, address indexed newOwner);

    error NotOwner();
    error NotPendingOwner();
    error ZeroAddress();
    error AlreadyCertifier(address certifier);
    error NotACertifier(address certifier);
    error AlreadyRevoked(bytes32 statement);

    address public owner;
    /// Named by `transferOwnership`, becomes the owner on `acceptOwnership`; address(0) = none.
    address public pendingOwner;

    address[] private _certifiers;
    /// Index in `_certifiers` plus one; 0 = not a certifier.
    mapping(address => uint256) private _slot;
    mapping(bytes32 => bool) private _revoked;

    modifier onlyOwner() {
        if (msg.sender != owner) revert NotOwner();
        _;
    }

    constructor(address owner_) {
        if (owner_ == address(0)) revert ZeroAddress();
        owner = owner_;
        emit OwnershipTransferred(address(0), owner_);
    }

    function addCertifier(address certifier) external onlyOwner {
        if (certifier == address(0)) revert ZeroAddress();
        if (_slot[certifier] != 0) revert AlreadyCertifier(certifier);
        _certifiers.push(certifier);
        _slot[certifier] = _certifiers.length;
        emit CertifierAdded(certifier);
    }

    /// Removes `certifier`; the last certifier takes its place in `certifiers()`.
    function revokeCertifier(address certifier) external onlyOwner {
        uint256 slot = _slot[certifier];
        if (slot == 0) revert NotACertifier(certifier);
        uint256 last = _certifiers.length;
        if (slot != last) {
            address moved = _certifiers[last - 1];
            _certifiers[slot - 1] = moved;
            _slot[moved] = slot;
        }
        _certifiers.pop();
        delete _slot[certifier];
        emit CertifierRevoked(certifier);
    }

    /// Replaces `oldCertifier` by `newCertifier` in one transaction (same place in `certifiers()`):
    /// there is no moment with both or neither.
    function rotateCertifier(address oldCertifier, address newCertifier) external onlyOwner {
        if (newCertifier == address(0)) revert ZeroAddress();
        uint256 slot = _slot[oldCertifier];
        if (slot == 0) revert NotACertifier(oldCertifier);
        if (_slot[newCertifier] != 0) revert AlreadyCertifier(newCertifier);
        _certifiers[slot - 1] = newCertifier;
        _slot[newCertifier] = slot;
        delete _slot[oldCertifier];
        emit CertifierRotated(oldCertifier, newCertifier);
    }

    /// Withdraws one certificate, named by its statement digest, whoever signed it. Permanent.
    function revokeCertificate(bytes32 statement) external onlyOwner {
        if (_revoked[statement]) revert AlreadyRevoked(statement);
        _revoked[statement] = true;
        emit CertificateRevoked(statement);
    }

    function isCertifier(address who) external view returns (bool) {
        return _slot[who] != 0;
    }

    function certifiers() external view returns (address[] memory) {
        return _certifiers;
    }

    function isRevoked(bytes32 statement) external view returns (bool) {
        return _revoked[statement];
    }

    /// Names `newOwner` as pending owner (replacing any earlier one); nothing changes until it accepts.
    function transferOwnership(address newOwner) external onlyOwner {
        if (newOwner == address(0)) revert ZeroAddress();
        pendingOwner = newOwner;
        emit OwnershipTransferStarted(owner, newOwner);
    }

    function acceptOwnership() external {
        if (msg.sender != pendingOwner) revert NotPendingOwner();
        address previous = owner;
        owner = msg.sender;
        delete pendingOwner;
        emit OwnershipTransferred(previous, msg.sender);
    }
}
