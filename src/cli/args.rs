//! The flag groups of the verify commands, declared once and flattened into each subcommand,
//! so that a subcommand has exactly the flags it uses. Each group turns itself into the
//! library's types ([`PolicyFlags`](provenant_policy::PolicyFlags) and friends); nothing here
//! decides anything.

use clap::Args;

/// Signature and attestation evidence files.
#[derive(Debug, Clone, Args)]
pub struct EvidenceArgs {
    /// Signature evidence: a Sigstore bundle (v0.1-v0.3), a JSON-lines file of bundles (as
    /// `gh attestation download` writes), a DSSE envelope, or a cosign signature file.
    /// Repeatable. Without it, FILE.sigstore.json, FILE.sigstore and FILE.bundle are tried
    /// beside the artifact.
    #[arg(long, value_name = "FILE", visible_alias = "signature")]
    pub bundle: Vec<String>,

    /// SLSA provenance to verify (slsa-verifier's --provenance-path): a Sigstore bundle, a
    /// JSON-lines file of bundles, or a DSSE envelope. Repeatable; same handling as --bundle.
    #[arg(long, value_name = "FILE")]
    pub provenance: Vec<String>,

    /// Attestations: a JSON-lines file (gh attestation download), an npm attestations document,
    /// or a directory whose files are each read as evidence. Repeatable.
    #[arg(long, value_name = "DIR|FILE")]
    pub attestations: Vec<String>,
}

/// Who must have signed, and the trust material.
#[derive(Debug, Clone, Args)]
pub struct SignerArgs {
    /// Expected signer identity (certificate SAN), matched exactly.
    #[arg(
        long,
        value_name = "SAN",
        conflicts_with = "certificate_identity_regexp"
    , value_parser = provenant_policy::grammar::identity)]
    pub certificate_identity: Option<String>,

    /// Expected signer identity as a regexp. ANCHORED at both ends whether or not you write
    /// ^...$ (unlike cosign, where an unanchored regexp lets sibling workflows such as
    /// release.yml.attacker.yml or repo-evil through).
    #[arg(long, value_name = "REGEXP", value_parser = provenant_policy::grammar::regexp)]
    pub certificate_identity_regexp: Option<String>,

    /// Expected OIDC issuer of the signing certificate, matched exactly
    /// (e.g. https://token.actions.githubusercontent.com).
    #[arg(
        long,
        value_name = "URL",
        visible_alias = "cert-oidc-issuer",
        conflicts_with = "certificate_oidc_issuer_regexp"
    , value_parser = provenant_policy::grammar::issuer_url)]
    pub certificate_oidc_issuer: Option<String>,

    /// Expected OIDC issuer as a regexp, anchored at both ends.
    #[arg(long, value_name = "REGEXP", value_parser = provenant_policy::grammar::regexp)]
    pub certificate_oidc_issuer_regexp: Option<String>,

    /// Trusted root: a Sigstore trusted_root.json or client trust config file, or an embedded
    /// instance: public-good (default), staging, github.
    #[arg(long, value_name = "FILE|NAME")]
    pub trusted_root: Option<String>,

    /// Verify with a public key (PEM, PKIX) instead of a Fulcio certificate: ECDSA P-256/P-384,
    /// Ed25519 or RSA. Repeatable; any one trusted key suffices unless --threshold says more.
    #[arg(long, value_name = "PEM")]
    pub key: Vec<String>,

    /// For DSSE envelopes with several signatures: how many distinct trusted keys must sign.
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = provenant_policy::grammar::threshold)]
    pub threshold: usize,

    /// Accept key-signed evidence (--key: detached and image signatures, DSSE envelopes,
    /// key-signed bundles) that has no verified transparency-log entry or trusted timestamp, as
    /// cosign's flag does. RISK: when it was signed is not established, so a leaked key's
    /// signatures pass; every report records this opt-out. Without it such evidence fails.
    #[arg(long)]
    pub insecure_ignore_tlog: bool,
}

/// What the source, the build and the signing workflow must be.
#[derive(Debug, Clone, Args)]
pub struct SourceArgs {
    /// Expected source repository (slsa-verifier --source-uri), e.g. github.com/org/repo. Exact:
    /// no prefix or suffix tolerance. Checked against the provenance and the certificate.
    #[arg(long, value_name = "URI", help_heading = "Provenance policy", value_parser = provenant_policy::grammar::source_uri)]
    pub source_uri: Option<String>,

