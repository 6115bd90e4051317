// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// Test-only attacker: owns a provider and/or a deployment, and when it is paid (refund or
/// withdrawal) it calls back into the provider once with a prepared call, recording the outcome.
contract ReentrantOwner {
    error NotCommander();

    address public immutable commander;
    address public target;
    bytes public reentryCall;
    uint256 public reentryAttempts;
    bool public lastReentrySucceeded;
    bytes public lastReentryResult;
    uint256 public received;

    modifier onlyCommander() {
        if (msg.sender != commander) revert NotCommander();
        _;
    }

    constructor() {
        commander = msg.sender;
    }

    /// The call to make into `target_` on the next payment (empty = just accept it).
    function arm(address target_, bytes calldata call_) external onlyCommander {
        target = target_;
        reentryCall = call_;
    }

    /// Makes a call as this contract (e.g. top up, cancel, withdraw), bubbling a revert.
    function execute(address to, bytes calldata data) external payable onlyCommander returns (bytes memory) {
        (bool ok, bytes memory ret) = to.call{value: msg.value}(data);
        if (!ok) {
            assembly {
                revert(add(ret, 32), mload(ret))
            }
        }
        return ret;
    }

    receive() external payable {
        received += msg.value;
        if (reentryCall.length == 0) return;
        bytes memory data = reentryCall;
        delete reentryCall;
        ++reentryAttempts;
        (bool ok, bytes memory ret) = target.call(data);
        lastReentrySucceeded = ok;
        lastReentryResult = ret;
    }
}
