//! Deployment records (Foundry broadcast, hardhat-deploy): never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut a = [0u8; 20];
    for (i, b) in data.iter().take(20).enumerate() {
        a[i] = *b;
    }
    let _ = provenant_contract::read_deployment(data, provenant_contract::Address::from(a));
    let _ = provenant_contract::read_deployment(data, provenant_contract::Address::ZERO);
});
