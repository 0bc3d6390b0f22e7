//! Conformance: every corpus case of the Sigstore categories, replayed through the CLI contract
//! (`verify artifact` / `inspect`), both the file and the digest variant where the case has them.
//!
//! A case that cannot give its expected outcome yet goes on [`XFAIL`] with the reason; a listed
//! case that starts passing fails the run, so the list only ever shrinks honestly.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

use crate::support::{corpus, provenant, run};

const CATEGORIES: &[&str] = &[
    "sigstore-bundle",
    "sigstore-bundle-parse",
    "sigstore-trusted-root-parse",
];

/// The attestation / provenance categories (issue 4) that provenant covers so far.
const PROVENANCE_CATEGORIES: &[&str] = &[
    "slsa-provenance",
    "slsa-provenance-gcb",
    "slsa-provenance-npm",
    "slsa-vsa",
    "github-attestation",
    "in-toto-statement",
    "in-toto-predicate",
    "in-toto-layout",
];

/// Provenance cases provenant does not agree with, and why. All fail closed.
const PROVENANCE_XFAIL: &[(&str, &str)] = &[
    (
        "cli-cli/sigstore-js-2.1.0-bundle",
        "--certificate-identity-regexp '^https://github.com/sigstore/' is anchored at both ends by \
         provenant's contract (gh leaves the end open), so it cannot match a full workflow SAN",
    ),
    (
        "cli-cli/sigstore-js-2.1.0_with_2_bundles",
        "same anchored-regexp contract as cli-cli/sigstore-js-2.1.0-bundle",
    ),
    (
        "slsa-verifier/gha_delegator/v1.9.0/binary-linux-amd64-push-v13.0.30/default",
        "signed by slsa-github-generator's delegator at refs/heads/main, not a release tag; \
         provenant trusts the delegator only at release tags",
    ),
    (
        "slsa-verifier/gha_delegator/v1.9.0/binary-linux-amd64-push-v14/default",
        "delegator at refs/heads/main (see above)",
    ),
    (
        "slsa-verifier/gha_delegator/v1.9.0/binary-linux-amd64-workflow_dispatch/default",
        "delegator at refs/heads/main (see above)",
    ),
    (
        "in-toto-golang/dsse-only.root.layout",
        "the replay gives the inspection working file foo.tar.gz as the artifact, and no step of \
         this layout (which has no inspections) produces it: provenant fails an artifact the \
         layout does not speak for (layout-artifact-unbound); the layout alone verifies",
    ),
];

/// slsa-verifier flag -> provenant flag (`None`: the flag carries nothing provenant checks).
const SLSA_FLAGS: &[(&str, Option<&str>)] = &[
    ("--provenance-path", Some("--provenance")),
    ("--attestation-path", Some("--attestations")),
    ("--attestations-path", Some("--attestations")),
    ("--source-uri", Some("--source-uri")),
    ("--builder-id", Some("--builder-id")),
    ("--source-tag", Some("--source-tag")),
    ("--source-branch", Some("--source-branch")),
    ("--source-versioned-tag", Some("--source-versioned-tag")),
    ("--build-workflow-input", Some("--build-workflow-input")),
    ("--public-key-path", Some("--key")),
    ("--public-key-id", Some("--public-key-id")),
    ("--subject-digest", Some("--digest")),
    ("--verifier-id", Some("--verifier-id")),
    ("--resource-uri", Some("--resource-uri")),
    ("--verified-level", Some("--verified-level")),
    ("--verified-levels", Some("--verified-level")),
    ("--package-name", Some("--package-name")),
    ("--package-version", Some("--package-version")),
];

