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

/// Why a CA chain does not have the shape of one.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum ChainError {
    /// A certificate is not DER X.509.
    #[error("certificate {position} does not parse: {source}")]
    Unparsable {
        /// 1-based position in the chain.
        position: usize,
        /// The DER decoder's complaint.
        #[source]
        source: x509_cert::der::Error,
    },
    /// A certificate's issuer is not the subject of the next one.
    #[error(
        "certificate {position} is not issued by certificate {} (chain out of order or incomplete)",
        .position + 1
    )]
    NotIssuedByNext {
        /// 1-based position of the certificate whose issuer is not the next subject.
        position: usize,
    },
    /// No certificate at all.
    #[error("empty certificate chain")]
    Empty,
    /// The last certificate is not self-issued.
    #[error(
        "chain does not end in a root: the last certificate ({subject}) is issued by {issuer}"
    )]
    NoRoot {
        /// The last certificate's subject.
        subject: x509_cert::name::Name,
        /// Its issuer.
        issuer: x509_cert::name::Name,
    },
}

/// Check the *shape* of a CA chain (leaf-most first): every certificate parses, each is issued
/// by the next, and the last is a self-issued root. Returns a one-line summary.
pub fn check_ca_chain(ders: &[Vec<u8>]) -> Result<String, ChainError> {
    let mut certs = Vec::with_capacity(ders.len());
    for (i, d) in ders.iter().enumerate() {
        certs.push(x509_cert::Certificate::from_der(d).map_err(|source| {
            ChainError::Unparsable {
                position: i + 1,
                source,
            }
        })?);
    }
    for (i, pair) in certs.windows(2).enumerate() {
        if pair[0].tbs_certificate.issuer != pair[1].tbs_certificate.subject {
            return Err(ChainError::NotIssuedByNext { position: i + 1 });
        }
    }
    let last = certs.last().ok_or(ChainError::Empty)?;
    if last.tbs_certificate.issuer != last.tbs_certificate.subject {
        return Err(ChainError::NoRoot {
            subject: last.tbs_certificate.subject.clone(),
            issuer: last.tbs_certificate.issuer.clone(),
        });
    }
    Ok(format!(
        "{} certificate(s), root {}",
        certs.len(),
        last.tbs_certificate.subject
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chain_errors_name_the_position() {
        assert!(matches!(check_ca_chain(&[]), Err(ChainError::Empty)));
        let e = check_ca_chain(&[b"not DER".to_vec()]).unwrap_err();
        assert!(
            matches!(e, ChainError::Unparsable { position: 1, .. }),
            "{e:?}"
        );
        assert!(
            e.to_string().starts_with("certificate 1 does not parse: "),
            "{e}"
        );
        assert_eq!(
            ChainError::NotIssuedByNext { position: 2 }.to_string(),
            "certificate 2 is not issued by certificate 3 (chain out of order or incomplete)"
        );
    }
}
