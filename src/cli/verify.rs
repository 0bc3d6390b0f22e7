//! `provenant verify artifact`.

use std::path::Path;

use clap::{Args, Subcommand};

use provenant_core::sbom::SbomRequirements;
use provenant_core::{
    verify_artifact, ArtifactInputs, Evidence, EvidenceContent, Found, SbomInputs,
};
use provenant_formats::limits::{
    MAX_EVIDENCE_BYTES, MAX_EVIDENCE_TOTAL_BYTES, MAX_KEY_BYTES, MAX_TRUSTED_ROOT_BYTES,
};
use provenant_model::{Digest, DigestAlgorithm, Report, Subject, SubjectKind, ToolInfo, Verdict};
use provenant_policy::SourcePolicy;
use provenant_verify::{
    IdentityMatcher, IdentityPolicy, Instance, PublicKey, SignerPolicy, TrustRoot,
};

use super::output::{Renderer, ReportFormat};
use super::{emit, read_limited, subject_of, CliError};

/// What to verify.
#[derive(Debug, Subcommand)]
pub enum VerifyCommand {
    /// Verify a release artifact (a file, or a digest) against its Sigstore bundles, DSSE
    /// envelopes or cosign key signatures.
    #[command(
        mut_arg("expected_digest", |a| a.hide(true)),
        mut_arg("platform", |a| a.hide(true)),
        mut_arg("allow_insecure_registry", |a| a.hide(true)),
        mut_arg("registry_config", |a| a.hide(true)),
        mut_arg("max_concurrency", |a| a.hide(true)),
        mut_arg("require_signed_reference", |a| a.hide(true)),
        mut_arg("registry_timeout", |a| a.hide(true))
    )]
    Artifact(Box<ArtifactArgs>),
    /// Verify a container image: its cosign signatures and attestations (sha256-<hex>.sig/.att/
    /// .sbom tags), OCI 1.1 referrers (API or tag fallback) and BuildKit attestations, found in
    /// a registry, an OCI layout or a docker archive, all bound to the manifest digest.
    #[command(
        mut_arg("file", |a| a
            .value_name("REF")
            .help("The image: registry/repo:tag, registry/repo@sha256:<hex>, oci-layout:<DIR>[:tag|@sha256:<hex>] or docker-archive:<FILE>. A tag is resolved to a digest once; everything after uses the digest")),
        mut_arg("digest", |a| a.hide(true)),
        mut_arg("vsa", |a| a.hide(true)),
        mut_arg("layout", |a| a.hide(true)),
        mut_arg("bundle", |a| a.help("Extra signature evidence files, beside what is found with the image (repeatable)")),
        after_help = "Examples:\n  provenant verify image ghcr.io/org/app:v1.2.3 \\\n      --certificate-identity https://github.com/org/app/.github/workflows/release.yml@refs/tags/v1.2.3 \\\n      --certificate-oidc-issuer https://token.actions.githubusercontent.com\n  provenant verify image 127.0.0.1:5000/app@sha256:<hex> --key cosign.pub --platform linux/amd64\n  provenant verify image oci-layout:./out:v1 --key cosign.pub --expected-digest sha256:<hex>\n\nExit codes: 0 verified, 1 verification failed, 2 bad usage or unreadable input, 3 registry unreachable or refused the credentials."
    )]
    Image(Box<ArtifactArgs>),
}

