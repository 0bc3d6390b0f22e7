//! Binding an in-toto statement to the artifact through its subjects: the one rule every
//! statement-carrying evidence uses (Sigstore bundles, key-signed and Cloud Build envelopes,
//! npm attestations, VSAs, attested SBOMs).

use provenant_formats::intoto::{Statement, SubjectMatch};
use provenant_model::{CheckCode, Digest};

/// A statement bound to the artifact: the digest a subject names, and a warning when a
/// digest of the subjects about it could not be compared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubjectBinding {
    /// The artifact digest a subject names (sha256 first when several match).
    pub digest: Digest,
    /// `Some(reason)` when a subject digest about the artifact could not be compared
    /// ([`CheckCode::SubjectDigestUnchecked`], a warning).
    pub unchecked: Option<String>,
}

/// Bind `statement` to the artifact known by `artifact` digests.
///
/// Fails with [`CheckCode::ArtifactDigestMismatch`] when no subject names the artifact, and
/// with [`CheckCode::SubjectDigestConflict`] when one does and another mention contradicts it
/// (a wrong sha512 beside the right sha256, two subjects of one name or digest that disagree).
/// A digest of an algorithm provenant cannot compute, or did not (only `--digest` was given),
/// is a warning when at least one digest matched, and never enough on its own.
pub fn bind_subject(
    statement: &Statement,
    artifact: &[Digest],
) -> Result<SubjectBinding, (CheckCode, String)> {
    match statement.match_subject(artifact) {
        SubjectMatch::Named { matched, unchecked } => {
            let digest = artifact
                .iter()
                .find(|d| matched.iter().any(|m| m == d.algorithm().name()))
                .cloned();
            let Some(digest) = digest else {
                return Err((
                    CheckCode::ArtifactDigestMismatch,
                    "no subject digest could be compared with the artifact".into(),
                ));
            };
            let unchecked = (!unchecked.is_empty()).then(|| {
                format!(
                    "the subject naming the artifact ({digest}) also carries {} digest(s) that could not be compared ({}): provenant does not compute that algorithm, or only --digest was given; the binding rests on {}",
                    unchecked.len(),
                    unchecked.join(", "),
                    matched.join(", ")
                )
            });
            Ok(SubjectBinding { digest, unchecked })
        }
        SubjectMatch::Conflict { detail } => Err((
            CheckCode::SubjectDigestConflict,
            format!("{detail}: a contradiction is never a binding"),
        )),
        SubjectMatch::NotNamed => {
            let known: Vec<String> = artifact.iter().map(ToString::to_string).collect();
            let algs: Vec<String> = statement
                .subjects
                .iter()
                .flat_map(|s| s.digest.keys().cloned())
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect();
            Err((
                CheckCode::ArtifactDigestMismatch,
                format!(
                    "none of the statement's {} subject(s) ({}) is the artifact ({})",
                    statement.subjects.len(),
                    algs.join(", "),
                    known.join(", ")
                ),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use provenant_formats::intoto::parse_statement;

    const A256: &str = "a0cfc71271d6e278e57cd332ff957c3f7043fdda354c4cbb190a30d56efa01bf";

    fn st(subjects: &str) -> Statement {
        parse_statement(
            format!(
                r#"{{"_type":"https://in-toto.io/Statement/v1","subject":{subjects},"predicateType":"p","predicate":{{}}}}"#
            )
            .as_bytes(),
        )
        .unwrap()
    }

    fn sha256() -> Digest {
        format!("sha256:{A256}").parse().unwrap()
    }

    fn sha512(c: char) -> Digest {
        format!("sha512:{}", c.to_string().repeat(128))
            .parse()
            .unwrap()
    }

    #[test]
    fn a_wrong_sha512_beside_the_right_sha256_is_a_conflict() {
        let s = st(&format!(
            r#"[{{"name":"a","digest":{{"sha256":"{A256}","sha512":"{}"}}}}]"#,
            "b".repeat(128)
        ));
        let e = bind_subject(&s, &[sha256(), sha512('c')]).unwrap_err();
        assert_eq!(e.0, CheckCode::SubjectDigestConflict, "{e:?}");
        // Right on both: bound, nothing unchecked.
        let ok = bind_subject(&s, &[sha256(), sha512('b')]).unwrap();
        assert_eq!(ok.unchecked, None);
        // Only sha256 known (--digest): bound, the sha512 reported unchecked.
        let ok = bind_subject(&s, &[sha256()]).unwrap();
        assert!(ok.unchecked.is_some_and(|w| w.contains("sha512")));
        // Upper-case algorithm names are the same algorithm.
        let s = st(&format!(
            r#"[{{"name":"a","digest":{{"sha256":"{A256}","SHA512":"{}"}}}}]"#,
            "b".repeat(128)
        ));
        assert_eq!(
            bind_subject(&s, &[sha256(), sha512('c')]).unwrap_err().0,
            CheckCode::SubjectDigestConflict
        );
    }

    #[test]
    fn subjects_of_one_name_or_digest_must_agree() {
        let other = "f".repeat(64);
        let s = st(&format!(
            r#"[{{"name":"app","digest":{{"sha256":"{A256}"}}}},{{"name":"app","digest":{{"sha256":"{other}"}}}}]"#
        ));
        assert_eq!(
            bind_subject(&s, &[sha256()]).unwrap_err().0,
            CheckCode::SubjectDigestConflict
        );
        // Linked by the digest: two sha1 values for one sha256.
        let s = st(&format!(
            r#"[{{"name":"a","digest":{{"sha256":"{A256}","sha1":"11"}}}},{{"name":"b","digest":{{"sha256":"{A256}","sha1":"22"}}}}]"#
        ));
        assert_eq!(
            bind_subject(&s, &[sha256()]).unwrap_err().0,
            CheckCode::SubjectDigestConflict
        );
        // Other artifacts of another name are not about this one.
        let s = st(&format!(
            r#"[{{"name":"app","digest":{{"sha256":"{A256}"}}}},{{"name":"lib","digest":{{"sha256":"{other}"}}}}]"#
        ));
        assert!(bind_subject(&s, &[sha256()]).is_ok());
    }

    #[test]
    fn an_uncomputable_digest_alone_binds_nothing() {
        let s = st(r#"[{"name":"a","digest":{"sha1":"11","gitCommit":"22"}}]"#);
        assert_eq!(
            bind_subject(&s, &[sha256()]).unwrap_err().0,
            CheckCode::ArtifactDigestMismatch
        );
        let s = st(&format!(
            r#"[{{"name":"a","digest":{{"sha256":"{A256}","sha1":"11"}}}}]"#
        ));
        let ok = bind_subject(&s, &[sha256()]).unwrap();
        assert!(ok.unchecked.is_some_and(|w| w.contains("sha1")));
    }
}
