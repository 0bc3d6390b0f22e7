//! Classic in-toto supply-chain layouts and links (in-toto specification v0.9), parsed strictly.
//!
//! Two containers carry them: the original *metablock* `{"signed": {..}, "signatures": [..]}`,
//! whose signatures cover the [canonical JSON](canonical_json) of `signed` (hex-encoded
//! signatures), and a DSSE envelope with payload type `application/vnd.in-toto+json`, whose
//! signatures cover the pre-authentication encoding of the payload bytes. [`parse_metadata`]
//! accepts either and hands back the signed object, the exact bytes the signatures cover and the
//! signatures; [`parse_layout`] and [`parse_link`] then read the signed object. Nothing here
//! verifies a signature.
//!
//! Limits (every input over one is rejected, nothing is truncated): a metadata file is at most
//! [`MAX_EVIDENCE_BYTES`]; a layout has at most [`MAX_LAYOUT_ITEMS`] steps and inspections
//! together and [`MAX_LAYOUT_KEYS`] keys; an item has at most [`MAX_ARTIFACT_RULES`] rules per
//! artifact kind; a link records at most [`MAX_LINK_ARTIFACTS`] materials and as many products;
//! paths, patterns and names are at most [`MAX_LAYOUT_STRING_BYTES`]; a verifier considers at most
//! [`MAX_LINK_FILES`] link files, reads them one at a time, each at most [`MAX_LINK_BYTES`], and
//! at most [`MAX_LINK_TOTAL_BYTES`] of them in all.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use crate::dsse::{envelope_from_value, DsseError, IN_TOTO_PAYLOAD_TYPE};
use crate::json::{parse_strict, JsonError};
use crate::limits::{MAX_DSSE_SIGNATURES, MAX_EVIDENCE_BYTES, MAX_JSON_DEPTH};

pub use crate::limits::{
    MAX_ARTIFACT_RULES, MAX_LAYOUT_ITEMS, MAX_LAYOUT_KEYS, MAX_LAYOUT_STRING_BYTES,
    MAX_LINK_ARTIFACTS, MAX_LINK_BYTES, MAX_LINK_FILES, MAX_LINK_TOTAL_BYTES,
};

/// `_type` of a layout.
pub const LAYOUT_TYPE: &str = "layout";
/// `_type` of a link.
pub const LINK_TYPE: &str = "link";

/// Why in-toto metadata was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LayoutError {
    /// Not strict JSON (duplicate keys included), or nested too deep.
    #[error(transparent)]
    Json(#[from] JsonError),
    /// The file is larger than [`MAX_EVIDENCE_BYTES`].
    #[error("metadata is {0} bytes; at most {MAX_EVIDENCE_BYTES} are read")]
    TooLarge(usize),
    /// A malformed DSSE envelope.
    #[error(transparent)]
    Dsse(#[from] DsseError),
    /// A DSSE envelope of another payload type.
    #[error("DSSE payload type is {0:?}, not {IN_TOTO_PAYLOAD_TYPE}")]
    PayloadType(String),
    /// Neither a metablock nor a DSSE envelope.
    #[error("neither an in-toto metablock (signed, signatures) nor a DSSE envelope")]
    UnknownContainer,
    /// A required field is missing or has the wrong type.
    #[error("field {0} is missing or has the wrong type")]
    Field(String),
    /// More entries than a limit allows.
    #[error("{field} has {count} entries; at most {limit} are accepted")]
    TooMany {
        /// The field.
        field: String,
        /// How many there are.
        count: usize,
        /// The limit.
        limit: usize,
    },
    /// A string longer than [`MAX_LAYOUT_STRING_BYTES`].
    #[error("{0} is longer than {MAX_LAYOUT_STRING_BYTES} bytes")]
    TooLong(String),
    /// A number with a fraction or exponent (canonical JSON has integers only).
    #[error("signed metadata holds a number that is not an integer; canonical JSON has none")]
    Float,
    /// `_type` is not the expected one.
    #[error("_type is {found:?}, expected {expected:?}")]
    WrongType {
        /// The `_type` found.
        found: String,
        /// The `_type` expected.
        expected: &'static str,
    },
    /// A signature is not hex.
    #[error("signature {0} is not hex")]
    SignatureHex(usize),
    /// An artifact rule that matches none of the rule grammars.
    #[error("artifact rule [{rule}] is malformed: {reason}")]
    Rule {
        /// The rule, its tokens joined by spaces.
        rule: String,
        /// What is wrong.
        reason: &'static str,
    },
    /// Two steps or inspections share a name.
    #[error("step or inspection name {0:?} is used twice")]
    DuplicateName(String),
    /// An item with an empty name.
    #[error("{0} has an empty name")]
    EmptyName(String),
    /// A `keys` entry whose `keyid` differs from its dictionary key.
    #[error("keys entry {entry:?} has keyid {keyid:?}")]
    KeyIdMismatch {
        /// The dictionary key.
        entry: String,
        /// The `keyid` field.
        keyid: String,
    },
    /// A step authorises a key id the layout does not define.
    #[error("step {step:?} authorises key {keyid:?}, which the layout's keys do not define")]
    UnknownKey {
        /// The step.
        step: String,
        /// The key id.
        keyid: String,
    },
    /// A threshold that is not an integer of at least 1.
    #[error("step {0:?} has a threshold that is not an integer of at least 1")]
    Threshold(String),
}

/// The container the metadata came in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Container {
    /// `{"signed": .., "signatures": [..]}`: signatures over the canonical JSON of `signed`.
    Metablock,
    /// A DSSE envelope: signatures over PAE(payloadType, payload).
    Dsse,
}

