//! Forecast accuracy over paired series of forecast F and actual A per interval,
//! error `e_i = F_i - A_i`.

use crate::MetricError;

fn check(forecast: &[f64], actual: &[f64]) -> Result<(), MetricError> {
    if forecast.len() != actual.len() {
        return Err(MetricError::LengthMismatch {
            left: forecast.len(),
            right: actual.len(),
        });
    }
    if forecast.is_empty() {
        return Err(MetricError::Empty);
    }
    if forecast.iter().chain(actual).any(|v| !v.is_finite()) {
        return Err(MetricError::InvalidInput("non-finite forecast or actual"));
    }
    if actual.iter().any(|&a| a < 0.0) {
        return Err(MetricError::InvalidInput("negative actual"));
    }
    Ok(())
}

fn sum_actual(actual: &[f64]) -> Result<f64, MetricError> {
    let s: f64 = actual.iter().sum();
    if s > 0.0 {
        Ok(s)
    } else {
        Err(MetricError::ZeroDenominator("sum of actuals is zero"))
    }
}

/// Weighted absolute percentage error `WAPE = sum |F - A| / sum A`.
pub fn wape(forecast: &[f64], actual: &[f64]) -> Result<f64, MetricError> {
    check(forecast, actual)?;
    let abs: f64 = forecast
        .iter()
        .zip(actual)
        .map(|(f, a)| (f - a).abs())
        .sum();
    Ok(abs / sum_actual(actual)?)
}

/// Bias `sum (F - A) / sum A` (positive = over-forecast).
pub fn bias(forecast: &[f64], actual: &[f64]) -> Result<f64, MetricError> {
    check(forecast, actual)?;
    let e: f64 = forecast.iter().zip(actual).map(|(f, a)| f - a).sum();
    Ok(e / sum_actual(actual)?)
}

/// Mean absolute percentage error `mean(|F - A| / A)` over intervals with `A > 0`
/// (intervals with A = 0 are skipped); `ZeroDenominator` if no interval has A > 0.
pub fn mape(forecast: &[f64], actual: &[f64]) -> Result<f64, MetricError> {
    check(forecast, actual)?;
    let (mut s, mut n) = (0.0, 0usize);
    for (f, a) in forecast.iter().zip(actual).filter(|(_, a)| **a > 0.0) {
        s += (f - a).abs() / a;
        n += 1;
    }
    if n == 0 {
        return Err(MetricError::ZeroDenominator("no interval with actual > 0"));
    }
    Ok(s / n as f64)
}

/// Tolerance rule for [`within_tolerance`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ToleranceRule {
    /// Relative tolerance X: an interval is within if `|F - A| / A <= X` (0.1 = 10 %).
    pub relative: f64,
    /// Intervals whose *forecast* is below `min_volume` are judged by
    /// `absolute` instead (0 = none); see [`is_low_volume`].
    pub min_volume: f64,
    /// Absolute tolerance for low-volume intervals: within if `|F - A| <= absolute`.
    pub absolute: f64,
    /// Allowance for arrival noise: an interval is also within when
    /// `|F - A| <= noise_z * sqrt(F)`, the Poisson band of width `noise_z`
    /// standard deviations around the forecast (no forecast can be judged
    /// more finely than the randomness of arrivals; 0 = no allowance).
    pub noise_z: f64,
}

impl ToleranceRule {
    /// Relative tolerance only (no minimum-volume rule).
    pub fn relative(relative: f64) -> Self {
        Self {
            relative,
            min_volume: 0.0,
            absolute: 0.0,
            noise_z: 0.0,
        }
    }
}

/// Whether an interval belongs to the low-volume band: its forecast `F` is
/// below `min_volume`. The band is chosen on the forecast, known before the
/// interval, never on the actual count: choosing on the actual would put
/// every surge above a low forecast into the high-volume band and every
/// shortfall below a high forecast into the low one, so each band would
/// measure the errors that selected it (the high band would look
/// under-forecast by construction).
pub fn is_low_volume(forecast: f64, min_volume: f64) -> bool {
    forecast < min_volume
}

