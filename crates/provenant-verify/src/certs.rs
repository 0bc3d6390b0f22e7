//! Certificate helpers for reports and `inspect` (descriptive only; chains are verified by
//! sigstore-verify).

use sigstore_verify::crypto::parse_certificate_info;
use sigstore_verify::types::DerCertificate;
use x509_cert::der::Decode;

/// SAN, OIDC issuer, not-before and not-after of a certificate, for display.
pub fn describe_certificate(cert: &DerCertificate) -> Option<(String, String, String, String)> {
    let info = parse_certificate_info(cert).ok()?;
    Some((
        info.identity
            .map(|s| s.as_str().to_owned())
            .unwrap_or_else(|| "(no SAN)".into()),
        info.issuer.unwrap_or_else(|| "(none)".into()),
        info.not_before.to_string(),
        info.not_after.to_string(),
    ))
}

/// Check the *shape* of a CA chain (leaf-most first): every certificate parses, each is issued
/// by the next, and the last is a self-issued root. Returns a one-line summary.
pub fn check_ca_chain(ders: &[Vec<u8>]) -> Result<String, String> {
    let mut certs = Vec::with_capacity(ders.len());
    for (i, d) in ders.iter().enumerate() {
        certs.push(
            x509_cert::Certificate::from_der(d)
                .map_err(|e| format!("certificate {} does not parse: {e}", i + 1))?,
        );
    }
    for (i, pair) in certs.windows(2).enumerate() {
        if pair[0].tbs_certificate.issuer != pair[1].tbs_certificate.subject {
            return Err(format!(
                "certificate {} is not issued by certificate {} (chain out of order or incomplete)",
                i + 1,
                i + 2
            ));
        }
    }
    let last = certs.last().ok_or("empty certificate chain")?;
    if last.tbs_certificate.issuer != last.tbs_certificate.subject {
        return Err(format!(
            "chain does not end in a root: the last certificate ({}) is issued by {}",
            last.tbs_certificate.subject, last.tbs_certificate.issuer
        ));
    }
    Ok(format!(
        "{} certificate(s), root {}",
        certs.len(),
        last.tbs_certificate.subject
    ))
}
