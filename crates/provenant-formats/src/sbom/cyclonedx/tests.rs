//! Normalisation, validation and limit tests on small documents written here.

use super::*;

const SHA_A: &str = "0123456789abcdef0123456789abcdef01234567";

fn json(doc: &str) -> ParsedSbom {
    parse_json(doc.as_bytes()).unwrap_or_else(|e| panic!("{e}\n{doc}"))
}

fn xml(doc: &str) -> ParsedSbom {
    parse_xml(doc.as_bytes(), None).unwrap_or_else(|e| panic!("{e}\n{doc}"))
}

fn valid_json(doc: &str) -> Sbom {
    let parsed = json(doc);
    assert!(parsed.validated);
    assert!(parsed.violations.is_empty(), "{:?}", parsed.violations);
    parsed.sbom
}

fn names(components: &[SbomComponent]) -> Vec<&str> {
    components
        .iter()
        .map(|c| c.name.as_deref().unwrap_or("?"))
        .collect()
}

fn xml_bom(version: &str, body: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><bom xmlns="http://cyclonedx.org/schema/bom/{version}" version="1">{body}</bom>"#
    )
}

#[test]
fn tools_in_the_legacy_array_form() {
    let s = valid_json(
        r#"{"bomFormat":"CycloneDX","specVersion":"1.4","version":1,
            "metadata":{"tools":[{"vendor":"anchore","name":"syft","version":"1.2.0"},{"name":"bare"}]}}"#,
    );
    assert_eq!(s.tools, ["anchore/syft@1.2.0", "bare"]);
    let x = xml(&xml_bom(
        "1.4",
        "<metadata><tools><tool><vendor>anchore</vendor><name>syft</name><version>1.2.0</version></tool>\
         <tool><name>bare</name></tool></tools></metadata>",
    ));
    assert_eq!(x.sbom.tools, s.tools);
}

#[test]
fn tools_in_the_components_and_services_form() {
    let s = valid_json(
        r#"{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,"metadata":{"tools":{
            "components":[{"type":"application","group":"aquasecurity","name":"trivy","version":"0.50.0",
                           "components":[{"type":"library","name":"inside-the-tool"}]}],
            "services":[{"group":"com.example","name":"signer","version":"2"}]}}}"#,
    );
    assert_eq!(
        s.tools,
        ["aquasecurity/trivy@0.50.0", "com.example/signer@2"]
    );
    assert!(
        s.components.is_empty(),
        "a tool's parts are not the SBOM's content"
    );
    let x = xml(&xml_bom(
        "1.6",
        r#"<metadata><tools><components><component type="application"><group>aquasecurity</group>
           <name>trivy</name><version>0.50.0</version><components><component type="library">
           <name>inside-the-tool</name></component></components></component></components>
           <services><service><group>com.example</group><name>signer</name><version>2</version></service>
           </services></tools></metadata>"#,
    ));
    assert_eq!(x.sbom.tools, s.tools);
    assert!(x.sbom.components.is_empty());
}

const NESTED_JSON: &str = r#"{"bomFormat":"CycloneDX","specVersion":"1.5","version":1,
    "metadata":{"component":{"type":"application","bom-ref":"app","name":"app",
        "components":[{"type":"library","bom-ref":"app-part","name":"app-part"}]}},
    "components":[
        {"type":"library","bom-ref":"a","name":"a","components":[
            {"type":"library","bom-ref":"a1","name":"a1","components":[
                {"type":"library","bom-ref":"a11","name":"a11"}]},
            {"type":"library","bom-ref":"a2","name":"a2"}]},
        {"type":"library","bom-ref":"b","name":"b"}],
    "dependencies":[{"ref":"a","dependsOn":["a1","a2"]},{"ref":"b"}]}"#;