/// One signature of a metablock or envelope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetadataSignature {
    /// The key id hint (unauthenticated; verifiers try every key).
    pub keyid: Option<String>,
    /// The raw signature bytes (decoded from hex or base64).
    pub sig: Vec<u8>,
    /// A certificate carried beside the signature (in-toto-golang's `cert`), when non-empty.
    pub cert: Option<String>,
}

/// Signed in-toto metadata, not yet verified.
#[derive(Debug, Clone, PartialEq)]
pub struct SignedMetadata {
    /// Metablock or DSSE.
    pub container: Container,
    /// The signed object (`signed`, or the parsed DSSE payload).
    pub body: Value,
    /// The exact bytes every signature must cover.
    pub signed_bytes: Vec<u8>,
    /// The signatures.
    pub signatures: Vec<MetadataSignature>,
}

impl SignedMetadata {
    /// The signed object's `_type` (`layout`, `link`), when it is a string.
    pub fn type_name(&self) -> Option<&str> {
        self.body.get("_type").and_then(Value::as_str)
    }
}

/// Parse a metablock or a DSSE envelope holding in-toto metadata.
pub fn parse_metadata(bytes: &[u8]) -> Result<SignedMetadata, LayoutError> {
    if u64::try_from(bytes.len()).map_or(true, |n| n > MAX_EVIDENCE_BYTES) {
        return Err(LayoutError::TooLarge(bytes.len()));
    }
    let mut value = parse_strict(bytes)?;
    let obj = value.as_object().ok_or(LayoutError::UnknownContainer)?;
    if obj.contains_key("payloadType") {
        let unsigned = obj
            .get("signatures")
            .and_then(Value::as_array)
            .is_some_and(Vec::is_empty);
        let envelope = if unsigned {
            // Well-formed but unsigned: it verifies against no key, which is the verifier's
            // finding to report, not a parse error. The envelope parser insists on a signature.
            let mut with_placeholder = value.clone();
            with_placeholder["signatures"] = serde_json::json!([{ "sig": "" }]);
            let mut envelope = envelope_from_value(&with_placeholder)?;
            envelope.signatures.clear();
            envelope
        } else {
            envelope_from_value(&value)?
        };
        if envelope.payload_type != IN_TOTO_PAYLOAD_TYPE {
            return Err(LayoutError::PayloadType(
                envelope.payload_type.chars().take(140).collect(),
            ));
        }
        let body = parse_strict(&envelope.payload)?;
        if !body.is_object() {
            return Err(LayoutError::Field("payload".into()));
        }
        return Ok(SignedMetadata {
            container: Container::Dsse,
            signed_bytes: envelope.pae(),
            body,
            signatures: envelope
                .signatures
                .into_iter()
                .map(|s| MetadataSignature {
                    keyid: s.keyid,
                    sig: s.sig,
                    cert: s.cert.filter(|c| !c.is_empty()),
                })
                .collect(),
        });
    }
    let (Some(signed), Some(signatures)) = (obj.get("signed"), obj.get("signatures")) else {
        return Err(LayoutError::UnknownContainer);
    };
    if !signed.is_object() {
        return Err(LayoutError::Field("signed".into()));
    }
    let sigs = signatures
        .as_array()
        .ok_or_else(|| LayoutError::Field("signatures".into()))?;
    if sigs.len() > MAX_DSSE_SIGNATURES {
        return Err(LayoutError::TooMany {
            field: "signatures".into(),
            count: sigs.len(),
            limit: MAX_DSSE_SIGNATURES,
        });
    }
    let mut signatures = Vec::with_capacity(sigs.len());
    for (i, s) in sigs.iter().enumerate() {
        let hex = s
            .get("sig")
            .and_then(Value::as_str)
            .ok_or_else(|| LayoutError::Field(format!("signatures[{i}].sig")))?;
        signatures.push(MetadataSignature {
            keyid: s
                .get("keyid")
                .and_then(Value::as_str)
                .filter(|k| !k.is_empty())
                .map(str::to_owned),
            sig: decode_hex(hex).ok_or(LayoutError::SignatureHex(i))?,
            cert: s
                .get("cert")
                .and_then(Value::as_str)
                .filter(|c| !c.is_empty())
                .map(str::to_owned),
        });
    }
    let signed_bytes = canonical_json(signed)?;
    // Move the signed object out instead of copying it: a link can be large.
    let body = value
        .as_object_mut()
        .and_then(|o| o.remove("signed"))
        .ok_or_else(|| LayoutError::Field("signed".into()))?;
    Ok(SignedMetadata {
        container: Container::Metablock,
        signed_bytes,
        body,
        signatures,
    })
}

