use super::*;

fn csv(text: &str) -> Result<Population, PopulationError> {
    parse_population(text.as_bytes(), Path::new("/pop"), PopulationFormat::Csv)
}

fn jsonl(text: &str) -> Result<Population, PopulationError> {
    parse_population(
        text.as_bytes(),
        Path::new("/pop"),
        PopulationFormat::JsonLines,
    )
}

fn problems(r: Result<Population, PopulationError>) -> Vec<(u64, ProblemKind)> {
    match r {
        Err(PopulationError::Invalid { problems, .. }) => {
            problems.into_iter().map(|p| (p.line, p.kind)).collect()
        }
        other => panic!("expected problems, got {other:?}"),
    }
}

const C40: &str = "0123456789abcdef0123456789abcdef01234567";

#[test]
fn csv_reads_every_known_column_and_keeps_the_rest() {
    let text = format!(
        "id,subject,bundle,sbom,commit,released_at,owner,repository,policy,team\n\
         r1,dist/app.tar.gz,a.json;b.json,s.cdx.json,{C40},2024-05-01T12:00:00Z,alice,org/app,p.yaml,payments\n\
         \"r2\",sha256:{},,,,,,,,\"a, \"\"quoted\"\" team\"\n",
        "ab".repeat(32)
    );
    let pop = csv(&text).unwrap();
    assert_eq!(pop.rows.len(), 2);
    assert_eq!(pop.sha256, hex::encode(Sha256::digest(text.as_bytes())));
    let r1 = &pop.rows[0];
    assert_eq!(r1.line, 2);
    assert_eq!(
        r1.subject,
        Some(SubjectRef::File(PathBuf::from("/pop/dist/app.tar.gz")))
    );
    assert_eq!(
        r1.evidence.bundle,
        vec![PathBuf::from("/pop/a.json"), PathBuf::from("/pop/b.json")]
    );
    assert_eq!(r1.commit.as_deref(), Some(C40));
    assert_eq!(r1.policy, Some(PathBuf::from("/pop/p.yaml")));
    assert_eq!(r1.attributes["team"], "payments");
    let r2 = &pop.rows[1];
    assert_eq!(r2.line, 3);
    assert!(matches!(r2.subject, Some(SubjectRef::Digest(_))));
    assert_eq!(r2.attributes["team"], "a, \"quoted\" team");
    assert!(r2.evidence.bundle.is_empty());
}

#[test]
fn duplicate_ids_are_listed_with_both_lines() {
    let p = problems(csv("id\na\nb\na\n"));
    assert_eq!(
        p,
        vec![(
            4,
            ProblemKind::DuplicateId {
                id: "a".into(),
                first_line: 2
            }
        )]
    );
    let p = problems(jsonl("{\"id\":\"a\"}\n{\"id\":\"a\"}\n"));
    assert_eq!(p[0].0, 2);
}

#[test]
fn malformed_rows_are_listed_with_file_lines_never_dropped() {
    let p = problems(csv("id,team\na,x\nb\nc,\"open\nd,y\n"));
    // b has one field; the quote opened on line 4 never closes.
    assert_eq!(
        p[0],
        (
            3,
            ProblemKind::FieldCount {
                expected: 2,
                found: 1
            }
        )
    );
    assert_eq!(p[1].0, 4);
    assert!(matches!(p[1].1, ProblemKind::Malformed(_)));
    let p = problems(csv("id,team\na,x\"y\nb,\"q\"z\n"));
    assert_eq!(p.iter().map(|x| x.0).collect::<Vec<_>>(), vec![2, 3]);
    // A quoted newline is read (and refused as a control character) and the next row keeps its
    // file line.
    let p = problems(csv("id,team\na,\"x\ny\"\nb,z,w\n"));
    assert_eq!(p.iter().map(|x| x.0).collect::<Vec<_>>(), vec![2, 4]);
    let p = problems(csv("id\na\n\nb\n"));
    assert_eq!(p, vec![(3, ProblemKind::MissingId)]);
    let p = problems(jsonl(
        "{\"id\":\"a\"}\n\n{\"id\":\"b\"\n[1]\n{\"id\":\"c\",\"id\":\"d\"}\n",
    ));
    assert_eq!(p.iter().map(|x| x.0).collect::<Vec<_>>(), vec![2, 3, 4, 5]);
    assert_eq!(p[0].1, ProblemKind::EmptyLine);
}

