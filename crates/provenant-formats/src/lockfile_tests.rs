use super::*;

fn names(p: &[LockedPackage]) -> Vec<(String, Option<String>)> {
    p.iter()
        .map(|p| (p.name.clone(), p.version.clone()))
        .collect()
}

#[test]
fn the_workspaces_own_cargo_lock_reads() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../Cargo.lock");
    let bytes = std::fs::read(path).unwrap();
    let p = parse_lockfile("Cargo.lock", &bytes).unwrap();
    assert!(p.len() > 100, "{}", p.len());
    let serde = p.iter().find(|p| p.name == "serde").unwrap();
    assert!(serde.purl.starts_with("pkg:cargo/serde@"));
    assert!(serde
        .integrity
        .as_deref()
        .is_some_and(|i| i.starts_with("sha256:")));
    // Workspace members have no checksum, and are listed.
    assert!(p
        .iter()
        .any(|p| p.name == "provenant-formats" && p.integrity.is_none()));
}

#[test]
fn package_lock_v1_v2_v3() {
    let v1 = br#"{"lockfileVersion":1,"dependencies":{"@scope/a":{"version":"1.0.0","integrity":"sha512-AAA","dependencies":{"b":{"version":"2.0.0"}}}}}"#;
    let p = parse_lockfile("package-lock.json", v1).unwrap();
    assert_eq!(
        names(&p),
        [
            ("@scope/a".into(), Some("1.0.0".into())),
            ("b".into(), Some("2.0.0".into()))
        ]
    );
    assert_eq!(p[0].purl, "pkg:npm/%40scope/a@1.0.0");
    assert_eq!(p[0].integrity.as_deref(), Some("sha512-AAA"));
    for v in [2, 3] {
        let doc = format!(
            r#"{{"lockfileVersion":{v},"packages":{{"":{{"name":"root"}},"node_modules/left-pad":{{"version":"1.3.0","integrity":"sha512-X"}},"node_modules/a/node_modules/left-pad":{{"version":"1.1.0"}},"node_modules/w":{{"link":true,"resolved":"packages/w"}}}}}}"#
        );
        let p = parse_lockfile("sub/package-lock.json", doc.as_bytes()).unwrap();
        assert_eq!(
            names(&p),
            [
                ("left-pad".into(), Some("1.1.0".into())),
                ("left-pad".into(), Some("1.3.0".into()))
            ]
        );
    }
    for bad in [
        &br#"{"lockfileVersion":4,"packages":{}}"#[..],
        br#"{"packages":{}}"#,
        br#"{"lockfileVersion":3,"packages":{"node_modules/x":{}}}"#,
        br#"{"lockfileVersion":3,"packages":{"node_modules/x":{"version":"1","version":"2"}}}"#,
        b"not json",
    ] {
        assert!(
            parse_lockfile("package-lock.json", bad).is_err(),
            "{}",
            String::from_utf8_lossy(bad)
        );
    }
}

#[test]
fn pnpm_lock_versions_5_6_9() {
    let v5 = "lockfileVersion: 5.4\npackages:\n  /lodash/4.17.21:\n    resolution: {integrity: sha512-L}\n  /@babel/core/7.0.0_react@18.0.0:\n    resolution: {integrity: sha512-B}\n";
    let v6 = "lockfileVersion: '6.0'\npackages:\n  /lodash@4.17.21:\n    resolution: {integrity: sha512-L}\n  /@babel/core@7.0.0(react@18.0.0):\n    resolution: {integrity: sha512-B}\n";
    let v9 = "lockfileVersion: '9.0'\npackages:\n  lodash@4.17.21:\n    resolution: {integrity: sha512-L}\n  '@babel/core@7.0.0':\n    resolution: {integrity: sha512-B}\n";
    for doc in [v5, v6, v9] {
        let mut p = names(&parse_lockfile("pnpm-lock.yaml", doc.as_bytes()).unwrap());
        p.sort();
        assert_eq!(
            p,
            [
                ("@babel/core".into(), Some("7.0.0".into())),
                ("lodash".into(), Some("4.17.21".into()))
            ],
            "{doc}"
        );
    }
    assert!(parse_lockfile("pnpm-lock.yaml", b"lockfileVersion: '4.0'\npackages: {}\n").is_err());
    assert!(parse_lockfile("pnpm-lock.yaml", b"packages: {}\n").is_err());
}