fn decode_hex(s: &str) -> Option<Vec<u8>> {
    let digit = |b: u8| char::from(b).to_digit(16);
    let bytes = s.as_bytes();
    if !bytes.len().is_multiple_of(2) {
        return None;
    }
    bytes
        .chunks_exact(2)
        .map(|pair| {
            let hi = digit(*pair.first()?)?;
            let lo = digit(*pair.get(1)?)?;
            u8::try_from(hi * 16 + lo).ok()
        })
        .collect()
}

/// The canonical JSON securesystemslib (and in-toto-golang) signs: object keys sorted by code
/// point, no whitespace, integers only, strings with only `"` and `\` escaped (every other
/// character, control characters included, written as raw UTF-8).
pub fn canonical_json(value: &Value) -> Result<Vec<u8>, LayoutError> {
    let mut out = Vec::new();
    write_canonical(value, &mut out, 0)?;
    Ok(out)
}

fn write_canonical(value: &Value, out: &mut Vec<u8>, depth: usize) -> Result<(), LayoutError> {
    if depth > MAX_JSON_DEPTH {
        return Err(LayoutError::Json(JsonError::TooDeep));
    }
    match value {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                out.extend_from_slice(i.to_string().as_bytes());
            } else if let Some(u) = n.as_u64() {
                out.extend_from_slice(u.to_string().as_bytes());
            } else {
                return Err(LayoutError::Float);
            }
        }
        Value::String(s) => write_canonical_string(s, out),
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_canonical(item, out, depth + 1)?;
            }
            out.push(b']');
        }
        Value::Object(map) => {
            // Sort explicitly: serde_json's map keeps insertion order when a dependency enables
            // `preserve_order`. Byte order of UTF-8 is code point order.
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push(b'{');
            for (i, key) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_canonical_string(key, out);
                out.push(b':');
                if let Some(v) = map.get(key) {
                    write_canonical(v, out, depth + 1)?;
                }
            }
            out.push(b'}');
        }
    }
    Ok(())
}

fn write_canonical_string(s: &str, out: &mut Vec<u8>) {
    out.push(b'"');
    for b in s.bytes() {
        if b == b'"' || b == b'\\' {
            out.push(b'\\');
        }
        out.push(b);
    }
    out.push(b'"');
}

/// A functionary key as a layout defines it (securesystemslib key format).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayoutKey {
    /// The key id (the `keys` dictionary key).
    pub keyid: String,
    /// `rsa`, `ecdsa`, `ecdsa-sha2-nistp256`, `ed25519`, ...
    pub keytype: String,
    /// `rsassa-pss-sha256`, `ecdsa-sha2-nistp256`, `ed25519`, ...
    pub scheme: String,
    /// `keyval.public`: a PEM public key, or hex for securesystemslib Ed25519 keys.
    pub public: String,
}

/// Which artifacts of a link a `MATCH` rule compares against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArtifactSet {
    /// The link's materials.
    Materials,
    /// The link's products.
    Products,
}

impl ArtifactSet {
    /// `materials` or `products`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Materials => "materials",
            Self::Products => "products",
        }
    }
}

