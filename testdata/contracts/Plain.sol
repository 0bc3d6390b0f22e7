// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

/// A plain contract: no constructor arguments, no immutables, no libraries.
contract Plain {
    uint256 public value;

    function set(uint256 v) external {
        value = v;
    }
}
