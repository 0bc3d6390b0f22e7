//! Evidence files, classified by content (never by file name).

use provenant_formats::bundle::{parse_bundles, BundleError, ParsedBundle};
use provenant_formats::dsse::{envelope_from_value, DsseError, Envelope};
use provenant_formats::json::{parse_strict, JsonError};

/// How an evidence file was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Found {
    /// Named on the command line.
    Given,
    /// Discovered beside the artifact (`<FILE>.sigstore.json`, ...).
    Beside,
    /// Discovered beside an image: in its registry, OCI layout or docker archive.
    Image,
}

/// What an evidence file holds.
#[derive(Debug, Clone)]
pub enum EvidenceContent {
    /// One or more Sigstore bundles (one per JSON line), each parsed on its own.
    Bundles(Vec<Result<ParsedBundle, BundleError>>),
    /// A bare DSSE envelope (key-based signing).
    Envelope(Envelope),
    /// Google Cloud Build provenance (gcloud's provenance summary), one envelope per entry.
    Gcb(Vec<Result<Envelope, DsseError>>),
    /// The npm registry's attestations document (publish attestation + SLSA provenance).
    Npm(Vec<provenant_formats::npm_attestations::NpmAttestation>),
    /// A detached signature (cosign `sign-blob --key`: base64 text).
    SignatureFile(Vec<u8>),
    /// A cosign simple-signing signature of an image (`.sig` layer).
    CosignSignature(Box<CosignSignature>),
    /// Evidence nothing signs (a BuildKit attestation, an attached SBOM): listed, never counted.
    Unsigned(String),
    /// A referrer listed under the image that names another subject.
    WrongSubject(String),
    /// Evidence of a kind provenant does not verify.
    Unsupported(String),
    /// Could not be decoded as any evidence format.
    Unreadable(String),
}

/// A cosign `.sig` layer: the simple-signing payload and what signs it.
#[derive(Debug, Clone)]
pub struct CosignSignature {
    /// The payload (the layer blob): what the signature covers.
    pub payload: Vec<u8>,
    /// The payload's SHA-256.
    pub payload_sha256: provenant_model::Digest,
    /// The payload parsed; an error when it is not a cosign container image signature.
    pub simple: Result<provenant_formats::oci::SimpleSigning, provenant_formats::oci::OciError>,
    /// The raw signature (base64-decoded annotation), for key-based verification.
    pub signature: Option<Vec<u8>>,
    /// The keyless evidence rewritten as a bundle (certificate + Rekor bundle annotations);
    /// `None` when the layer has no certificate.
    pub bundle: Option<Result<ParsedBundle, provenant_formats::cosign::CosignError>>,
}

/// An evidence file: where it is, how it was found, what it holds.
#[derive(Debug, Clone)]
pub struct Evidence {
    /// Path (as given).
    pub location: String,
    /// Given or discovered.
    pub found: Found,
    /// Parsed content.
    pub content: EvidenceContent,
}

impl Evidence {
    /// Classify and parse `bytes` read from `location`.
    pub fn from_bytes(location: impl Into<String>, found: Found, bytes: &[u8]) -> Self {
        Self {
            location: location.into(),
            found,
            content: classify_evidence(bytes),
        }
    }
}

