//! Bytecode: the CBOR metadata trailer, EIP-1167 clones, compiler hex with library
//! placeholders: never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = provenant_contract::trailer(data);
    let _ = provenant_contract::eip1167_target(data);
    if let Ok(s) = std::str::from_utf8(data) {
        let _ = provenant_contract::Code::parse(s, &[], "fuzz");
        let _ = provenant_contract::Code::parse(s, &[("a.sol:L".to_owned(), 0)], "fuzz");
    }
});
