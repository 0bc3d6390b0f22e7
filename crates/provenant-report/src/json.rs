//! The JSON report: the serde form of the model, pretty-printed, newline-terminated; hidden
//! characters (controls, bidi, invisible) are written as `\uXXXX` escapes, the same value to a
//! JSON reader and harmless on a terminal ([`crate::sanitize::write_json_pretty`]).

use std::io::{self, Write};

use provenant_model::{Inspection, Report};

/// Write `report` as JSON.
pub fn render(report: &Report, w: &mut impl Write) -> io::Result<()> {
    crate::sanitize::write_json_pretty(w, report)
}

/// Write an inspection as JSON.
pub fn render_inspection(i: &Inspection, w: &mut impl Write) -> io::Result<()> {
    crate::sanitize::write_json_pretty(w, i)
}
