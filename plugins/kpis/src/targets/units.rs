//! The units a `kpi_targets` row may state, and how each converts to the
//! unit its KPI is computed in.

use crate::Kpi;

/// A unit written in `kpi_targets.unit`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TargetUnit {
    /// A fraction: `ratio`, `fraction`, `share`, `proportion`.
    Ratio,
    /// Hundredths: `percent`, `%`, `pct`, `percentage`.
    Percent,
    /// `seconds`, `second`, `s`, `sec`, `secs`.
    Seconds,
    /// `minutes`, `minute`, `min`, `mins`.
    Minutes,
    /// `hours`, `hour`, `h`, `hr`, `hrs`.
    Hours,
    /// A number of things: `count`, `contacts`, `contacts per order`.
    Count,
    /// Net promoter points: `points`, `point`, `pts`, `nps`.
    Points,
    /// Money: `currency`, a three-letter code (`EUR`), a sign (`€`, `$`, `£`)
    /// or a name (`euros`, `dollars`, `pounds`).
    Currency(String),
}

/// The vocabulary of [`TargetUnit::parse`], for messages.
pub const KNOWN_UNITS: &str = "ratio; percent, %, pct; seconds, minutes, hours; count, \
                               contacts per order; points; currency or a currency code (EUR)";

impl TargetUnit {
    /// Reads a unit as written (case and surrounding spaces ignored).
    pub fn parse(text: &str) -> Option<Self> {
        let u = text.trim().to_ascii_lowercase();
        let unit = match u.as_str() {
            "ratio" | "fraction" | "share" | "proportion" => TargetUnit::Ratio,
            "percent" | "%" | "pct" | "percentage" => TargetUnit::Percent,
            "seconds" | "second" | "s" | "sec" | "secs" => TargetUnit::Seconds,
            "minutes" | "minute" | "min" | "mins" => TargetUnit::Minutes,
            "hours" | "hour" | "h" | "hr" | "hrs" => TargetUnit::Hours,
            "count" | "contacts" | "contacts per order" | "contacts/order" => TargetUnit::Count,
            "points" | "point" | "pts" | "nps" => TargetUnit::Points,
            "currency" | "€" | "$" | "£" | "euro" | "euros" | "dollar" | "dollars" | "pound"
            | "pounds" => TargetUnit::Currency(text.trim().to_owned()),
            _ if is_currency_code(text.trim()) => TargetUnit::Currency(text.trim().to_owned()),
            _ => return None,
        };
        Some(unit)
    }

    /// The factor from this unit to the unit `kpi` is computed in, or
    /// `None` when the unit does not fit the KPI (a time for a ratio).
    pub fn factor_to(&self, kpi: Kpi) -> Option<f64> {
        use TargetUnit::*;
        match (kpi.unit(), self) {
            ("ratio", Ratio) => Some(1.0),
            ("ratio", Percent) => Some(0.01),
            ("seconds", Seconds) => Some(1.0),
            ("seconds", Minutes) => Some(60.0),
            ("seconds", Hours) => Some(3600.0),
            ("contacts", Count) => Some(1.0),
            // A contact rate is often stated as a percentage of orders: 11% = 0.11.
            ("contacts per order", Count | Ratio) => Some(1.0),
            ("contacts per order", Percent) => Some(0.01),
            ("currency", Currency(_)) => Some(1.0),
            (_, Points) if kpi == Kpi::Nps => Some(1.0),
            _ => None,
        }
    }

    /// `value` written in this unit, in the unit `kpi` is computed in
    /// (`None` when the unit does not fit). Percentages are divided by 100,
    /// so 7 `percent` is exactly 0.07.
    pub fn convert(&self, value: f64, kpi: Kpi) -> Option<f64> {
        let factor = self.factor_to(kpi)?;
        Some(if factor < 1.0 {
            value / (1.0 / factor).round()
        } else {
            value * factor
        })
    }
}

/// The units a target of `kpi` may be written in, for messages.
pub fn units_for(kpi: Kpi) -> &'static str {
    match kpi.unit() {
        "ratio" => "ratio or percent",
        "seconds" => "seconds, minutes or hours",
        "contacts" => "count",
        "contacts per order" => "contacts per order, ratio or percent",
        "currency" => "currency or a currency code",
        _ => "points",
    }
}

/// Three ASCII capitals, as ISO 4217 codes are written (`EUR`, `USD`).
fn is_currency_code(text: &str) -> bool {
    text.len() == 3 && text.bytes().all(|b| b.is_ascii_uppercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_spelling_of_a_unit_reads_the_same() {
        for p in ["percent", "%", "pct", " Percent ", "PERCENTAGE"] {
            assert_eq!(TargetUnit::parse(p), Some(TargetUnit::Percent), "{p}");
        }
        for m in ["minutes", "min", "Mins"] {
            assert_eq!(TargetUnit::parse(m), Some(TargetUnit::Minutes), "{m}");
        }
        assert_eq!(
            TargetUnit::parse("EUR"),
            Some(TargetUnit::Currency("EUR".into()))
        );
        assert_eq!(
            TargetUnit::parse("eur"),
            None,
            "a code is written in capitals"
        );
        assert_eq!(TargetUnit::parse("furlongs"), None);
        assert_eq!(TargetUnit::parse(""), None);
    }

    #[test]
    fn factors_convert_to_the_kpi_unit_and_refuse_what_does_not_fit() {
        // 5 percent absence = 0.05; 2 minutes ASA = 120 s.
        assert_eq!(TargetUnit::Percent.factor_to(Kpi::AbsenceRate), Some(0.01));
        assert_eq!(TargetUnit::Ratio.factor_to(Kpi::AbsenceRate), Some(1.0));
        assert_eq!(TargetUnit::Minutes.factor_to(Kpi::AsaSeconds), Some(60.0));
        assert_eq!(TargetUnit::Hours.factor_to(Kpi::AhtSeconds), Some(3600.0));
        assert_eq!(
            TargetUnit::Percent.factor_to(Kpi::ContactsPerOrder),
            Some(0.01)
        );
        assert_eq!(TargetUnit::Points.factor_to(Kpi::Nps), Some(1.0));
        assert_eq!(
            TargetUnit::Currency("EUR".into()).factor_to(Kpi::CostPerOrder),
            Some(1.0)
        );
        assert_eq!(TargetUnit::Seconds.factor_to(Kpi::ServiceLevel), None);
        assert_eq!(TargetUnit::Percent.factor_to(Kpi::AsaSeconds), None);
        assert_eq!(TargetUnit::Percent.factor_to(Kpi::Nps), None);
        assert_eq!(TargetUnit::Points.factor_to(Kpi::CsatTop2), None);
        assert_eq!(TargetUnit::Count.factor_to(Kpi::CostPerOrder), None);
        // 7 x 0.01 is 0.07000000000000001 in floating point; 7 / 100 is 0.07.
        assert_eq!(
            TargetUnit::Percent.convert(7.0, Kpi::AbsenceRate),
            Some(0.07)
        );
        assert_eq!(
            TargetUnit::Minutes.convert(1.5, Kpi::AsaSeconds),
            Some(90.0)
        );
        assert_eq!(TargetUnit::Seconds.convert(1.5, Kpi::ServiceLevel), None);
    }
}