    /// Expected tag, exact (the build's ref must be refs/tags/TAG).
    #[arg(long, value_name = "TAG", help_heading = "Provenance policy", value_parser = provenant_policy::grammar::ref_name)]
    pub source_tag: Option<String>,

    /// Expected semver-compatible tag: v1 matches v1.x.y, v1.2 matches v1.2.x.
    #[arg(long, value_name = "TAG", help_heading = "Provenance policy", value_parser = provenant_policy::grammar::versioned_tag)]
    pub source_versioned_tag: Option<String>,

    /// Expected branch (the build's ref must be refs/heads/BRANCH; a tag build fails).
    #[arg(long, value_name = "BRANCH", help_heading = "Provenance policy", value_parser = provenant_policy::grammar::ref_name)]
    pub source_branch: Option<String>,

    /// Expected builder id, with or without its @ref. A workflow builder must also be the
    /// signing certificate's identity. Without it (and with --source-uri), only
    /// slsa-github-generator's workflows at a release tag are trusted.
    #[arg(long, value_name = "ID", help_heading = "Provenance policy", value_parser = provenant_policy::grammar::builder_id)]
    pub builder_id: Option<String>,

    /// The commit that is supposed to have shipped: must equal the provenance's source commit
    /// AND the certificate's source-repository digest wherever they are recorded.
    #[arg(long, value_name = "SHA", help_heading = "Provenance policy", value_parser = provenant_policy::grammar::commit)]
    pub commit: Option<String>,

    /// Expected owner of the source repository (gh attestation verify --owner).
    #[arg(long, value_name = "OWNER", help_heading = "Provenance policy", value_parser = provenant_policy::grammar::owner)]
    pub owner: Option<String>,

    /// Expected source repository as OWNER/REPO (gh attestation verify --repo).
    #[arg(long, value_name = "OWNER/REPO", help_heading = "Provenance policy", value_parser = provenant_policy::grammar::owner_repo)]
    pub repo: Option<String>,

    /// Repository of the signing (reusable) workflow, OWNER/REPO. Anchored: repo-evil never
    /// matches repo.
    #[arg(long, value_name = "OWNER/REPO", help_heading = "Provenance policy", value_parser = provenant_policy::grammar::owner_repo)]
    pub signer_repo: Option<String>,

    /// The signing workflow, [HOST/]OWNER/REPO/PATH/TO/WORKFLOW.yml. Anchored: release.yml
    /// never matches release.yml.attacker.yml.
    #[arg(long, value_name = "WORKFLOW", help_heading = "Provenance policy", value_parser = provenant_policy::grammar::signer_workflow)]
    pub signer_workflow: Option<String>,

    /// Expected source ref in the certificate (e.g. refs/heads/main), exact.
    #[arg(long, value_name = "REF", help_heading = "Provenance policy", value_parser = provenant_policy::grammar::full_ref)]
    pub source_ref: Option<String>,

    /// Expected source commit in the certificate, exact.
    #[arg(long, value_name = "SHA", help_heading = "Provenance policy", value_parser = provenant_policy::grammar::commit)]
    pub source_digest: Option<String>,

    /// Only statements with this predicate type count (exact URI).
    #[arg(long, value_name = "URI", help_heading = "Provenance policy", value_parser = provenant_policy::grammar::uri)]
    pub predicate_type: Option<String>,

    /// A workflow input the build must have been given, KEY=VALUE (repeatable; slsa-verifier
    /// --build-workflow-input). Checked against the provenance.
    #[arg(long, value_name = "KEY=VALUE", value_parser = provenant_policy::grammar::key_value, help_heading = "Provenance policy")]
    pub build_workflow_input: Vec<(String, String)>,

    /// The npm package the publish attestation must name (slsa-verifier verify-npm-package
    /// --package-name), e.g. @scope/name. Evidence: the npm attestations document via
    /// --attestations; the tarball by path or --digest sha512:...
    #[arg(long, value_name = "NAME", help_heading = "Provenance policy", value_parser = provenant_policy::grammar::token)]
    pub package_name: Option<String>,

