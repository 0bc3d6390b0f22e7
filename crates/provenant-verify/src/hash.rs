//! Streaming artifact digests (aws-lc-rs: the same assembly OpenSSL uses).

use std::io::{self, Read};

use aws_lc_rs::digest;
use provenant_model::{Digest, DigestAlgorithm};

/// Hashes one stream with several algorithms at once.
pub struct MultiHasher {
    contexts: Vec<(DigestAlgorithm, digest::Context)>,
    len: u64,
}

impl MultiHasher {
    /// A hasher for these algorithms (duplicates ignored).
    pub fn new(algorithms: &[DigestAlgorithm]) -> Self {
        let mut algs: Vec<DigestAlgorithm> = algorithms.to_vec();
        algs.sort();
        algs.dedup();
        let contexts = algs
            .into_iter()
            .map(|a| {
                let alg = match a {
                    DigestAlgorithm::Sha256 => &digest::SHA256,
                    DigestAlgorithm::Sha384 => &digest::SHA384,
                    DigestAlgorithm::Sha512 => &digest::SHA512,
                };
                (a, digest::Context::new(alg))
            })
            .collect();
        Self { contexts, len: 0 }
    }

    /// Feed bytes.
    pub fn update(&mut self, data: &[u8]) {
        self.len += data.len() as u64;
        for (_, c) in &mut self.contexts {
            c.update(data);
        }
    }

    /// The digests, and the number of bytes hashed.
    pub fn finish(self) -> (Vec<Digest>, u64) {
        let digests = self
            .contexts
            .into_iter()
            .filter_map(|(a, c)| Digest::from_bytes(a, c.finish().as_ref()))
            .collect();
        (digests, self.len)
    }
}

/// Hash a reader to EOF in constant memory.
pub fn digest_reader(
    mut reader: impl Read,
    algorithms: &[DigestAlgorithm],
) -> io::Result<(Vec<Digest>, u64)> {
    let mut hasher = MultiHasher::new(algorithms);
    let mut buf = vec![0u8; 1 << 20];
    loop {
        match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => hasher.update(&buf[..n]),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(hasher.finish())
}

/// The algorithms a set of parsed bundles needs the artifact hashed with (always sha256).
pub fn needed_for<'a>(
    bundles: impl IntoIterator<Item = &'a provenant_formats::bundle::ParsedBundle>,
) -> Vec<DigestAlgorithm> {
    use provenant_formats::bundle::BundleContent;
    let mut out = vec![DigestAlgorithm::Sha256];
    for b in bundles {
        match &b.content {
            BundleContent::Dsse {
                statement: Some(Ok(s)),
                ..
            } => {
                for subj in &s.subjects {
                    for alg in DigestAlgorithm::ALL {
                        if subj.digest.contains_key(alg.name()) {
                            out.push(alg);
                        }
                    }
                }
            }
            BundleContent::MessageSignature => {
                if let sigstore_verify::types::SignatureContent::MessageSignature(m) =
                    &b.bundle.content
                {
                    if let Some(md) = &m.message_digest {
                        out.push(crate::sigstore::model_alg(md.algorithm));
                    }
                }
            }
            BundleContent::Dsse { .. } => {}
        }
    }
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_vectors() {
        let (d, n) = digest_reader(
            &b"abc"[..],
            &[DigestAlgorithm::Sha256, DigestAlgorithm::Sha512],
        )
        .unwrap();
        assert_eq!(n, 3);
        assert_eq!(
            d[0].to_string(),
            "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert!(d[1].hex().starts_with("ddaf35a193617aba"));
    }
}
