// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

/// The logic behind the proxies.
contract Logic {
    uint256 public count;

    function bump() external {
        count += 1;
    }
}

/// A minimal EIP-1967 proxy: the implementation in the standard slot.
contract Proxy1967 {
    bytes32 internal constant IMPL = 0x360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc;
    bytes32 internal constant ADMIN = 0xb53127684a568b3173ae13b9f8a6016e243e63b6e8ee1178d6a717850b5d6103;

    constructor(address impl, address admin) {
        assembly {
            sstore(IMPL, impl)
            sstore(ADMIN, admin)
        }
    }

    fallback() external payable {
        assembly {
            let impl := sload(IMPL)
            calldatacopy(0, 0, calldatasize())
            let ok := delegatecall(gas(), impl, 0, calldatasize(), 0, 0)
            returndatacopy(0, 0, returndatasize())
            switch ok
            case 0 { revert(0, returndatasize()) }
            default { return(0, returndatasize()) }
        }
    }
}

/// An EIP-1967 beacon: `implementation()` names the logic.
contract Beacon {
    address public implementation;

    constructor(address impl) {
        implementation = impl;
    }
}

/// An EIP-1967 beacon proxy: the beacon in the standard beacon slot.
contract BeaconProxy {
    bytes32 internal constant BEACON = 0xa3f0ad74e5423aebfd80d3ef4346578335a9a72aeaee59ff6cb3582b35133d50;

    constructor(address beacon) {
        assembly {
            sstore(BEACON, beacon)
        }
    }

    fallback() external payable {
        address impl;
        address beacon;
        assembly {
            beacon := sload(BEACON)
        }
        impl = Beacon(beacon).implementation();
        assembly {
            calldatacopy(0, 0, calldatasize())
            let ok := delegatecall(gas(), impl, 0, calldatasize(), 0, 0)
            returndatacopy(0, 0, returndatasize())
            switch ok
            case 0 { revert(0, returndatasize()) }
            default { return(0, returndatasize()) }
        }
    }
}

/// Deploys EIP-1167 minimal clones of an implementation.
contract CloneFactory {
    event Cloned(address clone);

    function clone(address impl) external returns (address r) {
        assembly {
            let ptr := mload(0x40)
            mstore(ptr, 0x3d602d80600a3d3981f3363d3d373d3d3d363d73000000000000000000000000)
            mstore(add(ptr, 0x14), shl(0x60, impl))
            mstore(add(ptr, 0x28), 0x5af43d82803e903d91602b57fd5bf30000000000000000000000000000000000)
            r := create(0, ptr, 0x37)
        }
        emit Cloned(r);
    }
}
