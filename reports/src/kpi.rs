//! Where a headline KPI is read in an assessment: its value from the first
//! finding that measured it (the pack's `[report] kpis` name a measurement),
//! and the target a criterion judged it against, when one is recorded.
//! `compare` and `trend` read KPIs here, so both show the same value.

use cxaudit_model::Assessment;

/// A headline KPI as one assessment measured it.
#[derive(Debug, Clone, PartialEq)]
pub struct Reading {
    /// The value.
    pub value: f64,
    /// Its unit, as the measurement states it.
    pub unit: String,
    /// The criterion whose finding measured it.
    pub criterion: String,
    /// The target a criterion judged the KPI against, if one is recorded.
    pub target: Option<Target>,
}

/// A target a criterion judged a KPI against.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    /// The target, in the KPI's unit.
    pub value: f64,
    /// Whether values at or above the target meet it (`>=`); else at or
    /// below (`<=`).
    pub at_least: bool,
    /// The criterion that recorded it.
    pub criterion: String,
}

impl Target {
    /// Whether `value` meets the target (with a tolerance for float error).
    pub fn is_met(&self, value: f64) -> bool {
        let eps = 1e-12 * self.value.abs().max(1.0);
        if self.at_least {
            value >= self.value - eps
        } else {
            value <= self.value + eps
        }
    }
}

/// The KPI `name` (a measurement name) in `a`: the first finding, in record
/// order, with a measurement of that name that has a value; with the
/// target of [`target`].
pub fn read(a: &Assessment, name: &str) -> Option<Reading> {
    a.findings.iter().find_map(|f| {
        let m = f.measurements.iter().find(|m| m.name == name)?;
        let value = m.value?;
        Some(Reading {
            value,
            unit: m.unit.clone(),
            criterion: f.criterion.clone(),
            target: target(a, name),
        })
    })
}

/// The target the KPI `name` was judged against in `a`: the first
/// definition ``NAME target`` reading ``NAME >= 0.8 from ...`` (what every
/// criterion that judges a KPI against a target records, in record order),
/// else the first check with the KPI's name whose expected value starts with
/// `>=` or `<=` and a number (``>= 0.85``). `None` when neither is recorded.
pub fn target(a: &Assessment, name: &str) -> Option<Target> {
    let term = format!("{name} target");
    let defined = a.findings.iter().find_map(|f| {
        f.definitions
            .iter()
            .filter(|d| d.term == term)
            .find_map(|d| comparison(d.text.strip_prefix(name)?))
            .map(|(value, at_least)| Target {
                value,
                at_least,
                criterion: f.criterion.clone(),
            })
    });
    defined.or_else(|| {
        a.findings.iter().find_map(|f| {
            f.checks
                .iter()
                .filter(|c| c.id == name)
                .find_map(|c| comparison(&c.expected))
                .map(|(value, at_least)| Target {
                    value,
                    at_least,
                    criterion: f.criterion.clone(),
                })
        })
    })
}

/// A leading `>= NUMBER` or `<= NUMBER` (the number ends at a space, a
/// parenthesis or the end).
fn comparison(text: &str) -> Option<(f64, bool)> {
    let text = text.trim_start();
    let (at_least, rest) = if let Some(r) = text.strip_prefix(">=") {
        (true, r)
    } else {
        (false, text.strip_prefix("<=")?)
    };
    let number = rest
        .trim_start()
        .split(|c: char| c.is_whitespace() || c == '(' || c == ')')
        .next()?;
    let value: f64 = number.parse().ok()?;
    value.is_finite().then_some((value, at_least))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comparisons_are_read_from_the_start_only() {
        assert_eq!(
            comparison(" >= 0.8 from pack parameter `target`"),
            Some((0.8, true))
        );
        assert_eq!(
            comparison(">= 0.8 (pack parameter `target`: the centre's)"),
            Some((0.8, true))
        );
        assert_eq!(comparison("<= 0.15"), Some((0.15, false)));
        assert_eq!(comparison("<= 30(s)"), Some((30.0, false)));
        assert_eq!(comparison("in [0.7, 0.9]"), None);
        assert_eq!(comparison("|bias| <= 0.05"), None);
        assert_eq!(comparison(">= many"), None);
        assert_eq!(comparison(">= NaN"), None);
    }

    #[test]
    fn a_target_is_met_on_its_side() {
        let t = |value, at_least| Target {
            value,
            at_least,
            criterion: "X".into(),
        };
        let min = t(0.78, true);
        assert!(min.is_met(0.78) && min.is_met(0.8) && !min.is_met(0.75));
        let max = t(0.15, false);
        assert!(max.is_met(0.15) && max.is_met(0.1) && !max.is_met(0.2));
    }
}