#[test]
fn nested_components_are_flattened_parent_first() {
    let s = valid_json(NESTED_JSON);
    assert_eq!(
        names(&s.components),
        ["a", "a1", "a11", "a2", "b", "app-part"]
    );
    assert_eq!(names(&s.subjects), ["app"]);
    assert_eq!(
        s.dependencies,
        [
            ("a".to_string(), "a1".to_string()),
            ("a".into(), "a2".into())
        ]
    );
    assert!(s.has_dependency_section);
    let x = xml(&xml_bom(
        "1.5",
        r#"<metadata><component type="application" bom-ref="app"><name>app</name><components>
           <component type="library" bom-ref="app-part"><name>app-part</name></component></components>
           </component></metadata>
           <components><component type="library" bom-ref="a"><name>a</name><components>
             <component type="library" bom-ref="a1"><name>a1</name><components>
               <component type="library" bom-ref="a11"><name>a11</name></component></components></component>
             <component type="library" bom-ref="a2"><name>a2</name></component></components></component>
           <component type="library" bom-ref="b"><name>b</name></component></components>
           <dependencies><dependency ref="a"><dependency ref="a1"/><dependency ref="a2"/></dependency>
           <dependency ref="b"/></dependencies>"#,
    ));
    // XML lists the subject's parts where it meets them (metadata comes first).
    assert_eq!(
        names(&x.sbom.components),
        ["app-part", "a", "a1", "a11", "a2", "b"]
    );
    assert_eq!(x.sbom.dependencies, s.dependencies);
    assert!(x.sbom.has_dependency_section);
    assert!(!x.validated && x.violations.is_empty(), "no XSD given");
}

#[test]
fn component_fields_are_read() {
    let s = valid_json(
        r#"{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,"components":[
            {"type":"library","bom-ref":"r","name":"n","version":"1.0","purl":"pkg:npm/n@1.0",
             "cpe":"cpe:2.3:a:x:n:1.0:*:*:*:*:*:*:*","publisher":"Pub",
             "licenses":[{"license":{"id":"MIT"}},{"license":{"name":"Custom"}}]},
            {"type":"library","name":"m","supplier":{"name":"Sup"},"publisher":"Pub",
             "licenses":[{"expression":"MIT OR Apache-2.0"}]}]}"#,
    );
    let [a, b] = &s.components[..] else {
        panic!("{:?}", s.components)
    };
    assert_eq!(a.id.as_deref(), Some("r"));
    assert_eq!(a.kind.as_deref(), Some("library"));
    assert_eq!(a.version.as_deref(), Some("1.0"));
    assert_eq!(a.purl.as_deref(), Some("pkg:npm/n@1.0"));
    assert!(a.cpe.is_some());
    assert_eq!(
        a.supplier.as_deref(),
        Some("Pub"),
        "publisher when no supplier"
    );
    assert_eq!(a.licenses, ["MIT", "Custom"]);
    assert_eq!(
        b.supplier.as_deref(),
        Some("Sup"),
        "supplier before publisher"
    );
    assert_eq!(b.licenses, ["MIT OR Apache-2.0"]);
    assert!(s.subjects.is_empty());
    assert!(!s.has_dependency_section);
}

#[test]
fn metadata_authors_timestamp_and_serial() {
    let s = valid_json(
        r#"{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,
            "serialNumber":"urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79",
            "metadata":{"timestamp":"2024-05-01T10:00:00Z","authors":[{"name":"Ann"},{"email":"x@example.com"}],
            "manufacturer":{"name":"Maker"},"supplier":{"name":"Ann"}}}"#,
    );
    assert_eq!(s.authors, ["Ann", "Maker"]);
    assert_eq!(s.created.as_deref(), Some("2024-05-01T10:00:00Z"));
    assert_eq!(
        s.serial.as_deref(),
        Some("urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79")
    );
    assert_eq!(s.standard, SbomStandard::CycloneDx);
    assert_eq!(s.encoding, SbomEncoding::Json);
    assert_eq!(s.spec_version, "1.6");
}