/// What an artifact rule does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuleKind {
    /// `MATCH pattern [IN source_prefix] WITH (MATERIALS|PRODUCTS) [IN destination_prefix] FROM step`.
    Match {
        /// The prefix the queued artifacts must have (stripped before matching).
        source_prefix: Option<String>,
        /// Materials or products of the destination step.
        destination: ArtifactSet,
        /// The prefix put before the path in the destination step.
        destination_prefix: Option<String>,
        /// The destination step (or inspection) name.
        step: String,
    },
    /// `CREATE pattern`: products that are not materials.
    Create,
    /// `DELETE pattern`: materials that are not products.
    Delete,
    /// `MODIFY pattern`: artifacts both material and product, with different hashes.
    Modify,
    /// `ALLOW pattern`.
    Allow,
    /// `DISALLOW pattern`: fails if a queued artifact matches.
    Disallow,
    /// `REQUIRE path`: fails unless the path is queued.
    Require,
}

/// One artifact rule of a step or inspection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArtifactRule {
    /// What the rule does.
    pub kind: RuleKind,
    /// The fnmatch pattern (for `REQUIRE`, a literal path).
    pub pattern: String,
    /// The rule as written, tokens joined by spaces (for reports).
    pub text: String,
}

/// A step of the supply chain, performed by functionaries who sign links.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// The step name (links are named `<name>.<keyid[..8]>.link`).
    pub name: String,
    /// Key ids of the authorised functionaries.
    pub pubkeys: Vec<String>,
    /// How many distinct functionaries must have signed a link.
    pub threshold: usize,
    /// The command the step is expected to run (mismatches only warn).
    pub expected_command: Vec<String>,
    /// Rules over the link's materials.
    pub expected_materials: Vec<ArtifactRule>,
    /// Rules over the link's products.
    pub expected_products: Vec<ArtifactRule>,
    /// How many certificate constraints the step has (certificate-signed links).
    pub cert_constraints: usize,
}

/// An inspection: a command the verifier is expected to run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inspection {
    /// The inspection name.
    pub name: String,
    /// The command.
    pub run: Vec<String>,
    /// Rules over the files present before the command runs.
    pub expected_materials: Vec<ArtifactRule>,
    /// Rules over the files present after the command ran.
    pub expected_products: Vec<ArtifactRule>,
}

/// A parsed layout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    /// The expiry, as written (RFC 3339, `Z`).
    pub expires: String,
    /// Functionary keys by key id.
    pub keys: BTreeMap<String, LayoutKey>,
    /// The steps, in order.
    pub steps: Vec<Step>,
    /// The inspections, in order.
    pub inspections: Vec<Inspection>,
}

/// An artifact's hashes: algorithm name (`sha256`, `sha512`) -> hex, as the link records them.
pub type ArtifactHashes = BTreeMap<String, String>;
/// Artifacts by path.
pub type Artifacts = BTreeMap<String, ArtifactHashes>;

/// A parsed link: what a functionary recorded for one step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// The step name the link is for.
    pub name: String,
    /// The command that ran.
    pub command: Vec<String>,
    /// Artifacts before the command ran.
    pub materials: Artifacts,
    /// Artifacts after the command ran.
    pub products: Artifacts,
}

fn expect_type(body: &Value, expected: &'static str) -> Result<(), LayoutError> {
    let found = body
        .get("_type")
        .and_then(Value::as_str)
        .ok_or_else(|| LayoutError::Field("_type".into()))?;
    if found == expected {
        Ok(())
    } else {
        Err(LayoutError::WrongType {
            found: found.chars().take(140).collect(),
            expected,
        })
    }
}

fn object<'v>(v: &'v Value, field: &str) -> Result<&'v Map<String, Value>, LayoutError> {
    v.as_object()
        .ok_or_else(|| LayoutError::Field(field.to_owned()))
}

fn string(v: Option<&Value>, field: &str) -> Result<String, LayoutError> {
    let s = v
        .and_then(Value::as_str)
        .ok_or_else(|| LayoutError::Field(field.to_owned()))?;
    bounded(s, field)
}

fn bounded(s: &str, field: &str) -> Result<String, LayoutError> {
    if s.len() > MAX_LAYOUT_STRING_BYTES {
        return Err(LayoutError::TooLong(field.to_owned()));
    }
    Ok(s.to_owned())
}

fn limited<'v>(
    v: Option<&'v Value>,
    field: &str,
    limit: usize,
    required: bool,
) -> Result<&'v [Value], LayoutError> {
    let items: &[Value] = match v {
        None | Some(Value::Null) if !required => &[],
        Some(Value::Array(items)) => items,
        _ => return Err(LayoutError::Field(field.to_owned())),
    };
    if items.len() > limit {
        return Err(LayoutError::TooMany {
            field: field.to_owned(),
            count: items.len(),
            limit,
        });
    }
    Ok(items)
}

