// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

/// An external library: linked into UsesLib at deploy time.
library MathLib {
    function addOne(uint256 a) external pure returns (uint256) {
        return a + 1;
    }
}

contract UsesLib {
    function next(uint256 a) external pure returns (uint256) {
        return MathLib.addOne(a);
    }
}
