//! Significance tests the evaluators judge by: the t-test of a least-squares
//! slope (is a monthly trend real?), the exact one-sided binomial test (is an
//! agent's rate below a target beyond chance?) and Holm's step-down
//! correction for testing many agents at once.

use crate::stats::{LENTZ_TINY, lentz_step, ln_gamma, ratio};

/// Regularised incomplete beta function `I_x(a, b)` for `a, b > 0` and
/// `x` in [0, 1] (continued fraction, Lentz's method); `None` outside the
/// domain or without convergence.
pub fn incomplete_beta(a: f64, b: f64, x: f64) -> Option<f64> {
    if !(a > 0.0 && b > 0.0 && (0.0..=1.0).contains(&x)) {
        return None;
    }
    if x == 0.0 || x == 1.0 {
        return Some(x);
    }
    let ln_front = ln_gamma(a + b) - ln_gamma(a) - ln_gamma(b) + a * x.ln() + b * (1.0 - x).ln();
    let front = ln_front.exp();
    // The continued fraction converges fast for x < (a + 1) / (a + b + 2);
    // otherwise use the symmetry I_x(a, b) = 1 - I_{1-x}(b, a).
    if x < (a + 1.0) / (a + b + 2.0) {
        Some(front * beta_fraction(a, b, x)? / a)
    } else {
        Some(1.0 - front * beta_fraction(b, a, 1.0 - x)? / b)
    }
}

/// The continued fraction of the incomplete beta function (Numerical
/// Recipes `betacf`), by the modified Lentz method.
fn beta_fraction(a: f64, b: f64, x: f64) -> Option<f64> {
    let (qab, qap, qam) = (a + b, a + 1.0, a - 1.0);
    let mut c = 1.0;
    let mut d = 1.0 - qab * x / qap;
    if d.abs() < LENTZ_TINY {
        d = LENTZ_TINY;
    }
    d = 1.0 / d;
    let mut h = d;
    for m in 1..=300 {
        let m = f64::from(m);
        let m2 = 2.0 * m;
        h *= lentz_step(
            m * (b - m) * x / ((qam + m2) * (a + m2)),
            1.0,
            &mut c,
            &mut d,
        );
        let del = lentz_step(
            -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2)),
            1.0,
            &mut c,
            &mut d,
        );
        h *= del;
        if (del - 1.0).abs() < 1e-15 {
            return Some(h);
        }
    }
    None
}

/// Two-sided p-value of Student's t with `df` degrees of freedom:
/// `P(|T| >= |t|) = I_{df / (df + t^2)}(df / 2, 1 / 2)`.
pub fn t_two_sided_p(t: f64, df: f64) -> Option<f64> {
    if !t.is_finite() || df.is_nan() || df <= 0.0 {
        return None;
    }
    incomplete_beta(df / 2.0, 0.5, df / (df + t * t))
}

/// A least-squares slope with its standard error and t-test.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SlopeTest {
    /// Slope per step, `b = Sxy / Sxx`.
    pub slope: f64,
    /// Standard error `sqrt(SSE / (n - 2) / Sxx)`.
    pub std_error: f64,
    /// `t = b / se` (infinite when the points lie on a line).
    pub t: f64,
    /// Degrees of freedom, `n - 2`.
    pub df: u32,
    /// Two-sided p-value of H0 "slope = 0".
    pub p_value: f64,
}

