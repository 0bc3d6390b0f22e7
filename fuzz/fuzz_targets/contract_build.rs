//! Smart-contract build files (Foundry/Hardhat artifacts, build-info, solc standard JSON) and
//! matching their code against the input's own bytes: never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(build) = provenant_contract::read_build(data) {
        for c in build.contracts.iter().take(8) {
            let m = provenant_contract::match_runtime(c, data, provenant_contract::Address::ZERO);
            let _ = provenant_contract::match_creation(c, data, &m.links);
            let _ = provenant_contract::check_arguments(c, data, None);
        }
    }
});