/// Arguments of `provenant verify artifact`.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  provenant verify artifact app.tar.gz --bundle app.tar.gz.sigstore.json \\\n      --certificate-identity https://github.com/org/app/.github/workflows/release.yml@refs/tags/v1.2.3 \\\n      --certificate-oidc-issuer https://token.actions.githubusercontent.com\n  provenant verify artifact --digest sha256:<hex> --bundle b.json --key cosign.pub\n\nExit codes: 0 verified, 1 verification failed, 2 bad usage or unreadable input, 3 source unreachable."
)]
pub struct ArtifactArgs {
    /// The artifact file. It is hashed as a stream (sha256, plus sha384/sha512 when the
    /// evidence needs them).
    #[arg(
        value_name = "FILE",
        required_unless_present_any = ["digest", "layout"],
        conflicts_with = "digest"
    )]
    pub file: Option<String>,

    /// Verify an artifact known only by its digest (sha256:HEX, sha384:HEX or sha512:HEX)
    /// instead of a file.
    #[arg(long, value_name = "ALG:HEX")]
    pub digest: Option<String>,

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

    /// Never touch the network. Artifact verification is always offline today (embedded or
    /// given trusted root, no TUF refresh); the flag is accepted so scripts can say so.
    #[arg(long)]
    pub offline: bool,

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

    /// What --policy and --rego add beyond the flags (filled from the files, never parsed).
    #[arg(skip)]
    pub policy_extras: super::policy::Extras,

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

    #[command(flatten)]
    pub gates: super::gates::GateArgs,

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

    /// Images: most registry requests in flight at once.
    #[arg(long, value_name = "N", default_value_t = 8, help_heading = "Images")]
    pub max_concurrency: usize,

    /// Images: most seconds the registry may take in all (every request, its retries and its
    /// body) before the run ends with exit 3 [default: 300]. Apart from it, a registry that
    /// takes over 5 s to connect or to send its next bytes is given up (one retry).
    #[arg(long, value_name = "SECONDS", help_heading = "Images", value_parser = clap::value_parser!(u64).range(1..=86400))]
    pub registry_timeout: Option<u64>,

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

    /// On success, print each verified SLSA provenance statement (as signed, one JSON document
    /// per line; control, bidi and invisible characters written as \uXXXX escapes, the same
    /// JSON value) to stdout, as slsa-verifier --print-provenance does; the report then goes to
    /// stderr. Nothing is printed to stdout on failure.
    #[arg(long)]
    pub print_provenance: bool,

    /// Write the report (in the --format given without =PATH) to this file; a text summary
    /// still goes to stdout.
    #[arg(long, value_name = "FILE")]
    pub out: Option<String>,
}

impl ArtifactArgs {
    /// The output flags; `renderer` is the command's.
    pub(super) fn outputs(&self, renderer: super::output::Renderer) -> super::output::Outputs<'_> {
        super::output::Outputs {
            formats: &self.format,
            out: self.out.as_deref(),
            vsa_key: self.vsa_key.as_deref(),
            policy: self.policy.as_deref(),
            renderer,
        }
    }
}

/// Run a verify subcommand; returns the exit code.
pub fn run(cmd: VerifyCommand) -> Result<u8, CliError> {
    match cmd {
        VerifyCommand::Artifact(a) => {
            image_flags_unused(&a)?;
            artifact(&a)
        }
        VerifyCommand::Image(a) => super::image::verify(&a),
    }
}

/// The image flags mean nothing for a file: refuse them rather than ignore them.
fn image_flags_unused(a: &ArtifactArgs) -> Result<(), CliError> {
    if a.expected_digest.is_some()
        || !a.platform.is_empty()
        || a.allow_insecure_registry
        || a.registry_config.is_some()
        || a.require_signed_reference
        || a.registry_timeout.is_some()
    {
        return Err(CliError::Input(
            "--expected-digest, --platform, --allow-insecure-registry, --registry-config, --registry-timeout and --require-signed-reference are for images: use `provenant verify image <REF>`".into(),
        ));
    }
    Ok(())
}

fn matcher(
    exact: Option<&String>,
    re: Option<&String>,
    flag: &str,
) -> Result<Option<IdentityMatcher>, CliError> {
    match (exact, re) {
        (Some(e), _) => {
            // Values from a policy file were not parsed as flags: the same grammar here.
            let grammar = if flag == "certificate-oidc-issuer" {
                provenant_policy::grammar::issuer_url
            } else {
                provenant_policy::grammar::identity
            };
            grammar(e).map_err(|why| CliError::Input(format!("--{flag}: {why}")))?;
            Ok(Some(IdentityMatcher::exact(e.clone())))
        }
        (None, Some(r)) => IdentityMatcher::regex(r)
            .map(Some)
            .map_err(|e| CliError::Input(format!("--{flag}-regexp is not a valid regexp: {e}"))),
        (None, None) => Ok(None),
    }
}

