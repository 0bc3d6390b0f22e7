//! What to mint: the knobs a test turns, and what it gets back.

/// The default artifact: the bytes `testdata/release/hello-provenant.txt` holds.
pub const DEFAULT_ARTIFACT: &[u8] = b"hello provenant\n";
/// The default artifact's file name, used as the in-toto subject name.
pub const DEFAULT_ARTIFACT_NAME: &str = "hello-provenant.txt";
/// The default signer: a GitHub Actions release workflow run on a tag.
pub const DEFAULT_IDENTITY: &str =
    "https://github.com/provenant-test/app/.github/workflows/release.yml@refs/tags/v1.0.0";
/// The GitHub Actions OIDC issuer.
pub const GITHUB_ACTIONS_ISSUER: &str = "https://token.actions.githubusercontent.com";
/// The default signing time: 2025-06-15T15:06:40Z.
pub const DEFAULT_SIGNING_TIME: i64 = 1_750_000_000;
/// The commit the default GitHub claims point at.
pub const DEFAULT_COMMIT: &str = "5f2ab4a3c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5";
/// The in-toto payload type, the only one sigstore binds to an artifact.
pub const IN_TOTO_PAYLOAD_TYPE: &str = "application/vnd.in-toto+json";

/// Everything a minted bundle depends on. `Default` is a valid GitHub Actions release signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MintSpec {
    /// The artifact that is signed (or that the attestation's subject digests).
    pub artifact: Vec<u8>,
    /// The artifact's name, used as the subject name of the default in-toto statement.
    pub artifact_name: String,
    /// What is signed: the artifact itself or a DSSE-wrapped statement about it.
    pub content: Content,
    /// The signing certificate's subject alternative name.
    pub identity: Identity,
    /// The OIDC issuer written into the certificate (Fulcio extensions `.1.1` and `.1.8`).
    pub issuer: String,
    /// The CI claims written into the certificate (Fulcio extensions `.1.2`–`.1.6`, `.1.9`–`.1.22`).
    pub github: Option<GithubClaims>,
    /// The bundle media type version.
    pub bundle_version: BundleVersion,
    /// Which transparency log records the signature, and in which entry format.
    pub log: LogKind,
    /// Whether to add an RFC 3161 timestamp. Rekor v2 bundles always get one: they have no other signed time.
    pub timestamp: bool,
    /// Unix seconds at which the signature is made, logged and timestamped: after 2020-01-01 (when
    /// the test trust root starts) and not in the future (verifiers reject future integrated times).
    pub signing_time: i64,
}

impl Default for MintSpec {
    fn default() -> Self {
        MintSpec {
            artifact: DEFAULT_ARTIFACT.to_vec(),
            artifact_name: DEFAULT_ARTIFACT_NAME.to_string(),
            content: Content::MessageSignature,
            identity: Identity::Uri(DEFAULT_IDENTITY.to_string()),
            issuer: GITHUB_ACTIONS_ISSUER.to_string(),
            github: Some(GithubClaims::default()),
            bundle_version: BundleVersion::V0_3,
            log: LogKind::RekorV1,
            timestamp: false,
            signing_time: DEFAULT_SIGNING_TIME,
        }
    }
}

impl MintSpec {
    /// The same spec with a DSSE-wrapped default in-toto statement.
    pub fn dsse(mut self) -> Self {
        self.content = Content::Dsse {
            statement_json: None,
        };
        self
    }

    /// The same spec with another bundle version.
    pub fn version(mut self, version: BundleVersion) -> Self {
        self.bundle_version = version;
        self
    }

    /// The same spec logged in another log.
    pub fn log(mut self, log: LogKind) -> Self {
        self.log = log;
        self
    }

    /// The in-toto statement a DSSE bundle for this spec signs: `statement_json` if given, else an
    /// SLSA provenance v1 statement built from the GitHub claims whose only subject is the artifact.
    pub fn statement_json(&self) -> String {
        match &self.content {
            Content::Dsse {
                statement_json: Some(statement),
            } => statement.clone(),
            _ => crate::statement::provenance_statement(
                &self.github.clone().unwrap_or_default(),
                &self.artifact_name,
                &self.artifact,
            ),
        }
    }