#[test]
fn hashes_are_normalised_and_uppercase_hex_is_a_deviation() {
    let upper = "F498A8FF2DD007E29C2074F5E4B01A9A01775C3FF3AEAF6906EA503BC5791B7B";
    let s = valid_json(&format!(
        r#"{{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,"components":[{{"type":"library","name":"n",
            "hashes":[{{"alg":"SHA-256","content":"{upper}"}},{{"alg":"SHA3-512","content":"{}"}}]}}]}}"#,
        "ab".repeat(64)
    ));
    let hashes = &s.components[0].hashes;
    assert_eq!(hashes[0].algorithm, "sha256");
    assert_eq!(hashes[0].value, upper.to_ascii_lowercase());
    assert_eq!(hashes[1].algorithm, "sha3512");
    assert_eq!(s.deviations.len(), 1);
    assert_eq!(s.deviations[0].at, "/components/0/hashes/0/content");
    let x = xml(&xml_bom(
        "1.6",
        &format!(
            r#"<components><component type="library"><name>n</name><hashes>
            <hash alg="SHA-256">{upper}</hash></hashes></component></components>"#
        ),
    ));
    assert_eq!(x.sbom.components[0].hashes, hashes[..1]);
    assert_eq!(x.sbom.deviations.len(), 1);
    assert!(x.sbom.deviations[0].at.starts_with("line "));
}

fn subject_with(extra: &str) -> String {
    format!(
        r#"{{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,
            "metadata":{{"component":{{"type":"application","name":"app"{extra}}}}}}}"#
    )
}

#[test]
fn source_commit_from_a_vcs_reference() {
    for url in [
        format!("git+https://github.com/o/r@{SHA_A}"),
        format!("https://github.com/o/r#{}", SHA_A.to_ascii_uppercase()),
    ] {
        let s = valid_json(&subject_with(&format!(
            r#","externalReferences":[{{"type":"website","url":"https://x.example/@{SHA_A}"}},{{"type":"vcs","url":"{url}"}}]"#
        )));
        assert_eq!(s.source_commit.as_deref(), Some(SHA_A), "{url}");
    }
    // Not 40 hex: no commit.
    let s = valid_json(&subject_with(
        r#","externalReferences":[{"type":"vcs","url":"https://github.com/o/r@v1.2.3"}]"#,
    ));
    assert_eq!(s.source_commit, None);
    let x = xml(&xml_bom(
        "1.6",
        &format!(
            r#"<metadata><component type="application"><name>app</name><externalReferences>
            <reference type="vcs"><url>https://github.com/o/r@{SHA_A}</url></reference>
            </externalReferences></component></metadata>"#
        ),
    ));
    assert_eq!(x.sbom.source_commit.as_deref(), Some(SHA_A));
}

#[test]
fn source_commit_from_properties() {
    for name in [
        "vcs.commit",
        "git.commit",
        "vcs-commit",
        "syft:source:commit",
        "VCS.Commit",
    ] {
        let s = valid_json(&subject_with(&format!(
            r#","properties":[{{"name":"other","value":"{SHA_A}"}},{{"name":"{name}","value":"{SHA_A}"}}]"#
        )));
        assert_eq!(s.source_commit.as_deref(), Some(SHA_A), "{name}");
    }
    let s = valid_json(&subject_with(
        r#","properties":[{"name":"vcs.commit","value":"main"}]"#,
    ));
    assert_eq!(s.source_commit, None);
    // metadata.properties count too, after the subject's own.
    let other = "f".repeat(40);
    let s = valid_json(&format!(
        r#"{{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,"metadata":{{
            "properties":[{{"name":"git.commit","value":"{other}"}}],
            "component":{{"type":"application","name":"app","properties":[{{"name":"vcs.commit","value":"{SHA_A}"}}]}}}}}}"#
    ));
    assert_eq!(s.source_commit.as_deref(), Some(SHA_A));
    // Both are kept: a reader that named only the first would hide the contradiction.
    assert_eq!(s.source_commits, [SHA_A.to_owned(), other.clone()]);
    let x = xml(&xml_bom(
        "1.6",
        &format!(
            r#"<metadata><properties><property name="git.commit">{other}</property></properties></metadata>"#
        ),
    ));
    assert_eq!(x.sbom.source_commit, Some(other));
}

