//! `provenant provenance`: the same verification as `verify artifact` or `verify image`,
//! rendered as the reconstructed chain.

use clap::Args;

use super::args::ImageArgs;
use super::artifact::{artifact, ArtifactArgs};
use super::common::CliError;
use super::output::Renderer;

/// Arguments of `provenant provenance`: a file (as `verify artifact`) or an image reference
/// (as `verify image`).
#[derive(Debug, Args)]
pub struct ProvenanceArgs {
    #[command(flatten)]
    pub artifact: ArtifactArgs,
    #[command(flatten)]
    pub image: ImageArgs,
}

/// `provenant provenance`: the same verification, rendered as the reconstructed chain.
pub fn provenance(a: &ProvenanceArgs) -> Result<u8, CliError> {
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
