//! ZAP's traditional XML report, read with a pull parser into the shape the JSON reader fills.
//!
//! `<OWASPZAPReport programName= version= generated=><site name=><alerts><alertitem>` with
//! `pluginid`, `alertRef`, `alert`, `name`, `riskcode`, `confidence`, `riskdesc` and
//! `instances/instance/uri` children. Other elements are passed over. A DOCTYPE is refused.

use crate::limits::LimitExceeded;
use quick_xml::events::{BytesStart, Event};
use quick_xml::{Reader, XmlVersion};

use super::zap::{normalise, Alert, Doc, Site};
use crate::gate::{GateError, GateReport, UnknownReport, MAX_FINDINGS};

use crate::limits::MAX_ZAP_XML_DEPTH as MAX_DEPTH;

const ROOT: &str = "OWASPZAPReport";

fn syntax(detail: impl Into<String>) -> GateError {
    GateError::Syntax {
        encoding: "XML",
        detail: detail.into(),
    }
}

pub(super) fn parse(bytes: &[u8]) -> Result<GateReport, GateError> {
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if body.starts_with(&[0xFE, 0xFF]) || body.starts_with(&[0xFF, 0xFE]) {
        return Err(syntax("UTF-16 is not read; a ZAP XML report is UTF-8"));
    }
    let mut r = XmlReader {
        xml: Reader::from_reader(body),
        doc: Doc::default(),
        stack: Vec::new(),
        text: String::new(),
        site: None,
        alert: None,
        alerts: 0,
        root_seen: false,
    };
    r.run()?;
    normalise(r.doc)
}

struct XmlReader<'a> {
    xml: Reader<&'a [u8]>,
    doc: Doc,
    /// Open elements below the root.
    stack: Vec<String>,
    text: String,
    site: Option<Site>,
    alert: Option<Alert>,
    alerts: usize,
    root_seen: bool,
}