/// Every digest algorithm the artifact must be hashed with for `evidence`: sha256, and each
/// SHA-2 algorithm a statement subject or message digest names (in bundles, npm attestation
/// documents, key-signed and Cloud Build envelopes), so that every subject digest provenant can
/// compute is compared, not only one of them.
pub fn digest_algorithms(evidence: &[Evidence]) -> Vec<provenant_model::DigestAlgorithm> {
    use provenant_model::DigestAlgorithm;
    let mut bundles: Vec<&ParsedBundle> = Vec::new();
    let mut envelopes: Vec<&Envelope> = Vec::new();
    for e in evidence {
        match &e.content {
            EvidenceContent::Bundles(list) => bundles.extend(list.iter().flatten()),
            EvidenceContent::Npm(list) => {
                bundles.extend(list.iter().filter_map(|a| a.bundle.as_ref().ok()));
            }
            EvidenceContent::Envelope(env) => envelopes.push(env),
            EvidenceContent::Gcb(list) => envelopes.extend(list.iter().flatten()),
            _ => {}
        }
    }
    let mut out = provenant_verify::needed_for(bundles.iter().copied());
    // An SBOM attestation's document names what it describes by its own digests: those are
    // compared with the artifact too.
    for b in &bundles {
        if let provenant_formats::bundle::BundleContent::Dsse {
            statement: Some(Ok(st)),
            ..
        } = &b.content
        {
            out.extend(attested_sbom_algorithms(st));
        }
    }
    for env in envelopes {
        let Ok(st) = provenant_formats::intoto::parse_statement(&env.payload) else {
            continue;
        };
        out.extend(attested_sbom_algorithms(&st));
        for subject in &st.subjects {
            for alg in DigestAlgorithm::ALL {
                if subject
                    .digest
                    .keys()
                    .any(|k| k.eq_ignore_ascii_case(alg.name()))
                {
                    out.push(alg);
                }
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// The digest algorithms the subject of an SBOM statement's document names (none for another
/// predicate, or a document that does not parse).
fn attested_sbom_algorithms(
    st: &provenant_formats::intoto::Statement,
) -> Vec<provenant_model::DigestAlgorithm> {
    if !provenant_formats::sbom::is_sbom_predicate(&st.predicate_type) {
        return vec![];
    }
    provenant_formats::sbom::parse_predicate_sbom(&st.predicate, None)
        .map(|p| crate::sbom::subject_algorithms(&p.sbom))
        .unwrap_or_default()
}

/// Decide what `bytes` are by their content: a bundle (or JSON lines of them), a DSSE envelope,
/// or a base64 detached signature.
pub fn classify_evidence(bytes: &[u8]) -> EvidenceContent {
    match parse_strict(bytes) {
        Ok(v) if v.pointer("/provenance_summary/provenance").is_some() => {
            match provenant_formats::gcb::gcb_envelopes(&v) {
                Some(list) => EvidenceContent::Gcb(list),
                None => EvidenceContent::Unreadable(
                    "provenance_summary.provenance is not a list".into(),
                ),
            }
        }
        Ok(v) if provenant_formats::npm_attestations::is_npm_attestations(&v) => {
            match provenant_formats::npm_attestations::npm_attestations(&v) {
                Ok(list) => EvidenceContent::Npm(list),
                Err(e) => EvidenceContent::Unreadable(format!("npm attestations document: {e}")),
            }
        }
        Ok(v) if v.get("payloadType").is_some() && v.get("mediaType").is_none() => {
            match envelope_from_value(&v) {
                Ok(e) => EvidenceContent::Envelope(e),
                Err(e) => EvidenceContent::Unreadable(e.to_string()),
            }
        }
        // One JSON document: one bundle (the strict parse is not repeated).
        Ok(v) => EvidenceContent::Bundles(vec![provenant_formats::bundle::bundle_from_value(
            &v, bytes,
        )]),
        Err(JsonError::Syntax(_)) => {
            let text = String::from_utf8_lossy(bytes);
            let t = text.trim();
            let looks_b64 = !t.is_empty()
                && t.len() < 4096
                && t.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"+/=-_".contains(&b));
            if looks_b64 && provenant_formats::dsse::decode_base64(t).is_some() {
                return EvidenceContent::SignatureFile(bytes.to_vec());
            }
            match parse_bundles(bytes) {
                Ok(list) => EvidenceContent::Bundles(list),
                Err(e) => EvidenceContent::Unreadable(e.to_string()),
            }
        }
        Err(e) => EvidenceContent::Unreadable(e.to_string()),
    }
}

impl From<DsseError> for EvidenceContent {
    fn from(e: DsseError) -> Self {
        Self::Unreadable(e.to_string())
    }
}