/// Result of [`within_tolerance`]: intervals judged relatively and (low volume)
/// absolutely, reported separately.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ToleranceShare {
    /// Intervals with `F >= min_volume`, judged by the relative tolerance.
    pub judged: usize,
    /// Of those, within `|F - A| / A <= relative` or the noise band
    /// (A = 0: within only inside the noise band).
    pub within: usize,
    /// Intervals with `F < min_volume`, judged by the absolute tolerance.
    pub low_volume_judged: usize,
    /// Of those, within `|F - A| <= absolute`.
    pub low_volume_within: usize,
}

impl ToleranceShare {
    /// `within / judged`; `None` if no interval was judged relatively.
    pub fn share(&self) -> Option<f64> {
        crate::stats::count_ratio(self.within as u64, self.judged as u64)
    }

    /// `low_volume_within / low_volume_judged`; `None` if there were none.
    pub fn low_volume_share(&self) -> Option<f64> {
        crate::stats::count_ratio(self.low_volume_within as u64, self.low_volume_judged as u64)
    }
}

/// Share of intervals with `|F - A| <= max(rule.relative x A, rule.noise_z x
/// sqrt(F))`; intervals whose forecast is below `rule.min_volume`
/// ([`is_low_volume`]) are judged by `|F - A| <= max(rule.absolute, rule.noise_z
/// x sqrt(F))` and returned separately. Comparisons allow 1e-12 relative slack
/// for float noise.
pub fn within_tolerance(
    forecast: &[f64],
    actual: &[f64],
    rule: ToleranceRule,
) -> Result<ToleranceShare, MetricError> {
    check(forecast, actual)?;
    let ok = |v: f64| v.is_finite() && v >= 0.0;
    if !ok(rule.relative) || !ok(rule.min_volume) || !ok(rule.absolute) || !ok(rule.noise_z) {
        return Err(MetricError::InvalidInput(
            "tolerance rule must be finite and >= 0",
        ));
    }
    let mut s = ToleranceShare::default();
    for (&f, &a) in forecast.iter().zip(actual) {
        let e = (f - a).abs();
        let noise = rule.noise_z * f.max(0.0).sqrt();
        if is_low_volume(f, rule.min_volume) {
            s.low_volume_judged += 1;
            s.low_volume_within += usize::from(e <= rule.absolute.max(noise) * (1.0 + 1e-12));
        } else {
            s.judged += 1;
            s.within += usize::from(e <= (rule.relative * a).max(noise) * (1.0 + 1e-12));
        }
    }
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::assert_rel;

    const F: [f64; 4] = [100.0, 120.0, 80.0, 50.0];
    const A: [f64; 4] = [110.0, 100.0, 80.0, 40.0];

    #[test]
    fn domain_vector() {
        // MAPE 13.52 %, WAPE 12.12 %, bias +6.06 %, within 10 %: 50 %.
        let mape = mape(&F, &A).unwrap();
        assert_rel(mape, (10.0 / 110.0 + 0.2 + 0.0 + 0.25) / 4.0, 1e-15);
        assert!((mape - 0.1352).abs() < 0.00005);
        let wape = wape(&F, &A).unwrap();
        assert_rel(wape, 40.0 / 330.0, 1e-15);
        assert!((wape - 0.1212).abs() < 0.00005);
        let bias = bias(&F, &A).unwrap();
        assert_rel(bias, 20.0 / 330.0, 1e-15);
        assert!((bias - 0.0606).abs() < 0.00005);
        let s = within_tolerance(&F, &A, ToleranceRule::relative(0.1)).unwrap();
        assert_eq!(s.share(), Some(0.5));
        assert_eq!(s.low_volume_share(), None);
    }

    #[test]
    fn minimum_volume_rule() {
        // F = 50 below min volume 60: judged by absolute tolerance 10 (|e| = 10) -> within.
        let rule = ToleranceRule {
            relative: 0.1,
            min_volume: 60.0,
            absolute: 10.0,
            noise_z: 0.0,
        };
        let s = within_tolerance(&F, &A, rule).unwrap();
        assert_eq!(
            (s.judged, s.within, s.low_volume_judged, s.low_volume_within),
            (3, 2, 1, 1)
        );
        assert_rel(s.share().unwrap(), 2.0 / 3.0, 1e-15);
        assert_eq!(s.low_volume_share(), Some(1.0));
    }

    #[test]
    fn errors_and_zero_actuals() {
        assert!(matches!(
            wape(&[1.0], &[1.0, 2.0]),
            Err(MetricError::LengthMismatch { .. })
        ));
        assert_eq!(wape(&[], &[]), Err(MetricError::Empty));
        assert!(matches!(
            wape(&[1.0], &[0.0]),
            Err(MetricError::ZeroDenominator(_))
        ));
        assert!(matches!(
            mape(&[1.0], &[0.0]),
            Err(MetricError::ZeroDenominator(_))
        ));
        assert!(wape(&[f64::NAN], &[1.0]).is_err());
        assert!(wape(&[1.0], &[-1.0]).is_err());
        // MAPE skips A = 0
        assert_rel(mape(&[5.0, 11.0], &[0.0, 10.0]).unwrap(), 0.1, 1e-15);
        let s = within_tolerance(&[0.0, 1.0], &[0.0, 0.0], ToleranceRule::relative(0.1)).unwrap();
        assert_eq!((s.judged, s.within), (2, 1));
    }

    #[test]
    fn volume_bands_are_chosen_on_the_forecast_not_on_surges() {
        // An unbiased forecast: F = [8, 8, 12, 12], A = [12, 5, 8, 15], sum F = sum A = 40.
        // Minimum volume 10. Chosen on the forecast, the high band is intervals 3 and 4
        // (F = 12): sum F 24, sum A 23, bias +1/23 = +4.3 %; the low band intervals 1 and 2:
        // sum F 16, sum A 17, bias -1/17 = -5.9 %.
        // Chosen on the actual count, the high band would be intervals 1 and 4 (A = 12, 15),
        // the surges: sum F 20, sum A 27, bias -7/27 = -25.9 %; the low band intervals 2 and 3
        // (A = 5, 8): sum F 20, sum A 13, bias +7/13 = +53.8 %. Each band would measure the
        // error that selected it.
        let f = [8.0, 8.0, 12.0, 12.0];
        let a = [12.0, 5.0, 8.0, 15.0];
        let band = |low: bool, pick: &dyn Fn(usize) -> f64| -> f64 {
            let idx: Vec<usize> = (0..4)
                .filter(|&i| is_low_volume(pick(i), 10.0) == low)
                .collect();
            let fb: Vec<f64> = idx.iter().map(|&i| f[i]).collect();
            let ab: Vec<f64> = idx.iter().map(|&i| a[i]).collect();
            bias(&fb, &ab).unwrap()
        };
        assert_rel(band(false, &|i| f[i]), 1.0 / 23.0, 1e-15);
        assert_rel(band(true, &|i| f[i]), -1.0 / 17.0, 1e-15);
        assert_rel(band(false, &|i| a[i]), -7.0 / 27.0, 1e-15);
        assert_rel(band(true, &|i| a[i]), 7.0 / 13.0, 1e-15);
        // within_tolerance uses the forecast bands (relative 10 %, absolute 3, no noise):
        // low: |e| = 4 (out), 3 (in); high: 4/8 = 0.5 (out), 3/15 = 0.2 (out).
        let rule = ToleranceRule {
            relative: 0.1,
            min_volume: 10.0,
            absolute: 3.0,
            noise_z: 0.0,
        };
        let s = within_tolerance(&f, &a, rule).unwrap();
        assert_eq!(
            (s.judged, s.within, s.low_volume_judged, s.low_volume_within),
            (2, 0, 2, 1)
        );
    }

    #[test]
    fn noise_allowance_widens_the_band_to_the_poisson_noise() {
        // F = 100, A = 85: |e| = 15 > 10% of 85 (8.5) but <= 1.645 x sqrt(100) = 16.45.
        let strict = ToleranceRule::relative(0.10);
        let noisy = ToleranceRule {
            noise_z: 1.645,
            ..strict
        };
        assert_eq!(
            within_tolerance(&[100.0], &[85.0], strict).unwrap().within,
            0
        );
        assert_eq!(
            within_tolerance(&[100.0], &[85.0], noisy).unwrap().within,
            1
        );
        // F = 100, A = 80: |e| = 20 > 16.45: outside either way.
        assert_eq!(
            within_tolerance(&[100.0], &[80.0], noisy).unwrap().within,
            0
        );
    }
}
