// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ProviderBase} from "./ProviderBase.sol";
import {IERC20Permit} from "./interfaces/IERC20Permit.sol";
import {IUniswapV2Router} from "./interfaces/IUniswapV2Router.sol";

/// A provider paid in an ERC-20 (with EIP-2612 permit), optionally bought with ether on Uniswap V2.
contract TokenProvider is ProviderBase {
    error PermitFailed();
    error SwapUnavailable();
    error DeadlinePassed(uint256 deadline);
    error InsufficientEth(uint256 needed, uint256 sent);

    IERC20Permit public immutable token;
    /// address(0) when the provider takes no ether.
    IUniswapV2Router public immutable swapRouter;

    constructor(address owner_, address token_, uint256 pricePerBlock_, uint64 packageBlocks_, address swapRouter_)
        ProviderBase(owner_, pricePerBlock_, packageBlocks_)
    {
        if (token_ == address(0)) revert InvalidConfig();
        token = IERC20Permit(token_);
        swapRouter = IUniswapV2Router(swapRouter_);
    }

    function currency() public view override returns (address) {
        return address(token);
    }

    /// Pulls `amount` (whole packages; needs an allowance) for `org`; a new deployment is owned by the caller.
    function topUp(address org, uint256 amount) external nonReentrant {
        _topUp(org, msg.sender, amount);
        _pull(msg.sender, amount);
    }

    /// Like `topUp`, but a new deployment is owned by `deploymentOwner`.
    function topUpFor(address org, uint256 amount, address deploymentOwner) external nonReentrant {
        _topUp(org, deploymentOwner, amount);
        _pull(msg.sender, amount);
    }

    /// `topUp` with an EIP-2612 signature instead of a prior approval. A permit already used
    /// (e.g. front-run) is fine as long as the allowance is there.
    function topUpWithPermit(
        address org,
        uint256 amount,
        uint256 deadline,
        uint8 v,
        bytes32 r,
        bytes32 s
    ) external nonReentrant {
        _acceptPermit(amount, deadline, v, r, s);
        _topUp(org, msg.sender, amount);
        _pull(msg.sender, amount);
    }

    /// Makes this contract the caller's spender of `amount` by their signature, else PermitFailed.
    function _acceptPermit(uint256 amount, uint256 deadline, uint8 v, bytes32 r, bytes32 s) internal virtual {
        try token.permit(msg.sender, address(this), amount, deadline, v, r, s) {} catch {
            if (token.allowance(msg.sender, address(this)) < amount) revert PermitFailed();
        }
    }

    /// Buys exactly `packages` packages worth of tokens with ether and tops up `org`;
    /// ether not needed for the swap goes back to the caller.
    function topUpWithEth(address org, uint64 packages, uint256 deadline) external payable nonReentrant {
        if (address(swapRouter) == address(0)) revert SwapUnavailable();
        if (packages == 0) revert InvalidAmount();
        if (block.timestamp > deadline) revert DeadlinePassed(deadline);
        uint256 amount = uint256(packages) * packagePrice;
        address[] memory path = new address[](2);
        path[0] = swapRouter.WETH();
        path[1] = address(token);
        uint256 needed = swapRouter.getAmountsIn(amount, path)[0];
        if (msg.value < needed) revert InsufficientEth(needed, msg.value);
        _topUp(org, msg.sender, amount);
        // Sending exactly what the swap needs: the router has nothing to refund to this contract.
        uint256 spent = swapRouter.swapETHForExactTokens{value: needed}(amount, path, address(this), deadline)[0];
        uint256 leftover = msg.value - spent;
        if (leftover != 0) {
            (bool ok, ) = payable(msg.sender).call{value: leftover}("");
            if (!ok) revert TransferFailed();
        }
    }

    function _pull(address from, uint256 amount) private {
        _call(abi.encodeCall(IERC20Permit.transferFrom, (from, address(this), amount)));
    }

    function _pay(address to, uint256 amount) internal override {
        _call(abi.encodeCall(IERC20Permit.transfer, (to, amount)));
    }

    /// Calls the token, accepting tokens that return nothing as well as those returning true;
    /// the token's own revert reason is passed on.
    function _call(bytes memory data) private {
        (bool ok, bytes memory ret) = address(token).call(data);
        if (!ok && ret.length != 0) {
            assembly {
                revert(add(ret, 32), mload(ret))
            }
        }
        if (!ok || (ret.length != 0 && !abi.decode(ret, (bool)))) revert TransferFailed();
    }
}
