// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

/// Static and dynamic constructor arguments.
contract WithArgs {
    string public name;
    uint256 public supply;
    address public treasury;

    constructor(string memory name_, uint256 supply_, address treasury_) {
        name = name_;
        supply = supply_;
        treasury = treasury_;
    }
}