/// The t-test of the least-squares slope of `ys` against their positions
/// `0, 1, 2, ...` (one point per month for a monthly series): slope `b`,
/// residual variance `SSE / (n - 2)`, `se = sqrt(var / Sxx)`, `t = b / se`
/// with `n - 2` degrees of freedom. `None` for fewer than 3 points or any
/// non-finite value. Points exactly on a line: p = 0 when the slope is not 0,
/// 1 when it is.
pub fn slope_test(ys: &[f64]) -> Option<SlopeTest> {
    if ys.len() < 3 || ys.iter().any(|y| !y.is_finite()) {
        return None;
    }
    let n = ys.len() as f64;
    let mean_x = (n - 1.0) / 2.0;
    let mean_y = ys.iter().sum::<f64>() / n;
    let (mut sxy, mut sxx) = (0.0, 0.0);
    for (i, y) in ys.iter().enumerate() {
        let dx = i as f64 - mean_x;
        sxy += dx * (y - mean_y);
        sxx += dx * dx;
    }
    let slope = ratio(sxy, sxx)?;
    let sse: f64 = ys
        .iter()
        .enumerate()
        .map(|(i, y)| {
            let fitted = mean_y + slope * (i as f64 - mean_x);
            (y - fitted).powi(2)
        })
        .sum();
    let df = ys.len() as u32 - 2;
    let std_error = (sse / f64::from(df) / sxx).sqrt();
    // A residual at rounding level is a perfect line.
    let scale = ys.iter().map(|y| y.abs()).fold(0.0, f64::max).max(1e-300);
    if std_error <= 1e-12 * scale {
        let p = if slope.abs() <= 1e-12 * scale {
            1.0
        } else {
            0.0
        };
        return Some(SlopeTest {
            slope,
            std_error,
            t: if p == 0.0 {
                f64::INFINITY.copysign(slope)
            } else {
                0.0
            },
            df,
            p_value: p,
        });
    }
    let t = slope / std_error;
    Some(SlopeTest {
        slope,
        std_error,
        t,
        df,
        p_value: t_two_sided_p(t, f64::from(df))?,
    })
}

/// Exact binomial lower tail `P(X <= k)` for `X ~ Binomial(n, p)`, summed in
/// log space (no overflow for large `n`); `None` unless `p` is in [0, 1].
pub fn binomial_cdf(k: u64, n: u64, p: f64) -> Option<f64> {
    if !(0.0..=1.0).contains(&p) {
        return None;
    }
    if k >= n {
        return Some(1.0);
    }
    if p == 0.0 {
        return Some(1.0);
    }
    if p == 1.0 {
        return Some(0.0);
    }
    let (lp, lq) = (p.ln(), (1.0 - p).ln());
    let nf = n as f64;
    let ln_n_fact = ln_gamma(nf + 1.0);
    let sum: f64 = (0..=k)
        .map(|i| {
            let i = i as f64;
            (ln_n_fact - ln_gamma(i + 1.0) - ln_gamma(nf - i + 1.0) + i * lp + (nf - i) * lq).exp()
        })
        .sum();
    Some(sum.min(1.0))
}

/// One-sided exact binomial test of "the true rate is below `p0`":
/// `P(X <= successes)` under `p0`, with `trials` trials.
pub fn binomial_below_p(successes: u64, trials: u64, p0: f64) -> Option<f64> {
    if successes > trials || trials == 0 {
        return None;
    }
    binomial_cdf(successes, trials, p0)
}