/// A list of strings (commands); each string is kept whole (commands are not matched).
fn strings(v: Option<&Value>, field: &str) -> Result<Vec<String>, LayoutError> {
    limited(v, field, MAX_ARTIFACT_RULES, false)?
        .iter()
        .enumerate()
        .map(|(i, s)| {
            s.as_str()
                .map(str::to_owned)
                .ok_or_else(|| LayoutError::Field(format!("{field}[{i}]")))
        })
        .collect()
}

fn rules(v: Option<&Value>, field: &str) -> Result<Vec<ArtifactRule>, LayoutError> {
    limited(v, field, MAX_ARTIFACT_RULES, false)?
        .iter()
        .enumerate()
        .map(|(i, rule)| {
            let tokens = limited(Some(rule), &format!("{field}[{i}]"), 16, true)?
                .iter()
                .enumerate()
                .map(|(j, t)| string(Some(t), &format!("{field}[{i}][{j}]")))
                .collect::<Result<Vec<String>, _>>()?;
            parse_rule(&tokens)
        })
        .collect()
}

/// Read one artifact rule (keywords are case-insensitive, as in in-toto).
pub fn parse_rule(tokens: &[String]) -> Result<ArtifactRule, LayoutError> {
    let text = tokens.join(" ");
    let bad = |reason| LayoutError::Rule {
        rule: text.chars().take(200).collect(),
        reason,
    };
    let lower: Vec<String> = tokens.iter().map(|t| t.to_ascii_lowercase()).collect();
    let word = |i: usize| lower.get(i).map_or("", String::as_str);
    let token = |i: usize| tokens.get(i).cloned().unwrap_or_default();
    let kind = match word(0) {
        "match" => {
            let (source_prefix, rest) = match tokens.len() {
                6 => (None, 2),
                8 if word(2) == "in" => (Some(token(3)), 4),
                8 => (None, 2),
                10 => (Some(token(3)), 4),
                _ => return Err(bad("a MATCH rule has 6, 8 or 10 tokens")),
            };
            if source_prefix.is_some() && word(2) != "in" {
                return Err(bad("expected IN after the pattern"));
            }
            if word(rest) != "with" {
                return Err(bad("expected WITH"));
            }
            let destination = match word(rest + 1) {
                "materials" => ArtifactSet::Materials,
                "products" => ArtifactSet::Products,
                _ => return Err(bad("expected MATERIALS or PRODUCTS after WITH")),
            };
            let (destination_prefix, from) = if word(rest + 2) == "in" {
                (Some(token(rest + 3)), rest + 4)
            } else {
                (None, rest + 2)
            };
            if word(from) != "from" || from + 2 != tokens.len() {
                return Err(bad("expected FROM <step> at the end"));
            }
            RuleKind::Match {
                source_prefix,
                destination,
                destination_prefix,
                step: token(from + 1),
            }
        }
        "create" | "delete" | "modify" | "allow" | "disallow" | "require" => {
            if tokens.len() != 2 {
                return Err(bad("the rule takes exactly one pattern"));
            }
            match word(0) {
                "create" => RuleKind::Create,
                "delete" => RuleKind::Delete,
                "modify" => RuleKind::Modify,
                "allow" => RuleKind::Allow,
                "disallow" => RuleKind::Disallow,
                _ => RuleKind::Require,
            }
        }
        _ => {
            return Err(bad(
                "unknown rule type (MATCH, CREATE, DELETE, MODIFY, ALLOW, DISALLOW, REQUIRE)",
            ))
        }
    };
    Ok(ArtifactRule {
        kind,
        pattern: token(1),
        text,
    })
}

fn item_name(v: &Value, field: &str, seen: &mut BTreeSet<String>) -> Result<String, LayoutError> {
    let name = string(v.get("name"), &format!("{field}.name"))?;
    if name.is_empty() {
        return Err(LayoutError::EmptyName(field.to_owned()));
    }
    if !seen.insert(name.clone()) {
        return Err(LayoutError::DuplicateName(name));
    }
    Ok(name)
}