#[test]
fn yarn_v1_and_berry() {
    let v1 = "# yarn lockfile v1\n\n\"@types/node@^20.0.0\", \"@types/node@^20.1.0\":\n  version \"20.1.2\"\n  resolved \"https://registry.yarnpkg.com/@types/node/-/node-20.1.2.tgz\"\n  integrity sha512-T\n  dependencies:\n    undici \"^5\"\n\nleft-pad@^1.3.0:\n  version \"1.3.0\"\n";
    let p = parse_lockfile("yarn.lock", v1.as_bytes()).unwrap();
    assert_eq!(
        names(&p),
        [
            ("@types/node".into(), Some("20.1.2".into())),
            ("left-pad".into(), Some("1.3.0".into()))
        ]
    );
    assert_eq!(p[0].integrity.as_deref(), Some("sha512-T"));
    let berry = "__metadata:\n  version: 6\n  cacheKey: 8\n\n\"left-pad@npm:^1.3.0\":\n  version: 1.3.0\n  resolution: \"left-pad@npm:1.3.0\"\n  checksum: abc123\n  languageName: node\n  linkType: hard\n";
    let p = parse_lockfile("yarn.lock", berry.as_bytes()).unwrap();
    assert_eq!(names(&p), [("left-pad".into(), Some("1.3.0".into()))]);
    assert_eq!(p[0].integrity.as_deref(), Some("abc123"));
    assert!(parse_lockfile("yarn.lock", b"left-pad@^1:\n  resolved \"x\"\n").is_err());
    assert!(parse_lockfile("yarn.lock", b"garbage line\n").is_err());
}

#[test]
fn go_sum_lists_modules_not_go_mod_lines() {
    let doc = "golang.org/x/text v0.14.0 h1:ScX5w1eTa3QqT8oi6+ziP7dTV1S2+ALU0bI+0zXKWiQ=\ngolang.org/x/text v0.14.0/go.mod h1:18ZOQIKpY8NJVqYksKHtTdi31H5itFRjB5/qKTNYzSU=\nrsc.io/quote v1.5.2/go.mod h1:LzX7hefJvL54yjefDEDHNONDjII0t9xZLPXsUe+TKr0=\n";
    let p = parse_lockfile("go.sum", doc.as_bytes()).unwrap();
    assert_eq!(
        names(&p),
        [("golang.org/x/text".into(), Some("v0.14.0".into()))]
    );
    assert_eq!(p[0].purl, "pkg:golang/golang.org/x/text@v0.14.0");
    assert!(parse_lockfile("go.sum", b"golang.org/x/text v0.14.0\n").is_err());
    assert!(parse_lockfile("go.sum", b"a v1 sha256:x\n").is_err());
}

#[test]
fn requirements_with_hashes_and_unpinned_lines() {
    let doc = "# pinned\n--index-url https://pypi.org/simple\nRequests==2.31.0 \\\n    --hash=sha256:aaa \\\n    --hash=sha256:bbb\nflask>=2  # unpinned\nzope.interface[docs]==6.0 ; python_version >= '3.8'\n";
    let p = parse_lockfile("requirements-dev.txt", doc.as_bytes()).unwrap();
    assert_eq!(
        names(&p),
        [
            ("requests".into(), Some("2.31.0".into())),
            ("flask".into(), None),
            ("zope-interface".into(), Some("6.0".into()))
        ]
    );
    assert_eq!(p[0].integrity.as_deref(), Some("sha256:aaa"));
    assert_eq!(p[0].purl, "pkg:pypi/requests@2.31.0");
    assert!(parse_lockfile("requirements.txt", b"-r other.txt\n").is_err());
    assert!(parse_lockfile("requirements.txt", b"-e .\n").is_err());
    assert!(parse_lockfile("requirements.txt", b"not a @@ requirement!\n").is_err());
}

#[test]
fn poetry_and_uv_locks() {
    let poetry = "[[package]]\nname = \"Django\"\nversion = \"4.2.0\"\ndescription = \"x = y\"\noptional = false\nfiles = [\n    {file = \"Django-4.2.0.tar.gz\", hash = \"sha256:abc\"},\n]\n\n[package.extras]\nargon2 = [\"argon2-cffi\"]\n\n[[package]]\nname = \"six\"\nversion = \"1.16.0\"\n\n[metadata]\nlock-version = \"2.0\"\ncontent-hash = \"x\"\n";
    let p = parse_lockfile("poetry.lock", poetry.as_bytes()).unwrap();
    assert_eq!(
        names(&p),
        [
            ("django".into(), Some("4.2.0".into())),
            ("six".into(), Some("1.16.0".into()))
        ]
    );
    assert_eq!(p[0].integrity.as_deref(), Some("sha256:abc"));
    let uv = "version = 1\nrequires-python = \">=3.12\"\n\n[[package]]\nname = \"anyio\"\nversion = \"4.4.0\"\nsource = { registry = \"https://pypi.org/simple\" }\ndependencies = [\n    { name = \"idna\" },\n]\nsdist = { url = \"https://x/anyio.tar.gz\", hash = \"sha256:def\", size = 1 }\nwheels = [\n    { url = \"https://x/anyio.whl\", hash = \"sha256:123\", size = 2 },\n]\n";
    let p = parse_lockfile("uv.lock", uv.as_bytes()).unwrap();
    assert_eq!(names(&p), [("anyio".into(), Some("4.4.0".into()))]);
    assert_eq!(p[0].integrity.as_deref(), Some("sha256:def"));
    for bad in [
        "[[package]]\nversion = \"1\"\n",
        "[[package]]\nname = \"a\"\n",
        "[[package]]\nname = \"a\"\nname = \"b\"\nversion = \"1\"\n",
        "[[package]\nname = \"a\"\n",
        "[[package]]\nname = \"a\nversion = \"1\"\n",
        "[[package]]\nname = \"a\"\nversion = \"1\"\nfiles = [\n",
        "just text\n",
    ] {
        assert!(
            parse_lockfile("poetry.lock", bad.as_bytes()).is_err(),
            "{bad}"
        );
    }
    assert!(parse_lockfile(
        "Cargo.lock",
        b"[[package]]\nname = \"a\"\nversion = \"1\"\nchecksum = \"nothex\"\n"
    )
    .is_err());
}