/// An slsa-verifier argv mapped onto `verify artifact`; `None` when it uses a flag provenant
/// does not define yet.
fn from_slsa(args: &[Value], i: &Value) -> Option<Vec<String>> {
    let mut out: Vec<String> = vec!["verify".into(), "artifact".into()];
    let mut k = 1;
    let vsa = args.first().and_then(Value::as_str) == Some("verify-vsa");
    while k < args.len() {
        let a = args[k].as_str()?;
        if let Some((_, to)) = SLSA_FLAGS.iter().find(|(f, _)| *f == a) {
            if let Some(mut to) = *to {
                if vsa && to == "--attestations" {
                    to = "--vsa";
                }
                out.extend([to.to_string(), args[k + 1].as_str()?.to_string()]);
            }
            k += 2;
        } else if a.starts_with("--") {
            return None;
        } else if a == "TARBALL" {
            // npm: the tarball is not in the corpus; verify it by its recorded digest.
            out.extend(["--digest".into(), s(i, "tarball_sha512")?.into()]);
            k += 1;
        } else {
            let t = a.strip_prefix("DIGEST:").unwrap_or(a);
            if t.split(':')
                .next()
                .is_some_and(|p| ["sha256", "sha384", "sha512"].contains(&p))
            {
                out.push("--digest".into());
            }
            out.push(t.into());
            k += 1;
        }
    }
    if let Some(t) = s(i, "trusted_root") {
        out.extend(["--trusted-root".into(), t.into()]);
    }
    out.push("--offline".into());
    Some(out)
}

/// A `gh attestation verify`-style case (bundle + policy) mapped onto `verify artifact`.
fn from_gh(i: &Value) -> Option<Vec<String>> {
    let pol = i.get("policy").filter(|p| p.is_object())?;
    let mut out: Vec<String> = vec!["verify".into(), "artifact".into()];
    if let Some(a) = s(i, "artifact") {
        out.push(a.into());
    } else {
        out.extend(["--digest".into(), s(i, "artifact_digest")?.into()]);
    }
    out.extend(["--bundle".into(), s(i, "bundle")?.into()]);
    if let Some(t) = s(i, "trusted_root") {
        out.extend(["--trusted-root".into(), t.into()]);
    }
    for (k, flag) in [
        ("owner", "--owner"),
        ("repo", "--repo"),
        ("signer_repo", "--signer-repo"),
        ("signer_workflow", "--signer-workflow"),
        ("san", "--certificate-identity"),
        ("san_regex", "--certificate-identity-regexp"),
        ("oidc_issuer", "--cert-oidc-issuer"),
    ] {
        if let Some(v) = s(pol, k) {
            out.extend([flag.into(), v.into()]);
        }
    }
    out.push("--offline".into());
    Some(out)
}

/// Cases provenant does not yet agree with, and why. Each one fails closed (never a false pass).
const XFAIL: &[(&str, &str)] = &[(
    "sigstore-python/tsa/bundle.txt.sigstore",
    "both RFC 3161 tokens are signed by a re-issued TSA leaf (serial 2e4d…) that is not the leaf \
     in the trusted root; sigstore-verify pins the TSA signer to the root's leaf certificates, \
     sigstore-python accepts any leaf that chains to the trusted intermediate",
)];

fn s<'a>(v: &'a Value, k: &str) -> Option<&'a str> {
    v.get(k).and_then(Value::as_str)
}

/// The upstream conformance argv (`verify-bundle ...`) mapped onto `verify artifact`.
fn from_conformance(args: &[Value]) -> Vec<String> {
    let mut out = vec!["verify".to_string(), "artifact".to_string()];
    let mut i = 1;
    while i < args.len() {
        let a = args[i].as_str().unwrap_or_default();
        if a.starts_with("--") {
            out.push(a.to_string());
            out.push(args[i + 1].as_str().unwrap_or_default().to_string());
            i += 2;
        } else {
            if a.split(':')
                .next()
                .is_some_and(|p| ["sha256", "sha384", "sha512"].contains(&p))
            {
                out.push("--digest".into());
            }
            out.push(a.to_string());
            i += 1;
        }
    }
    out.push("--offline".into());
    out
}

