//! Numbers written with a decimal comma (`decimal = ","`): `1.234,5`,
//! `12,5`, `-1.000.000`.
//!
//! The rule: `,` is the decimal mark (at most one); `.` groups thousands in
//! the integer part only, in groups of exactly three digits after the first
//! group of one to three. Anything else is not a number in this notation,
//! so `1.5` (a decimal point in a decimal-comma file) is an error, never
//! fifteen.

/// The number in Rust's notation (`1234.5`), or `None` when `value` does
/// not follow the decimal-comma rule.
pub(super) fn from_decimal_comma(value: &str) -> Option<String> {
    let (sign, unsigned) = match value.strip_prefix(['-', '+']) {
        Some(rest) => (&value[..1], rest),
        None => ("", value),
    };
    let (integer, fraction) = match unsigned.split_once(',') {
        Some((i, f)) => (i, Some(f)),
        None => (unsigned, None),
    };
    if fraction.is_some_and(|f| f.contains([',', '.'])) {
        return None;
    }
    let integer = if integer.contains('.') {
        ungroup(integer)?
    } else {
        integer.to_owned()
    };
    Some(match fraction {
        Some(f) => format!("{sign}{integer}.{f}"),
        None => format!("{sign}{integer}"),
    })
}

/// `1.234.567` -> `1234567`; `None` unless every group after the first has
/// exactly three digits and the first one to three.
fn ungroup(integer: &str) -> Option<String> {
    let mut groups = integer.split('.');
    let first = groups.next()?;
    let digits = |g: &str| g.bytes().all(|b| b.is_ascii_digit());
    if first.is_empty() || first.len() > 3 || !digits(first) {
        return None;
    }
    let mut out = first.to_owned();
    for g in groups {
        if g.len() != 3 || !digits(g) {
            return None;
        }
        out.push_str(g);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_decimal_comma_rule() {
        let ok = [
            ("12,5", "12.5"),
            ("1.234,5", "1234.5"),
            ("-1.000.000", "-1000000"),
            ("+0,25", "+0.25"),
            ("1234", "1234"),
            ("1.234", "1234"),
            (",5", ".5"),
        ];
        for (input, expected) in ok {
            assert_eq!(
                from_decimal_comma(input).as_deref(),
                Some(expected),
                "{input}"
            );
        }
        for bad in [
            "1.5", "1.23,4", "1,2,3", "1.2345", "12,5.0", ".123", "1..234", "1234.567",
        ] {
            assert_eq!(from_decimal_comma(bad), None, "{bad}");
        }
    }
}
