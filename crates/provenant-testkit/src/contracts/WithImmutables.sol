// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

/// Immutables are written into the runtime code by the constructor.
contract WithImmutables {
    uint256 public immutable limit;
    address public immutable owner;

    constructor(uint256 limit_) {
        limit = limit_;
        owner = msg.sender;
    }
}