    /// Whether the bundle will carry an RFC 3161 timestamp.
    pub fn has_timestamp(&self) -> bool {
        self.timestamp || self.log == LogKind::RekorV2
    }
}

/// What the signature covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Content {
    /// A plain signature over the artifact bytes (`messageSignature`, as `cosign sign-blob` makes).
    MessageSignature,
    /// A DSSE envelope with an in-toto statement (`dsseEnvelope`, as `gh attestation` makes).
    Dsse {
        /// The statement to sign, verbatim; `None` for an in-toto v1 SLSA provenance statement
        /// whose only subject is the artifact's SHA-256.
        statement_json: Option<String>,
    },
}

/// The certificate's subject alternative name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Identity {
    /// A `uniformResourceIdentifier`, as Fulcio issues to workloads.
    Uri(String),
    /// An `rfc822Name`, as Fulcio issues to people.
    Email(String),
}

impl Identity {
    /// The identity value, whatever its kind.
    pub fn as_str(&self) -> &str {
        match self {
            Identity::Uri(value) | Identity::Email(value) => value,
        }
    }

    /// The same kind of identity with another value.
    pub(crate) fn with_value(&self, value: String) -> Identity {
        match self {
            Identity::Uri(_) => Identity::Uri(value),
            Identity::Email(_) => Identity::Email(value),
        }
    }
}

/// The Sigstore bundle media type version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BundleVersion {
    /// `application/vnd.dev.sigstore.bundle+json;version=0.1`: certificate chain, SET required.
    V0_1,
    /// `application/vnd.dev.sigstore.bundle+json;version=0.2`: certificate chain, inclusion proof required.
    V0_2,
    /// `application/vnd.dev.sigstore.bundle.v0.3+json`: single certificate, inclusion proof required.
    V0_3,
}

impl BundleVersion {
    /// Every version, oldest first.
    pub const ALL: [BundleVersion; 3] = [
        BundleVersion::V0_1,
        BundleVersion::V0_2,
        BundleVersion::V0_3,
    ];

    /// The bundle's `mediaType`.
    pub fn media_type(self) -> &'static str {
        match self {
            BundleVersion::V0_1 => "application/vnd.dev.sigstore.bundle+json;version=0.1",
            BundleVersion::V0_2 => "application/vnd.dev.sigstore.bundle+json;version=0.2",
            BundleVersion::V0_3 => "application/vnd.dev.sigstore.bundle.v0.3+json",
        }
    }
}

/// The transparency log that records the signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LogKind {
    /// Rekor v1: `hashedrekord/0.0.1` or `dsse/0.0.1`, with integrated time, SET, inclusion proof
    /// and an ECDSA P-256 signed checkpoint.
    RekorV1,
    /// Rekor v2 (tile-backed): `hashedrekord/0.0.2` (a DSSE envelope is logged as the digest of its
    /// PAE, as Rekor v2 clients do and sigstore-verify expects), no integrated time, no SET, an
    /// Ed25519 signed checkpoint, and always an RFC 3161 timestamp.
    RekorV2,
}

/// The GitHub Actions claims Fulcio copies from the workflow's OIDC token into the certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GithubClaims {
    /// `.1.9` build signer URI (the workflow file at its ref; equals the SAN).
    pub build_signer_uri: String,
    /// `.1.10` commit of the build signer workflow.
    pub build_signer_digest: String,
    /// `.1.11` runner environment, e.g. `github-hosted`.
    pub runner_environment: String,
    /// `.1.12` source repository URI.
    pub source_repository_uri: String,
    /// `.1.13` source commit (also `.1.3`).
    pub source_repository_digest: String,
    /// `.1.14` source ref (also `.1.6`).
    pub source_repository_ref: String,
    /// `.1.15` immutable repository ID.
    pub source_repository_identifier: String,
    /// `.1.16` repository owner URI.
    pub source_repository_owner_uri: String,
    /// `.1.17` immutable owner ID.
    pub source_repository_owner_identifier: String,
    /// `.1.18` build configuration URI (the workflow that ran).
    pub build_config_uri: String,
    /// `.1.19` commit of the build configuration.
    pub build_config_digest: String,
    /// `.1.20` the event that triggered the run (also `.1.2`).
    pub build_trigger: String,
    /// `.1.21` the run URL.
    pub run_invocation_uri: String,
    /// `.1.22` repository visibility at signing time.
    pub source_repository_visibility: String,
    /// `.1.4` the workflow's display name (deprecated extension, no successor).
    pub workflow_name: String,
    /// Mint only the deprecated `.1.2`-`.1.6` claims, as Fulcio did before the
    /// provider-neutral arc (`.1.9` onwards) existed.
    pub legacy_only: bool,
}