impl XmlReader<'_> {
    fn error(&self, what: impl std::fmt::Display) -> GateError {
        syntax(format!("at byte {}: {what}", self.xml.buffer_position()))
    }

    fn run(&mut self) -> Result<(), GateError> {
        loop {
            let event = match self.xml.read_event() {
                Ok(e) => e,
                Err(e) => return Err(self.error(e)),
            };
            match event {
                Event::Start(e) => self.start(&e)?,
                Event::Empty(e) => {
                    self.start(&e)?;
                    self.end()?;
                }
                Event::End(_) => self.end()?,
                Event::Text(t) => {
                    let t = t.xml10_content().map_err(|e| self.error(e))?;
                    self.text.push_str(&t);
                }
                Event::CData(c) => {
                    let t = c.decode().map_err(|e| self.error(e))?;
                    self.text.push_str(&t);
                }
                Event::GeneralRef(r) => {
                    let t = crate::xml::reference_text(&r).map_err(|e| self.error(e))?;
                    self.text.push_str(&t);
                }
                Event::DocType(_) => return Err(self.error(crate::xml::DOCTYPE_REFUSED)),
                Event::Decl(d) => crate::xml::check_declaration(&d, "a ZAP XML report")
                    .map_err(|e| self.error(e))?,
                Event::PI(_) | Event::Comment(_) => {}
                Event::Eof => break,
            }
        }
        if !self.root_seen {
            return Err(syntax("no root element"));
        }
        if !self.stack.is_empty() {
            return Err(syntax("the document ends inside an element"));
        }
        Ok(())
    }

    /// The attribute `name`; every attribute is read, so a repeated one is an error (XML forbids
    /// it, and readers differ on which one counts).
    fn attribute(&self, e: &BytesStart<'_>, name: &[u8]) -> Result<Option<String>, GateError> {
        let mut found = None;
        for attr in e.attributes().with_checks(true) {
            let attr = attr.map_err(|err| self.error(err))?;
            if attr.key.as_ref() == name {
                let value = attr
                    .normalized_value(XmlVersion::Explicit1_0)
                    .map_err(|err| self.error(err))?;
                if found.is_some() {
                    return Err(
                        self.error(format!("attribute {} twice", String::from_utf8_lossy(name)))
                    );
                }
                found = Some(value.trim().to_owned());
            }
        }
        Ok(found)
    }

    fn start(&mut self, e: &BytesStart<'_>) -> Result<(), GateError> {
        self.text.clear();
        let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
        if !self.root_seen {
            if name != ROOT {
                return Err(GateError::Unknown(UnknownReport::XmlRoot { root: name }));
            }
            self.root_seen = true;
            self.stack.push(name);
            self.doc.program = self.attribute(e, b"programName")?;
            self.doc.version = self.attribute(e, b"version")?;
            self.doc.generated = self.attribute(e, b"generated")?;
            self.doc.created = self.attribute(e, b"created")?;
            return Ok(());
        }
        if self.stack.is_empty() {
            return Err(self.error("an element after the root element"));
        }
        if self.stack.len() >= MAX_DEPTH {
            return Err(GateError::Limit(LimitExceeded::Depth {
                what: "XML",
                limit: MAX_DEPTH,
                unit: "elements",
            }));
        }
        self.stack.push(name);
        let path: Vec<&str> = self.stack[1..].iter().map(String::as_str).collect();
        match path.as_slice() {
            ["site"] => {
                let at = format!("site[{}]", self.doc.sites.len() + 1);
                self.site = Some(Site {
                    at,
                    name: self.attribute(e, b"name")?,
                    alerts: Vec::new(),
                });
            }
            ["site", "alerts", "alertitem"] => {
                self.alerts += 1;
                if self.alerts > MAX_FINDINGS {
                    return Err(GateError::Limit(LimitExceeded::Count {
                        format: None,
                        items: "findings in one report",
                        limit: MAX_FINDINGS,
                    }));
                }
                let site = self.site.as_ref().map_or("site", |s| s.at.as_str());
                let n = self.site.as_ref().map_or(0, |s| s.alerts.len()) + 1;
                self.alert = Some(Alert {
                    at: format!("{site}/alerts/alertitem[{n}]"),
                    ..Alert::default()
                });
            }
            _ => {}
        }
        Ok(())
    }

    fn end(&mut self) -> Result<(), GateError> {
        let text = std::mem::take(&mut self.text);
        let value = || Some(text.trim().to_owned());
        let path: Vec<&str> = self.stack.iter().skip(1).map(String::as_str).collect();
        match path.as_slice() {
            ["site"] => {
                if let Some(site) = self.site.take() {
                    self.doc.sites.push(site);
                }
            }
            ["site", "alerts", "alertitem"] => {
                if let (Some(site), Some(alert)) = (self.site.as_mut(), self.alert.take()) {
                    site.alerts.push(alert);
                }
            }
            ["site", "alerts", "alertitem", leaf] => {
                if let Some(a) = self.alert.as_mut() {
                    let slot = match *leaf {
                        "pluginid" => Some(&mut a.plugin_id),
                        "alertRef" => Some(&mut a.alert_ref),
                        "alert" => Some(&mut a.alert),
                        "name" => Some(&mut a.name),
                        "riskcode" => Some(&mut a.riskcode),
                        "riskdesc" => Some(&mut a.riskdesc),
                        "confidence" => Some(&mut a.confidence),
                        _ => None,
                    };
                    if let Some(slot) = slot {
                        // One value per field: a second <riskcode> would let two readers see
                        // two severities.
                        if slot.is_some() {
                            return Err(syntax(format!("{}: <{leaf}> twice in one alert", a.at)));
                        }
                        *slot = value();
                    }
                }
            }
            ["site", "alerts", "alertitem", "instances", "instance", "uri"] => {
                if let Some(a) = self.alert.as_mut() {
                    if a.uri.is_none() {
                        a.uri = value();
                    }
                }
            }
            _ => {}
        }
        self.stack.pop();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_doctype_other_roots_and_bad_nesting() {
        let xxe = br#"<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><OWASPZAPReport version="1"><site name="&x;"/></OWASPZAPReport>"#;
        assert!(matches!(parse(xxe), Err(GateError::Syntax { .. })));
        assert!(matches!(
            parse(b"<bom xmlns='http://cyclonedx.org/schema/bom/1.5'/>"),
            Err(GateError::Unknown(_))
        ));
        assert!(matches!(
            parse(b"<OWASPZAPReport><site name='u'>"),
            Err(GateError::Syntax { .. })
        ));
        assert!(matches!(
            parse(b"<OWASPZAPReport><site name='&bogus;'/></OWASPZAPReport>"),
            Err(GateError::Syntax { .. })
        ));
        let deep = format!(
            "<OWASPZAPReport>{}{}</OWASPZAPReport>",
            "<a>".repeat(100),
            "</a>".repeat(100)
        );
        assert!(matches!(parse(deep.as_bytes()), Err(GateError::Limit(_))));
        assert!(matches!(parse(b""), Err(GateError::Syntax { .. })));
    }

    #[test]
    fn refuses_repeated_fields_and_attributes() {
        let alert = |inner: &str| {
            format!(
                "<OWASPZAPReport programName='ZAP' version='2.14.0'><site name='https://a'>\
                 <alerts><alertitem><pluginid>1</pluginid>{inner}</alertitem></alerts>\
                 </site></OWASPZAPReport>"
            )
        };
        assert!(parse(alert("<riskcode>3</riskcode>").as_bytes()).is_ok());
        assert!(matches!(
            parse(alert("<riskcode>3</riskcode><riskcode>0</riskcode>").as_bytes()),
            Err(GateError::Syntax { .. })
        ));
        assert!(matches!(
            parse(b"<OWASPZAPReport version='2.14.0' version='1'></OWASPZAPReport>"),
            Err(GateError::Syntax { .. })
        ));
    }

    #[test]
    fn reads_alerts_and_entities() {
        let xml = br#"<?xml version="1.0" encoding="UTF-8"?>
<OWASPZAPReport programName="ZAP" version="2.14.0" generated="Tue, 6 Jun 2023 12:00:00">
  <site name="https://app.example" host="app.example" port="443" ssl="true">
    <alerts>
      <alertitem>
        <pluginid>40012</pluginid><alertRef>40012-1</alertRef>
        <alert>Cross Site Scripting &amp; more</alert><riskcode>3</riskcode>
        <confidence>2</confidence><desc>&lt;p&gt;x&lt;/p&gt;</desc>
        <instances><instance><uri>https://app.example/q?x=&#49;</uri></instance></instances>
      </alertitem>
    </alerts>
  </site>
</OWASPZAPReport>"#;
        let r = parse(xml).unwrap();
        assert_eq!(r.tool, "ZAP");
        assert_eq!(r.findings.len(), 1);
        let f = &r.findings[0];
        assert_eq!(f.id, "40012-1");
        assert_eq!(f.title.as_deref(), Some("Cross Site Scripting & more"));
        assert_eq!(f.location.as_deref(), Some("https://app.example/q?x=1"));
    }
}
