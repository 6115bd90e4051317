// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IProvider} from "./interfaces/IProvider.sol";

/// Pay-per-block hosting of Radicle org nodes, one contract per currency (see EthProvider, TokenProvider).
///
/// A deployment is paid in whole packages of `packageBlocks` blocks. It is active while
/// `expiry > block.number` (at `expiry == block.number` it has expired). Topping up an active
/// deployment extends it; topping up an inactive one starts a new paid period at the current block,
/// owned by whoever paid (or whom the payer named).
///
/// Accounting: the current period of a deployment earns `(min(block.number, expiry) - start) *
/// pricePerBlock` (revenue is realized block by block); the unelapsed rest can still be refunded by
/// `cancel`/`suspend`, so `withdraw` only ever pays realized revenue not yet withdrawn.
/// Periods that may still earn are kept in an "open" set; expired ones leave it on `withdraw`,
/// stopped ones immediately, with their final revenue moved to `_closedRevenue`.
abstract contract ProviderBase is IProvider {
    struct Deployment {
        address owner;
        uint64 start;
        uint64 expiry;
    }

    event NewTopUp(address indexed org, uint64 expiry);
    event DeploymentStopped(address indexed org, uint64 atBlock);
    event Withdrawn(address indexed to, uint256 amount);

    error InvalidConfig();
    error ZeroAddress();
    error InvalidAmount();
    error NotOwner();
    error NotDeploymentOwner();
    error NotActive(address org);
    error NothingToWithdraw();
    error TransferFailed();
    error Reentrancy();

    address public immutable owner;
    uint256 public immutable pricePerBlock;
    uint64 public immutable packageBlocks;
    uint256 public immutable packagePrice;

    /// Total paid out by `withdraw` so far.
    uint256 public withdrawn;

    mapping(address => Deployment) private _deployments;
    address[] private _open;
    /// Index in `_open` plus one; 0 = not in the set.
    mapping(address => uint256) private _openSlot;
    uint256 private _closedRevenue;
    uint256 private _lock = 1;

    modifier nonReentrant() {
        if (_lock != 1) revert Reentrancy();
        _lock = 2;
        _;
        _lock = 1;
    }

    modifier onlyOwner() {
        if (msg.sender != owner) revert NotOwner();
        _;
    }

    constructor(address owner_, uint256 pricePerBlock_, uint64 packageBlocks_) {
        if (owner_ == address(0) || pricePerBlock_ == 0 || packageBlocks_ == 0) revert InvalidConfig();
        owner = owner_;
        pricePerBlock = pricePerBlock_;
        packageBlocks = packageBlocks_;
        packagePrice = pricePerBlock_ * packageBlocks_;
    }

    /// address(0) for ether, else the token the provider is paid in.
    function currency() public view virtual returns (address);

    function expiryOf(address org) external view returns (uint64) {
        return _deployments[org].expiry;
    }

    function isActive(address org) public view returns (bool) {
        return _deployments[org].expiry > block.number;
    }

    function deploymentOwnerOf(address org) external view returns (address) {
        return _deployments[org].owner;
    }

    function deploymentOf(address org) external view returns (Deployment memory) {
        return _deployments[org];
    }

    /// Exact count of deployments with `expiry > block.number` (O(open deployments)).
    function activeSubscribers() external view returns (uint256 count) {
        uint256 n = _open.length;
        for (uint256 i = 0; i < n; ++i) {
            if (_deployments[_open[i]].expiry > block.number) ++count;
        }
    }

    /// Revenue earned so far, withdrawn or not.
    function realizedRevenue() public view returns (uint256 total) {
        total = _closedRevenue;
        uint256 n = _open.length;
        for (uint256 i = 0; i < n; ++i) {
            total += _earned(_deployments[_open[i]]);
        }
    }

    function withdrawable() external view returns (uint256) {
        return realizedRevenue() - withdrawn;
    }

    /// Ends an active deployment now, refunding its unused blocks to its owner.
    function cancel(address org) external nonReentrant {
        Deployment storage d = _deployments[org];
        if (d.expiry <= block.number) revert NotActive(org);
        if (msg.sender != d.owner) revert NotDeploymentOwner();
        _stop(org, d);
    }

    /// The provider ends a deployment now; its owner gets the unused blocks back.
    function suspend(address org) external nonReentrant onlyOwner {
        Deployment storage d = _deployments[org];
        if (d.expiry <= block.number) revert NotActive(org);
        _stop(org, d);
    }

    /// Pays the provider owner all realized, not yet withdrawn revenue.
    function withdraw() external nonReentrant onlyOwner {
        uint256 realized = _settle();
        uint256 amount = realized - withdrawn;
        if (amount == 0) revert NothingToWithdraw();
        withdrawn = realized;
        emit Withdrawn(owner, amount);
        _pay(owner, amount);
    }

    /// Sends `amount` of the provider's currency to `to`; reverts on failure.
    function _pay(address to, uint256 amount) internal virtual;

    /// The blocks `amount` pays for: whole packages only, else InvalidAmount.
    function _blocksFor(uint256 amount) internal view virtual returns (uint256) {
        if (amount == 0 || amount % packagePrice != 0) revert InvalidAmount();
        return (amount / packagePrice) * packageBlocks;
    }

    /// The expiry `blocks` more give a deployment expiring at `expiry`: an active one is extended,
    /// an inactive one starts a new period at the current block.
    function _expiryAfterTopUp(uint256 expiry, uint256 blocks) internal view virtual returns (uint256) {
        return expiry > block.number ? expiry + blocks : block.number + blocks;
    }

    /// The expiry a deployment stopped now gets: it ends at the current block.
    function _expiryAfterStop(uint64) internal view virtual returns (uint64) {
        return uint64(block.number);
    }

    /// Credits `amount` (a whole number of packages) to `org`. Effects only: callers collect payment.
    function _topUp(address org, address payer, uint256 amount) internal {
        if (org == address(0) || payer == address(0)) revert ZeroAddress();
        uint256 blocks = _blocksFor(amount);
        Deployment storage d = _deployments[org];
        uint256 expiry = _expiryAfterTopUp(d.expiry, blocks);
        if (d.expiry <= block.number) {
            if (_openSlot[org] == 0) {
                _open.push(org);
                _openSlot[org] = _open.length;
            } else {
                // The previous period ran out without being settled yet: all of it was earned.
                _closedRevenue += _earned(d);
            }
            d.owner = payer;
            d.start = uint64(block.number);
        }
        if (expiry > type(uint64).max) revert InvalidAmount();
        d.expiry = uint64(expiry);
        emit NewTopUp(org, uint64(expiry));
    }

    function _stop(address org, Deployment storage d) private {
        uint256 refund = (d.expiry - block.number) * pricePerBlock;
        d.expiry = _expiryAfterStop(d.expiry);
        _closedRevenue += _earned(d);
        _untrack(org);
        emit DeploymentStopped(org, uint64(block.number));
        _pay(d.owner, refund);
    }

    /// Moves the revenue of expired periods to `_closedRevenue`; returns the realized total.
    function _settle() private returns (uint256 realized) {
        uint256 closed = _closedRevenue;
        uint256 running;
        uint256 i = 0;
        while (i < _open.length) {
            address org = _open[i];
            Deployment storage d = _deployments[org];
            if (d.expiry <= block.number) {
                closed += _earned(d);
                _untrack(org); // the last element moves into slot i
            } else {
                running += _earned(d);
                ++i;
            }
        }
        _closedRevenue = closed;
        realized = closed + running;
    }

    function _earned(Deployment storage d) private view returns (uint256) {
        uint256 end = d.expiry < block.number ? d.expiry : block.number;
        return (end - d.start) * pricePerBlock;
    }

    function _untrack(address org) private {
        uint256 slot = _openSlot[org];
        uint256 last = _open.length;
        if (slot != last) {
            address moved = _open[last - 1];
            _open[slot - 1] = moved;
            _openSlot[moved] = slot;
        }
        _open.pop();
        delete _openSlot[org];
    }
}