impl Default for GithubClaims {
    fn default() -> Self {
        GithubClaims::for_workflow(
            "provenant-test",
            "app",
            "release.yml",
            "refs/tags/v1.0.0",
            DEFAULT_COMMIT,
        )
    }
}

impl GithubClaims {
    /// Claims for `owner/repo`'s `.github/workflows/<workflow_file>` run on `git_ref` at `commit`,
    /// triggered by a push on a GitHub-hosted runner of a public repository.
    pub fn for_workflow(
        owner: &str,
        repo: &str,
        workflow_file: &str,
        git_ref: &str,
        commit: &str,
    ) -> GithubClaims {
        let repository = format!("https://github.com/{owner}/{repo}");
        let workflow = format!("{repository}/.github/workflows/{workflow_file}@{git_ref}");
        GithubClaims {
            build_signer_uri: workflow.clone(),
            build_signer_digest: commit.to_string(),
            runner_environment: "github-hosted".to_string(),
            source_repository_uri: repository.clone(),
            source_repository_digest: commit.to_string(),
            source_repository_ref: git_ref.to_string(),
            source_repository_identifier: "700000001".to_string(),
            source_repository_owner_uri: format!("https://github.com/{owner}"),
            source_repository_owner_identifier: "700000000".to_string(),
            build_config_uri: workflow,
            build_config_digest: commit.to_string(),
            build_trigger: "push".to_string(),
            run_invocation_uri: format!("{repository}/actions/runs/1234567890/attempts/1"),
            source_repository_visibility: "public".to_string(),
            workflow_name: workflow_file
                .trim_end_matches(".yml")
                .trim_end_matches(".yaml")
                .to_string(),
            legacy_only: false,
        }
    }

    /// The SAN Fulcio issues for these claims: the build signer URI.
    pub fn identity(&self) -> Identity {
        Identity::Uri(self.build_signer_uri.clone())
    }

    /// `owner/repo`, the value of the deprecated `.1.5` extension.
    pub fn repository_name(&self) -> &str {
        self.source_repository_uri
            .trim_start_matches("https://github.com/")
            .trim_end_matches('/')
    }

    /// Every claim with `from` replaced by `to`, for a certificate about another repository.
    pub(crate) fn replaced(&self, from: &str, to: &str) -> GithubClaims {
        let r = |value: &String| value.replace(from, to);
        GithubClaims {
            build_signer_uri: r(&self.build_signer_uri),
            build_signer_digest: r(&self.build_signer_digest),
            runner_environment: r(&self.runner_environment),
            source_repository_uri: r(&self.source_repository_uri),
            source_repository_digest: r(&self.source_repository_digest),
            source_repository_ref: r(&self.source_repository_ref),
            source_repository_identifier: r(&self.source_repository_identifier),
            source_repository_owner_uri: r(&self.source_repository_owner_uri),
            source_repository_owner_identifier: r(&self.source_repository_owner_identifier),
            build_config_uri: r(&self.build_config_uri),
            build_config_digest: r(&self.build_config_digest),
            build_trigger: r(&self.build_trigger),
            run_invocation_uri: r(&self.run_invocation_uri),
            source_repository_visibility: r(&self.source_repository_visibility),
            workflow_name: r(&self.workflow_name),
            legacy_only: self.legacy_only,
        }
    }
}

/// A minted bundle and what it was minted for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Minted {
    /// The Sigstore bundle, pretty-printed JSON.
    pub bundle_json: String,
    /// The artifact to verify the bundle against (for [`Tamper::WrongArtifact`](crate::Tamper::WrongArtifact), the wrong one).
    pub artifact: Vec<u8>,
    /// The DER signing (leaf) certificate inside the bundle.
    pub cert_der: Vec<u8>,
}