/// Holm's step-down adjusted p-values, in the input order: sort ascending,
/// multiply the i-th smallest (0-based) by `m - i`, carry the running maximum
/// forward, cap at 1. A hypothesis is rejected at family-wise level alpha
/// when its adjusted p-value is below alpha.
pub fn holm_adjusted(p_values: &[f64]) -> Vec<f64> {
    let m = p_values.len();
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|&a, &b| p_values[a].total_cmp(&p_values[b]).then(a.cmp(&b)));
    let mut out = vec![1.0; m];
    let mut running: f64 = 0.0;
    for (i, &k) in order.iter().enumerate() {
        let adjusted = (p_values[k] * (m - i) as f64).min(1.0);
        running = running.max(adjusted);
        out[k] = running;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::assert_rel;

    #[test]
    fn t_distribution_closed_forms() {
        // df = 1 (Cauchy): p = 1 - (2 / pi) atan |t|; t = 1 -> 0.5.
        assert_rel(t_two_sided_p(1.0, 1.0).unwrap(), 0.5, 1e-12);
        // df = 2: p = 1 - |t| / sqrt(2 + t^2); t = 2 -> 1 - 2 / sqrt 6 = 0.1835034.
        assert_rel(
            t_two_sided_p(2.0, 2.0).unwrap(),
            1.0 - 2.0 / 6f64.sqrt(),
            1e-12,
        );
        // Large df tends to the normal: t = 1.96, df = 10^6 -> 0.0500.
        assert!((t_two_sided_p(1.959964, 1e6).unwrap() - 0.05).abs() < 1e-5);
        assert_eq!(t_two_sided_p(0.0, 5.0), Some(1.0));
        assert_eq!(t_two_sided_p(1.0, 0.0), None);
    }

    #[test]
    fn slope_test_by_hand() {
        // y = 1, 2, 2, 4 at x = 0..3: mean x 1.5, mean y 2.25, Sxx = 5,
        // Sxy = (-1.5)(-1.25) + (-0.5)(-0.25) + (0.5)(-0.25) + (1.5)(1.75) = 4.5 -> b = 0.9.
        // Fitted 0.9, 1.8, 2.7, 3.6; residuals 0.1, 0.2, -0.7, 0.4: SSE = 0.70,
        // var = 0.70 / 2 = 0.35, se = sqrt(0.35 / 5) = 0.2645751, t = 3.4016803, df 2:
        // p = 1 - t / sqrt(2 + t^2) = 1 - sqrt(11.571429 / 13.571429) = 0.0766195.
        let s = slope_test(&[1.0, 2.0, 2.0, 4.0]).unwrap();
        assert_rel(s.slope, 0.9, 1e-12);
        assert_rel(s.std_error, 0.07f64.sqrt(), 1e-12);
        assert_eq!(s.df, 2);
        let t = 0.9 / 0.07f64.sqrt();
        assert_rel(s.t, t, 1e-12);
        assert_rel(s.p_value, 1.0 - t / (2.0 + t * t).sqrt(), 1e-10);
        assert!((s.p_value - 0.0766195).abs() < 1e-6);
        // A perfect line is certain; a flat line has no trend; two points cannot be tested.
        assert_eq!(slope_test(&[1.0, 2.0, 3.0]).unwrap().p_value, 0.0);
        assert_eq!(slope_test(&[2.0, 2.0, 2.0]).unwrap().p_value, 1.0);
        assert_eq!(slope_test(&[1.0, 2.0]), None);
        assert_eq!(slope_test(&[1.0, f64::NAN, 2.0]), None);
    }

    #[test]
    fn binomial_tail_by_hand() {
        // n = 10, p = 0.7, P(X <= 4) = sum_{i=0..4} C(10, i) 0.7^i 0.3^(10-i)
        // = 0.0000059049 + 0.0001377810 + 0.0014467005 + 0.0090016920 + 0.0367569090
        // = 0.0473489874.
        let p = binomial_below_p(4, 10, 0.7).unwrap();
        assert_rel(p, 0.047_348_987_4, 1e-9);
        assert_eq!(binomial_cdf(10, 10, 0.7), Some(1.0));
        assert_rel(binomial_cdf(0, 3, 0.5).unwrap(), 0.125, 1e-12);
        assert_eq!(binomial_below_p(11, 10, 0.7), None);
        assert_eq!(binomial_cdf(1, 10, 1.5), None);
    }

    #[test]
    fn holm_by_hand() {
        // p = 0.01, 0.04, 0.03, 0.005 (m = 4). Sorted: 0.005 x 4 = 0.02; 0.01 x 3 = 0.03;
        // 0.03 x 2 = 0.06; 0.04 x 1 = 0.04 -> running max 0.06. In input order:
        // 0.03, 0.06, 0.06, 0.02: at alpha 0.05 the first and the last are rejected.
        let adj = holm_adjusted(&[0.01, 0.04, 0.03, 0.005]);
        let want = [0.03, 0.06, 0.06, 0.02];
        for (a, w) in adj.iter().zip(want) {
            assert_rel(*a, w, 1e-12);
        }
        assert_eq!(holm_adjusted(&[0.6, 0.9]), vec![1.0, 1.0]);
        assert!(holm_adjusted(&[]).is_empty());
    }
}
