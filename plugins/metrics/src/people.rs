//! People metrics: schedule adherence, conformance, attrition and absence.

use crate::MetricError;
use crate::stats::ratio;

/// Schedule adherence `minutes in adherence / scheduled minutes`.
pub fn adherence(in_adherence_minutes: f64, scheduled_minutes: f64) -> Option<f64> {
    ratio(in_adherence_minutes, scheduled_minutes)
}

/// Conformance `worked minutes / scheduled minutes` (can exceed 1).
pub fn conformance(worked_minutes: f64, scheduled_minutes: f64) -> Option<f64> {
    ratio(worked_minutes, scheduled_minutes)
}

/// Average headcount over a month `(start + end) / 2`.
pub fn average_headcount(start: f64, end: f64) -> f64 {
    (start + end) / 2.0
}

/// Monthly attrition `leavers in month / average headcount`.
pub fn monthly_attrition(leavers: f64, average_headcount: f64) -> Option<f64> {
    if leavers < 0.0 || average_headcount < 0.0 {
        return None;
    }
    ratio(leavers, average_headcount)
}

/// How monthly attrition rates are annualised (the pack names the method).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnnualisationMethod {
    /// Sum of the monthly rates scaled to a year: `sum m_i * 12 / months` (equals the
    /// plain sum for 12 months).
    SumOfMonths,
    /// `12 * mean(m_i)`.
    TimesTwelve,
    /// Compounding `1 - (1 - mean(m_i))^12`.
    Compounding,
}

/// Annualised attrition from monthly rates (fractions) by `method`. Errors: empty
/// slice, or a rate outside [0, 1] / not finite.
/// Example: m = 3 % -> 36 % (SumOfMonths, TimesTwelve) vs 30.62 % (Compounding).
pub fn annualised_attrition(
    monthly_rates: &[f64],
    method: AnnualisationMethod,
) -> Result<f64, MetricError> {
    if monthly_rates.is_empty() {
        return Err(MetricError::Empty);
    }
    if monthly_rates.iter().any(|m| !(0.0..=1.0).contains(m)) {
        return Err(MetricError::InvalidInput(
            "monthly attrition rate outside [0, 1]",
        ));
    }
    let n = monthly_rates.len() as f64;
    let sum: f64 = monthly_rates.iter().sum();
    Ok(match method {
        AnnualisationMethod::SumOfMonths => sum * 12.0 / n,
        AnnualisationMethod::TimesTwelve => 12.0 * (sum / n),
        AnnualisationMethod::Compounding => 1.0 - (1.0 - sum / n).powi(12),
    })
}

/// One hire for early-tenure attrition; times in seconds on one clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hire {
    /// Hire (start) time.
    pub hired_at: i64,
    /// Leaving time, if the person left.
    pub left_at: Option<i64>,
}

/// Early-tenure attrition counts (see [`early_tenure_attrition`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct EarlyTenure {
    /// Hires who have had the full D days by `as_of` (denominator).
    pub cohort: u64,
    /// Of those, leavers within D days of hire (inclusive).
    pub leavers: u64,
    /// Hires too recent to judge (excluded).
    pub too_recent: u64,
}

impl EarlyTenure {
    /// `leavers / cohort`; `None` if the cohort is empty.
    pub fn rate(&self) -> Option<f64> {
        crate::stats::count_ratio(self.leavers, self.cohort)
    }
}

/// Early-tenure attrition: leavers within `days` of hire / hires who have had `days`
/// days by `as_of` (`hired_at + days <= as_of`).
pub fn early_tenure_attrition(hires: &[Hire], days: u32, as_of: i64) -> EarlyTenure {
    let span = i64::from(days) * 86_400;
    let mut r = EarlyTenure::default();
    for h in hires {
        let limit = h.hired_at.saturating_add(span);
        if limit > as_of {
            r.too_recent += 1;
            continue;
        }
        r.cohort += 1;
        r.leavers += u64::from(h.left_at.is_some_and(|l| l <= limit));
    }
    r
}

/// Unplanned absence rate `unplanned absence hours / scheduled hours`.
pub fn absence_rate(unplanned_absence_hours: f64, scheduled_hours: f64) -> Option<f64> {
    ratio(unplanned_absence_hours, scheduled_hours)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::assert_rel;
    use AnnualisationMethod::*;

    #[test]
    fn annualisation_domain_vector() {
        let m = [0.03; 12];
        assert_rel(annualised_attrition(&m, SumOfMonths).unwrap(), 0.36, 1e-14);
        assert_rel(annualised_attrition(&m, TimesTwelve).unwrap(), 0.36, 1e-14);
        let c = annualised_attrition(&m, Compounding).unwrap();
        assert_rel(c, 1.0 - 0.97f64.powi(12), 1e-14);
        assert!((c - 0.3062).abs() < 0.00005);
        // fewer months: scaled to a year
        assert_rel(
            annualised_attrition(&[0.02, 0.04], SumOfMonths).unwrap(),
            0.36,
            1e-14,
        );
        assert!(annualised_attrition(&[], SumOfMonths).is_err());
        assert!(annualised_attrition(&[1.5], Compounding).is_err());
        assert!(annualised_attrition(&[f64::NAN], Compounding).is_err());
    }

    #[test]
    fn simple_rates() {
        assert_eq!(adherence(450.0, 500.0), Some(0.9));
        assert_eq!(adherence(1.0, 0.0), None);
        assert_eq!(conformance(520.0, 500.0), Some(1.04));
        assert_eq!(
            monthly_attrition(3.0, average_headcount(100.0, 100.0)),
            Some(0.03)
        );
        assert_eq!(monthly_attrition(3.0, 0.0), None);
        assert_eq!(absence_rate(40.0, 1000.0), Some(0.04));
        assert_eq!(absence_rate(40.0, 0.0), None);
    }

    #[test]
    fn early_tenure() {
        let d = 86_400;
        let hires = [
            Hire {
                hired_at: 0,
                left_at: Some(30 * d),
            },
            Hire {
                hired_at: 0,
                left_at: Some(91 * d),
            },
            Hire {
                hired_at: 0,
                left_at: None,
            },
            Hire {
                hired_at: 10 * d,
                left_at: Some(95 * d),
            },
            Hire {
                hired_at: 50 * d,
                left_at: Some(51 * d),
            },
        ];
        let r = early_tenure_attrition(&hires, 90, 100 * d);
        assert_eq!(
            r,
            EarlyTenure {
                cohort: 4,
                leavers: 2,
                too_recent: 1
            }
        );
        assert_eq!(r.rate(), Some(0.5));
        assert_eq!(early_tenure_attrition(&[], 90, 0).rate(), None);
    }
}