/// What the bundle itself says about signer and subject (via `inspect --format json`), for
/// cases upstream ran without an identity policy or an artifact.
fn bundle_facts(dir: &Path, bundle: &str) -> BTreeMap<String, String> {
    let (_, out, _) = run(provenant()
        .current_dir(dir)
        .args(["inspect", "--format", "json", bundle]));
    let v: Value = serde_json::from_str(&out).unwrap_or(Value::Null);
    let mut m = BTreeMap::new();
    for f in v
        .get("facts")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if let (Some(k), Some(val)) = (f[0].as_str(), f[1].as_str()) {
            m.entry(k.to_string()).or_insert_with(|| val.to_string());
        }
    }
    m
}

fn from_inputs(dir: &Path, i: &Value) -> Option<Vec<String>> {
    let bundle = s(i, "bundle")?;
    let mut out: Vec<String> = vec!["verify".into(), "artifact".into()];
    let facts = bundle_facts(dir, bundle);
    if let Some(a) = s(i, "artifact") {
        out.push(a.into());
    } else if let Some(d) = s(i, "artifact_digest") {
        out.extend(["--digest".into(), d.into()]);
    } else {
        // Bundle-integrity case: bind to what the bundle signs. A bundle too broken to say
        // gets a digest of zeros (it must fail anyway, and a pass case would show up).
        let zeros = format!("sha256:{}", "0".repeat(64));
        let d = facts
            .get("subject")
            .or_else(|| facts.get("message digest"))
            .and_then(|subj| {
                subj.split_whitespace()
                    .find(|t| t.starts_with("sha256:") || t.starts_with("sha512:"))
            })
            .map_or(zeros, str::to_string);
        out.extend(["--digest".into(), d]);
    }
    out.extend(["--bundle".into(), bundle.into()]);
    if let Some(t) = s(i, "trusted_root") {
        out.extend(["--trusted-root".into(), t.into()]);
    }
    if let Some(k) = s(i, "key") {
        out.extend(["--key".into(), k.into()]);
    } else {
        let san = s(i, "certificate_identity")
            .map(str::to_string)
            .or_else(|| facts.get("signer").cloned())
            .unwrap_or_else(|| "unknown@invalid".into());
        out.extend(["--certificate-identity".into(), san]);
        let iss = s(i, "certificate_oidc_issuer")
            .map(str::to_string)
            .or_else(|| facts.get("oidc issuer").cloned().filter(|x| x != "(none)"));
        match iss {
            Some(iss) => out.extend(["--certificate-oidc-issuer".into(), iss]),
            // Upstream verified without an issuer policy (the certificate names none):
            // provenant requires that choice to be spelled out, and records it.
            None => out.extend(["--certificate-oidc-issuer-regexp".into(), ".*".into()]),
        }
    }
    out.push("--offline".into());
    Some(out)
}

fn argvs(dir: &Path, c: &Value) -> Vec<Vec<String>> {
    let cat = s(c, "category").unwrap_or_default();
    let i = &c["inputs"];
    if cat == "slsa-provenance-gcb" {
        // gcloud's provenance summary, verified with every Cloud Build key in keys_dir.
        let mut argv: Vec<String> = ["verify", "artifact", "--digest"]
            .map(String::from)
            .to_vec();
        argv.push(s(i, "image_digest").unwrap_or_default().into());
        argv.extend([
            "--provenance".into(),
            s(i, "provenance").unwrap_or_default().into(),
        ]);
        let keys_dir = s(i, "keys_dir").unwrap_or_default();
        let mut keys: Vec<String> = std::fs::read_dir(dir.join(keys_dir))
            .map(|rd| {
                rd.filter_map(Result::ok)
                    .map(|e| format!("{keys_dir}/{}", e.file_name().to_string_lossy()))
                    .collect()
            })
            .unwrap_or_default();
        keys.sort();
        for k in keys {
            argv.extend(["--key".into(), k]);
        }
        argv.push("--offline".into());
        return vec![argv];
    }
    if cat == "in-toto-layout" {
        // The artifact (when the case names the inspection's working files), the layout, its
        // keys and the links directory.
        let mut argv: Vec<String> = vec!["verify".into(), "artifact".into()];
        if let Some(f) = i
            .get("inspection_workdir_files")
            .and_then(Value::as_array)
            .and_then(|a| a.first())
            .and_then(Value::as_str)
        {
            argv.push(f.into());
        }
        argv.extend([
            "--layout".into(),
            s(i, "layout").unwrap_or_default().into(),
            "--links".into(),
            s(i, "link_dir").unwrap_or_default().into(),
        ]);
        for k in i
            .get("layout_keys")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
        {
            argv.extend(["--layout-key".into(), k.into()]);
        }
        argv.push("--offline".into());
        return vec![argv];
    }
    if [
        "slsa-provenance",
        "slsa-provenance-npm",
        "github-attestation",
        "slsa-vsa",
    ]
    .contains(&cat)
    {
        if let Some(args) = c.pointer("/cli/args").and_then(Value::as_array) {
            return from_slsa(args, i).into_iter().collect();
        }
        if let Some(v) = from_gh(i) {
            return vec![v];
        }
        return from_inputs(dir, i).into_iter().collect();
    }
    if cat != "sigstore-bundle" {
        let f = s(i, "file")
            .or_else(|| s(i, "bundle"))
            .expect("parse case has a file");
        return vec![vec!["inspect".into(), f.into()]];
    }
    if let Some(vars) = c.pointer("/cli/variants").and_then(Value::as_array) {
        return vars
            .iter()
            .map(|v| from_conformance(v["args"].as_array().expect("args")))
            .collect();
    }
    from_inputs(dir, i).into_iter().collect()
}