pub(super) fn load_trust(arg: Option<&str>) -> Result<TrustRoot, CliError> {
    let arg = arg.unwrap_or("public-good");
    if let Some(i) = Instance::from_name(arg) {
        if !Path::new(arg).exists() {
            return TrustRoot::embedded(i)
                .map_err(|e| CliError::Input(format!("embedded trusted root {arg}: {e}")));
        }
    }
    let bytes = read_limited(arg, MAX_TRUSTED_ROOT_BYTES, "trusted root")?;
    TrustRoot::from_json(&bytes, arg).map_err(|e| {
        CliError::Input(format!(
            "{arg}: {e}; give a Sigstore trusted_root.json, or one of public-good, staging, github"
        ))
    })
}

/// The source policy of the flags and the policy file merged; a value that does not follow its
/// flag's grammar (from the file, flags were checked as they were parsed) refuses the run.
pub(super) fn source_policy(a: &ArtifactArgs) -> Result<SourcePolicy, CliError> {
    let p = merged_source_policy(a);
    match p.validate().as_slice() {
        [] => Ok(p),
        errors => Err(CliError::Input(errors.join("; "))),
    }
}

fn merged_source_policy(a: &ArtifactArgs) -> SourcePolicy {
    SourcePolicy {
        source_uri: a.source_uri.clone(),
        source_tag: a.source_tag.clone(),
        source_versioned_tag: a.source_versioned_tag.clone(),
        source_branch: a.source_branch.clone(),
        builder_id: a.builder_id.clone(),
        commit: a.commit.clone(),
        owner: a.owner.clone(),
        repo: a.repo.clone(),
        signer_repo: a.signer_repo.clone(),
        signer_workflow: a.signer_workflow.clone(),
        source_ref: a.source_ref.clone(),
        source_digest: a.source_digest.clone(),
        predicate_type: a.predicate_type.clone(),
        deny_self_hosted_runners: a.deny_self_hosted_runners,
        workflow_inputs: a.build_workflow_input.clone(),
        package_name: a.package_name.clone(),
        package_version: a.package_version.clone(),
        any_of: a.policy_extras.any_of.clone(),
    }
}

/// Every evidence file named by --bundle, --provenance and --attestations (directories are
/// read one level deep, in name order).
fn evidence_paths(a: &ArtifactArgs) -> Result<Vec<String>, CliError> {
    let mut out: Vec<String> = a.bundle.iter().chain(&a.provenance).cloned().collect();
    for p in &a.attestations {
        if Path::new(p).is_dir() {
            let rd = std::fs::read_dir(p)
                .map_err(|e| CliError::Input(format!("cannot read directory {p}: {e}")))?;
            let mut files: Vec<String> = rd
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|e| e.is_file())
                .map(|e| e.to_string_lossy().into_owned())
                .collect();
            files.sort();
            if files.len() > provenant_formats::limits::MAX_EVIDENCE_FILES {
                return Err(CliError::Input(format!(
                    "--attestations {p}: {} files, more than the limit of {}; point it at the attestations of one release",
                    files.len(),
                    provenant_formats::limits::MAX_EVIDENCE_FILES
                )));
            }
            if files.is_empty() {
                return Err(CliError::Input(format!(
                    "--attestations {p}: the directory holds no files"
                )));
            }
            out.extend(files);
        } else {
            out.push(p.clone());
        }
    }
    Ok(out)
}

fn artifact(a: &ArtifactArgs) -> Result<u8, CliError> {
    a.outputs(Renderer::Verify).check()?;
    let report = super::policy::finalize(&a.policy_extras, evaluate(a)?)?;
    finish(a, report)
}

