//! `provenant verify artifact | bundles | image | vsa | contract`.

use clap::Subcommand;

use super::artifact::{artifact, vsa_command, ArtifactArgs, VsaCommandArgs};
use super::bundles::{bundles, BundlesArgs};
use super::common::CliError;
use super::output::Renderer;

/// What to verify.
#[derive(Debug, Subcommand)]
pub enum VerifyCommand {
    /// Verify a release artifact (a file, or a digest) against its Sigstore bundles, DSSE
    /// envelopes or cosign key signatures.
    #[command(
        after_help = concat!(
            "Examples (from a provenant checkout: the bundled release, verified offline):\n",
            artifact_examples!(),
            "\nThe common options only: --help shows every option, with details.\n\n",
            "Exit codes: 0 verified, 1 verification failed, 2 bad usage or unreadable input, 3 source unreachable."
        ),
        after_long_help = concat!(
            "Examples (from a provenant checkout: the bundled release, verified offline):\n",
            artifact_examples!(),
            "\nA release of yours: --bundle app.tar.gz.sigstore.json (or gh attestation download's JSON lines\n",
            "with --attestations), --certificate-identity(-regexp) of your release workflow, and no\n",
            "--trusted-root (public-good Sigstore; staging and github are the other embedded roots).\n\n",
            "Exit codes: 0 verified, 1 verification failed, 2 bad usage or unreadable input, 3 source unreachable."
        )
    )]
    Artifact(Box<ArtifactArgs>),
    /// Verify many bundles about one artifact, each on its own (as `verify artifact --bundle`
    /// would verify it alone), on all cores: one result per bundle, in input order.
    #[command(
        after_help = concat!(
            "Examples (from a provenant checkout: the bundled release, verified offline):\n",
            "  provenant verify bundles testdata/release/hello-provenant.txt.sigstore.json \\\n",
            "      testdata/release/hello-provenant.intoto.sigstore.json \\\n",
            "      --artifact testdata/release/hello-provenant.txt \\\n",
            "      --trusted-root testdata/trust/trusted_root.json \\\n",
            "      --certificate-identity \\\n",
            "      https://github.com/provenant-test/app/.github/workflows/release.yml@refs/tags/v1.0.0 \\\n",
            "      --certificate-oidc-issuer https://token.actions.githubusercontent.com\n",
            "  provenant verify bundles attestations.jsonl --digest sha256:<hex> --jobs 4 --format json \\\n",
            "      --certificate-identity-regexp '^https://github\\.com/org/app/.*$' \\\n",
            "      --certificate-oidc-issuer https://token.actions.githubusercontent.com\n\n",
            "Exit codes: 0 every bundle verified, 1 any bundle failed, 2 bad usage or unreadable input."
        )
    )]
    Bundles(Box<BundlesArgs>),
    /// Verify a container image: its cosign signatures and attestations (sha256-<hex>.sig/.att/
    /// .sbom tags), OCI 1.1 referrers (API or tag fallback) and BuildKit attestations, found in
    /// a registry, an OCI layout or a docker archive, all bound to the manifest digest.
    #[command(
        mut_arg("bundle", |a| a.help("Extra signature evidence files, beside what is found with the image (repeatable)").long_help(None)),
        after_help = "Examples:\n  provenant verify image ghcr.io/org/app:v1.2.3 \\\n      --certificate-identity https://github.com/org/app/.github/workflows/release.yml@refs/tags/v1.2.3 \\\n      --certificate-oidc-issuer https://token.actions.githubusercontent.com\n  provenant verify image 127.0.0.1:5000/app@sha256:<hex> --key cosign.pub --platform linux/amd64\n  provenant verify image oci-layout:./out:v1 --key cosign.pub --expected-digest sha256:<hex>\n\nExit codes: 0 verified, 1 verification failed, 2 bad usage or unreadable input, 3 registry unreachable or refused the credentials."
    )]
    Image(Box<super::image::ImageCommandArgs>),
    /// Verify a SLSA Verification Summary Attestation (slsa-verifier verify-vsa): a DSSE
    /// envelope signed by --key, about --digest, from --verifier-id, for --resource-uri, with
    /// every --verified-level. `verify artifact --vsa FILE` is the same command.
    #[command(
        after_help = "Example:\n  provenant verify vsa vsa.intoto.jsonl --digest sha256:<hex> --key verifier.pub \\\n      --verifier-id https://verifier.example --resource-uri pkg:oci/app --verified-level SLSA_BUILD_LEVEL_3\n\nExit codes: 0 verified, 1 verification failed, 2 bad usage or unreadable input."
    )]
    Vsa(Box<VsaCommandArgs>),
    /// Verify a deployed smart contract: the code at --address on the chain behind --rpc is the
    /// build's (runtime and, when the creation transaction is known, creation code and
    /// constructor arguments; immutables, library links, proxies), and — with attestation,
    /// identity, key, source or --commit flags — the build file is attested for that commit.
    #[command(
        after_help = "Example:\n  provenant verify contract --rpc http://127.0.0.1:8545 --address 0x5FbDB2315678afecb367f032d93F642f64180aa3 \\\n      --build out --contract src/Counter.sol:Counter --deployment broadcast/Deploy.s.sol/31337/run-latest.json\n\nExit codes: 0 verified, 1 verification failed (mismatch, partial without --allow-partial, attestation or gate), 2 bad usage or unreadable input, 3 RPC endpoint unreachable or answering with an error."
    )]
    Contract(Box<super::contract::ContractCommandArgs>),
}

/// Run a verify subcommand; returns the exit code.
pub fn run(cmd: VerifyCommand) -> Result<u8, CliError> {
    match cmd {
        VerifyCommand::Artifact(a) => artifact(
            &a,
            provenant_core::Command::VerifyArtifact,
            Renderer::Verify,
        ),
        VerifyCommand::Bundles(a) => bundles(&a),
        VerifyCommand::Image(a) => super::image::verify(&a),
        VerifyCommand::Vsa(a) => vsa_command(&a),
        VerifyCommand::Contract(a) => super::contract::verify(&a),
    }
}
