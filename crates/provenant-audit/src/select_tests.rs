use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use super::*;
use crate::population::{parse_population, PopulationFormat};

fn population(rows: usize, extra: impl Fn(usize) -> String, header_extra: &str) -> Population {
    let mut text = format!("id{header_extra}\n");
    for i in 0..rows {
        text.push_str(&format!("rel-{i:05}{}\n", extra(i)));
    }
    parse_population(text.as_bytes(), Path::new("/p"), PopulationFormat::Csv).unwrap()
}

fn ids(s: &Selection) -> Vec<String> {
    s.selected.iter().map(|x| x.id.clone()).collect()
}

/// ChaCha20 with an all-zero key, nonce 0 and counter 0 starts 76 b8 e0 ad a0 f1 3d 90 (the
/// RFC 8439 keystream that docs/audit_select.py computes).
#[test]
fn stream_is_the_chacha20_keystream() {
    let mut rng = ChaCha20Rng::from_seed([0; 32]);
    assert_eq!(rng.next_u64(), 0x903d_f1a0_ade0_b876);
    // The seed is hashed: SHA-256("") keys the stream for "".
    let key: [u8; 32] = Sha256::digest(b"audit-2024").into();
    let mut a = ChaCha20Rng::from_seed(key);
    let mut b = Stream::new("audit-2024");
    assert_eq!(a.next_u64(), b.next_u64());
}

#[test]
fn same_seed_same_sample_other_seed_other_sample() {
    let pop = population(500, |_| String::new(), "");
    for method in [Method::Random, Method::Systematic] {
        let a = select(&pop, "FY2024-ITGC-CM", 25, &method).unwrap();
        let b = select(&pop, "FY2024-ITGC-CM", 25, &method).unwrap();
        let c = select(&pop, "FY2024-ITGC-CM.", 25, &method).unwrap();
        assert_eq!(ids(&a), ids(&b));
        assert_ne!(ids(&a), ids(&c));
        assert_eq!(a.selected.len(), 25);
        assert_eq!(ids(&a).into_iter().collect::<BTreeSet<_>>().len(), 25);
    }
}

#[test]
fn file_order_does_not_matter_rows_are_sorted_by_id() {
    let pop = population(50, |_| String::new(), "");
    let mut rev = pop.clone();
    rev.rows.reverse();
    for method in [Method::Random, Method::Systematic] {
        assert_eq!(
            ids(&select(&pop, "s", 10, &method).unwrap()),
            ids(&select(&rev, "s", 10, &method).unwrap())
        );
    }
}

#[test]
fn random_is_uniform_enough() {
    // 2000 seeds, 5 of 20: each row ~500 times.
    let pop = population(20, |_| String::new(), "");
    let mut counts = BTreeMap::new();
    for s in 0..2000 {
        for id in ids(&select(&pop, &s.to_string(), 5, &Method::Random).unwrap()) {
            *counts.entry(id).or_insert(0u32) += 1;
        }
    }
    assert_eq!(counts.len(), 20);
    assert!(
        counts.values().all(|c| (400..600).contains(c)),
        "{counts:?}"
    );
}

#[test]
fn systematic_takes_every_kth_from_a_random_start() {
    let pop = population(100, |_| String::new(), "");
    let s = select(&pop, "x", 10, &Method::Systematic).unwrap();
    let pos: Vec<u64> = s
        .selected
        .iter()
        .map(|x| x.id[4..].parse().unwrap())
        .collect();
    for w in pos.windows(2) {
        assert_eq!(w[1] - w[0], 10);
    }
    let s = select(&pop, "x", 100, &Method::Systematic).unwrap();
    assert_eq!(s.selected.len(), 100);
}

