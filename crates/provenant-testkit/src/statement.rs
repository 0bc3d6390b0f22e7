//! In-toto statements: the default SLSA provenance statement and its duplicate-key variants.

use serde_json::{json, Value};
use sha2::{Digest as _, Sha256};

use crate::spec::GithubClaims;

/// An in-toto v1 SLSA provenance v1 statement, built by the workflow `claims` name, whose only
/// subject is `artifact` under `name`.
pub(crate) fn provenance_statement(claims: &GithubClaims, name: &str, artifact: &[u8]) -> String {
    let workflow_path = claims
        .build_config_uri
        .split_once("/.github/")
        .map(|(_, path)| format!(".github/{}", path.split('@').next().unwrap_or(path)))
        .unwrap_or_default();
    let statement = json!({
        "_type": "https://in-toto.io/Statement/v1",
        "subject": [{
            "name": name,
            "digest": { "sha256": hex::encode(Sha256::digest(artifact)) },
        }],
        "predicateType": "https://slsa.dev/provenance/v1",
        "predicate": {
            "buildDefinition": {
                "buildType": "https://actions.github.io/buildtypes/workflow/v1",
                "externalParameters": {
                    "workflow": {
                        "ref": claims.source_repository_ref,
                        "repository": claims.source_repository_uri,
                        "path": workflow_path,
                    },
                },
                "internalParameters": {
                    "github": {
                        "event_name": claims.build_trigger,
                        "repository_id": claims.source_repository_identifier,
                        "repository_owner_id": claims.source_repository_owner_identifier,
                        "runner_environment": claims.runner_environment,
                    },
                },
                "resolvedDependencies": [{
                    "uri": format!("git+{}@{}", claims.source_repository_uri, claims.source_repository_ref),
                    "digest": { "gitCommit": claims.source_repository_digest },
                }],
            },
            "runDetails": {
                "builder": { "id": format!("https://github.com/actions/runner/{}", claims.runner_environment) },
                "metadata": { "invocationId": claims.run_invocation_uri },
            },
        },
    });
    serde_json::to_string(&statement).expect("JSON values serialize")
}

/// A statement with two `"subject"` keys: first a subject for other bytes, last the artifact's.
pub(crate) fn duplicate_subject_statement(name: &str, artifact: &[u8]) -> Vec<u8> {
    let other = hex::encode(Sha256::digest(b"not the artifact"));
    let real = hex::encode(Sha256::digest(artifact));
    let name = serde_json::to_string(name).expect("strings serialize");
    format!(
        concat!(
            r#"{{"_type":"https://in-toto.io/Statement/v1","#,
            r#""subject":[{{"name":{name},"digest":{{"sha256":"{other}"}}}}],"#,
            r#""subject":[{{"name":{name},"digest":{{"sha256":"{real}"}}}}],"#,
            r#""predicateType":"https://slsa.dev/provenance/v1","predicate":{{}}}}"#
        ),
        name = name,
        other = other,
        real = real
    )
    .into_bytes()
}

/// `statement` with a second `"repository"` key in the SLSA workflow parameters.
pub(crate) fn duplicate_repository_statement(statement: &str) -> Vec<u8> {
    let statement: Value = serde_json::from_str(statement).expect("our statement parses");
    let repository =
        &statement["predicate"]["buildDefinition"]["externalParameters"]["workflow"]["repository"];
    let field = format!(r#""repository":{repository}"#);
    let duplicated = format!(r#"{field},"repository":"https://github.com/attacker-org/app""#);
    let text = serde_json::to_string(&statement).expect("JSON values serialize");
    assert!(text.contains(&field), "the workflow names its repository");
    text.replacen(&field, &duplicated, 1).into_bytes()
}