/// Read a layout from its signed object (`_type` must be `layout`).
pub fn parse_layout(body: &Value) -> Result<Layout, LayoutError> {
    expect_type(body, LAYOUT_TYPE)?;
    let expires = string(body.get("expires"), "expires")?;
    let key_map = object(
        body.get("keys")
            .ok_or_else(|| LayoutError::Field("keys".into()))?,
        "keys",
    )?;
    if key_map.len() > MAX_LAYOUT_KEYS {
        return Err(LayoutError::TooMany {
            field: "keys".into(),
            count: key_map.len(),
            limit: MAX_LAYOUT_KEYS,
        });
    }
    let mut keys = BTreeMap::new();
    for (entry, key) in key_map {
        let field = format!("keys.{}", entry.chars().take(64).collect::<String>());
        let keyid = string(key.get("keyid"), &format!("{field}.keyid"))?;
        if keyid != *entry {
            return Err(LayoutError::KeyIdMismatch {
                entry: entry.chars().take(64).collect(),
                keyid: keyid.chars().take(64).collect(),
            });
        }
        let public = key
            .get("keyval")
            .and_then(|kv| kv.get("public"))
            .and_then(Value::as_str)
            .ok_or_else(|| LayoutError::Field(format!("{field}.keyval.public")))?;
        keys.insert(
            keyid.clone(),
            LayoutKey {
                keytype: string(key.get("keytype"), &format!("{field}.keytype"))?,
                scheme: string(key.get("scheme"), &format!("{field}.scheme"))?,
                public: public.to_owned(),
                keyid,
            },
        );
    }
    let step_values = limited(body.get("steps"), "steps", MAX_LAYOUT_ITEMS, true)?;
    let inspect_values = limited(body.get("inspect"), "inspect", MAX_LAYOUT_ITEMS, false)?;
    if step_values.len() + inspect_values.len() > MAX_LAYOUT_ITEMS {
        return Err(LayoutError::TooMany {
            field: "steps and inspect".into(),
            count: step_values.len() + inspect_values.len(),
            limit: MAX_LAYOUT_ITEMS,
        });
    }
    let mut seen = BTreeSet::new();
    let mut steps = Vec::with_capacity(step_values.len());
    for (i, v) in step_values.iter().enumerate() {
        let field = format!("steps[{i}]");
        expect_type(v, "step")?;
        let name = item_name(v, &field, &mut seen)?;
        let pubkeys = limited(
            v.get("pubkeys"),
            &format!("{field}.pubkeys"),
            MAX_LAYOUT_KEYS,
            true,
        )?
        .iter()
        .enumerate()
        .map(|(j, k)| string(Some(k), &format!("{field}.pubkeys[{j}]")))
        .collect::<Result<Vec<String>, _>>()?;
        if let Some(keyid) = pubkeys.iter().find(|k| !keys.contains_key(*k)) {
            return Err(LayoutError::UnknownKey {
                step: name,
                keyid: keyid.chars().take(64).collect(),
            });
        }
        let threshold = v
            .get("threshold")
            .and_then(Value::as_u64)
            .and_then(|t| usize::try_from(t).ok())
            .filter(|t| *t >= 1)
            .ok_or_else(|| LayoutError::Threshold(name.clone()))?;
        let cert_constraints = limited(
            v.get("cert_constraints"),
            &format!("{field}.cert_constraints"),
            MAX_LAYOUT_KEYS,
            false,
        )?
        .len();
        steps.push(Step {
            expected_command: strings(
                v.get("expected_command"),
                &format!("{field}.expected_command"),
            )?,
            expected_materials: rules(
                v.get("expected_materials"),
                &format!("{field}.expected_materials"),
            )?,
            expected_products: rules(
                v.get("expected_products"),
                &format!("{field}.expected_products"),
            )?,
            name,
            pubkeys,
            threshold,
            cert_constraints,
        });
    }
    let mut inspections = Vec::with_capacity(inspect_values.len());
    for (i, v) in inspect_values.iter().enumerate() {
        let field = format!("inspect[{i}]");
        expect_type(v, "inspection")?;
        inspections.push(Inspection {
            name: item_name(v, &field, &mut seen)?,
            run: strings(v.get("run"), &format!("{field}.run"))?,
            expected_materials: rules(
                v.get("expected_materials"),
                &format!("{field}.expected_materials"),
            )?,
            expected_products: rules(
                v.get("expected_products"),
                &format!("{field}.expected_products"),
            )?,
        });
    }
    Ok(Layout {
        expires,
        keys,
        steps,
        inspections,
    })
}