/// Write the report (and, with --print-provenance, the verified provenance) and return the
/// exit code.
pub(super) fn finish(a: &ArtifactArgs, report: Report) -> Result<u8, CliError> {
    // With --print-provenance the report goes to stderr, and stdout holds only the provenance.
    a.outputs(Renderer::Verify)
        .write(&report, a.print_provenance)?;
    if a.print_provenance && report.verdict == Verdict::Pass {
        let mut out = Vec::new();
        let provenance = report
            .signatures
            .iter()
            .filter(|c| c.verified && c.provenance.is_some());
        for c in provenance {
            if let Some(p) = &c.signed_payload {
                // The same JSON value as signed; hidden characters (bidi, C1) spelled as
                // escapes, so the statement cannot drive or reorder the terminal.
                out.extend_from_slice(&provenant_report::sanitize::json_document(p.trim_ascii()));
                out.push(b'\n');
            }
        }
        emit(&out);
    }
    Ok(exit_code(&report))
}

pub(super) fn exit_code(report: &Report) -> u8 {
    match report.verdict {
        Verdict::Pass => 0,
        Verdict::Fail => 1,
    }
}

/// `provenant provenance`: the same verification, rendered as the reconstructed chain.
pub fn provenance(a: &ArtifactArgs) -> Result<u8, CliError> {
    a.outputs(Renderer::Provenance).check()?;
    let image = a
        .file
        .as_deref()
        .is_some_and(super::image::is_image_subject);
    if !image {
        image_flags_unused(a)?;
    }
    let mut report = if image {
        super::image::evaluate(a)?
    } else {
        evaluate(a)?
    };
    report.command = "provenance".into();
    let report = super::policy::finalize(&a.policy_extras, report)?;
    a.outputs(Renderer::Provenance).write(&report, false)?;
    Ok(exit_code(&report))
}

fn evaluate_vsa(a: &ArtifactArgs, vsa: &str) -> Result<Report, CliError> {
    // A VSA shows its subject, verifier, resource, result and levels, nothing else: any other
    // requirement stated beside it would be silently unmet, so it is refused.
    let unshowable: Vec<&str> = [
        (
            !source_policy(a)?.is_empty(),
            "provenance policy (--source-uri, --builder-id, --commit, --package-name, ...)",
        ),
        (
            !a.sbom.is_empty() || a.require_sbom || a.policy_extras.provenance_required,
            "SBOM or provenance requirements",
        ),
        (a.gates.any(), "gate evidence or requirements"),
        (a.layout.is_some(), "--layout"),
        (
            !a.bundle.is_empty() || !a.provenance.is_empty() || !a.attestations.is_empty(),
            "other evidence (--bundle, --provenance, --attestations)",
        ),
    ]
    .into_iter()
    .filter_map(|(given, what)| given.then_some(what))
    .collect();
    if !unshowable.is_empty() {
        return Err(CliError::Input(format!(
            "--vsa verifies a verification summary alone, which cannot show {}: verify the artifact's own evidence without --vsa for those",
            unshowable.join(", ")
        )));
    }
    let digest = a.digest.clone().unwrap_or_default();
    let subject = match digest.split_once(':') {
        Some((alg, v)) if !alg.is_empty() && !v.is_empty() => vec![(alg.to_owned(), v.to_owned())],
        _ => {
            return Err(CliError::Input(format!(
                "--digest {digest:?}: write it as ALGORITHM:VALUE"
            )))
        }
    };
    if let Some(bad) = a
        .verified_level
        .iter()
        .find(|l| !provenant_core::level_well_formed(l))
    {
        return Err(CliError::Input(format!(
            "--verified-level {bad:?}: write an SLSA level as SLSA_<TRACK>_LEVEL_<N> (e.g. SLSA_BUILD_LEVEL_3, no sign or leading zero), or another verifier's level name"
        )));
    }
    let keys = load_keys(&a.key)?;
    let bytes = read_limited(vsa, MAX_EVIDENCE_BYTES, "VSA")?;
    let envelope = provenant_formats::dsse::parse_envelope(&bytes).or_else(|whole| {
        let lines: Vec<&[u8]> = bytes
            .split(|b| *b == b'\n')
            .filter(|l| !l.iter().all(u8::is_ascii_whitespace))
            .collect();
        match lines.as_slice() {
            [one] => provenant_formats::dsse::parse_envelope(one).map_err(|e| e.to_string()),
            [] => Err(format!("{vsa}: {whole}")),
            many => Err(format!("{vsa}: {} VSAs in one file; give one", many.len())),
        }
    });
    let inputs = provenant_core::VsaInputs {
        location: vsa.to_owned(),
        envelope: envelope.map_err(|e| e.to_string()),
        keys,
        key_id: a.public_key_id.clone(),
        threshold: a.threshold,
        subject,
        verifier_id: a.verifier_id.clone().unwrap_or_default(),
        resource_uri: a.resource_uri.clone().unwrap_or_default(),
        levels: a.verified_level.clone(),
    };
    Ok(provenant_core::verify_vsa(&inputs, &now_rfc3339()))
}

