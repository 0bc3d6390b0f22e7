//! What every XML reader here shares (quick-xml): references resolve only to XML's predefined
//! entities and character references, a DOCTYPE is refused (no DTD, no external entity, no XXE),
//! and only UTF-8 is read.

use quick_xml::events::{BytesDecl, BytesRef};

/// The complaint for a DOCTYPE declaration.
pub const DOCTYPE_REFUSED: &str =
    "DOCTYPE declarations are refused (no DTD or external entity is read)";

/// The text of a general reference: a character reference, or one of the five predefined
/// entities. Anything else is an error (no DTD is read, so no other entity is defined).
pub fn reference_text(r: &BytesRef<'_>) -> Result<String, String> {
    if r.is_char_ref() {
        return match r.resolve_char_ref() {
            Ok(Some(c)) => Ok(c.to_string()),
            Ok(None) => Err("invalid character reference".into()),
            Err(e) => Err(e.to_string()),
        };
    }
    let name = r.decode().map_err(|e| e.to_string())?;
    quick_xml::escape::resolve_predefined_entity(&name)
        .map(str::to_owned)
        .ok_or_else(|| format!("undefined entity &{name}; (no DTD is read)"))
}

/// `Ok` when the XML declaration names no encoding or UTF-8; `what` names the document kind in
/// the error (`a ZAP XML report`).
pub fn check_declaration(d: &BytesDecl<'_>, what: &str) -> Result<(), String> {
    let Some(enc) = d.encoding() else {
        return Ok(());
    };
    let enc = enc.map_err(|e| e.to_string())?;
    if enc.eq_ignore_ascii_case(b"utf-8") || enc.eq_ignore_ascii_case(b"utf8") {
        Ok(())
    } else {
        Err(format!(
            "encoding {:?} is not read; {what} is UTF-8",
            String::from_utf8_lossy(&enc)
        ))
    }
}
