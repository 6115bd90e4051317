// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// The EIP-712 shape of a oneclick certificate (harness/certificate/typed-data.ts builds exactly
/// this; change both together) and the recovery of its signer.
///
/// Domain: EIP712Domain(string name,string version,uint256 chainId) with name "oneclick certificate",
/// version "1" and the chain the code runs on; no verifyingContract, so one signature is good for
/// every Entrance of that chain that trusts the signer.
library CertificateLib {
    struct Certificate {
        /// The provider contract the certificate is for.
        address provider;
        /// The chain that provider contract lives on.
        uint256 chainId;
        /// sha256 of the provider image.
        bytes32 subject;
        /// sha256 of the canonical in-toto Statement: names the certificate (and its revocation).
        bytes32 statement;
        /// The adapter contract version certified against, e.g. "oneclick/v1".
        string spec;
        /// Unix seconds.
        uint64 issuedAt;
        /// Unix seconds; the certificate holds while block.timestamp <= validUntil.
        uint64 validUntil;
    }

    error InvalidSignatureLength(uint256 length);
    error InvalidSignatureS(bytes32 s);
    error InvalidSignatureV(uint8 v);
    error InvalidSignature();

    bytes32 internal constant DOMAIN_TYPEHASH = keccak256("EIP712Domain(string name,string version,uint256 chainId)");
    bytes32 internal constant CERTIFICATE_TYPEHASH =
        keccak256(
            "Certificate(address provider,uint256 chainId,bytes32 subject,bytes32 statement,string spec,uint64 issuedAt,uint64 validUntil)"
        );
    bytes32 internal constant NAME_HASH = keccak256("oneclick certificate");
    bytes32 internal constant VERSION_HASH = keccak256("1");

    /// secp256k1n / 2: signatures with a larger s have a twin (n - s, other v) and are refused.
    uint256 internal constant HALF_ORDER = 0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0;

    /// Computed per call from block.chainid, so it stays right on a fork.
    function domainSeparator() internal view returns (bytes32) {
        return keccak256(abi.encode(DOMAIN_TYPEHASH, NAME_HASH, VERSION_HASH, block.chainid));
    }

    function structHash(Certificate calldata cert) internal pure returns (bytes32) {
        return
            keccak256(
                abi.encode(
                    CERTIFICATE_TYPEHASH,
                    cert.provider,
                    cert.chainId,
                    cert.subject,
                    cert.statement,
                    keccak256(bytes(cert.spec)),
                    cert.issuedAt,
                    cert.validUntil
                )
            );
    }

    /// The EIP-712 digest a certifier signs: keccak256("\x19\x01" || domainSeparator || structHash).
    function digest(Certificate calldata cert) internal view returns (bytes32) {
        return keccak256(abi.encodePacked(hex"1901", domainSeparator(), structHash(cert)));
    }

    /// The address that signed `hash` with a 65-byte (r, s, v) signature; reverts instead of ever
    /// returning address(0). Only low-s signatures with v of 27 or 28 are accepted.
    function recover(bytes32 hash, bytes calldata signature) internal pure returns (address signer) {
        if (signature.length != 65) revert InvalidSignatureLength(signature.length);
        bytes32 r = bytes32(signature[0:32]);
        bytes32 s = bytes32(signature[32:64]);
        uint8 v = uint8(signature[64]);
        if (uint256(s) > HALF_ORDER) revert InvalidSignatureS(s);
        if (v != 27 && v != 28) revert InvalidSignatureV(v);
        signer = ecrecover(hash, v, r, s);
        if (signer == address(0)) revert InvalidSignature();
    }
}
