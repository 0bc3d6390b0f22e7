//! Pushes signed test images to a registry for `bench/image.sh`:
//! `push-images <host:port> <count> <out-dir>`. Each image `bench<i>:v1` gets a key-signed cosign
//! `.sig`, a key-signed SLSA provenance `.att` and a CycloneDX `.sbom`; the public key is written
//! to `<out-dir>/cosign.pub` and the references to `<out-dir>/refs.txt`.

#![allow(clippy::print_stdout, clippy::print_stderr)] // a command-line tool reports on its terminal

use std::process::ExitCode;

use provenant_testkit::keys::KeyPair;
use provenant_testkit::oci::{
    cosign_key_att_layer, cosign_key_sig_layer, digest_tag, evidence_manifest, image,
    slsa_statement, Blob, Pusher,
};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let (Some(host), Some(count), Some(out)) = (args.get(1), args.get(2), args.get(3)) else {
        eprintln!("usage: push-images <host:port> <count> <out-dir>");
        return ExitCode::from(2);
    };
    let Ok(count) = count.parse::<usize>() else {
        eprintln!("push-images: count must be a number");
        return ExitCode::from(2);
    };
    let key = KeyPair::p256(42);
    let out = std::path::Path::new(out);
    if std::fs::create_dir_all(out).is_err()
        || std::fs::write(out.join("cosign.pub"), key.public_pem()).is_err()
    {
        eprintln!("push-images: cannot write to {}", out.display());
        return ExitCode::FAILURE;
    }
    let pusher = Pusher::new(host);
    let mut refs = String::new();
    for i in 0..count {
        let repo = format!("bench{i}");
        let img = image(&repo, "linux", "amd64");
        pusher.push(&repo, &img, Some("v1"));
        let d = img.digest();
        let tag = digest_tag(&d);
        let sig = evidence_manifest(
            vec![cosign_key_sig_layer(&key, &pusher.repo(&repo), &d)],
            None,
            None,
        );
        pusher.push(&repo, &sig, Some(&format!("{tag}.sig")));
        let st = slsa_statement(&repo, &d);
        let att = evidence_manifest(vec![cosign_key_att_layer(&key, &st)], None, None);
        pusher.push(&repo, &att, Some(&format!("{tag}.att")));
        let bom = serde_json::json!({
            "bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1,
            "metadata": {"component": {"type": "container", "name": repo,
                "hashes": [{"alg": "SHA-256", "content": d.trim_start_matches("sha256:")}]}},
            "components": [{"type": "library", "name": "zlib", "version": "1.3.1", "purl": "pkg:generic/zlib@1.3.1"}]
        });
        let sbom = evidence_manifest(
            vec![Blob::new(
                "application/vnd.cyclonedx+json",
                serde_json::to_vec(&bom).unwrap_or_default(),
            )],
            None,
            None,
        );
        pusher.push(&repo, &sbom, Some(&format!("{tag}.sbom")));
        refs.push_str(&format!("{}:v1\n", pusher.repo(&repo)));
    }
    if std::fs::write(out.join("refs.txt"), refs).is_err() {
        eprintln!("push-images: cannot write refs.txt");
        return ExitCode::FAILURE;
    }
    println!("push-images: pushed {count} signed images to {host}");
    ExitCode::SUCCESS
}
