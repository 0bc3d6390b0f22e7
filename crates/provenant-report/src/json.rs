//! The JSON report: the serde form of the model, pretty-printed, newline-terminated.

use std::io::{self, Write};

use provenant_model::{Inspection, Report};

/// Write `report` as JSON.
pub fn render(report: &Report, w: &mut impl Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *w, report)?;
    w.write_all(b"\n")
}

/// Write an inspection as JSON.
pub fn render_inspection(i: &Inspection, w: &mut impl Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *w, i)?;
    w.write_all(b"\n")
}