#[test]
fn unknown_names_and_oversized_files_are_errors() {
    assert!(matches!(
        parse_lockfile("Gemfile.lock", b""),
        Err(LockfileError::UnknownKind(_))
    ));
    let big = vec![b' '; usize::try_from(MAX_LOCKFILE_BYTES).unwrap() + 1];
    assert!(matches!(
        parse_lockfile("go.sum", &big),
        Err(LockfileError::Limit(_))
    ));
    assert!(parse_lockfile("go.sum", b"\xff\xfe").is_err());
}

/// A cheap stand-in for the fuzz target in `cargo test`: mutated lockfiles of every kind never
/// panic (they read or are an error).
#[test]
fn mutated_lockfiles_never_panic() {
    let seeds: [(&str, &[u8]); 8] = [
        ("Cargo.lock", b"version = 4\n\n[[package]]\nname = \"a\"\nversion = \"1\"\nchecksum = \"0000000000000000000000000000000000000000000000000000000000000000\"\ndependencies = [\n \"b\",\n]\n"),
        ("package-lock.json", br#"{"lockfileVersion":3,"packages":{"":{},"node_modules/@s/a":{"version":"1","integrity":"sha512-x"}}}"#),
        ("pnpm-lock.yaml", b"lockfileVersion: '9.0'\npackages:\n  '@s/a@1.0.0(p@1)':\n    resolution: {integrity: sha512-x}\n"),
        ("yarn.lock", b"\"@s/a@^1\", a@^2:\n  version \"1.0.0\"\n  integrity sha512-x\n  dependencies:\n    b \"^1\"\n"),
        ("go.sum", b"example.com/m v1.0.0 h1:abc=\nexample.com/m v1.0.0/go.mod h1:def=\n"),
        ("requirements.txt", b"a==1 \\\n  --hash=sha256:00 # c\nb>=2 ; python_version < '3'\nc @ https://x/c.whl\n"),
        ("poetry.lock", b"[[package]]\nname = \"\xc3\xa9a\"\nversion = \"1\"\nfiles = [\n {file = \"a\", hash = \"sha256:00\"},\n]\n[package.extras]\nx = [\"y\"]\n"),
        ("uv.lock", b"version = 1\n[[package]]\nname = \"a\"\nversion = \"1\"\nsdist = { url = \"u\", hash = \"sha256:00\" }\ndescription = \"\"\"\nmulti\n\"\"\"\n"),
    ];
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let alphabet = b"\"'[]{}()@:=,#\\/\n \t-._^~\xc3\xa9\xff0aZ";
    for (name, seed) in seeds {
        assert!(parse_lockfile(name, seed).is_ok(), "{name} seed reads");
        for _ in 0..3000 {
            let mut m = seed.to_vec();
            for _ in 0..(next() % 4 + 1) {
                let at = usize::try_from(next() % (m.len() as u64 + 1)).unwrap();
                let b = alphabet[usize::try_from(next() % alphabet.len() as u64).unwrap()];
                match next() % 3 {
                    0 if at < m.len() => m[at] = b,
                    1 => m.insert(at, b),
                    _ if at < m.len() => {
                        m.remove(at);
                    }
                    _ => {}
                }
            }
            for other in [
                "Cargo.lock",
                "package-lock.json",
                "pnpm-lock.yaml",
                "yarn.lock",
                "go.sum",
                "requirements.txt",
                "poetry.lock",
                "uv.lock",
            ] {
                let _ = parse_lockfile(other, &m);
            }
        }
    }
}