/// Read and parse every --key file.
fn load_keys(paths: &[String]) -> Result<Vec<PublicKey>, CliError> {
    paths
        .iter()
        .map(|k| {
            let pem = read_limited(k, MAX_KEY_BYTES, "key")?;
            let pem = String::from_utf8(pem)
                .map_err(|_| CliError::Input(format!("key {k} is not PEM text")))?;
            PublicKey::from_pem(&pem, k).map_err(|e| CliError::Input(e.to_string()))
        })
        .collect()
}

pub(super) fn now_rfc3339() -> String {
    let now = jiff::Timestamp::now();
    now.round(jiff::Unit::Second).unwrap_or(now).to_string()
}

/// Who must have signed, per the identity / key flags.
pub(super) fn signer_policy(
    a: &ArtifactArgs,
    policy: &SourcePolicy,
) -> Result<SignerPolicy, CliError> {
    Ok(if a.key.is_empty() {
        if a.threshold > 1 {
            return Err(CliError::Input("--threshold needs --key".into()));
        }
        SignerPolicy::Keyless(IdentityPolicy {
            identity: matcher(
                a.certificate_identity.as_ref(),
                a.certificate_identity_regexp.as_ref(),
                "certificate-identity",
            )?,
            // Without an issuer flag, a GitHub source or signer implies GitHub Actions' issuer,
            // as gh attestation verify and slsa-verifier require; otherwise none is expected and
            // the signature fails as signer-issuer-unconstrained.
            issuer: matcher(
                a.certificate_oidc_issuer.as_ref(),
                a.certificate_oidc_issuer_regexp.as_ref(),
                "certificate-oidc-issuer",
            )?
            .or_else(|| policy.implied_issuer().map(IdentityMatcher::exact)),
            constrained_elsewhere: policy.constrains_signer(),
        })
    } else {
        if a.certificate_identity.is_some()
            || a.certificate_identity_regexp.is_some()
            || a.certificate_oidc_issuer.is_some()
            || a.certificate_oidc_issuer_regexp.is_some()
        {
            return Err(CliError::Input(
                "--key excludes --certificate-identity and --certificate-oidc-issuer: a key-signed signature has no certificate to match".into(),
            ));
        }
        SignerPolicy::Keys(load_keys(&a.key)?)
    })
}

/// The SBOM inputs: the --sbom files, plus unsigned SBOMs found beside an image (judged, never
/// enough for --require-sbom).
pub(super) fn sbom_inputs(
    a: &ArtifactArgs,
    found: Vec<(
        String,
        Result<provenant_formats::sbom::ParsedSbom, provenant_formats::sbom::SbomError>,
    )>,
) -> Result<SbomInputs, CliError> {
    let sbom_policy = &a.policy_extras.sbom;
    let files: Vec<_> = a
        .sbom
        .iter()
        .map(|p| {
            let parsed = sbom_policy.allow_format(super::sbom::load_parsed(p)?);
            Ok((p.clone(), parsed))
        })
        .collect::<Result<_, CliError>>()?;
    let found = found
        .into_iter()
        .map(|(p, parsed)| (p, sbom_policy.allow_format(parsed)))
        .collect();
    Ok(SbomInputs {
        files,
        unsigned_found: found,
        requirements: SbomRequirements {
            require_binding: a.require_sbom || sbom_policy.binding_required,
            commit: a.commit.clone(),
            ..sbom_policy.requirements.clone()
        },
        required: a.require_sbom,
    })
}

