//! Pieces of SARIF that are not a log: external property files and fragments (the specification's
//! examples show single objects, with elided members written as `"...member-inject": "..."`).
//!
//! Neither is a gate run; `provenant inspect` names them so that a spec example is not mistaken
//! for an unknown format, and nothing else reads them.

use serde_json::Value;

/// Every property and object name of the SARIF 2.1.0 schema (sorted, for binary search).
#[rustfmt::skip]
const NAMES: &[&str] = &[
    "$schema", "absoluteAddress", "account", "address", "addresses", "analysisTarget",
    "analysisToolLogFiles", "annotations", "arguments", "artifact", "artifactChange",
    "artifactChanges", "artifactContent", "artifactLocation", "artifacts", "asOfTimeUtc",
    "associatedComponent", "associatedRule", "attachment", "attachments", "automationDetails",
    "baselineGuid", "baselineState", "binary", "body", "bottom", "branch", "byteLength",
    "byteOffset", "charLength", "charOffset", "children", "codeFlow", "codeFlows", "columnKind",
    "commandLine", "configuration", "configurationOverride", "contents", "contextRegion",
    "conversion", "conversionSources", "correlationGuid", "decoratedName", "defaultConfiguration",
    "defaultEncoding", "defaultSourceLanguage", "deletedRegion", "deprecatedGuids",
    "deprecatedIds", "deprecatedNames", "description", "descriptor", "displayBase",
    "dottedQuadFileVersion", "downloadUri", "driver", "edge", "edgeId", "edgeTraversal",
    "edgeTraversals", "edges", "enabled", "encoding", "endColumn", "endLine", "endTimeUtc",
    "environmentVariables", "exception", "executableLocation", "executionOrder",
    "executionSuccessful", "executionTimeUtc", "exitCode", "exitCodeDescription",
    "exitSignalName", "exitSignalNumber", "extensions", "externalProperties",
    "externalPropertyFileReference", "externalPropertyFileReferences", "externalizedProperties",
    "finalState", "fingerprints", "firstDetectionRunGuid", "firstDetectionTimeUtc", "fix",
    "fixes", "frames", "fullDescription", "fullName", "fullyQualifiedName",
    "globalMessageStrings", "graph", "graphTraversal", "graphTraversals", "graphs", "guid",
    "hashes", "headers", "help", "helpUri", "hostedViewerUri", "id", "immutableState",
    "importance", "index", "informationUri", "initialState", "inlineExternalProperties",
    "innerExceptions", "insertedContent", "invocation", "invocationIndex", "invocations",
    "isComprehensive", "itemCount", "justification", "kind", "kinds", "label", "language",
    "lastDetectionRunGuid", "lastDetectionTimeUtc", "lastModifiedTimeUtc", "left", "length",
    "level", "localizedDataSemanticVersion", "location", "locationRelationship", "locations",
    "logicalLocation", "logicalLocations", "machine", "mappedTo", "markdown", "message",
    "messageStrings", "method", "mimeType", "minimumRequiredLocalizedDataSemanticVersion",
    "module", "multiformatMessageString", "name", "nestingLevel", "newlineSequences",
    "noResponseReceived", "node", "nodes", "notification", "notificationConfigurationOverrides",
    "notifications", "occurrenceCount", "offset", "offsetFromParent", "organization",
    "originalUriBaseIds", "parameters", "parentIndex", "partialFingerprints", "physicalLocation",
    "policies", "processId", "processStartFailureMessage", "product", "productSuite",
    "properties", "propertyBag", "protocol", "provenance", "rank", "reasonPhrase", "rectangle",
    "rectangles", "redactionTokens", "region", "regions", "relatedLocations", "relationships",
    "relativeAddress", "releaseDateUtc", "rendered", "replacement", "replacements",
    "reportingConfiguration", "reportingDescriptor", "reportingDescriptorReference",
    "reportingDescriptorRelationship", "repositoryUri", "responseFiles", "result",
    "resultGraphIndex", "resultProvenance", "results", "revisionId", "revisionTag", "right",
    "roles", "rule", "ruleConfigurationOverrides", "ruleId", "ruleIndex", "rules", "run",
    "runAggregates", "runAutomationDetails", "runGraphIndex", "runGuid", "runs", "sarifLog",
    "schema", "semanticVersion", "shortDescription", "snippet", "sourceLanguage", "sourceNodeId",
    "specialLocations", "stack", "stackFrame", "stacks", "startColumn", "startLine",
    "startTimeUtc", "state", "status", "statusCode", "stderr", "stdin", "stdout", "stdoutStderr",
    "stepOverEdgeCount", "supportedTaxonomies", "suppression", "suppressions", "tags", "target",
    "targetNodeId", "taxa", "taxonomies", "text", "threadFlow", "threadFlowLocation",
    "threadFlowLocations", "threadFlows", "threadId", "timeUtc", "tool", "toolComponent",
    "toolComponentReference", "toolConfigurationNotifications", "toolExecutionNotifications",
    "top", "translationMetadata", "translations", "uri", "uriBaseId", "version",
    "versionControlDetails", "versionControlProvenance", "webRequest", "webRequests",
    "webResponse", "webResponses", "workItemUris", "workingDirectory",
];

