//! Proxy patterns: EIP-1967 slots, EIP-1822 `PROXIABLE`, EIP-1167 minimal clones.

use alloy_primitives::{b256, Address, B256};

/// EIP-1967 implementation slot: `keccak256("eip1967.proxy.implementation") - 1`.
pub const EIP1967_IMPLEMENTATION: B256 =
    b256!("360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc");
/// EIP-1967 admin slot: `keccak256("eip1967.proxy.admin") - 1`.
pub const EIP1967_ADMIN: B256 =
    b256!("b53127684a568b3173ae13b9f8a6016e243e63b6e8ee1178d6a717850b5d6103");
/// EIP-1967 beacon slot: `keccak256("eip1967.proxy.beacon") - 1`.
pub const EIP1967_BEACON: B256 =
    b256!("a3f0ad74e5423aebfd80d3ef4346578335a9a72aeaee59ff6cb3582b35133d50");
/// EIP-1822 slot: `keccak256("PROXIABLE")`.
pub const EIP1822_PROXIABLE: B256 =
    b256!("c5f16f0fcc639fa48a6947836d9850f504798523bf8c9a3a87d5876cf622bcf7");

/// The `implementation()` selector a beacon answers.
pub const IMPLEMENTATION_SELECTOR: [u8; 4] = [0x5c, 0x60, 0xda, 0x1b];

/// What a proxy slot holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlotValue {
    /// Zero: the slot is unused.
    Empty,
    /// An address.
    Address(Address),
    /// Something else (upper 12 bytes not zero): not an address.
    NotAnAddress,
}

/// A storage word read as an address slot.
pub fn slot_address(word: &B256) -> SlotValue {
    if word[..12].iter().any(|b| *b != 0) {
        return SlotValue::NotAnAddress;
    }
    let a = Address::from_slice(&word[12..]);
    if a == Address::ZERO {
        SlotValue::Empty
    } else {
        SlotValue::Address(a)
    }
}

const CLONE_PREFIX: [u8; 10] = [0x36, 0x3d, 0x3d, 0x37, 0x3d, 0x3d, 0x3d, 0x36, 0x3d, 0x73];
const CLONE_SUFFIX: [u8; 15] = [
    0x5a, 0xf4, 0x3d, 0x82, 0x80, 0x3e, 0x90, 0x3d, 0x91, 0x60, 0x2b, 0x57, 0xfd, 0x5b, 0xf3,
];

/// The implementation inside an EIP-1167 minimal clone's 45-byte runtime code.
pub fn eip1167_target(code: &[u8]) -> Option<Address> {
    if code.len() != 45 || code[..10] != CLONE_PREFIX || code[30..] != CLONE_SUFFIX {
        return None;
    }
    Some(Address::from_slice(&code[10..30]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::keccak256;

    #[test]
    fn slots_are_the_standard_ones() {
        let minus_one = |s: &str| {
            let h = keccak256(s.as_bytes());
            let mut n = alloy_primitives::U256::from_be_bytes(h.0);
            n -= alloy_primitives::U256::from(1u8);
            B256::from(n.to_be_bytes::<32>())
        };
        assert_eq!(
            minus_one("eip1967.proxy.implementation"),
            EIP1967_IMPLEMENTATION
        );
        assert_eq!(minus_one("eip1967.proxy.admin"), EIP1967_ADMIN);
        assert_eq!(minus_one("eip1967.proxy.beacon"), EIP1967_BEACON);
        assert_eq!(keccak256(b"PROXIABLE"), EIP1822_PROXIABLE);
        assert_eq!(keccak256(b"implementation()")[..4], IMPLEMENTATION_SELECTOR);
    }

    #[test]
    fn clone_parsing() {
        let mut c = CLONE_PREFIX.to_vec();
        c.extend_from_slice(&[0x11; 20]);
        c.extend_from_slice(&CLONE_SUFFIX);
        assert_eq!(eip1167_target(&c), Some(Address::from([0x11; 20])));
        c[44] = 0;
        assert_eq!(eip1167_target(&c), None);
        assert_eq!(eip1167_target(&c[..44]), None);
        let mut w = B256::ZERO;
        assert_eq!(slot_address(&w), SlotValue::Empty);
        w[0] = 1;
        assert_eq!(slot_address(&w), SlotValue::NotAnAddress);
    }
}
