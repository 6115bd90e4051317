// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// The slice of UniswapV2Router02 that `TokenProvider.topUpWithEth` uses.
interface IUniswapV2Router {
    function WETH() external view returns (address);

    function getAmountsIn(uint256 amountOut, address[] calldata path) external view returns (uint256[] memory);

    function swapETHForExactTokens(
        uint256 amountOut,
        address[] calldata path,
        address to,
        uint256 deadline
    ) external payable returns (uint256[] memory amounts);
}