/// Names shared by five or more SARIF objects: on their own they say nothing about SARIF.
const GENERIC: &[&str] = &[
    "description",
    "guid",
    "id",
    "index",
    "kind",
    "location",
    "message",
    "name",
    "properties",
    "version",
];

/// A member the specification's examples use to stand for elided content
/// (`"...member-inject"`, `"member-insert"`, `"...object-inject"`).
pub(super) fn is_elision(key: &str) -> bool {
    key.starts_with("...") || key.ends_with("-inject") || key.ends_with("-insert")
}

/// Whether `v` is a SARIF external property file (`$schema` names that schema, or it carries
/// `externalizedProperties` / `runGuid` and nothing that is not a member of one).
pub fn is_external_properties(v: &Value) -> bool {
    const MEMBERS: &[&str] = &[
        "$schema",
        "addresses",
        "artifacts",
        "conversion",
        "driver",
        "extensions",
        "externalizedProperties",
        "graphs",
        "guid",
        "invocations",
        "logicalLocations",
        "policies",
        "properties",
        "results",
        "runGuid",
        "taxonomies",
        "threadFlowLocations",
        "translations",
        "version",
        "webRequests",
        "webResponses",
    ];
    let Some(obj) = v.as_object() else {
        return false;
    };
    if obj
        .get("$schema")
        .and_then(Value::as_str)
        .map(str::to_ascii_lowercase)
        .is_some_and(|s| s.contains("sarif") && s.contains("external-propert"))
    {
        return true;
    }
    (obj.contains_key("externalizedProperties") || obj.contains_key("runGuid"))
        && obj.contains_key("version")
        && obj.keys().all(|k| MEMBERS.contains(&k.as_str()))
}

/// Whether `v` is an object made only of SARIF member names (elision markers aside), at least
/// one of them specific to SARIF: a fragment of a log such as a specification example.
pub fn is_fragment(v: &Value) -> bool {
    let Some(obj) = v.as_object() else {
        return false;
    };
    let mut specific = false;
    for key in obj.keys().filter(|k| !is_elision(k)) {
        if NAMES.binary_search(&key.as_str()).is_err() {
            return false;
        }
        specific |= !GENERIC.contains(&key.as_str());
    }
    specific
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn names_are_sorted_for_binary_search() {
        assert!(NAMES.windows(2).all(|w| w[0] < w[1]));
        assert!(GENERIC.iter().all(|g| NAMES.contains(g)));
    }

    #[test]
    fn fragments_need_a_sarif_specific_member() {
        assert!(is_fragment(
            &json!({"results": [], "...member-inject": "..."})
        ));
        assert!(is_fragment(
            &json!({"name": "c", "fullyQualifiedName": "b::c"})
        ));
        assert!(!is_fragment(&json!({"name": "c", "version": "1"})));
        assert!(!is_fragment(&json!({"results": [], "evil": 1})));
        assert!(!is_fragment(&json!({"...member-inject": "..."})));
        assert!(!is_fragment(&json!([{"results": []}])));
    }

    #[test]
    fn external_property_files() {
        assert!(is_external_properties(&json!({
            "$schema": "https://json.schemastore.org/sarif-external-property-file-2.1.0.json",
            "version": "2.1.0"
        })));
        assert!(is_external_properties(
            &json!({"version": "2.1.0", "runGuid": "x", "artifacts": []})
        ));
        assert!(!is_external_properties(
            &json!({"version": "2.1.0", "runGuid": "x", "runs": []})
        ));
    }
}