fn evaluate(a: &ArtifactArgs) -> Result<Report, CliError> {
    if let Some(vsa) = &a.vsa {
        return evaluate_vsa(a, vsa);
    }
    let trust = load_trust(a.trusted_root.as_deref())?;
    let policy = source_policy(a)?;
    let signer = signer_policy(a, &policy)?;

    // Evidence first: it decides which digests the artifact needs.
    let mut evidence = Vec::new();
    let paths = evidence_paths(a)?;
    // Parsed evidence is held until the verdict, so all of it together is bounded too: by the
    // files' sizes before anything is read, and by what was read.
    let too_much = |b: &str| {
        CliError::Input(format!(
            "the evidence files given total more than {MAX_EVIDENCE_TOTAL_BYTES} bytes (reached at {b}); give the evidence of one release"
        ))
    };
    let mut total = 0u64;
    for b in &paths {
        total = total.saturating_add(std::fs::metadata(b).map_or(0, |m| m.len()));
        if total > MAX_EVIDENCE_TOTAL_BYTES {
            return Err(too_much(b));
        }
    }
    let mut total = 0u64;
    for b in &paths {
        let bytes = read_limited(b, MAX_EVIDENCE_BYTES, "evidence file")?;
        total = total.saturating_add(u64::try_from(bytes.len()).unwrap_or(u64::MAX));
        if total > MAX_EVIDENCE_TOTAL_BYTES {
            return Err(too_much(b));
        }
        evidence.push(Evidence::from_bytes(b.clone(), Found::Given, &bytes));
    }
    if paths.is_empty() {
        if let Some(f) = &a.file {
            for suffix in [".sigstore.json", ".sigstore", ".bundle"] {
                let p = format!("{f}{suffix}");
                if Path::new(&p).is_file() {
                    let bytes = read_limited(&p, MAX_EVIDENCE_BYTES, "evidence file")?;
                    evidence.push(Evidence::from_bytes(p, Found::Beside, &bytes));
                    break;
                }
            }
        }
    }

    let sbom = sbom_inputs(a, vec![])?;
    let mut algs = Vec::new();
    if a.digest.is_none() && a.file.is_some() {
        // Every algorithm a statement names, so that each subject digest is compared.
        algs = provenant_core::digest_algorithms(&evidence);
        // And every algorithm the --sbom files' subjects name, for the same reason.
        algs.extend(
            sbom.files
                .iter()
                .filter_map(|(_, p)| p.as_ref().ok())
                .flat_map(|p| provenant_core::sbom::subject_algorithms(&p.sbom)),
        );
        // A detached key signature is over the digest its key's scheme uses (P-384: sha384).
        if let SignerPolicy::Keys(keys) = &signer {
            if evidence
                .iter()
                .any(|e| matches!(e.content, EvidenceContent::SignatureFile(_)))
            {
                algs.extend(keys.iter().flat_map(PublicKey::prehash_algorithms));
            }
        }
    }
    if a.layout.is_some() {
        // A layout binds the file by every digest algorithm its links record for it.
        algs.extend(DigestAlgorithm::ALL);
    }
    let subject = match subject_of(a.file.as_deref(), a.digest.as_deref(), &algs)? {
        Some(s) => s,
        None => match &a.layout {
            // A layout alone: its signatures, expiry, steps and links are verified; the report's
            // subject is the layout file. No artifact is verified, so there is no VSA to issue.
            Some(l) => {
                let targets = a.outputs(Renderer::Verify).check()?;
                if targets.iter().any(|(f, _)| *f == ReportFormat::Vsa) {
                    return Err(CliError::Input(
                        "--format vsa summarises an artifact verification, and a layout alone verifies no artifact: give the artifact FILE or --digest".into(),
                    ));
                }
                subject_of(Some(l), None, &[DigestAlgorithm::Sha256])?
                    .ok_or_else(|| CliError::Input(format!("cannot read layout {l}")))?
            }
            None => return Err(CliError::Input("give an artifact FILE or --digest".into())),
        },
    };

    let inputs = ArtifactInputs {
        subject,
        evidence,
        signer,
        threshold: a.threshold,
        policy,
        sbom,
        insecure_ignore_tlog: a.insecure_ignore_tlog,
    };
    let now = now_rfc3339();
    if a.layout.is_none() && !a.gates.any() {
        let report = verify_artifact(&inputs, &trust, &now);
        // Signed gate attestations (vulnerability scans, test results) among the verified
        // evidence are judged even without gate flags.
        if super::gates::attested(&report).is_empty() {
            return Ok(report);
        }
    }
    // A layout (or gate evidence) is evidence of its own: without signatures or SBOMs, its
    // checks are the report.
    let base = if inputs.evidence.is_empty() && inputs.sbom.files.is_empty() {
        let mut checks = Vec::new();
        if a.layout.is_none() {
            checks.push(provenant_model::Check::fail(
                provenant_model::CheckCode::EvidenceMissing,
                "gate evidence alone does not verify an artifact: give its signature or provenance (--bundle, --attestations), or use `provenant gates`",
                vec![provenant_model::EvidenceRef::new(
                    provenant_model::EvidenceKind::Flag,
                    "--bundle / --attestations",
                )],
            ));
        }
        Report::new(
            ToolInfo {
                name: provenant_core::TOOL_NAME.into(),
                version: provenant_core::TOOL_VERSION.into(),
            },
            "verify artifact",
            now.clone(),
            inputs.subject.clone(),
            checks,
            vec![],
            vec![],
        )
    } else {
        verify_artifact(&inputs, &trust, &now)
    };
    let mut base = base;
    if let Some(layout) = &a.layout {
        let checks = layout_checks(a, layout, &inputs.subject)?;
        base.checks
            .extend(super::policy::layout_inspections(&a.policy_extras, checks));
    }
    with_gates(a, base, &inputs.subject.digests, &now)
}