    /// The npm package version the publish attestation must name.
    #[arg(long, value_name = "VERSION", help_heading = "Provenance policy", value_parser = provenant_policy::grammar::token)]
    pub package_version: Option<String>,

    /// Fail unless the build ran on a provider-hosted runner.
    #[arg(long, help_heading = "Provenance policy")]
    pub deny_self_hosted_runners: bool,
}

/// SBOM evidence and requirements.
#[derive(Debug, Clone, Args)]
pub struct SbomArgs {
    /// An SBOM file describing the artifact (repeatable): validated for its spec version, bound
    /// to the artifact's digest (a subject with another digest fails) and judged for quality
    /// (warnings). SBOM attestations among the verified evidence are checked the same way.
    #[arg(long, value_name = "FILE", help_heading = "SBOMs")]
    pub sbom: Vec<String>,

    /// Fail unless a valid SBOM bound to the artifact is among the evidence (a --sbom file that
    /// names the artifact's digest, or a verified SBOM attestation). For images, SBOMs found
    /// unsigned beside the image (cosign .sbom, BuildKit) are judged but do not count.
    #[arg(long, help_heading = "SBOMs")]
    pub require_sbom: bool,
}

/// A classic in-toto layout and its links.
#[derive(Debug, Clone, Args)]
pub struct LayoutArgs {
    /// A classic in-toto supply-chain layout (metablock or DSSE) to verify the artifact against:
    /// signed by every --layout-key, not expired, each step backed by links from its
    /// functionaries (thresholds) with its artifact rules holding, and the artifact (FILE or
    /// --digest) a product of a step whose threshold was met, else the run fails. Inspections
    /// are never run: a layout with inspections is reported as not fully verified (a warning
    /// naming them), and a rule that needs one's results consumes nothing.
    #[arg(
        long,
        value_name = "FILE",
        help_heading = "in-toto layouts",
        requires = "layout_key"
    )]
    pub layout: Option<String>,

    /// A layout owner's public key, PEM (repeatable; every one must have signed the layout).
    #[arg(
        long,
        value_name = "PEM",
        help_heading = "in-toto layouts",
        requires = "layout"
    )]
    pub layout_key: Vec<String>,

    /// The directory holding the link files (`<step>.<keyid prefix>.link`); default: the
    /// layout's directory. Only files named for a step's functionary are read, one at a time,
    /// at most 16 MiB each and 256 MiB in all.
    #[arg(
        long,
        value_name = "DIR",
        help_heading = "in-toto layouts",
        requires = "layout"
    )]
    pub links: Option<String>,
}

/// `verify artifact --vsa`: a Verification Summary Attestation instead of signatures.
#[derive(Debug, Clone, Args)]
pub struct VsaArgs {
    /// A SLSA Verification Summary Attestation to verify instead of signatures (slsa-verifier
    /// verify-vsa): needs --key, --digest, --verifier-id and --resource-uri.
    #[arg(long, value_name = "FILE", help_heading = "Verification Summary Attestations", requires_all = ["verifier_id", "resource_uri", "digest", "key"], conflicts_with = "file")]
    pub vsa: Option<String>,

    /// Expected VSA verifier.id.
    #[arg(
        long,
        value_name = "ID",
        help_heading = "Verification Summary Attestations",
        requires = "vsa"
    , value_parser = provenant_policy::grammar::token)]
    pub verifier_id: Option<String>,

    /// Expected VSA resourceUri.
    #[arg(
        long,
        value_name = "URI",
        help_heading = "Verification Summary Attestations",
        requires = "vsa"
    , value_parser = provenant_policy::grammar::token)]
    pub resource_uri: Option<String>,

    /// A level the VSA must attest (repeatable); SLSA_BUILD_LEVEL_3 satisfies SLSA_BUILD_LEVEL_2.
    #[arg(
        long,
        value_name = "LEVEL",
        help_heading = "Verification Summary Attestations",
        requires = "vsa"
    , value_parser = provenant_policy::grammar::level)]
    pub verified_level: Vec<String>,

    /// Only VSA signatures carrying this key id count.
    #[arg(
        long,
        value_name = "ID",
        help_heading = "Verification Summary Attestations",
        requires = "vsa"
    , value_parser = provenant_policy::grammar::token)]
    pub public_key_id: Option<String>,
}