fn artifacts(v: Option<&Value>, field: &str) -> Result<Artifacts, LayoutError> {
    let map = object(
        v.ok_or_else(|| LayoutError::Field(field.to_owned()))?,
        field,
    )?;
    if map.len() > MAX_LINK_ARTIFACTS {
        return Err(LayoutError::TooMany {
            field: field.to_owned(),
            count: map.len(),
            limit: MAX_LINK_ARTIFACTS,
        });
    }
    let mut out = Artifacts::new();
    for (path, hashes) in map {
        let path = bounded(path, &format!("{field} path"))?;
        let hashes = object(hashes, &format!("{field}[{path}]"))?;
        if hashes.len() > 16 {
            return Err(LayoutError::TooMany {
                field: format!("{field}[{path}]"),
                count: hashes.len(),
                limit: 16,
            });
        }
        let mut set = ArtifactHashes::new();
        for (alg, hex) in hashes {
            set.insert(
                bounded(alg, &format!("{field}[{path}] algorithm"))?,
                string(Some(hex), &format!("{field}[{path}].{alg}"))?,
            );
        }
        out.insert(path, set);
    }
    Ok(out)
}

/// Read a link from its signed object (`_type` must be `link`).
pub fn parse_link(body: &Value) -> Result<Link, LayoutError> {
    expect_type(body, LINK_TYPE)?;
    Ok(Link {
        name: string(body.get("name"), "name")?,
        command: strings(body.get("command"), "command")?,
        materials: artifacts(body.get("materials"), "materials")?,
        products: artifacts(body.get("products"), "products")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canon(json: &str) -> String {
        String::from_utf8(canonical_json(&parse_strict(json.as_bytes()).unwrap()).unwrap()).unwrap()
    }

    #[test]
    fn canonical_json_sorts_and_escapes_like_securesystemslib() {
        assert_eq!(
            canon(r#"{ "b": [1, -2, true, null], "a": {"z": "", "y": false} }"#),
            r#"{"a":{"y":false,"z":""},"b":[1,-2,true,null]}"#
        );
        // Only quote and backslash are escaped; control characters stay raw bytes.
        assert_eq!(
            canon(r#"{"f": "\u001b\uFFFFF\\n\""}"#).into_bytes(),
            b"{\"f\":\"\x1b\xef\xbf\xbfF\\\\n\\\"\"}".to_vec()
        );
        // Non-ASCII keys sort by code point.
        assert_eq!(canon(r#"{"é":1,"z":2,"A":3}"#), r#"{"A":3,"z":2,"é":1}"#);
        assert_eq!(canon("18446744073709551615"), "18446744073709551615");
    }

    #[test]
    fn canonical_json_refuses_floats() {
        for float in ["1.0", "1e3", r#"{"a":[0.5]}"#] {
            assert_eq!(
                canonical_json(&parse_strict(float.as_bytes()).unwrap()),
                Err(LayoutError::Float),
                "{float}"
            );
        }
    }

    fn rule(tokens: &[&str]) -> Result<ArtifactRule, LayoutError> {
        parse_rule(&tokens.iter().map(|t| (*t).to_owned()).collect::<Vec<_>>())
    }

    #[test]
    fn parses_every_rule_grammar() {
        let r = rule(&["MATCH", "*", "WITH", "PRODUCTS", "FROM", "build"]).unwrap();
        assert_eq!(
            r.kind,
            RuleKind::Match {
                source_prefix: None,
                destination: ArtifactSet::Products,
                destination_prefix: None,
                step: "build".into()
            }
        );
        let r = rule(&[
            "match",
            "*.py",
            "IN",
            "src",
            "with",
            "materials",
            "in",
            "lib",
            "from",
            "s",
        ])
        .unwrap();
        assert_eq!(
            r.kind,
            RuleKind::Match {
                source_prefix: Some("src".into()),
                destination: ArtifactSet::Materials,
                destination_prefix: Some("lib".into()),
                step: "s".into()
            }
        );
        let r = rule(&["MATCH", "*", "WITH", "PRODUCTS", "IN", "out", "FROM", "s"]).unwrap();
        assert!(matches!(
            r.kind,
            RuleKind::Match {
                source_prefix: None,
                destination_prefix: Some(_),
                ..
            }
        ));
        let r = rule(&["MATCH", "*", "IN", "src", "WITH", "PRODUCTS", "FROM", "s"]).unwrap();
        assert!(matches!(
            r.kind,
            RuleKind::Match {
                source_prefix: Some(_),
                destination_prefix: None,
                ..
            }
        ));
        assert_eq!(rule(&["disallow", "*"]).unwrap().kind, RuleKind::Disallow);
        assert_eq!(rule(&["REQUIRE", "a"]).unwrap().kind, RuleKind::Require);
    }

    #[test]
    fn rejects_malformed_rules() {
        for bad in [
            &["ALLOW"][..],
            &["ALLOW", "a", "b"],
            &["FROB", "a"],
            &[],
            &["MATCH", "*", "WITH", "PRODUCTS", "FROM"],
            &["MATCH", "*", "WITH", "BYPRODUCTS", "FROM", "s"],
            &[
                "MATCH", "*", "IN", "a", "WITH", "PRODUCTS", "IN", "b", "TO", "s",
            ],
            &["MATCH", "*", "AT", "a", "WITH", "PRODUCTS", "FROM", "s"],
            &["MATCH", "*", "WITH", "PRODUCTS", "FROM", "s", "x", "y"],
        ] {
            assert!(
                matches!(rule(bad), Err(LayoutError::Rule { .. })),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn metadata_containers() {
        let mb = br#"{"signed":{"_type":"link","name":"x","materials":{},"products":{}},"signatures":[{"keyid":"ab","sig":"00ff"}]}"#;
        let m = parse_metadata(mb).unwrap();
        assert_eq!(m.container, Container::Metablock);
        assert_eq!(m.signatures[0].sig, vec![0, 255]);
        assert_eq!(m.type_name(), Some("link"));
        assert_eq!(
            m.signed_bytes,
            br#"{"_type":"link","materials":{},"name":"x","products":{}}"#.to_vec()
        );
        let link = parse_link(&m.body).unwrap();
        assert_eq!(link.name, "x");

        assert!(matches!(
            parse_metadata(br#"{"signed":{},"signatures":[{"sig":"zz"}]}"#),
            Err(LayoutError::SignatureHex(0))
        ));
        assert!(matches!(
            parse_metadata(br#"{"signed":{"a":1.5},"signatures":[]}"#),
            Err(LayoutError::Float)
        ));
        assert!(matches!(
            parse_metadata(br#"[1]"#),
            Err(LayoutError::UnknownContainer)
        ));
        assert!(matches!(
            parse_metadata(
                br#"{"payloadType":"text/plain","payload":"e30=","signatures":[{"sig":"AA=="}]}"#
            ),
            Err(LayoutError::PayloadType(_))
        ));
        let dsse = br#"{"payloadType":"application/vnd.in-toto+json","payload":"eyJfdHlwZSI6ImxpbmsifQ==","signatures":[{"sig":"AA=="}]}"#;
        let m = parse_metadata(dsse).unwrap();
        assert_eq!(m.container, Container::Dsse);
        assert!(m
            .signed_bytes
            .starts_with(b"DSSEv1 28 application/vnd.in-toto+json 16 "));
    }

    #[test]
    fn layout_validation() {
        let layout = |steps: &str| {
            format!(
                r#"{{"_type":"layout","expires":"2030-01-01T00:00:00Z","keys":{{"k1":{{"keyid":"k1","keytype":"ed25519","scheme":"ed25519","keyval":{{"public":"00"}}}}}},"steps":{steps},"inspect":[]}}"#
            )
        };
        let parse = |s: &str| parse_layout(&parse_strict(s.as_bytes()).unwrap());
        let ok = parse(&layout(
            r#"[{"_type":"step","name":"a","pubkeys":["k1"],"threshold":1,"expected_materials":[["ALLOW","*"]]}]"#,
        ))
        .unwrap();
        assert_eq!(ok.steps[0].threshold, 1);
        assert!(matches!(
            parse(&layout(
                r#"[{"_type":"step","name":"a","pubkeys":["k2"],"threshold":1}]"#
            )),
            Err(LayoutError::UnknownKey { .. })
        ));
        assert!(matches!(
            parse(&layout(
                r#"[{"_type":"step","name":"a","pubkeys":["k1"],"threshold":0}]"#
            )),
            Err(LayoutError::Threshold(_))
        ));
        assert!(matches!(
            parse(&layout(
                r#"[{"_type":"step","name":"a","pubkeys":[],"threshold":1},{"_type":"step","name":"a","pubkeys":[],"threshold":1}]"#
            )),
            Err(LayoutError::DuplicateName(_))
        ));
        assert!(matches!(
            parse(&layout(
                r#"[{"_type":"step","name":"a","pubkeys":[],"threshold":1,"expected_products":[["MATCH","*"]]}]"#
            )),
            Err(LayoutError::Rule { .. })
        ));
        assert!(matches!(
            parse(&layout(r#"[{"_type":"inspection","name":"a"}]"#)),
            Err(LayoutError::WrongType { .. })
        ));
    }
}
