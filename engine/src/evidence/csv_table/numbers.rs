//! Numbers written with a decimal comma (`decimal = ","`): `1.234,5`,
//! `12,5`, `-1.000.000`.
//!
//! The rule: `,` is the decimal mark (at most one); `.` groups thousands in
//! the integer part only, in groups of exactly three digits after the first
//! group of one to three. Anything else is not a number in this notation,
//! so `1.5` (a decimal point in a decimal-comma file) is an error, never
//! fifteen.
//!
//! Also the short decimals most exports write (`0.0`, `123.45`), read
//! without the general float parser.

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

/// A number of the shape `-?D+(.D+)?` with at most 15 digits in all (so the
/// digits make an integer a `f64` holds exactly, and the power of ten is
/// exact too), as `value.parse::<f64>()` reads it: one correctly rounded
/// division of two exact values. `None` for every other shape (the caller
/// then parses it in full).
pub(super) fn short_decimal(value: &str) -> Option<f64> {
    /// Powers of ten, each exact as a `f64`.
    const POWERS: [f64; 16] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
    ];
    let (negative, unsigned) = match value.as_bytes() {
        [b'-', rest @ ..] => (true, rest),
        bytes => (false, bytes),
    };
    let (integer, fraction) = match unsigned.iter().position(|&b| b == b'.') {
        Some(point) => (&unsigned[..point], &unsigned[point + 1..]),
        None => (unsigned, &[][..]),
    };
    let point_written = integer.len() < unsigned.len();
    if integer.is_empty()
        || (point_written && fraction.is_empty())
        || integer.len() + fraction.len() > 15
    {
        return None;
    }
    let mut mantissa = 0u64;
    for &b in integer.iter().chain(fraction) {
        let digit = b.wrapping_sub(b'0');
        if digit > 9 {
            return None;
        }
        mantissa = mantissa * 10 + u64::from(digit);
    }
    let magnitude = mantissa as f64 / POWERS[fraction.len()];
    Some(if negative { -magnitude } else { magnitude })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Short decimals read as the float parser reads them, to the bit (the
    /// sign of zero included); every other shape is left to it.
    #[test]
    fn short_decimals_read_as_the_float_parser_reads_them() {
        for (value, expected) in [("0.0", 0.0), ("-0.0", -0.0), ("12", 12.0), ("0.1", 0.1)] {
            let got = short_decimal(value).map(f64::to_bits);
            assert_eq!(got, Some(f64::to_bits(expected)), "{value}");
        }
        for other in [
            "",
            "-",
            ".5",
            "5.",
            "+1",
            "1e3",
            "1.2.3",
            "1,5",
            " 1",
            "0x1",
            "1234567890123456",
        ] {
            assert_eq!(short_decimal(other), None, "{other}");
        }
    }

    proptest::proptest! {
        /// Any digits, any point, any sign: the same bits as `str::parse`
        /// where it reads the value, `None` only for the shapes it leaves.
        #[test]
        fn short_decimal_is_the_float_parser(
            negative in proptest::bool::ANY,
            integer in "[0-9]{1,16}",
            fraction in proptest::option::of("[0-9]{1,16}"),
        ) {
            let value = format!(
                "{}{integer}{}",
                if negative { "-" } else { "" },
                fraction.as_deref().map(|f| format!(".{f}")).unwrap_or_default()
            );
            match short_decimal(&value) {
                Some(v) => proptest::prop_assert_eq!(
                    v.to_bits(),
                    value.parse::<f64>().map(f64::to_bits).unwrap_or_default(),
                    "{}", value
                ),
                None => proptest::prop_assert!(
                    integer.len() + fraction.map_or(0, |f| f.len()) > 15,
                    "{}", value
                ),
            }
        }
    }

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