/// Image flags.
#[derive(Debug, Clone, Args)]
pub struct ImageArgs {
    /// Images: the digest the tag must resolve to (as recorded at release). A tag that now
    /// points elsewhere fails with image-tag-moved.
    #[arg(long, value_name = "sha256:HEX", help_heading = "Images")]
    pub expected_digest: Option<String>,

    /// Images: for an index, also verify this platform's manifest in its own right (its own
    /// signatures and attestations), e.g. linux/amd64 or linux/arm64/v8. Repeatable; `all`
    /// selects every platform. Without it only the index digest is verified.
    #[arg(long, value_name = "OS/ARCH[/VARIANT]|all", help_heading = "Images")]
    pub platform: Vec<String>,

    /// Images: allow plain HTTP to a registry that is not on this machine (loopback hosts may
    /// always use it, and are tried over HTTP first). HTTPS is still tried first.
    #[arg(long, help_heading = "Images")]
    pub allow_insecure_registry: bool,

    /// Images: the Docker config file to read registry credentials from (default:
    /// $DOCKER_CONFIG/config.json, else ~/.docker/config.json); `none` for anonymous access.
    #[arg(long, value_name = "FILE|none", help_heading = "Images")]
    pub registry_config: Option<String>,

    /// Images: every cosign signature must name the verified repository in its signed
    /// payload (`critical.identity.docker-reference`). Without it, a signature made for
    /// another repository is a warning (image-signed-reference-mismatch).
    #[arg(long, help_heading = "Images")]
    pub require_signed_reference: bool,

    /// Images: most registry requests in flight at once [default: 8].
    #[arg(long, value_name = "N", help_heading = "Images", value_parser = clap::value_parser!(u16).range(1..=256))]
    pub max_concurrency: Option<u16>,

    /// Images: most seconds the registry may take in all (every request, its retries and its
    /// body) before the run ends with exit 3 [default: 300]. Apart from it, a registry that
    /// takes over 5 s to connect or to send its next bytes is given up (one retry).
    #[arg(long, value_name = "SECONDS", help_heading = "Images", value_parser = clap::value_parser!(u64).range(1..=86400))]
    pub registry_timeout: Option<u64>,
}

/// A policy file and Rego policies.
#[derive(Debug, Clone, Args)]
pub struct PolicyArgs {
    /// A policy file (YAML, apiVersion provenant.dev/v1; schema attestations/policy.schema.json):
    /// signers, builders, source, provenance, SBOM and gate requirements, waivers. It fills in
    /// every flag not given; a flag given on the command line wins over the file. Check it with
    /// `provenant policy lint FILE`.
    #[arg(long, value_name = "FILE", help_heading = "Policy")]
    pub policy: Option<String>,

    /// A Rego policy (package provenant; each element of `deny` fails the verification, of
    /// `warn` warns), evaluated over the report after every other check (repeatable).
    #[arg(long, value_name = "FILE", help_heading = "Policy")]
    pub rego: Vec<String>,

    /// Write the document Rego policies see as `input` to FILE (JSON), to write and test them.
    #[arg(long, value_name = "FILE", help_heading = "Policy")]
    pub write_rego_input: Option<String>,
}

/// Where the report goes.
#[derive(Debug, Clone, Args)]
pub struct OutputArgs {
    /// Report format, FMT or FMT=PATH; repeat it to write several formats at once.
    ///
    /// FMT: text, json, mermaid (the provenance chain), sarif (SARIF 2.1.0, for code scanning),
    /// markdown (for $GITHUB_STEP_SUMMARY), junit (JUnit XML), html (one self-contained page),
    /// vsa (a SLSA Verification Summary Attestation; see --vsa-key). Without =PATH (or with =-)
    /// it goes to stdout, and at most one may; when every format has a destination, the text
    /// summary goes to stdout.
    #[arg(long, value_name = "FMT[=PATH]", default_value = "text", value_parser = super::output::parse_format)]
    pub format: Vec<super::output::FormatSpec>,

