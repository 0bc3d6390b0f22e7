//! Where reports go: `--format FMT[=PATH]` (repeatable: several formats at once), `--out FILE`
//! (the one format without a destination, to a file) and `--vsa-key PEM` (sign the VSA).

use provenant_model::Report;

use super::common::{emit, emit_stderr, stdout_color, CliError};
use super::signing::VsaSigner;

/// A report format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportFormat {
    /// Concise text, failures first.
    Text,
    /// The JSON report (attestations/report.schema.json).
    Json,
    /// A Mermaid flowchart of the provenance chain.
    Mermaid,
    /// SARIF 2.1.0.
    Sarif,
    /// GitHub-flavoured Markdown.
    Markdown,
    /// JUnit XML.
    Junit,
    /// One self-contained HTML page.
    Html,
    /// A SLSA Verification Summary Attestation.
    Vsa,
}

impl ReportFormat {
    const ALL: [Self; 8] = [
        Self::Text,
        Self::Json,
        Self::Mermaid,
        Self::Sarif,
        Self::Markdown,
        Self::Junit,
        Self::Html,
        Self::Vsa,
    ];

    fn name(self) -> &'static str {
        match self {
            Self::Text => "text",
            Self::Json => "json",
            Self::Mermaid => "mermaid",
            Self::Sarif => "sarif",
            Self::Markdown => "markdown",
            Self::Junit => "junit",
            Self::Html => "html",
            Self::Vsa => "vsa",
        }
    }
}

/// One `--format FMT[=PATH]`: a format and where it goes (`None`: stdout).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormatSpec {
    format: ReportFormat,
    path: Option<String>,
}

/// Parse `FMT` or `FMT=PATH` (`FMT=-` is stdout).
pub fn parse_format(s: &str) -> Result<FormatSpec, String> {
    let (name, path) = match s.split_once('=') {
        Some((n, p)) => (n, Some(p)),
        None => (s, None),
    };
    let format = ReportFormat::ALL
        .into_iter()
        .find(|f| f.name() == name)
        .ok_or_else(|| {
            format!(
                "unknown format {name:?}; use one of {}, optionally as FMT=PATH",
                ReportFormat::ALL.map(ReportFormat::name).join(", ")
            )
        })?;
    let path = match path {
        None | Some("-") => None,
        Some("") => {
            return Err(format!(
                "{name}= names no file; write {name}=PATH, or {name} alone for stdout"
            ))
        }
        Some(p) => Some(p.to_owned()),
    };
    Ok(FormatSpec { format, path })
}

/// Which command writes, which decides the formats it offers and what they show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Renderer {
    /// `verify artifact`, `verify image`: every format.
    Verify,
    /// `provenance`: text, json and mermaid show the reconstructed chain; the others the
    /// report. Nothing is printed to stdout when every format has a destination (as with --out).
    Provenance,
    /// `gates`, `sbom check`: no VSA (there is no artifact verification to summarise).
    Judgement,
}

/// The output flags of one command.
#[derive(Debug, Clone, Copy)]
pub struct Outputs<'a> {
    /// `--format`, in order.
    pub formats: &'a [FormatSpec],
    /// `--out`.
    pub out: Option<&'a str>,
    /// `--vsa-key`.
    pub vsa_key: Option<&'a str>,
    /// `--policy`: the VSA names it (path and sha256).
    pub policy: Option<&'a str>,
    /// The command.
    pub renderer: Renderer,
}

/// Each format to write and its destination (`None`: stdout).
type Targets = Vec<(ReportFormat, Option<String>)>;

impl<'a> Outputs<'a> {
    /// The outputs of `gates` and `sbom check`.
    pub fn judgement(formats: &'a [FormatSpec], out: Option<&'a str>) -> Self {
        Self {
            formats,
            out,
            vsa_key: None,
            policy: None,
            renderer: Renderer::Judgement,
        }
    }

    /// Check the flags before any work is done; returns every format and its destination.
    pub fn check(&self) -> Result<Targets, CliError> {
        let bad = |m: String| Err(CliError::Input(m));
        for s in self.formats {
            if s.format == ReportFormat::Vsa && self.renderer == Renderer::Judgement {
                return bad(
                    "--format vsa summarises an artifact verification: use it with `verify artifact`, `verify image` or `provenance`".into(),
                );
            }
        }
        let to_stdout = self.formats.iter().filter(|s| s.path.is_none()).count();
        if to_stdout > 1 {
            return bad(format!(
                "{to_stdout} formats would go to stdout, and at most one can: give the others a destination, --format FMT=PATH"
            ));
        }
        let mut targets: Targets = self
            .formats
            .iter()
            .map(|s| (s.format, s.path.clone()))
            .collect();
        if let Some(out) = self.out {
            match targets.iter_mut().find(|(_, p)| p.is_none()) {
                Some(t) => t.1 = Some(out.to_owned()),
                None => {
                    return bad(
                        "--out FILE writes the --format given without =PATH, and every --format here has its own destination: drop --out".into(),
                    )
                }
            }
        }
        let mut paths: Vec<&str> = targets.iter().filter_map(|(_, p)| p.as_deref()).collect();
        paths.sort_unstable();
        if let Some(w) = paths.windows(2).find(|w| w[0] == w[1]) {
            return bad(format!("two formats would both write {}", w[0]));
        }
        if self.vsa_key.is_some() && !targets.iter().any(|(f, _)| *f == ReportFormat::Vsa) {
            return bad("--vsa-key signs the VSA: add --format vsa=PATH".into());
        }
        Ok(targets)
    }