/// Judge the security gates (flags, and signed gate attestations among the verified evidence)
/// and add their checks and table to `base`.
pub(super) fn with_gates(
    a: &ArtifactArgs,
    base: Report,
    digests: &[Digest],
    now: &str,
) -> Result<Report, CliError> {
    let attested = super::gates::attested(&base);
    let mut checks = base.checks;
    let mut rows = Vec::new();
    if a.gates.any() || !attested.is_empty() {
        // The shipped commit: --commit, else what the verified provenance records. The build
        // time: the earliest verified signing time of verified provenance.
        let verified_prov = base
            .signatures
            .iter()
            .filter(|c| c.verified)
            .filter_map(|c| c.provenance.as_ref().map(|p| (c, p)));
        let commit = a.commit.clone().or_else(|| {
            verified_prov
                .clone()
                .find_map(|(_, p)| p.source_commit.clone())
        });
        // The source repository: the flags, else what the verified provenance records.
        let repository = a.source_uri.clone().or_else(|| a.repo.clone()).or_else(|| {
            verified_prov
                .clone()
                .find_map(|(_, p)| p.source_repository.clone())
        });
        let built_at = verified_prov
            .filter_map(|(c, _)| c.signing_time.as_deref())
            .filter_map(|t| {
                provenant_core::gates::parse_time(t, provenant_core::gates::DateOnly::StartOfDay)
            })
            .min();
        let shipped = super::gates::Shipped {
            commit,
            digests: digests.to_vec(),
            built_at,
            repository,
        };
        let (c, r) = super::gates::evaluate(&a.gates, attested, shipped, now)?;
        checks.extend(c);
        rows = r;
    }
    let mut report = Report::new(
        base.tool,
        base.command,
        base.evaluated_at,
        base.subject,
        checks,
        base.signatures,
        base.opt_outs,
    );
    report.gates = rows;
    Ok(report)
}