    /// Sign the VSA (--format vsa=PATH) into a DSSE envelope with this private key: unencrypted
    /// PKCS#8 PEM, ECDSA P-256 or P-384. `verify artifact --vsa PATH --key PUB.pem` verifies it.
    #[arg(long, value_name = "PEM")]
    pub vsa_key: Option<String>,

    /// Write the report (in the --format given without =PATH) to this file; a text summary
    /// still goes to stdout.
    #[arg(short = 'o', long, value_name = "FILE")]
    pub out: Option<String>,
}

/// `--unknown-severity-as`: a known severity.
fn parse_unknown_severity(s: &str) -> Result<provenant_formats::gate::Severity, String> {
    provenant_formats::gate::Severity::parse_known(s)
        .ok_or_else(|| format!("{s:?}: use critical, high, medium, low or info"))
}

/// Gate evidence and gate policy: shared by `provenant gates` and `verify artifact`.
#[derive(Debug, Args, Clone, Default)]
pub struct GateArgs {
    /// A SAST report: SARIF 2.1.0 (CodeQL, Semgrep, Bandit, gosec, ...) or GitHub code scanning
    /// analysis JSON (repeatable).
    #[arg(long, value_name = "FILE", help_heading = "Security gates")]
    pub sarif: Vec<String>,
    /// An SCA report: grype, trivy, osv-scanner, cargo-audit, npm audit or dependency-check
    /// JSON, or an in-toto vulns predicate (repeatable).
    #[arg(long, value_name = "FILE", help_heading = "Security gates")]
    pub sca: Vec<String>,
    /// A DAST report: OWASP ZAP JSON or XML, or an in-toto test-result predicate (repeatable).
    #[arg(long, value_name = "FILE", help_heading = "Security gates")]
    pub dast: Vec<String>,
    /// CI run metadata as the REST API returns it: GitHub Actions workflow run or job JSON,
    /// GitLab pipeline or job JSON (repeatable).
    #[arg(long, value_name = "FILE", help_heading = "Security gates")]
    pub ci_run: Vec<String>,
    /// A gate that must be present, bound to what shipped, successful, in time and within the
    /// thresholds: sast, sca, dast or ci-run, optionally with the tools that count
    /// (`sast:CodeQL,Semgrep`, `ci-run:release.yml`). Repeatable.
    #[arg(long, value_name = "KIND[:TOOL,...]", value_parser = provenant_core::gates::GateRequirement::parse, help_heading = "Security gates")]
    pub require_gate: Vec<provenant_core::gates::GateRequirement>,
    /// Most open critical findings allowed per gate run.
    #[arg(long, value_name = "N", help_heading = "Security gates")]
    pub max_critical: Option<usize>,
    /// Most open high-or-worse findings allowed per gate run.
    #[arg(long, value_name = "N", help_heading = "Security gates")]
    pub max_high: Option<usize>,
    /// Most open medium-or-worse findings allowed per gate run.
    #[arg(long, value_name = "N", help_heading = "Security gates")]
    pub max_medium: Option<usize>,
    /// Most open low-or-worse findings allowed per gate run.
    #[arg(long, value_name = "N", help_heading = "Security gates")]
    pub max_low: Option<usize>,
    /// What a finding of unknown severity (grype `Unknown`, trivy `UNKNOWN`, an empty or
    /// misspelled severity, a SARIF level that is none of the four, no severity and no score)
    /// counts as against the --max-* thresholds: critical, high, medium, low or info. Without
    /// it, unknown counts as critical.
    #[arg(long, value_name = "LEVEL", value_parser = parse_unknown_severity, help_heading = "Security gates")]
    pub unknown_severity_as: Option<provenant_formats::gate::Severity>,
    /// Waivers, JSON: `[{"id": "CVE-…", "reason": "…", "approver": "…", "expires": "2027-01-31"}]`,
    /// optionally narrowed to one result (`fingerprint`) or location (`location`: file:line,
    /// package@version) and limited (`max`). Every finding waived is listed; an expired or
    /// incomplete waiver fails and waives nothing; one matching more than its max waives none.
    #[arg(long, value_name = "FILE", help_heading = "Security gates")]
    pub waivers: Option<String>,
    /// Only signed gate attestations satisfy a required gate (plain reports and CI metadata
    /// do not).
    #[arg(long, help_heading = "Security gates")]
    pub require_signed_gates: bool,
    /// When the artifact was built or released (RFC 3339; a date alone is the start of that
    /// day, UTC): gates must have finished before.
    /// `verify artifact` takes it from the verified provenance's signing time when not given.
    #[arg(long, value_name = "TIME", help_heading = "Security gates")]
    pub built_at: Option<String>,
    /// When the shipped commit was made (RFC 3339; a date alone is the end of that day, UTC):
    /// gates must have started after.
    #[arg(long, value_name = "TIME", help_heading = "Security gates")]
    pub committed_at: Option<String>,
    /// Change review evidence: GitHub pull request JSON, its reviews JSON (and commits), or
    /// GitLab merge request and approvals JSON, as the REST APIs return them; or one combined
    /// `{"pull_request": …, "reviews": […]}` document (repeatable: the files of one change).
    #[arg(long, value_name = "FILE", help_heading = "Change review")]
    pub review: Vec<String>,
    /// Fail when no change review evidence is given.
    #[arg(long, help_heading = "Change review")]
    pub require_review: bool,
    /// Least number of approvals of the final head commit by reviewers who are neither its
    /// author nor its last pusher.
    #[arg(
        long,
        value_name = "N",
        default_value_t = 1,
        help_heading = "Change review"
    )]
    pub min_approvals: usize,
    /// Merge methods allowed for the change (repeatable): merge, squash, rebase.
    #[arg(long, value_name = "METHOD", help_heading = "Change review")]
    pub allowed_merge_method: Vec<String>,
    /// Count approvals that record no commit (every GitLab approval) as approvals of the final
    /// head. Risk: a commit pushed after the approval may have been merged unreviewed.
    #[arg(long, help_heading = "Change review")]
    pub accept_approvals_without_commit: bool,
    /// A local clone to read the release branch's history from (never fetched); needs
    /// --release-branch. Direct pushes to the branch are findings.
    #[arg(
        long,
        value_name = "DIR",
        requires = "release_branch",
        help_heading = "Change review"
    )]
    pub git_dir: Option<String>,
    /// The release branch in --git-dir (e.g. origin/main in a CI checkout).
    #[arg(
        long,
        value_name = "BRANCH",
        requires = "git_dir",
        help_heading = "Change review"
    )]
    pub release_branch: Option<String>,
}