#[test]
fn stratified_allocates_proportionally_with_at_least_one_per_stratum() {
    // 90 in "big", 9 in "mid", 1 in "tiny".
    let pop = population(
        100,
        |i| match i {
            0 => ",tiny".into(),
            1..=9 => ",mid".into(),
            _ => ",big".into(),
        },
        ",team",
    );
    let m = Method::Stratified {
        column: "team".into(),
    };
    let s = select(&pop, "seed", 10, &m).unwrap();
    let alloc: Vec<(String, u64)> = s
        .strata
        .iter()
        .map(|x| (x.value.clone(), x.sample))
        .collect();
    // floor: big 9, mid 0 → 1, tiny 0 → 1: 11 > 10, so big (smallest remainder, > 1) gives one.
    assert_eq!(
        alloc,
        vec![("big".into(), 8), ("mid".into(), 1), ("tiny".into(), 1)]
    );
    assert_eq!(s.selected.len(), 10);
    assert!(s.selected.iter().any(|x| x.id == "rel-00000"));
    assert_eq!(
        select(&pop, "seed", 2, &m).unwrap_err(),
        SelectError::FewerItemsThanStrata { strata: 3, size: 2 }
    );
    // Largest remainders fill up: 7 of (5, 3, 2) → 3.5, 2.1, 1.4 → 3, 2, 1 + 1 to the 0.5.
    let pop = population(
        10,
        |i| {
            if i < 5 {
                ",a"
            } else if i < 8 {
                ",b"
            } else {
                ",c"
            }
            .into()
        },
        ",s",
    );
    let s = select(&pop, "q", 7, &Method::Stratified { column: "s".into() }).unwrap();
    assert_eq!(
        s.strata.iter().map(|x| x.sample).collect::<Vec<_>>(),
        vec![4, 2, 1]
    );
}

#[test]
fn stratified_refuses_rows_without_a_stratum() {
    let pop = population(
        5,
        |i| if i == 3 { ",".into() } else { ",a".into() },
        ",team",
    );
    assert_eq!(
        select(
            &pop,
            "s",
            2,
            &Method::Stratified {
                column: "team".into()
            }
        )
        .unwrap_err(),
        SelectError::MissingValue {
            column: "team".into(),
            lines: vec![5]
        }
    );
    assert!(matches!(
        select(
            &pop,
            "s",
            2,
            &Method::Stratified {
                column: "nope".into()
            }
        ),
        Err(SelectError::MissingValue { .. })
    ));
}

#[test]
fn pps_follows_the_weights_and_never_takes_a_zero_weight() {
    // Row 0 weighs 1000, rows 1..9 weigh 1, row 9 weighs 0.
    let pop = population(
        10,
        |i| match i {
            0 => ",1000".into(),
            9 => ",0".into(),
            _ => ",1.0".into(),
        },
        ",changes",
    );
    let m = Method::Pps {
        column: "changes".into(),
    };
    let mut first_heavy = 0;
    for s in 0..200 {
        let sel = select(&pop, &s.to_string(), 3, &m).unwrap();
        assert!(sel.selected.iter().all(|x| x.id != "rel-00009"));
        if sel.selected[0].id == "rel-00000" {
            first_heavy += 1;
        }
    }
    assert!(first_heavy > 190, "{first_heavy}");
    assert!(matches!(
        select(&pop, "s", 10, &m),
        Err(SelectError::SizeOverPopulation { available: 9, .. })
    ));
    for bad in ["-1", "1e3", "0.1234567", "x", "1."] {
        let pop = population(2, |_| format!(",{bad}"), ",w");
        assert!(
            matches!(
                select(&pop, "s", 1, &Method::Pps { column: "w".into() }),
                Err(SelectError::BadWeight { .. })
            ),
            "{bad}"
        );
    }
    assert_eq!(weight_units("12.5"), Some(12_500_000));
    assert_eq!(weight_units("0.000001"), Some(1));
}

#[test]
fn bad_requests_are_refused() {
    let pop = population(3, |_| String::new(), "");
    assert_eq!(
        select(&pop, "", 1, &Method::Random).unwrap_err(),
        SelectError::EmptySeed
    );
    assert_eq!(
        select(&pop, "s", 0, &Method::Random).unwrap_err(),
        SelectError::ZeroSize
    );
    assert!(matches!(
        select(&pop, "s", 4, &Method::Random),
        Err(SelectError::SizeOverPopulation {
            size: 4,
            available: 3,
            ..
        })
    ));
    let all = select(&pop, "s", 3, &Method::Random).unwrap();
    assert_eq!(all.selected.len(), 3);
    assert_eq!(all.rows(&pop).len(), 3);
}

#[test]
fn below_rejects_the_biased_zone() {
    let mut s = Stream::new("x");
    for m in [1u64, 2, 3, 7, u64::MAX] {
        for _ in 0..100 {
            assert!(s.below(m) < m);
        }
    }
}