/// Verify an in-toto layout and its links, and that the artifact (by base name and digests, or
/// by `--digest`) is a product of a verified step; without an artifact, the layout alone.
fn layout_checks(
    a: &ArtifactArgs,
    layout: &str,
    subject: &Subject,
) -> Result<Vec<provenant_model::Check>, CliError> {
    let bytes = read_limited(layout, MAX_EVIDENCE_BYTES, "layout")?;
    let keys = load_keys(&a.layout_key)?;
    let dir = match &a.links {
        Some(d) => std::path::PathBuf::from(d),
        None => Path::new(layout)
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default(),
    };
    let dir = if dir.as_os_str().is_empty() {
        std::path::PathBuf::from(".")
    } else {
        dir
    };
    let links = LinkDir::open(&dir)?;
    // The artifact: a file by its base name (in-toto records relative paths) and every digest it
    // was hashed with; a --digest by that digest alone; the layout file itself binds nothing.
    let name = match (&subject.name, subject.kind) {
        (Some(n), SubjectKind::File) if a.file.is_some() => Some(
            Path::new(n)
                .file_name()
                .map_or_else(|| n.clone(), |x| x.to_string_lossy().into_owned()),
        ),
        _ => None,
    };
    let artifact = (a.file.is_some() || a.digest.is_some()).then_some(
        provenant_verify::layout::LayoutArtifact {
            name: name.as_deref(),
            digests: &subject.digests,
        },
    );
    Ok(provenant_verify::layout::verify_layout(
        &provenant_verify::layout::LayoutInput {
            layout: &bytes,
            layout_location: layout,
            layout_keys: &keys,
            links: &links,
            artifact,
            now: jiff::Timestamp::now(),
        },
    ))
}

/// The `*.link` files of a links directory, read one at a time when the verifier asks for one.
struct LinkDir {
    files: std::collections::BTreeMap<String, std::path::PathBuf>,
}

impl LinkDir {
    fn open(dir: &Path) -> Result<Self, CliError> {
        use provenant_formats::layout::MAX_LINK_FILES;
        let rd = std::fs::read_dir(dir).map_err(|e| {
            CliError::Input(format!(
                "cannot read the links directory {}: {e}; give it with --links DIR",
                dir.display()
            ))
        })?;
        let mut files = std::collections::BTreeMap::new();
        for entry in rd.filter_map(Result::ok) {
            let path = entry.path();
            // A name that is not UTF-8 cannot be `<step>.<keyid>.link` for any step.
            let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
                continue;
            };
            if !name.ends_with(".link") || !path.is_file() {
                continue;
            }
            files.insert(name.to_owned(), path.clone());
            if files.len() > MAX_LINK_FILES {
                return Err(CliError::Input(format!(
                    "{} holds more than {MAX_LINK_FILES} link files; at most {MAX_LINK_FILES} are read",
                    dir.display()
                )));
            }
        }
        Ok(Self { files })
    }
}

impl provenant_verify::layout::LinkSource for LinkDir {
    fn names(&self) -> Vec<String> {
        self.files.keys().cloned().collect()
    }

    fn read(&self, name: &str) -> Result<Vec<u8>, provenant_verify::layout::LinkReadError> {
        use provenant_formats::layout::MAX_LINK_BYTES;
        use provenant_verify::layout::LinkReadError;
        use std::io::Read as _;
        let unreadable = |e: std::io::Error| LinkReadError::Unreadable(e.to_string());
        let path = self
            .files
            .get(name)
            .ok_or_else(|| LinkReadError::Unreadable("no such link file".into()))?;
        let file = std::fs::File::open(path).map_err(unreadable)?;
        // Refuse a large file by its size, unread; `take` guards a file that grows meanwhile.
        let size = file.metadata().map_err(unreadable)?.len();
        if size > MAX_LINK_BYTES {
            return Err(LinkReadError::TooLarge { size });
        }
        let mut buf = Vec::new();
        file.take(MAX_LINK_BYTES + 1)
            .read_to_end(&mut buf)
            .map_err(unreadable)?;
        let read = u64::try_from(buf.len()).unwrap_or(u64::MAX);
        if read > MAX_LINK_BYTES {
            return Err(LinkReadError::TooLarge { size: read });
        }
        Ok(buf)
    }
}