/// `--print-provenance` (commands that verify provenance).
#[derive(Debug, Clone, Args)]
pub struct PrintArgs {
    /// On success, print each verified SLSA provenance statement (as signed, one JSON document
    /// per line; control, bidi and invisible characters written as \uXXXX escapes, the same
    /// JSON value) to stdout, as slsa-verifier --print-provenance does; the report then goes to
    /// stderr. Nothing is printed to stdout on failure.
    #[arg(long)]
    pub print_provenance: bool,
}

/// When the verification is judged, and whether the network may be used.
#[derive(Debug, Clone, Args)]
pub struct RunArgs {
    /// Judge everything as of this instant (RFC 3339, e.g. 2026-06-30T23:59:59Z) instead of
    /// now: waiver and policy expiry, gate timing, layout expiry. The report records it. For
    /// audits that re-perform a verification as of a past date.
    #[arg(long, value_name = "RFC3339", value_parser = parse_effective_time)]
    pub effective_time: Option<jiff::Timestamp>,

    /// Never touch the network. Artifact verification is always offline (embedded or given
    /// trusted root, no TUF refresh); `verify image --offline` reads OCI layouts and docker
    /// archives and refuses a registry reference (exit 2) without opening a socket.
    #[arg(long)]
    pub offline: bool,
}

pub(super) fn parse_effective_time(s: &str) -> Result<jiff::Timestamp, String> {
    s.parse::<jiff::Timestamp>().map_err(|e| {
        format!("{s:?} is not an RFC 3339 time with an offset (e.g. 2026-06-30T23:59:59Z): {e}")
    })
}

impl RunArgs {
    /// The instant the verification is judged as of: --effective-time, else the clock, read
    /// once here.
    pub fn now(&self) -> jiff::Timestamp {
        self.effective_time.unwrap_or_else(jiff::Timestamp::now)
    }
}

