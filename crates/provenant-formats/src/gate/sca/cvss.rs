//! CVSS v3.0 / v3.1 base scores from vector strings (FIRST, CVSS v3.1 specification §7.1 and
//! Appendix A), for tools that give a vector but no score (cargo-audit, OSV `severity`).

/// The base score of a CVSS v3.0 or v3.1 vector (`CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H`
/// is 9.8); `None` when `vector` is not a well-formed v3 vector (other versions, a missing,
/// repeated or unknown metric, an unknown value).
///
/// Temporal and environmental metrics are accepted and ignored: the base score is what tools
/// and advisories report.
pub fn cvss3_base_score(vector: &str) -> Option<f64> {
    let rest = vector
        .strip_prefix("CVSS:3.1/")
        .or_else(|| vector.strip_prefix("CVSS:3.0/"))?;
    // AV, AC, PR, UI, S, C, I, A as the spec's letters.
    let mut base: [Option<u8>; 8] = [None; 8];
    let mut others: Vec<&str> = Vec::new();
    for part in rest.split('/') {
        let (key, value) = part.split_once(':')?;
        let mut chars = value.chars();
        let letter = chars.next()?;
        if chars.next().is_some() || !letter.is_ascii_uppercase() {
            return None;
        }
        let slot = match key {
            "AV" => 0,
            "AC" => 1,
            "PR" => 2,
            "UI" => 3,
            "S" => 4,
            "C" => 5,
            "I" => 6,
            "A" => 7,
            "E" | "RL" | "RC" | "CR" | "IR" | "AR" | "MAV" | "MAC" | "MPR" | "MUI" | "MS"
            | "MC" | "MI" | "MA" => {
                if others.contains(&key) {
                    return None;
                }
                others.push(key);
                continue;
            }
            _ => return None,
        };
        if base[slot].replace(letter as u8).is_some() {
            return None;
        }
    }
    let [Some(av), Some(ac), Some(pr), Some(ui), Some(s), Some(c), Some(i), Some(a)] = base else {
        return None;
    };
    let changed = match s {
        b'U' => false,
        b'C' => true,
        _ => return None,
    };
    let av = match av {
        b'N' => 0.85,
        b'A' => 0.62,
        b'L' => 0.55,
        b'P' => 0.2,
        _ => return None,
    };
    let ac = match ac {
        b'L' => 0.77,
        b'H' => 0.44,
        _ => return None,
    };
    let pr = match (pr, changed) {
        (b'N', _) => 0.85,
        (b'L', false) => 0.62,
        (b'L', true) => 0.68,
        (b'H', false) => 0.27,
        (b'H', true) => 0.5,
        _ => return None,
    };
    let ui = match ui {
        b'N' => 0.85,
        b'R' => 0.62,
        _ => return None,
    };
    let cia = |m: u8| match m {
        b'H' => Some(0.56),
        b'L' => Some(0.22),
        b'N' => Some(0.0),
        _ => None,
    };
    let (c, i, a) = (cia(c)?, cia(i)?, cia(a)?);
    let iss = 1.0 - (1.0 - c) * (1.0 - i) * (1.0 - a);
    let impact = if changed {
        7.52 * (iss - 0.029) - 3.25 * (iss - 0.02_f64).powi(15)
    } else {
        6.42 * iss
    };
    if impact <= 0.0 {
        return Some(0.0);
    }
    let exploitability = 8.22 * av * ac * pr * ui;
    let score = if changed {
        roundup((1.08 * (impact + exploitability)).min(10.0))
    } else {
        roundup((impact + exploitability).min(10.0))
    };
    Some(score)
}

/// The specification's `Roundup` (v3.1 Appendix A): the smallest one-decimal number not below
/// `x`, computed on integers so that 4.000000000000001 rounds to 4.0, not 4.1.
fn roundup(x: f64) -> f64 {
    // `x` is in 0..=10 here, so the cast cannot overflow or lose sign.
    #[allow(clippy::cast_possible_truncation)]
    let int = (x * 100_000.0).round() as i64;
    if int % 10_000 == 0 {
        int as f64 / 100_000.0
    } else {
        ((int / 10_000) + 1) as f64 / 10.0
    }
}

#[cfg(test)]
mod tests {
    use super::cvss3_base_score;

    #[test]
    fn known_vectors_score_as_published() {
        for (vector, score) in [
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8),
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 6.1),
            // Log4Shell, CVE-2021-44228.
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", 10.0),
            // Heartbleed, CVE-2014-0160.
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N", 7.5),
            // CVE-2019-15542 (ammonia), a v3.0 vector.
            ("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", 7.5),
            ("CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:N", 5.9),
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:L/A:H", 8.6),
            ("CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", 7.8),
            ("CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:L/I:L/A:N", 6.4),
            ("CVSS:3.1/AV:P/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N", 1.6),
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N", 0.0),
            // Base metrics in another order, with temporal metrics: same base score.
            (
                "CVSS:3.1/S:U/AV:N/AC:L/PR:N/UI:N/C:H/I:H/A:H/E:P/RL:O/RC:C",
                9.8,
            ),
        ] {
            assert_eq!(cvss3_base_score(vector), Some(score), "{vector}");
        }
    }

    #[test]
    fn malformed_vectors_have_no_score() {
        for vector in [
            "",
            "CVSS:3.1/",
            "AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
            "CVSS:2.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
            "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
            "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H",
            "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/A:H",
            "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:X",
            "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:X/C:H/I:H/A:H",
            "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/ZZ:1",
            "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:HH",
            "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:",
            "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/",
            "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:P/E:P",
            "CVSS:3.1/AV:é/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
        ] {
            assert_eq!(cvss3_base_score(vector), None, "{vector:?}");
        }
    }
}
