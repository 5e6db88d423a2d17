//! The bounds of a pack's numbers, checked where they are read (base pack
//! and tailored overrides alike): points, shares, and finite parameters.
//! Each check returns what is wrong, in words; the loader adds where.

/// The most points one criterion may carry. cx-ops gives an item 60 to 100
/// points (2,000 in all); a hundred times that is room for any other
/// weighting, and far below where sums of points lose precision.
pub const MAX_POINTS: f64 = 10_000.0;

/// Why `points` cannot weigh a criterion: not a number above 0 and at most
/// [`MAX_POINTS`].
pub fn points_problem(points: f64) -> Option<String> {
    (!(points > 0.0 && points <= MAX_POINTS)).then(|| {
        format!(
            "points must be a number above 0 and at most {MAX_POINTS}, found {}",
            shown(points)
        )
    })
}

/// Why `value` is not a share (a score threshold or minimum): not a number
/// between 0 and 1.
pub fn share_problem(value: f64) -> Option<String> {
    (!(0.0..=1.0).contains(&value))
        .then(|| format!("must be a share between 0 and 1, found {}", shown(value)))
}

/// Every number that is not finite (NaN, inf, -inf) in a parameter value,
/// with the path below the parameter (`""` for the value itself,
/// `.voice` or `[2]` inside a table or a list), in document order.
pub fn non_finite(value: &toml::Value) -> Vec<(String, f64)> {
    let mut found = Vec::new();
    collect_non_finite(value, String::new(), &mut found);
    found
}

fn collect_non_finite(value: &toml::Value, path: String, found: &mut Vec<(String, f64)>) {
    match value {
        toml::Value::Float(f) if !f.is_finite() => found.push((path, *f)),
        toml::Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                collect_non_finite(item, format!("{path}[{i}]"), found);
            }
        }
        toml::Value::Table(table) => {
            for (key, item) in table {
                collect_non_finite(item, format!("{path}.{key}"), found);
            }
        }
        _ => {}
    }
}

/// The message for a parameter number that is not finite.
pub fn non_finite_message(value: f64) -> String {
    format!(
        "a parameter must be a finite number, found {}",
        shown(value)
    )
}

/// A number as a person wrote it: `-300`, `7.5`, `NaN`, `inf`, and very
/// large or small magnitudes in exponent form (`1.7e308`, not 309 digits).
pub fn shown(value: f64) -> String {
    let magnitude = value.abs();
    if value.is_finite() && magnitude != 0.0 && !(1e-6..1e16).contains(&magnitude) {
        format!("{value:e}")
    } else {
        format!("{value}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_are_above_zero_and_at_most_the_maximum() {
        for ok in [0.5, 1.0, 100.0, MAX_POINTS] {
            assert_eq!(points_problem(ok), None, "{ok}");
        }
        for bad in [-300.0, 0.0, f64::NAN, 1.7e308, f64::INFINITY, 10_000.5] {
            assert!(points_problem(bad).is_some(), "{bad}");
        }
        assert_eq!(
            points_problem(-300.0).unwrap(),
            "points must be a number above 0 and at most 10000, found -300"
        );
    }

    #[test]
    fn numbers_are_shown_as_written() {
        assert_eq!(shown(-300.0), "-300");
        assert_eq!(shown(0.0), "0");
        assert_eq!(shown(7.5), "7.5");
        assert_eq!(shown(1.7e308), "1.7e308");
        assert_eq!(shown(2.5e-9), "2.5e-9");
        assert_eq!(shown(f64::NAN), "NaN");
        assert_eq!(shown(f64::NEG_INFINITY), "-inf");
    }

    #[test]
    fn shares_are_between_zero_and_one_inclusive() {
        for ok in [0.0, 0.75, 1.0] {
            assert_eq!(share_problem(ok), None, "{ok}");
        }
        for bad in [7.5, -0.1, 1.000_001, f64::NAN] {
            assert!(share_problem(bad).is_some(), "{bad}");
        }
    }

    #[test]
    fn non_finite_numbers_are_found_at_any_depth() {
        let value: toml::Table =
            toml::from_str("p = { a = 1.0, b = [0.5, nan], c = { d = -inf }, e = \"nan\" }")
                .unwrap();
        let found = non_finite(&value["p"]);
        let paths: Vec<&str> = found.iter().map(|(p, _)| p.as_str()).collect();
        // `e` is the string "nan", not a number.
        assert_eq!(paths, [".b[1]", ".c.d"]);
        assert!(found[0].1.is_nan());
        assert_eq!(found[1].1, f64::NEG_INFINITY);
        assert_eq!(non_finite(&toml::Value::Float(f64::INFINITY)).len(), 1);
        assert!(non_finite(&toml::Value::Float(1.7e308)).is_empty());
    }
}
