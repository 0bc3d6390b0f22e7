//! A collected image as the engine's input: each digest with the evidence discovered for it,
//! turned into [`provenant_core`]'s evidence (cosign layers rewritten as bundles, SBOMs
//! parsed). Shared by `verify image`, `provenance` and `audit run`.

use provenant_core::{classify_evidence, CosignSignature, Evidence, EvidenceContent, Found};
use provenant_core::{CollectedTarget, ImageCollected};
use provenant_formats::cosign::{legacy_bundle, LegacyContent};
use provenant_formats::oci::{parse_simple_signing, ANN_COSIGN_CERTIFICATE, ANN_COSIGN_SIGNATURE};
use provenant_formats::sbom::{is_sbom_predicate, parse_sbom, ParsedSbom, SbomError};
use provenant_model::Digest;

use crate::image::{CollectedImage, Refused};
use crate::store::sha256_digest;
use crate::{Discovered, DiscoveredKind, ImageRef};

/// The engine's input for a collection: what was collected, or why the image was refused.
pub fn image_collected(
    collected: Result<CollectedImage, Refused>,
    reference: &str,
    image: &ImageRef,
    expected_digest: Option<Digest>,
    require_signed_reference: bool,
    validator: Option<&dyn provenant_formats::sbom::XmlSchemaValidator>,
) -> ImageCollected {
    let repository = match image {
        ImageRef::Registry(r) => Some(r.repository_name()),
        _ => None,
    };
    let collected = match collected {
        Ok(c) => c,
        Err(Refused { code, reason }) => {
            return ImageCollected {
                reference: reference.to_owned(),
                resolved_from_tag: None,
                expected_digest: None,
                is_index: false,
                media_type: String::new(),
                targets: vec![],
                missing_platforms: vec![],
                repository: None,
                require_signed_reference,
                refused: Some((code, reason)),
            }
        }
    };
    let targets = collected
        .targets
        .into_iter()
        .map(|t| target(t, validator))
        .collect();
    ImageCollected {
        reference: collected.reference,
        resolved_from_tag: collected.resolved_from_tag,
        expected_digest,
        is_index: collected.is_index,
        media_type: collected.media_type,
        targets,
        missing_platforms: collected.missing_platforms,
        repository,
        require_signed_reference,
        refused: None,
    }
}

/// One collected digest and what was discovered for it, as engine inputs.
fn target(
    t: crate::image::CollectedTarget,
    validator: Option<&dyn provenant_formats::sbom::XmlSchemaValidator>,
) -> CollectedTarget {
    let mut evidence = Vec::new();
    let mut unsigned_sboms = Vec::new();
    for d in t.discovery.items {
        let (ev, sbom) = to_evidence(d, validator);
        evidence.extend(ev);
        unsigned_sboms.extend(sbom);
    }
    CollectedTarget {
        platform: t.platform,
        digest: t.digest,
        evidence,
        unsigned_sboms,
        searched: t.discovery.searched,
    }
}

type FoundSbom = (String, Result<ParsedSbom, SbomError>);

/// Turn a discovered item into pipeline evidence (and an SBOM to judge, when it is one).
fn to_evidence(
    d: Discovered,
    validator: Option<&dyn provenant_formats::sbom::XmlSchemaValidator>,
) -> (Option<Evidence>, Option<FoundSbom>) {
    let ev = |content| {
        Some(Evidence {
            location: d.location.clone(),
            found: Found::Image,
            content,
        })
    };
    match d.kind {
        DiscoveredKind::CosignSignature {
            payload,
            annotations,
        } => (ev(cosign_signature(payload, &annotations)), None),
        DiscoveredKind::Envelope { bytes, annotations } => {
            if annotations.contains_key(ANN_COSIGN_CERTIFICATE) {
                let content = match legacy_bundle(LegacyContent::Envelope(&bytes), &annotations) {
                    Ok(Some(b)) => EvidenceContent::Bundles(vec![Ok(b)]),
                    Ok(None) => classify_evidence(&bytes),
                    Err(e) => EvidenceContent::Unreadable(e.to_string()),
                };
                (ev(content), None)
            } else {
                (ev(classify_evidence(&bytes)), None)
            }
        }
        DiscoveredKind::Bundle { bytes } => (ev(classify_evidence(&bytes)), None),
        DiscoveredKind::Sbom { bytes, media_type } => (
            ev(EvidenceContent::Unsigned(format!("SBOM ({media_type})"))),
            Some((d.location.clone(), parse_sbom(&bytes, validator))),
        ),
        DiscoveredKind::Statement {
            bytes,
            predicate_type,
        } => {
            let pt = predicate_type.unwrap_or_else(|| "unnamed".into());
            let sbom =
                is_sbom_predicate(&pt).then(|| (d.location.clone(), parse_sbom(&bytes, validator)));
            (
                ev(EvidenceContent::Unsigned(format!(
                    "in-toto statement with predicate {pt} (a BuildKit attestation)"
                ))),
                sbom,
            )
        }
        DiscoveredKind::WrongSubject { claimed } => (
            ev(EvidenceContent::WrongSubject(match claimed {
                Some(c) => format!("listed as a referrer of the image, but its subject is {c}"),
                None => "listed as a referrer of the image, but it names no subject".into(),
            })),
            None,
        ),
        DiscoveredKind::Unreadable { reason } => (ev(EvidenceContent::Unreadable(reason)), None),
        DiscoveredKind::Unsupported { media_type } => (
            ev(EvidenceContent::Unsupported(format!(
                "media type {media_type}"
            ))),
            None,
        ),
    }
}

/// A cosign `.sig` layer: its payload, the signature annotation and, for keyless layers, the
/// certificate and Rekor bundle annotations rewritten as a bundle.
fn cosign_signature(
    payload: Vec<u8>,
    annotations: &std::collections::BTreeMap<String, String>,
) -> EvidenceContent {
    let sha = sha256_digest(&payload);
    let mut raw = [0u8; 32];
    raw.copy_from_slice(&sha.to_bytes());
    let bundle = match legacy_bundle(LegacyContent::Payload { sha256: &raw }, annotations) {
        Ok(None) => None,
        Ok(Some(b)) => Some(Ok(b)),
        Err(e) => Some(Err(e)),
    };
    let signature = annotations
        .get(ANN_COSIGN_SIGNATURE)
        .and_then(|s| provenant_formats::dsse::decode_base64(s.trim()));
    let simple = parse_simple_signing(&payload);
    EvidenceContent::CosignSignature(Box::new(CosignSignature {
        payload,
        payload_sha256: sha,
        simple,
        signature,
        bundle,
    }))
}
