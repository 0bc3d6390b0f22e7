//! `provenant provenance`: the same verification as `verify artifact` or `verify image`,
//! rendered as the reconstructed chain.

use clap::{Args, Subcommand};

use super::args::ImageArgs;
use super::artifact::{artifact, ArtifactArgs};
use super::common::CliError;
use super::output::Renderer;

/// Arguments of `provenant provenance`: a file (as `verify artifact`) or an image reference
/// (as `verify image`).
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct ProvenanceArgs {
    #[command(flatten)]
    pub artifact: ArtifactArgs,
    #[command(flatten)]
    pub image: ImageArgs,
    /// A subject that is not a file or an image.
    #[command(subcommand)]
    pub target: Option<ProvenanceTarget>,
}

/// `provenant provenance contract`.
#[derive(Debug, Subcommand)]
pub enum ProvenanceTarget {
    /// The chain of a deployed smart contract: address -> code -> build artifact -> source
    /// commit -> gates (the flags of `verify contract`).
    Contract(Box<super::contract::ContractCommandArgs>),
}

/// `provenant provenance`: the same verification, rendered as the reconstructed chain.
pub fn provenance(a: &ProvenanceArgs) -> Result<u8, CliError> {
    if let Some(ProvenanceTarget::Contract(c)) = &a.target {
        return super::contract::provenance(c);
    }
    let subject = a.artifact.file.as_deref();
    if subject.is_some_and(super::image::is_image_subject) {
        let art = &a.artifact;
        if art.digest.is_some() || art.layout.layout.is_some() || art.vsa.vsa.is_some() {
            return Err(CliError::Input(
                "--digest, --layout and --vsa are for `verify artifact`; an image is named by its reference".into(),
            ));
        }
        return super::image::provenance(&a.artifact, &a.image);
    }
    if a.image.any() {
        return Err(CliError::Input(
            "--expected-digest, --platform, --allow-insecure-registry, --registry-config, --registry-timeout and --require-signed-reference are for images: use `provenant verify image <REF>`".into(),
        ));
    }
    artifact(
        &a.artifact,
        provenant_core::Command::Provenance,
        Renderer::Provenance,
    )
}
