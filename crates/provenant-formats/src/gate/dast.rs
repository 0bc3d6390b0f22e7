//! Dynamic analysis: OWASP ZAP reports (traditional JSON and XML) and in-toto test-result
//! predicates.
//!
//! A ZAP report becomes one [`GateReport`] whose `scanned` lists each site's URL as a
//! deployment and whose findings are its alerts, one per alert (not per instance), located at
//! the alert's first instance. The JSON and the XML report of one scan read the same.

mod test_result;
mod zap;
mod zap_xml;

use super::{GateError, GateReport};

/// `Some` when `v` is a ZAP JSON report or an in-toto test-result predicate (bare, or in a
/// Statement whose `predicateType` is test-result).
pub fn detect(v: &serde_json::Value) -> Option<Result<Vec<GateReport>, GateError>> {
    if zap::is_zap_json(v) {
        return Some(zap::from_json(v).map(|r| vec![r]));
    }
    test_result::detect(v)
}

/// OWASP ZAP XML report (`<OWASPZAPReport>`). A DOCTYPE is refused, so no entity beyond XML's
/// predefined ones and character references is ever expanded.
pub fn parse_zap_xml(bytes: &[u8]) -> Result<GateReport, GateError> {
    zap_xml::parse(bytes)
}