impl SourceArgs {
    /// The source policy the flags state.
    pub fn policy(&self) -> provenant_policy::SourcePolicy {
        provenant_policy::SourcePolicy {
            source_uri: self.source_uri.clone(),
            source_tag: self.source_tag.clone(),
            source_versioned_tag: self.source_versioned_tag.clone(),
            source_branch: self.source_branch.clone(),
            builder_id: self.builder_id.clone(),
            commit: self.commit.clone(),
            owner: self.owner.clone(),
            repo: self.repo.clone(),
            signer_repo: self.signer_repo.clone(),
            signer_workflow: self.signer_workflow.clone(),
            source_ref: self.source_ref.clone(),
            source_digest: self.source_digest.clone(),
            predicate_type: self.predicate_type.clone(),
            deny_self_hosted_runners: self.deny_self_hosted_runners,
            workflow_inputs: self.build_workflow_input.clone(),
            package_name: self.package_name.clone(),
            package_version: self.package_version.clone(),
            any_of: vec![],
        }
    }
}

impl GateArgs {
    /// Whether any gate or review evidence, or a gate or review requirement, was given.
    pub fn any(&self) -> bool {
        !(self.sarif.is_empty()
            && self.other_kinds_empty()
            && self.require_gate.is_empty()
            && self.review.is_empty()
            && !self.require_review
            && self.git_dir.is_none())
    }

    /// Flags that relax how gate reports are judged (--waivers, --unknown-severity-as) given
    /// without any gate report or requirement: they would change nothing, so they are refused.
    pub fn refuse_relaxers_alone(&self) -> Result<(), super::common::CliError> {
        let given = self.waivers.is_some() || self.unknown_severity_as.is_some();
        let gated = self.any()
            || self.max_critical.is_some()
            || self.max_high.is_some()
            || self.max_medium.is_some()
            || self.max_low.is_some()
            || self.require_signed_gates;
        if given && !gated {
            return Err(super::common::CliError::Input(
                "--waivers and --unknown-severity-as judge gate reports, and none is given: add the reports (--sarif, --sca, --dast) or drop them".into(),
            ));
        }
        Ok(())
    }

    fn other_kinds_empty(&self) -> bool {
        self.sca.is_empty() && self.dast.is_empty() && self.ci_run.is_empty()
    }

    /// The gate and review flags; `waivers` is the --waivers file, read.
    pub fn flags(
        &self,
        waivers: Option<Vec<provenant_core::gates::Waiver>>,
    ) -> provenant_policy::GateFlags {
        provenant_policy::GateFlags {
            require_gate: self.require_gate.clone(),
            max_critical: self.max_critical,
            max_high: self.max_high,
            max_medium: self.max_medium,
            max_low: self.max_low,
            unknown_severity_as: self.unknown_severity_as,
            waivers,
            require_signed_gates: self.require_signed_gates,
            built_at: self.built_at.clone(),
            committed_at: self.committed_at.clone(),
            require_review: self.require_review,
            min_approvals: Some(self.min_approvals),
            allowed_merge_method: self.allowed_merge_method.clone(),
            accept_approvals_without_commit: self.accept_approvals_without_commit,
        }
    }
}

impl OutputArgs {
    /// The output flags for `renderer`; `policy` is the policy file a VSA names.
    pub fn outputs<'a>(
        &'a self,
        renderer: super::output::Renderer,
        policy: Option<&'a str>,
    ) -> super::output::Outputs<'a> {
        super::output::Outputs {
            formats: &self.format,
            out: self.out.as_deref(),
            vsa_key: self.vsa_key.as_deref(),
            policy,
            renderer,
        }
    }
}

impl ImageArgs {
    /// Whether any image flag was given (`--max-concurrency` has a default and is not counted).
    pub fn any(&self) -> bool {
        self.expected_digest.is_some()
            || !self.platform.is_empty()
            || self.allow_insecure_registry
            || self.registry_config.is_some()
            || self.require_signed_reference
            || self.registry_timeout.is_some()
            || self.max_concurrency.is_some()
    }