#[test]
fn sigstore_conformance() {
    replay(CATEGORIES, XFAIL);
}

#[test]
fn provenance_conformance() {
    replay(PROVENANCE_CATEGORIES, PROVENANCE_XFAIL);
}

/// Replay every case of `categories`; `xfail` lists the ones expected to disagree.
fn replay(categories: &[&'static str], xfail_list: &[(&str, &str)]) {
    let Some(dir) = corpus() else { return };
    let cases: Value =
        serde_json::from_slice(&std::fs::read(dir.join("cases.json")).unwrap()).unwrap();
    let mut tally: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    let mut problems = Vec::new();
    for c in cases["cases"].as_array().unwrap() {
        let cat = s(c, "category").unwrap_or_default();
        let Some(cat) = categories.iter().find(|k| **k == cat) else {
            continue;
        };
        let id = s(c, "id").unwrap();
        let expected = c
            .pointer("/expected/outcome")
            .and_then(Value::as_str)
            .unwrap();
        let want_ok = matches!(expected, "pass" | "valid");
        let variants = argvs(&dir, c);
        let mut agree = !variants.is_empty();
        if !agree {
            eprintln!("disagree {id}: uses a flag provenant does not define yet");
        }
        for argv in &variants {
            let (rc, out, err) = run(provenant().current_dir(&dir).args(argv));
            assert!(
                (0..=3).contains(&rc),
                "{id}: exit code {rc} (crash?)\n{argv:?}\n{out}{err}"
            );
            assert!(!err.contains("panicked"), "{id}: panic\n{err}");
            let ok = rc == 0;
            if ok != want_ok {
                agree = false;
                if !want_ok {
                    problems.push(format!("FALSE PASS {id}: {argv:?}"));
                }
                eprintln!(
                    "disagree {id} (expected {expected}, exit {rc}): {}",
                    err.trim()
                );
            }
        }
        let xfail = xfail_list.iter().find(|(x, _)| *x == id);
        match (agree, xfail) {
            (true, Some(_)) => problems.push(format!("{id} is on XFAIL but now agrees: remove it")),
            (false, None) => problems.push(format!("{id}: expected {expected}")),
            _ => {}
        }
        let t = tally.entry(cat).or_default();
        if agree {
            t.0 += 1
        } else {
            t.1 += 1
        }
    }
    for (cat, (p, f)) in &tally {
        println!("{cat}: {p} passed, {f} failed");
        eprintln!("{cat}: {p} passed, {f} failed");
    }
    for (id, why) in xfail_list {
        eprintln!("xfail {id}: {why}");
    }
    assert!(
        problems.is_empty(),
        "conformance problems:\n{}",
        problems.join("\n")
    );
}