#[test]
fn doctype_is_refused() {
    let doc = r#"<?xml version="1.0"?><!DOCTYPE bom [<!ENTITY x SYSTEM "file:///etc/passwd">]>
        <bom xmlns="http://cyclonedx.org/schema/bom/1.6"><components><component type="library">
        <name>&x;</name></component></components></bom>"#;
    let err = parse_xml(doc.as_bytes(), None).expect_err("refused");
    assert!(
        matches!(&err, SbomError::Syntax { detail, .. } if detail.contains("DOCTYPE")),
        "{err}"
    );
}

#[test]
fn only_predefined_entities_and_character_references_are_expanded() {
    let x = xml(&xml_bom(
        "1.6",
        r#"<components><component type="library"><name>a&amp;b&#x41;&#66;</name></component></components>"#,
    ));
    assert_eq!(x.sbom.components[0].name.as_deref(), Some("a&bAB"));
    let undefined = xml_bom(
        "1.6",
        r#"<components><component type="library"><name>&x;</name></component></components>"#,
    );
    assert!(matches!(
        parse_xml(undefined.as_bytes(), None),
        Err(SbomError::Syntax { .. })
    ));
}

#[test]
fn unsupported_versions_are_refused() {
    for v in ["1.0", "1.1", "1.8", "2.0"] {
        let doc = format!(r#"{{"bomFormat":"CycloneDX","specVersion":"{v}","version":1}}"#);
        assert!(
            matches!(parse_json(doc.as_bytes()), Err(SbomError::UnsupportedVersion { version, .. }) if version == v),
            "{v}"
        );
        let doc = format!(r#"<bom xmlns="http://cyclonedx.org/schema/bom/{v}"/>"#);
        assert!(
            matches!(parse_xml(doc.as_bytes(), None), Err(SbomError::UnsupportedVersion { version, .. }) if version == v),
            "{v}"
        );
    }
    assert!(matches!(
        parse_json(br#"{"bomFormat":"CycloneDX","specVersion":1.6}"#),
        Err(SbomError::Field { .. })
    ));
    assert!(matches!(
        parse_json(br#"{"bomFormat":"CycloneDX"}"#),
        Err(SbomError::Field { .. })
    ));
}

#[test]
fn documents_that_are_not_cyclonedx() {
    for doc in [
        &br#"{"bomFormat":"SPDX","specVersion":"1.6"}"#[..],
        br#"{"specVersion":"1.6"}"#,
        br"[1,2]",
        br#""CycloneDX""#,
    ] {
        assert!(
            matches!(parse_json(doc), Err(SbomError::NotAnSbom(_))),
            "{}",
            String::from_utf8_lossy(doc)
        );
    }
    assert!(matches!(
        parse_xml(br#"<bom xmlns="urn:other"/>"#, None),
        Err(SbomError::NotAnSbom(_))
    ));
    assert!(matches!(
        parse_xml(
            br#"<sbom xmlns="http://cyclonedx.org/schema/bom/1.6"/>"#,
            None
        ),
        Err(SbomError::NotAnSbom(_))
    ));
    assert!(matches!(
        parse_json(br#"{"bomFormat":"CycloneDX","#),
        Err(SbomError::Syntax { .. })
    ));
    assert!(matches!(
        parse_xml(
            br#"<bom xmlns="http://cyclonedx.org/schema/bom/1.6"><components>"#,
            None
        ),
        Err(SbomError::Syntax { .. })
    ));
}

#[test]
fn spec_version_after_the_arrays_still_validates_them() {
    let p = json(
        r#"{"components":[{"type":"library","name":"a"},{"type":"nonsense","name":"b"}],
            "dependencies":[{"ref":"a"}],"bomFormat":"CycloneDX","specVersion":"1.6","version":1}"#,
    );
    assert!(p.validated);
    assert_eq!(names(&p.sbom.components), ["a", "b"]);
    assert_eq!(p.violations.len(), 1, "{:?}", p.violations);
    assert_eq!(p.violations[0].at, "/components/1/type");
    assert!(p.sbom.has_dependency_section);
    // Where the look-ahead cannot read it (a repeated key), the elements wait for it.
    let doc = r#"{"components":[{"type":"library","name":"a"}],"bomFormat":"CycloneDX",
        "specVersion":"1.6","specVersion":"1.6"}"#;
    assert!(matches!(
        parse_json(doc.as_bytes()),
        Err(SbomError::Syntax { .. })
    ));
}

#[test]
fn items_must_be_unique() {
    let p = json(
        r#"{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,
            "components":[{"type":"library","name":"a","version":"1"},{"name":"a","version":"1.0","type":"library"},
                          {"type":"library","bom-ref":"x","name":"x"},{"type":"library","bom-ref":"x","name":"y"}],
            "dependencies":[{"ref":"x","dependsOn":[]},{"dependsOn":[],"ref":"x"}]}"#,
    );
    let at: Vec<&str> = p.violations.iter().map(|v| v.at.as_str()).collect();
    assert_eq!(
        at,
        ["/components/3/bom-ref", "/dependencies/1"],
        "{:?}",
        p.violations
    );
    // Equal by JSON equality: 1 and 1.0, members in any order.
    let p = json(
        r#"{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,
            "dependencies":[{"ref":"x","dependsOn":["a"]},{"dependsOn":["a"],"ref":"x"}],
            "components":[{"type":"library","name":"a","properties":[{"name":"n","value":"1"}]},
                          {"name":"a","type":"library","properties":[{"value":"1","name":"n"}]}]}"#,
    );
    assert_eq!(p.violations.len(), 2, "{:?}", p.violations);
}

#[test]
fn violations_are_capped() {
    let bad: Vec<String> = (0..150)
        .map(|i| format!(r#"{{"type":"nonsense","name":"c{i}"}}"#))
        .collect();
    let p = json(&format!(
        r#"{{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,"components":[{}]}}"#,
        bad.join(",")
    ));
    assert_eq!(p.violations.len(), MAX_VIOLATIONS + 1);
    assert_eq!(p.violations[MAX_VIOLATIONS].message, "... 50 more");
}

#[test]
fn duplicate_top_level_keys_are_refused() {
    for key in ["components", "metadata"] {
        let doc =
            format!(r#"{{"bomFormat":"CycloneDX","specVersion":"1.6","{key}":[],"{key}":[]}}"#);
        assert!(
            matches!(parse_json(doc.as_bytes()), Err(SbomError::Syntax { .. })),
            "{key}"
        );
    }
}

#[test]
fn a_byte_order_mark_is_a_deviation() {
    let p = parse_json(
        b"\xEF\xBB\xBF{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"version\":1}",
    )
    .expect("parsed");
    assert!(p.violations.is_empty());
    assert_eq!(p.sbom.deviations.len(), 1);
}

#[test]
fn every_version_validates() {
    for v in Version::ALL {
        let s = valid_json(&format!(
            r#"{{"bomFormat":"CycloneDX","specVersion":"{}","version":1,"components":[{{"type":"library","name":"a","version":"1"}}],
                "dependencies":[{{"ref":"a"}}]}}"#,
            v.as_str()
        ));
        assert_eq!(s.spec_version, v.as_str());
        assert!(cyclonedx_xsd(v.as_str()).is_some_and(|x| x.starts_with(b"<?xml")));
    }
    assert!(cyclonedx_xsd("1.1").is_none());
    assert!(SPDX_XSD.starts_with(b"<?xml"));
}

#[test]
fn component_count_is_limited() {
    let mut b = Builder::new(SbomEncoding::Json, "1.6");
    b.count = MAX_COMPONENTS - 1;
    assert!(b.admit(0).is_ok());
    assert!(matches!(b.admit(0), Err(SbomError::Limit(_))));
    let mut b = Builder::new(SbomEncoding::Json, "1.6");
    assert!(b.admit(MAX_COMPONENT_NESTING).is_ok());
    assert!(matches!(
        b.admit(MAX_COMPONENT_NESTING + 1),
        Err(SbomError::Limit(_))
    ));
}

#[test]
fn xml_depth_is_limited() {
    let deep = format!(
        "<metadata>{}{}</metadata>",
        "<x>".repeat(MAX_XML_DEPTH),
        "</x>".repeat(MAX_XML_DEPTH)
    );
    assert!(matches!(
        parse_xml(xml_bom("1.6", &deep).as_bytes(), None),
        Err(SbomError::Limit(_))
    ));
    // Foreign (extension) elements count as well.
    let deep = format!(
        r#"<e:x xmlns:e="urn:ext">{}{}</e:x>"#,
        "<e:x>".repeat(MAX_XML_DEPTH),
        "</e:x>".repeat(MAX_XML_DEPTH)
    );
    assert!(matches!(
        parse_xml(xml_bom("1.6", &deep).as_bytes(), None),
        Err(SbomError::Limit(_))
    ));
}

#[test]
fn xml_elements_of_other_namespaces_are_skipped() {
    let x = xml(&xml_bom(
        "1.6",
        r#"<components><component type="library"><name>real</name>
           <e:meta xmlns:e="urn:ext"><name>fake</name><e:purl>pkg:fake</e:purl></e:meta>
           </component></components>"#,
    ));
    assert_eq!(names(&x.sbom.components), ["real"]);
    assert_eq!(x.sbom.components[0].purl, None);
}

#[test]
fn xml_control_characters_are_refused() {
    let doc = xml_bom(
        "1.6",
        "<components><component type=\"library\"><name>a\u{1}b</name></component></components>",
    );
    assert!(matches!(
        parse_xml(doc.as_bytes(), None),
        Err(SbomError::Syntax { .. })
    ));
}

#[test]
fn xml_must_be_utf8() {
    let doc = r#"<?xml version="1.0" encoding="ISO-8859-1"?><bom xmlns="http://cyclonedx.org/schema/bom/1.6"/>"#;
    assert!(matches!(
        parse_xml(doc.as_bytes(), None),
        Err(SbomError::Syntax { .. })
    ));
}

struct Fixed(Result<Vec<Violation>, String>);

impl XmlSchemaValidator for Fixed {
    fn validate_cyclonedx(&self, _: &[u8], v: &str) -> Result<Vec<Violation>, String> {
        assert_eq!(v, "1.6");
        self.0.clone()
    }
}

#[test]
fn xml_validation_comes_from_the_injected_validator() {
    let doc = xml_bom("1.6", "");
    let ok = parse_xml(doc.as_bytes(), Some(&Fixed(Ok(Vec::new())))).expect("parsed");
    assert!(ok.validated && ok.violations.is_empty());
    let violation = Violation {
        at: "line 1".into(),
        message: "bad".into(),
    };
    let bad = parse_xml(doc.as_bytes(), Some(&Fixed(Ok(vec![violation.clone()])))).expect("parsed");
    assert!(bad.validated);
    assert_eq!(bad.violations, [violation]);
    let broken = parse_xml(doc.as_bytes(), Some(&Fixed(Err("no schema".into())))).expect("parsed");
    assert!(!broken.validated && broken.violations.is_empty());
}