#[test]
fn values_of_the_wrong_type_are_listed() {
    let p = problems(jsonl(
        "{\"id\":\"a\",\"bundle\":\"x.json\"}\n{\"id\":\"b\",\"team\":{\"x\":1}}\n{\"id\":7}\n{\"id\":\"c\",\"commit\":null}\n{\"id\":\"d\",\"sbom\":[\"a\",3]}\n",
    ));
    let lines: Vec<u64> = p.iter().map(|x| x.0).collect();
    assert_eq!(lines, vec![1, 2, 3, 4, 5]);
    assert!(
        matches!(&p[0].1, ProblemKind::UnknownType { column, found: "string", .. } if column == "bundle")
    );
    assert!(matches!(
        &p[1].1,
        ProblemKind::UnknownType {
            found: "object",
            ..
        }
    ));
    assert!(matches!(
        &p[2].1,
        ProblemKind::UnknownType {
            found: "number",
            ..
        }
    ));
    assert!(matches!(
        &p[3].1,
        ProblemKind::UnknownType { found: "null", .. }
    ));
    assert!(matches!(
        &p[4].1,
        ProblemKind::UnknownType {
            found: "number",
            ..
        }
    ));
    // Numbers and booleans are fine as attributes.
    let pop =
        jsonl("{\"id\":\"a\",\"size\":12.5,\"hotfix\":true,\"bundle\":[\"b.json\"]}\n").unwrap();
    assert_eq!(pop.rows[0].attributes["size"], "12.5");
    assert_eq!(pop.rows[0].attributes["hotfix"], "true");
}

#[test]
fn misspelt_known_columns_and_bad_values_are_refused() {
    let p = problems(csv("id,Commit,released-at,ci-run,bundles\na,x,y,z,w\n"));
    assert_eq!(p.len(), 4);
    assert!(p
        .iter()
        .all(|x| x.0 == 1 && matches!(x.1, ProblemKind::LooksLikeKnown { .. })));
    let p = problems(csv(&format!(
        "id,commit,released_at,bundle,subject\na,{},2024-13-01,x;;y,sha256:zz\n",
        C40.to_uppercase()
    )));
    assert_eq!(p.len(), 4, "{p:?}");
    let p = problems(csv("id,id\na,b\n"));
    assert_eq!(p[0], (1, ProblemKind::DuplicateColumn("id".into())));
    let p = problems(csv("id,line\na,b\n"));
    assert_eq!(p[0].0, 1);
}

#[test]
fn ids_must_name_files() {
    for bad in ["../x", ".hidden", "a/b", "a b", "é"] {
        let p = problems(csv(&format!("id\n\"{bad}\"\n")));
        assert!(matches!(p[0].1, ProblemKind::BadId(_)), "{bad}");
    }
    assert!(csv(&format!("id\n{}\n", "a".repeat(129))).is_err());
    assert!(csv("id\nv1.2.3+build:7@x_y-z\n").is_ok());
}

#[test]
fn subjects_are_files_digests_or_images() {
    let s = |t: &str| subject(t, Path::new("/d")).unwrap();
    assert_eq!(s("app.tar.gz"), SubjectRef::File("/d/app.tar.gz".into()));
    assert_eq!(
        s("./build.out/app"),
        SubjectRef::File("/d/./build.out/app".into())
    );
    assert!(matches!(s("ghcr.io/org/app:1.0"), SubjectRef::Image(_)));
    assert!(matches!(s("localhost:5000/app"), SubjectRef::Image(_)));
    assert!(matches!(
        s(&format!("app@sha256:{}", "a".repeat(64))),
        SubjectRef::Image(_)
    ));
    assert!(matches!(s("oci-layout:dir"), SubjectRef::Image(_)));
    assert!(subject("sha256:1234", Path::new("/d")).is_err());
}

#[test]
fn empty_non_utf8_and_oversized_files_are_refused() {
    assert_eq!(csv("id\n").unwrap_err(), PopulationError::Empty);
    assert_eq!(csv("").unwrap_err(), PopulationError::Empty);
    assert_eq!(
        parse_population(b"id\na\n\xff\n", Path::new("/"), PopulationFormat::Csv).unwrap_err(),
        PopulationError::NotUtf8 { line: 3 }
    );
    // A BOM and CRLF line ends are read.
    let pop = csv("\u{feff}id,team\r\na,x\r\n").unwrap();
    assert_eq!(pop.rows[0].attributes["team"], "x");
}

#[test]
fn problems_are_reported_on_one_line_and_capped() {
    let text: String = std::iter::once("id\n".to_owned())
        .chain((0..80).map(|_| "a\n".to_owned()))
        .collect();
    let err = csv(&text).unwrap_err();
    let msg = err.to_string();
    assert!(!msg.contains('\n'));
    assert!(msg.starts_with("79 problems"), "{msg}");
    assert!(msg.contains("and 59 more"), "{msg}");
}

#[test]
fn format_is_detected() {
    assert_eq!(
        PopulationFormat::detect("p.csv", b"{"),
        PopulationFormat::Csv
    );
    assert_eq!(
        PopulationFormat::detect("p.jsonl", b"id"),
        PopulationFormat::JsonLines
    );
    assert_eq!(
        PopulationFormat::detect("p", b" {\"id\":1}"),
        PopulationFormat::JsonLines
    );
    assert_eq!(
        PopulationFormat::detect("p", b"id\n"),
        PopulationFormat::Csv
    );
}
