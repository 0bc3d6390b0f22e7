//! Google Cloud Build provenance as `gcloud artifacts docker images describe --show-provenance`
//! writes it: `provenance_summary.provenance[].envelope`, DSSE-shaped envelopes signed by Google
//! KMS keys named in each signature's `keyid`.

use serde_json::Value;

use crate::dsse::{envelope_from_value, DsseError, Envelope};

/// How a GCB key signs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GcbKey {
    /// A regional `builtByGCB` key: ECDSA over the payload bytes (legacy, not DSSE PAE). The
    /// payload type is then not covered by the signature and must be checked on its own.
    Regional(String),
    /// A global key (`google-hosted-worker`, `provenanceSigner`): ECDSA over the DSSE PAE.
    GlobalPae(String),
}

impl GcbKey {
    /// The key's conventional file stem, as slsa-verifier ships them: `<region>` for regional
    /// keys, `global-pae-<name>_<version>` for global PAE keys.
    pub fn file_stem(&self) -> &str {
        match self {
            Self::Regional(s) | Self::GlobalPae(s) => s,
        }
    }
}

/// Read a keyid `projects/verified-builder/locations/<loc>/keyRings/attestor/cryptoKeys/<name>/cryptoKeyVersions/<n>`.
pub fn parse_keyid(keyid: &str) -> Option<GcbKey> {
    let parts: Vec<&str> = keyid.split('/').collect();
    match parts.as_slice() {
        ["projects", "verified-builder", "locations", loc, "keyRings", "attestor", "cryptoKeys", name, "cryptoKeyVersions", v]
            if !loc.is_empty() && !name.is_empty() && !v.is_empty() =>
        {
            if *name == "builtByGCB" {
                Some(GcbKey::Regional((*loc).to_owned()))
            } else if *loc == "global" {
                Some(GcbKey::GlobalPae(format!("global-pae-{name}_{v}")))
            } else {
                None
            }
        }
        _ => None,
    }
}

/// The provenance envelopes of a gcloud provenance document (each parsed on its own), or
/// `None` when the JSON is not one.
pub fn gcb_envelopes(v: &Value) -> Option<Vec<Result<Envelope, DsseError>>> {
    let list = v.pointer("/provenance_summary/provenance")?.as_array()?;
    Some(
        list.iter()
            .take(crate::limits::MAX_JSONL_ENTRIES)
            .map(|p| envelope_from_value(p.get("envelope").unwrap_or(&Value::Null)))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keyids() {
        let r = "projects/verified-builder/locations/us-west2/keyRings/attestor/cryptoKeys/builtByGCB/cryptoKeyVersions/1";
        assert_eq!(parse_keyid(r), Some(GcbKey::Regional("us-west2".into())));
        let g = "projects/verified-builder/locations/global/keyRings/attestor/cryptoKeys/provenanceSigner/cryptoKeyVersions/1";
        assert_eq!(
            parse_keyid(g),
            Some(GcbKey::GlobalPae("global-pae-provenanceSigner_1".into()))
        );
        assert_eq!(parse_keyid("projects/verified-builder/locations//keyRings/attestor/cryptoKeys/builtByGCB/cryptoKeyVersions/1"), None);
        assert_eq!(parse_keyid(""), None);
        assert_eq!(parse_keyid("projects/evil/locations/us-west2/keyRings/attestor/cryptoKeys/builtByGCB/cryptoKeyVersions/1"), None);
    }
}
