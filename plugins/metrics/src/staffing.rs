//! Staffing fit: how well scheduled staff S follows required staff R per interval.

use crate::MetricError;

fn check(required: &[f64], scheduled: &[f64]) -> Result<f64, MetricError> {
    if required.len() != scheduled.len() {
        return Err(MetricError::LengthMismatch {
            left: required.len(),
            right: scheduled.len(),
        });
    }
    if required.is_empty() {
        return Err(MetricError::Empty);
    }
    if required
        .iter()
        .chain(scheduled)
        .any(|v| !v.is_finite() || *v < 0.0)
    {
        return Err(MetricError::InvalidInput(
            "staff counts must be finite and >= 0",
        ));
    }
    let sum: f64 = required.iter().sum();
    if sum > 0.0 {
        Ok(sum)
    } else {
        Err(MetricError::ZeroDenominator("sum of required is zero"))
    }
}

/// Under-staffing `sum max(R - S, 0) / sum R`.
pub fn under_staffing(required: &[f64], scheduled: &[f64]) -> Result<f64, MetricError> {
    let sum = check(required, scheduled)?;
    let gap: f64 = required
        .iter()
        .zip(scheduled)
        .map(|(r, s)| (r - s).max(0.0))
        .sum();
    Ok(gap / sum)
}

/// Over-staffing `sum max(S - R, 0) / sum R`.
pub fn over_staffing(required: &[f64], scheduled: &[f64]) -> Result<f64, MetricError> {
    let sum = check(required, scheduled)?;
    let gap: f64 = required
        .iter()
        .zip(scheduled)
        .map(|(r, s)| (s - r).max(0.0))
        .sum();
    Ok(gap / sum)
}

/// Pearson correlation of required and scheduled (see [`crate::stats::pearson`]).
pub fn pearson_fit(required: &[f64], scheduled: &[f64]) -> Result<f64, MetricError> {
    check(required, scheduled)?;
    crate::stats::pearson(required, scheduled)
}

/// Fit of schedule to requirement `R2_fit = 1 - sum (R - S)^2 / sum (R - mean R)^2`
/// (can be negative for a poor fit; not the square of r). `ZeroDenominator` if R is
/// constant.
pub fn r2_fit(required: &[f64], scheduled: &[f64]) -> Result<f64, MetricError> {
    check(required, scheduled)?;
    let mean = required.iter().sum::<f64>() / required.len() as f64;
    let ss_tot: f64 = required.iter().map(|r| (r - mean).powi(2)).sum();
    if ss_tot == 0.0 {
        return Err(MetricError::ZeroDenominator("required staff is constant"));
    }
    let ss_res: f64 = required
        .iter()
        .zip(scheduled)
        .map(|(r, s)| (r - s).powi(2))
        .sum();
    Ok(1.0 - ss_res / ss_tot)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::assert_rel;

    #[test]
    fn domain_vector() {
        // R=[10,12,15,9], S=[11,12,13,10] -> 4.35 %, 4.35 %, 0.9759, 0.7143
        let r = [10.0, 12.0, 15.0, 9.0];
        let s = [11.0, 12.0, 13.0, 10.0];
        assert_rel(under_staffing(&r, &s).unwrap(), 2.0 / 46.0, 1e-15);
        assert!((under_staffing(&r, &s).unwrap() - 0.0435).abs() < 0.00005);
        assert_rel(over_staffing(&r, &s).unwrap(), 2.0 / 46.0, 1e-15);
        assert!((pearson_fit(&r, &s).unwrap() - 0.9759).abs() < 0.00005);
        assert_rel(r2_fit(&r, &s).unwrap(), 1.0 - 6.0 / 21.0, 1e-15);
        assert!((r2_fit(&r, &s).unwrap() - 0.7143).abs() < 0.00005);
    }

    #[test]
    fn errors() {
        assert!(under_staffing(&[0.0, 0.0], &[1.0, 1.0]).is_err());
        assert!(r2_fit(&[5.0, 5.0], &[4.0, 6.0]).is_err());
        assert!(over_staffing(&[1.0], &[]).is_err());
        assert!(over_staffing(&[1.0], &[f64::INFINITY]).is_err());
    }
}