    fn render(
        &self,
        report: &Report,
        format: ReportFormat,
        color: bool,
        signer: Option<&VsaSigner>,
    ) -> Result<Vec<u8>, CliError> {
        use provenant_report::{chain, html, json, junit, markdown, sanitize, sarif, text, vsa};
        let chain = self.renderer == Renderer::Provenance;
        let mut buf = Vec::new();
        let res = match format {
            ReportFormat::Text if chain => chain::render_text(report, &mut buf),
            ReportFormat::Text => text::render(report, &mut buf, color),
            ReportFormat::Json if chain => chain::render_json(report, &mut buf),
            ReportFormat::Json => json::render(report, &mut buf),
            ReportFormat::Mermaid => chain::render_mermaid(report, &mut buf),
            ReportFormat::Sarif => sarif::render(report, &mut buf),
            ReportFormat::Markdown => markdown::render(report, &mut buf),
            ReportFormat::Junit => junit::render(report, &mut buf),
            ReportFormat::Html => html::render(report, &mut buf),
            ReportFormat::Vsa => {
                // The policy file the VSA names is the one the report records as applied (the
                // digest of the bytes judged), not a second read of its path.
                let named = self.policy.map(|p| vsa::PolicyRef {
                    uri: p.to_owned(),
                    digest: None,
                });
                let st = vsa::statement(report, named.as_ref())
                    .map_err(|e| CliError::Input(format!("--format vsa: {e}")))?;
                match signer {
                    Some(s) => return s.envelope(&sanitize::to_json_vec(&st).unwrap_or_default()),
                    None => sanitize::write_json_pretty(&mut buf, &st),
                }
            }
        };
        res.map_err(|e| {
            CliError::Input(format!("cannot render the {} report: {e}", format.name()))
        })?;
        Ok(buf)
    }

    /// Render every format and write it to its destination. With `print_provenance`, the
    /// stdout-bound format goes to stderr instead and nothing else is printed. When no format
    /// goes to stdout, the text summary does (except for `provenance`).
    pub fn write(&self, report: &Report, print_provenance: bool) -> Result<(), CliError> {
        let targets = self.check()?;
        let signer = match self.vsa_key {
            Some(k) => Some(VsaSigner::load(k)?),
            None => None,
        };
        // Render everything first: a format that cannot be rendered writes nothing.
        let mut files = Vec::new();
        let mut console = None;
        for (format, dest) in targets {
            match dest {
                Some(path) => {
                    files.push((path, self.render(report, format, false, signer.as_ref())?))
                }
                None => {
                    let color = !print_provenance && stdout_color();
                    console = Some(self.render(report, format, color, signer.as_ref())?);
                }
            }
        }
        for (path, bytes) in files {
            std::fs::write(&path, bytes)
                .map_err(|e| CliError::Input(format!("cannot write report to {path}: {e}")))?;
        }
        match console {
            Some(b) if print_provenance => emit_stderr(&b),
            Some(b) => emit(&b),
            None if print_provenance || self.renderer == Renderer::Provenance => {}
            None => emit(&self.render(report, ReportFormat::Text, stdout_color(), None)?),
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outputs<'a>(formats: &'a [FormatSpec], out: Option<&'a str>) -> Outputs<'a> {
        Outputs {
            formats,
            out,
            vsa_key: None,
            policy: None,
            renderer: Renderer::Verify,
        }
    }

    fn specs(s: &[&str]) -> Vec<FormatSpec> {
        s.iter().map(|s| parse_format(s).unwrap()).collect()
    }

    #[test]
    fn parses_formats_and_destinations() {
        assert_eq!(
            parse_format("sarif=out/x.sarif").unwrap(),
            FormatSpec {
                format: ReportFormat::Sarif,
                path: Some("out/x.sarif".into())
            }
        );
        assert_eq!(parse_format("json=-").unwrap().path, None);
        assert_eq!(
            parse_format("html=a=b").unwrap().path.as_deref(),
            Some("a=b")
        );
        assert!(parse_format("xml").is_err());
        assert!(parse_format("json=").is_err());
        assert!(parse_format("JSON").is_err());
    }

    #[test]
    fn at_most_one_format_on_stdout() {
        let two = specs(&["text", "json"]);
        assert!(outputs(&two, None).check().is_err());
        let one = specs(&["text", "json=r.json", "html=r.html"]);
        assert_eq!(outputs(&one, None).check().unwrap().len(), 3);
    }

    #[test]
    fn out_takes_the_format_without_destination() {
        let one = specs(&["json"]);
        let t = outputs(&one, Some("r.json")).check().unwrap();
        assert_eq!(t, vec![(ReportFormat::Json, Some("r.json".into()))]);
        let none = specs(&["json=a.json"]);
        assert!(outputs(&none, Some("r.json")).check().is_err());
        let clash = specs(&["json", "html=r.json"]);
        assert!(outputs(&clash, Some("r.json")).check().is_err());
    }

    #[test]
    fn vsa_rules() {
        let v = specs(&["vsa=v.json"]);
        let mut o = outputs(&v, None);
        o.renderer = Renderer::Judgement;
        assert!(o.check().is_err());
        let t = specs(&["text"]);
        let mut o = outputs(&t, None);
        o.vsa_key = Some("k.pem");
        assert!(o.check().is_err());
    }
}