    /// The flags that only mean something for a registry reference.
    pub fn registry_flags_given(&self) -> bool {
        self.allow_insecure_registry
            || self.registry_config.is_some()
            || self.registry_timeout.is_some()
            || self.max_concurrency.is_some()
    }
}

/// `0x` and 40 hex digits.
pub(super) fn parse_address(s: &str) -> Result<String, String> {
    provenant_contract::parse_address(s)
        .map(|_| s.to_owned())
        .ok_or_else(|| format!("{s:?} is not an address (0x and 40 hex digits)"))
}

/// `0x` and 64 hex digits.
pub(super) fn parse_tx_hash(s: &str) -> Result<String, String> {
    provenant_contract::parse_b256(s)
        .map(|_| s.to_owned())
        .ok_or_else(|| format!("{s:?} is not a transaction hash (0x and 64 hex digits)"))
}

/// `latest` or a block number (decimal or 0x hex).
pub(super) fn parse_block(s: &str) -> Result<String, String> {
    if s == "latest" {
        return Ok(s.to_owned());
    }
    let n = match s.strip_prefix("0x") {
        Some(h) => u64::from_str_radix(h, 16).ok(),
        None => s.parse::<u64>().ok(),
    };
    n.map(|n| format!("0x{n:x}"))
        .ok_or_else(|| format!("{s:?}: use latest or a block number"))
}

/// A deployed smart contract and its build (`verify contract`, `provenance contract`).
#[derive(Debug, Clone, Args)]
pub struct ContractArgs {
    /// The chain's JSON-RPC endpoint, http or https (credentials in it are never printed).
    #[arg(long, value_name = "URL", help_heading = "Contract")]
    pub rpc: String,

    /// The contract's address (0x and 40 hex digits).
    #[arg(long, value_name = "0x…", value_parser = parse_address, help_heading = "Contract")]
    pub address: String,

    /// The build: a Foundry out/ directory, a Hardhat artifacts/ directory (its build-info/*.json
    /// are read), a project directory holding either, or one build file (Foundry or Hardhat
    /// artifact, build-info, solc standard-JSON output). The file the matched code was read from
    /// is the subject its attestations must name (for Hardhat the build-info file).
    #[arg(long, value_name = "PATH", help_heading = "Contract")]
    pub build: String,

    /// The contract, path/File.sol:Name (or Name when unique). Without it, the build contract
    /// whose code matches is reported, and several matching is an error.
    #[arg(long, value_name = "SOURCE:NAME", help_heading = "Contract")]
    pub contract: Option<String>,

    /// A deployment record: Foundry broadcast/<script>/<chain>/run-latest.json or hardhat-deploy
    /// deployments/<network>/<Name>.json. Its creation transaction, constructor arguments,
    /// libraries, implementation and chain are each checked against the chain.
    #[arg(long, value_name = "FILE", help_heading = "Contract")]
    pub deployment: Option<String>,

    /// The transaction that created the contract (else the deployment record's). When known,
    /// the creation code and constructor arguments must match too.
    #[arg(long, value_name = "0x…", value_parser = parse_tx_hash, help_heading = "Contract")]
    pub creation_tx: Option<String>,

    /// The chain id the endpoint must serve (eth_chainId); another fails.
    #[arg(long, value_name = "N", help_heading = "Contract")]
    pub chain_id: Option<u64>,

    /// The block to read the code and storage at.
    #[arg(long, value_name = "N|latest", default_value = "latest", value_parser = parse_block, help_heading = "Contract")]
    pub block: String,

    /// Accept a partial match (equal except the CBOR metadata hash: same code, other source
    /// comments, paths or settings hashed into the metadata) as a warning instead of a failure.
    #[arg(long, help_heading = "Contract")]
    pub allow_partial: bool,

    /// For a proxy or a clone: the build contract its implementation must be (SOURCE:NAME or
    /// NAME). Without it (and without a record naming the implementation's address), any one
    /// contract of the build whose code matches is accepted and named in the report.
    #[arg(long, value_name = "SOURCE:NAME", help_heading = "Contract")]
    pub implementation: Option<String>,

    /// Seconds allowed for all JSON-RPC requests together.
    #[arg(
        long,
        value_name = "SECS",
        default_value_t = 120,
        help_heading = "Contract"
    )]
    pub rpc_timeout: u64,
}
