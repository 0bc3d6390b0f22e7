//! The end of every verify command: the Rego input and the report written, the verdict mapped
//! to the exit code; and the gate inputs every command reads alike.

use provenant_core::{Inputs, Verification};
use provenant_model::{Report, Verdict};

use super::args::{GateArgs, PolicyArgs, PrintArgs};
use super::common::{emit, CliError};
use super::output::Outputs;
use super::read;

/// Gate report files, review documents and the git history source.
pub fn gate_inputs(inputs: &mut Inputs, g: &GateArgs) -> Result<(), CliError> {
    inputs.gates = read::gate_files(g)?;
    inputs.review = read::review(&g.review)?;
    inputs.history = read::history(g);
    Ok(())
}

/// Write the Rego input if asked, the report in every format (and, with --print-provenance,
/// the verified provenance), and return the exit code.
pub fn finish(
    print: &PrintArgs,
    outputs: Outputs<'_>,
    args: &PolicyArgs,
    policy: &provenant_policy::Policy,
    v: Verification,
) -> Result<u8, CliError> {
    write_rego_input(args.write_rego_input.as_deref(), &v, policy)?;
    let report = v.report;
    // With --print-provenance the report goes to stderr, and stdout holds only the provenance.
    outputs.write(&report, print.print_provenance)?;
    if print.print_provenance && report.verdict == Verdict::Pass {
        print_provenance(&report);
    }
    Ok(exit_code(&report))
}

pub fn write_rego_input(
    path: Option<&str>,
    v: &Verification,
    policy: &provenant_policy::Policy,
) -> Result<(), CliError> {
    let Some(p) = path else { return Ok(()) };
    // Without a Rego module the report is what Rego would have seen.
    let input = match &v.rego_input {
        Some(i) => i.clone(),
        None => provenant_core::rego_input(&v.report, policy),
    };
    let mut text = Vec::new();
    provenant_report::sanitize::write_json_pretty(&mut text, &input)
        .map_err(|e| CliError::Input(format!("cannot write the Rego input: {e}")))?;
    std::fs::write(p, text)
        .map_err(|e| CliError::Input(format!("cannot write the Rego input to {p}: {e}")))
}

fn print_provenance(report: &Report) {
    let mut out = Vec::new();
    let provenance = report
        .signatures
        .iter()
        .filter(|c| c.verified && c.provenance.is_some());
    for c in provenance {
        if let Some(p) = &c.signed_payload {
            // The same JSON value as signed; hidden characters (bidi, C1) spelled as escapes,
            // so the statement cannot drive or reorder the terminal.
            out.extend_from_slice(&provenant_report::sanitize::json_document(p.trim_ascii()));
            out.push(b'\n');
        }
    }
    emit(&out);
}

/// 0 for a pass, 1 for a failure.
pub fn exit_code(report: &Report) -> u8 {
    match report.verdict {
        Verdict::Pass => 0,
        Verdict::Fail => 1,
    }
}
