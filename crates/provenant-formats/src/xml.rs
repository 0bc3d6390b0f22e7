//! What every XML reader here shares (quick-xml): references resolve only to XML's predefined
//! entities and character references, a DOCTYPE is refused (no DTD, no external entity, no XXE),
//! and only UTF-8 is read.

use quick_xml::events::{BytesDecl, BytesRef};

/// The complaint for a DOCTYPE declaration.
pub const DOCTYPE_REFUSED: &str =
    "DOCTYPE declarations are refused (no DTD or external entity is read)";

/// Why a reference or an XML declaration is refused.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum XmlError {
    /// A character reference quick-xml cannot resolve.
    #[error(transparent)]
    CharRef(#[from] quick_xml::Error),
    /// A character reference that resolves to no character.
    #[error("invalid character reference")]
    InvalidCharRef,
    /// The bytes of a reference or of the declared encoding are not text.
    #[error(transparent)]
    Encoding(#[from] quick_xml::encoding::EncodingError),
    /// An entity that is not one of XML's five predefined ones.
    #[error("undefined entity &{0}; (no DTD is read)")]
    UndefinedEntity(String),
    /// The `encoding` attribute of the declaration cannot be read.
    #[error(transparent)]
    Declaration(#[from] quick_xml::events::attributes::AttrError),
    /// A declared encoding other than UTF-8.
    #[error("encoding {encoding:?} is not read; {document} is UTF-8")]
    NotUtf8 {
        /// The encoding as declared (lossily decoded).
        encoding: String,
        /// The document kind (`a ZAP XML report`).
        document: &'static str,
    },
}

/// The text of a general reference: a character reference, or one of the five predefined
/// entities. Anything else is an error (no DTD is read, so no other entity is defined).
pub fn reference_text(r: &BytesRef<'_>) -> Result<String, XmlError> {
    if r.is_char_ref() {
        return match r.resolve_char_ref()? {
            Some(c) => Ok(c.to_string()),
            None => Err(XmlError::InvalidCharRef),
        };
    }
    let name = r.decode()?;
    quick_xml::escape::resolve_predefined_entity(&name)
        .map(str::to_owned)
        .ok_or_else(|| XmlError::UndefinedEntity(name.into_owned()))
}

/// `Ok` when the XML declaration names no encoding or UTF-8; `what` names the document kind in
/// the error (`a ZAP XML report`).
pub fn check_declaration(d: &BytesDecl<'_>, what: &'static str) -> Result<(), XmlError> {
    let Some(enc) = d.encoding() else {
        return Ok(());
    };
    let enc = enc?;
    if enc.eq_ignore_ascii_case(b"utf-8") || enc.eq_ignore_ascii_case(b"utf8") {
        Ok(())
    } else {
        Err(XmlError::NotUtf8 {
            encoding: String::from_utf8_lossy(&enc).into_owned(),
            document: what,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quick_xml::events::Event;

    fn first_ref(xml: &str) -> Result<String, XmlError> {
        let mut r = quick_xml::Reader::from_str(xml);
        loop {
            match r.read_event() {
                Ok(Event::GeneralRef(g)) => return reference_text(&g),
                Ok(Event::Eof) => panic!("no reference in {xml}"),
                Ok(_) => {}
                Err(e) => panic!("{e}"),
            }
        }
    }

    #[test]
    fn references_resolve_or_name_the_entity() {
        assert_eq!(first_ref("<a>&amp;</a>").ok().as_deref(), Some("&"));
        assert_eq!(first_ref("<a>&#65;</a>").ok().as_deref(), Some("A"));
        let e = first_ref("<a>&xxe;</a>").unwrap_err();
        assert!(matches!(&e, XmlError::UndefinedEntity(n) if n == "xxe"));
        assert_eq!(e.to_string(), "undefined entity &xxe; (no DTD is read)");
    }

    #[test]
    fn a_declared_encoding_other_than_utf8_is_named() {
        let mut r = quick_xml::Reader::from_str(r#"<?xml version="1.0" encoding="latin1"?><a/>"#);
        let Ok(Event::Decl(d)) = r.read_event() else {
            panic!("no declaration");
        };
        let e = check_declaration(&d, "CycloneDX XML").unwrap_err();
        assert_eq!(
            e.to_string(),
            "encoding \"latin1\" is not read; CycloneDX XML is UTF-8"
        );
    }
}
