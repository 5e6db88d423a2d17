//! Shared numerical helpers: ratios, means, ranks, correlation, float-safe rounding,
//! the normal distribution (erfc accurate to ~1e-15 relative), the log-gamma function
//! and the regularized incomplete gamma functions (chi-square tail).
//!
//! Every other module reuses these; nothing here is contact-centre specific.

use crate::MetricError;

/// Relative tolerance used by [`float_safe_ceil`]: values within 1e-9 (relative, or
/// absolute below 1) of an integer are treated as that integer.
pub const CEIL_TOLERANCE: f64 = 1e-9;

/// `numerator / denominator`, or `None` when the denominator is zero or either value
/// is not finite (never NaN or infinity).
pub fn ratio(numerator: f64, denominator: f64) -> Option<f64> {
    if denominator == 0.0 || !numerator.is_finite() || !denominator.is_finite() {
        return None;
    }
    let r = numerator / denominator;
    r.is_finite().then_some(r)
}

/// `numerator / denominator` for counts, or `None` when the denominator is zero.
pub fn count_ratio(numerator: u64, denominator: u64) -> Option<f64> {
    if denominator == 0 {
        None
    } else {
        Some(numerator as f64 / denominator as f64)
    }
}

/// Arithmetic mean `sum x / n`; `None` for an empty slice or a non-finite result.
pub fn mean(xs: &[f64]) -> Option<f64> {
    if xs.is_empty() {
        return None;
    }
    let m = xs.iter().sum::<f64>() / xs.len() as f64;
    m.is_finite().then_some(m)
}

/// Ceiling that ignores floating-point noise: if `x` is within [`CEIL_TOLERANCE`]
/// (relative, or absolute for |x| < 1) of an integer, that integer is returned,
/// otherwise `x.ceil()`. Example: `21.0 / 0.7 = 30.000000000000004` gives 30.
pub fn float_safe_ceil(x: f64) -> f64 {
    let nearest = x.round();
    if (x - nearest).abs() <= CEIL_TOLERANCE * x.abs().max(1.0) {
        nearest
    } else {
        x.ceil()
    }
}

/// Median of the finite values of `xs` (mean of the two middle values for an even
/// count); `None` if there is no finite value.
pub fn median(xs: &[f64]) -> Option<f64> {
    let mut v: Vec<f64> = xs.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return None;
    }
    v.sort_unstable_by(f64::total_cmp);
    Some(median_sorted(&v))
}

/// Median of an already sorted, non-empty slice.
fn median_sorted(v: &[f64]) -> f64 {
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// Nearest-rank percentile of a sorted slice: the value at rank `ceil(q * n)`
/// (1-based, clamped to 1..=n), `q` in `[0, 1]`. `None` for an empty slice or `q`
/// outside `[0, 1]`.
pub fn percentile_nearest_rank_sorted(sorted: &[f64], q: f64) -> Option<f64> {
    if sorted.is_empty() || !(0.0..=1.0).contains(&q) {
        return None;
    }
    let n = sorted.len();
    let rank = float_safe_ceil(q * n as f64).clamp(1.0, n as f64) as usize;
    Some(sorted[rank - 1])
}

/// [`median`] of `xs`, found by selection in O(n) instead of a sort: `xs` is
/// reordered (its finite values first).
pub fn median_in_place(xs: &mut [f64]) -> Option<f64> {
    let mut finite = 0;
    for i in 0..xs.len() {
        if xs[i].is_finite() {
            xs.swap(finite, i);
            finite += 1;
        }
    }
    let v = &mut xs[..finite];
    let n = v.len();
    if n == 0 {
        return None;
    }
    let (below, middle, _) = v.select_nth_unstable_by(n / 2, f64::total_cmp);
    let middle = *middle;
    if n % 2 == 1 {
        return Some(middle);
    }
    // The value just below the middle in sorted order: the largest below it.
    let lower = below.iter().copied().max_by(f64::total_cmp)?;
    Some((lower + middle) / 2.0)
}

/// [`percentile_nearest_rank_sorted`] of `xs` sorted (by `f64::total_cmp`),
/// found by selection in O(n) instead of a sort: `xs` is reordered.
pub fn percentile_nearest_rank_in_place(xs: &mut [f64], q: f64) -> Option<f64> {
    if xs.is_empty() || !(0.0..=1.0).contains(&q) {
        return None;
    }
    let n = xs.len();
    let rank = float_safe_ceil(q * n as f64).clamp(1.0, n as f64) as usize;
    Some(*xs.select_nth_unstable_by(rank - 1, f64::total_cmp).1)
}

pub(crate) fn median_of_sorted(v: &[f64]) -> Option<f64> {
    (!v.is_empty()).then(|| median_sorted(v))
}

fn check_pair(x: &[f64], y: &[f64]) -> Result<(), MetricError> {
    if x.len() != y.len() {
        return Err(MetricError::LengthMismatch {
            left: x.len(),
            right: y.len(),
        });
    }
    if x.is_empty() {
        return Err(MetricError::Empty);
    }
    if x.iter().chain(y).any(|v| !v.is_finite()) {
        return Err(MetricError::InvalidInput("non-finite value"));
    }
    Ok(())
}

/// Pearson correlation `r = sum (x-mx)(y-my) / sqrt(sum (x-mx)^2 * sum (y-my)^2)`
/// (two-pass, centred). Errors: different lengths, fewer than 2 points, non-finite
/// values, or zero variance in either series (`ZeroDenominator`).
pub fn pearson(x: &[f64], y: &[f64]) -> Result<f64, MetricError> {
    check_pair(x, y)?;
    if x.len() < 2 {
        return Err(MetricError::Empty);
    }
    let n = x.len() as f64;
    let mx = x.iter().sum::<f64>() / n;
    let my = y.iter().sum::<f64>() / n;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        let (dx, dy) = (a - mx, b - my);
        sxy += dx * dy;
        sxx += dx * dx;
        syy += dy * dy;
    }
    if sxx == 0.0 || syy == 0.0 {
        return Err(MetricError::ZeroDenominator("zero variance"));
    }
    Ok((sxy / (sxx.sqrt() * syy.sqrt())).clamp(-1.0, 1.0))
}

/// Ranks 1..=n with ties given the average of the ranks they span (fractional
/// ranking, as used by Spearman's rho). Non-finite values are ordered by
/// `f64::total_cmp`.
pub fn average_ranks(xs: &[f64]) -> Vec<f64> {
    let mut idx: Vec<usize> = (0..xs.len()).collect();
    idx.sort_by(|&a, &b| xs[a].total_cmp(&xs[b]));
    let mut ranks = vec![0.0; xs.len()];
    let mut i = 0;
    while i < idx.len() {
        let mut j = i + 1;
        while j < idx.len() && xs[idx[j]].total_cmp(&xs[idx[i]]).is_eq() {
            j += 1;
        }
        // positions i..j (0-based) share ranks i+1..=j; average = (i+1+j)/2
        let avg = (i + 1 + j) as f64 / 2.0;
        for &k in &idx[i..j] {
            ranks[k] = avg;
        }
        i = j;
    }
    ranks
}

/// Spearman rank correlation: Pearson correlation of the average ranks (ties get
/// the mean of their ranks). Same errors as [`pearson`].
pub fn spearman(x: &[f64], y: &[f64]) -> Result<f64, MetricError> {
    check_pair(x, y)?;
    pearson(&average_ranks(x), &average_ranks(y))
}

const SQRT_PI: f64 = 1.772_453_850_905_516;
const FRAC_1_SQRT_PI: f64 = 0.564_189_583_547_756_3;

/// `exp(-x*x)` with the square split to avoid the rounding error of `x*x` for large x
/// (Cody's trick): `x = xh + xl`, `xh` a multiple of 1/16.
fn exp_neg_sq(x: f64) -> f64 {
    let xh = (x * 16.0).trunc() / 16.0;
    let del = (x - xh) * (x + xh);
    (-xh * xh).exp() * (-del).exp()
}

/// Complementary error function `erfc(x) = 2/sqrt(pi) * int_x^inf exp(-t^2) dt`.
///
/// For |x| < 2 uses the all-positive series `erf(x) = 2/sqrt(pi) exp(-x^2)
/// sum (2x^2)^n x / (1*3*...*(2n+1))`; for x >= 2 the continued fraction of
/// `Q(1/2, x^2)` (modified Lentz). Relative accuracy ~1e-15 on the tested range;
/// `erfc(-x) = 2 - erfc(x)`. NaN in gives NaN out (callers validate input).
pub fn erfc(x: f64) -> f64 {
    if x.is_nan() {
        return f64::NAN;
    }
    if x < 0.0 {
        return 2.0 - erfc(-x);
    }
    if x < 2.0 {
        return 1.0 - erf_series(x);
    }
    if x > 27.3 {
        return 0.0;
    }
    // erfc(x) = Q(1/2, X) with X = x^2; the prefactor exp(-X) X^(1/2) / Gamma(1/2) is
    // exp(-x^2) x / sqrt(pi). For 2 <= x <= 27.3 the fraction converges within 35 terms,
    // so `None` does not happen here.
    let Some(h) = upper_gamma_fraction(0.5, x * x) else {
        return f64::NAN;
    };
    exp_neg_sq(x) * x * FRAC_1_SQRT_PI * h
}

/// Error function `erf(x) = 1 - erfc(x)` (series for |x| < 2, accurate near 0).
pub fn erf(x: f64) -> f64 {
    if x.abs() < 2.0 {
        if x < 0.0 {
            -erf_series(-x)
        } else {
            erf_series(x)
        }
    } else {
        1.0 - erfc(x)
    }
}

fn erf_series(x: f64) -> f64 {
    // erf(x) = 2/sqrt(pi) * exp(-x^2) * sum_{n>=0} x (2x^2)^n / (1*3*...*(2n+1))
    let two_x2 = 2.0 * x * x;
    let mut term = x;
    let mut sum = x;
    for n in 1..200 {
        term *= two_x2 / (2 * n + 1) as f64;
        sum += term;
        if term < sum * 1e-17 {
            break;
        }
    }
    2.0 / SQRT_PI * exp_neg_sq(x) * sum
}

/// Standard normal CDF `Phi(z) = erfc(-z / sqrt 2) / 2` (accurate in both tails).
pub fn normal_cdf(z: f64) -> f64 {
    0.5 * erfc(-z / std::f64::consts::SQRT_2)
}

/// Two-sided p-value of a standard normal statistic: `2 * (1 - Phi(|z|)) =
/// erfc(|z| / sqrt 2)`.
pub fn normal_two_sided_p(z: f64) -> f64 {
    erfc(z.abs() / std::f64::consts::SQRT_2)
}

/// Natural log of the gamma function for `x > 0` (Lanczos, g = 7, 9 terms; ~1e-15).
/// Returns NaN for `x <= 0` or NaN (callers validate).
pub fn ln_gamma(x: f64) -> f64 {
    const G: f64 = 7.0;
    const P: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x.is_nan() || x <= 0.0 {
        return f64::NAN;
    }
    if x < 0.5 {
        // reflection: Gamma(x) Gamma(1-x) = pi / sin(pi x)
        return (std::f64::consts::PI / (std::f64::consts::PI * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let z = x - 1.0;
    let mut s = P[0];
    for (i, p) in P.iter().enumerate().skip(1) {
        s += p / (z + i as f64);
    }
    let t = z + G + 0.5;
    0.5 * (2.0 * std::f64::consts::PI).ln() + (z + 0.5) * t.ln() - t + s.ln()
}

/// Regularized lower incomplete gamma `P(a, x) = gamma(a, x) / Gamma(a)`, `a > 0`,
/// `x >= 0`. Series for `x < a + 1`, continued fraction otherwise. `None` on invalid
/// arguments or non-convergence.
pub fn gamma_p(a: f64, x: f64) -> Option<f64> {
    let (p, q) = gamma_pq(a, x)?;
    Some(p.unwrap_or(1.0 - q.unwrap_or(0.0)))
}

/// Regularized upper incomplete gamma `Q(a, x) = 1 - P(a, x)`, computed directly
/// (no cancellation) in the upper tail. `None` on invalid arguments.
pub fn gamma_q(a: f64, x: f64) -> Option<f64> {
    let (p, q) = gamma_pq(a, x)?;
    Some(q.unwrap_or_else(|| 1.0 - p.unwrap_or(0.0)))
}

/// Returns (Some(P), None) from the series or (None, Some(Q)) from the fraction.
fn gamma_pq(a: f64, x: f64) -> Option<(Option<f64>, Option<f64>)> {
    if a.is_nan() || a <= 0.0 || x.is_nan() || x < 0.0 || !a.is_finite() {
        return None;
    }
    if x == 0.0 {
        return Some((Some(0.0), None));
    }
    if x == f64::INFINITY {
        return Some((None, Some(0.0)));
    }
    let log_prefactor = -x + a * x.ln() - ln_gamma(a);
    if x < a + 1.0 {
        let mut ap = a;
        let mut del = 1.0 / a;
        let mut sum = del;
        for _ in 0..100_000 {
            ap += 1.0;
            del *= x / ap;
            sum += del;
            if del.abs() < sum.abs() * 1e-17 {
                return Some((Some((sum.ln() + log_prefactor).exp().min(1.0)), None));
            }
        }
        None
    } else {
        let h = upper_gamma_fraction(a, x)?;
        Some((None, Some((h.ln() + log_prefactor).exp().min(1.0))))
    }
}

/// The continued fraction of the upper incomplete gamma function,
/// `Gamma(a, x) = exp(-x) x^a h` with
/// `h = 1 / (x+1-a - 1(1-a) / (x+3-a - 2(2-a) / (x+5-a - ...)))`,
/// evaluated by the modified Lentz method (Numerical Recipes `gcf`). Returns `h`
/// without the prefactor, or `None` if it has not converged within 100,000 terms.
/// It converges quickly for `x >= a + 1`; both [`erfc`] (`a = 1/2`) and the
/// regularized incomplete gamma functions use it there.
fn upper_gamma_fraction(a: f64, x: f64) -> Option<f64> {
    let mut b = x + 1.0 - a;
    let (mut c, mut d) = (1.0 / LENTZ_TINY, 1.0 / b);
    let mut h = d;
    for i in 1..100_000 {
        let an = -(i as f64) * (i as f64 - a);
        b += 2.0;
        let del = lentz_step(an, b, &mut c, &mut d);
        h *= del;
        if (del - 1.0).abs() < 1e-16 {
            return Some(h);
        }
    }
    None
}

/// The smallest magnitude the modified Lentz method lets a denominator take.
pub(crate) const LENTZ_TINY: f64 = 1e-300;

/// One step of the modified Lentz method for a continued fraction
/// `b0 + a1 / (b1 + a2 / (b2 + ...))`: with the term's `a` and `b`, updates
/// `d = 1 / (b + a d)` and `c = b + a / c` (each kept off zero) and returns
/// the factor `c d` the running value is multiplied by.
pub(crate) fn lentz_step(a: f64, b: f64, c: &mut f64, d: &mut f64) -> f64 {
    let mut den = b + a * *d;
    if den.abs() < LENTZ_TINY {
        den = LENTZ_TINY;
    }
    *c = b + a / *c;
    if c.abs() < LENTZ_TINY {
        *c = LENTZ_TINY;
    }
    *d = 1.0 / den;
    *c * *d
}

/// Upper tail of the chi-square distribution: `P(X > x) = Q(df/2, x/2)`.
/// `None` for `df == 0`, negative or NaN `x`.
pub fn chi_square_sf(x: f64, df: u64) -> Option<f64> {
    if df == 0 || x.is_nan() || x < 0.0 {
        return None;
    }
    gamma_q(df as f64 / 2.0, x / 2.0)
}

#[cfg(test)]
pub(crate) fn assert_rel(actual: f64, expected: f64, tol: f64) {
    let err = if expected == 0.0 {
        actual.abs()
    } else {
        ((actual - expected) / expected).abs()
    };
    assert!(
        err <= tol,
        "actual {actual:.17e} expected {expected:.17e} rel err {err:e} > {tol:e}"
    );
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    /// Values with repeats, both zeros, infinities and NaN among them.
    fn values() -> impl Strategy<Value = Vec<f64>> {
        let value = prop_oneof![
            8 => (-50i32..50).prop_map(|x| f64::from(x) / 4.0),
            1 => Just(-0.0),
            1 => Just(f64::INFINITY),
            1 => Just(f64::NEG_INFINITY),
            1 => Just(f64::NAN),
        ];
        proptest::collection::vec(value, 0..200)
    }

    proptest! {
        /// Selection finds what sorting finds, to the bit.
        #[test]
        fn selection_gives_the_median_and_percentiles_of_a_sort(
            xs in values(),
            q in prop_oneof![Just(0.0), Just(0.5), Just(0.9), Just(1.0), 0.0..=1.0f64],
        ) {
            let mut sorted = xs.clone();
            sorted.sort_by(f64::total_cmp);
            let bits = |x: Option<f64>| x.map(f64::to_bits);
            prop_assert_eq!(bits(median_in_place(&mut xs.clone())), bits(median(&xs)));
            prop_assert_eq!(
                bits(percentile_nearest_rank_in_place(&mut xs.clone(), q)),
                bits(percentile_nearest_rank_sorted(&sorted, q))
            );
        }
    }

    use super::*;

    #[test]
    fn erfc_reference_values() {
        // High-precision reference values (Abramowitz & Stegun / mpmath).
        let cases = [
            (0.0, 1.0),
            (0.1, 0.887_537_083_981_715),
            (0.5, 0.479_500_122_186_953_5),
            (1.0, 0.157_299_207_050_285_13),
            (1.5, 0.033_894_853_524_689_27),
            (2.0, 0.004_677_734_981_047_266),
            (3.0, 2.209_049_699_858_544e-5),
            (5.0, 1.537_459_794_428_035e-12),
            (10.0, 2.088_487_583_762_545e-45),
        ];
        for (x, e) in cases {
            assert_rel(erfc(x), e, 1e-13);
            assert_rel(erfc(-x), 2.0 - e, 1e-15);
        }
    }

    #[test]
    fn normal_cdf_values() {
        assert_rel(normal_cdf(1.959_963_984_540_054), 0.975, 1e-14);
        assert_rel(normal_cdf(-1.959_963_984_540_054), 0.025, 1e-13);
        assert_rel(normal_cdf(0.0), 0.5, 1e-16);
        assert_rel(normal_cdf(-5.0), 2.866_515_718_791_939e-7, 1e-13);
        assert_rel(normal_two_sided_p(1.959_963_984_540_054), 0.05, 1e-13);
    }

    #[test]
    fn ln_gamma_values() {
        assert_rel(ln_gamma(0.5), 0.5 * std::f64::consts::PI.ln(), 1e-14);
        assert_rel(ln_gamma(10.0), 362_880f64.ln(), 1e-14);
        assert_rel(ln_gamma(1.0).abs() + 1.0, 1.0, 1e-14);
        assert_rel(ln_gamma(0.1), 2.252_712_651_734_206, 1e-13);
        assert_rel(ln_gamma(100.0), 359.134_205_369_575_4, 1e-14);
    }

    #[test]
    fn incomplete_gamma_identities() {
        for x in [0.1, 1.0, 2.5, 10.0, 40.0] {
            assert_rel(gamma_q(1.0, x).unwrap(), (-x).exp(), 1e-13);
            // Q(1/2, x^2) = erfc(x)
            let r = x.sqrt();
            assert_rel(gamma_q(0.5, x).unwrap(), erfc(r), 1e-12);
            assert_rel(
                gamma_p(1.0, x).unwrap() + gamma_q(1.0, x).unwrap(),
                1.0,
                1e-14,
            );
        }
        assert!(gamma_q(-1.0, 1.0).is_none());
        assert!(gamma_q(1.0, f64::NAN).is_none());
    }

    #[test]
    fn chi_square_critical_values() {
        assert_rel(
            chi_square_sf(3.841_458_820_694_124, 1).unwrap(),
            0.05,
            1e-12,
        );
        assert_rel(
            chi_square_sf(7.814_727_903_251_178, 3).unwrap(),
            0.05,
            1e-12,
        );
        assert_rel(
            chi_square_sf(18.307_038_053_275_146, 10).unwrap(),
            0.05,
            1e-12,
        );
        assert_rel(chi_square_sf(5.0, 2).unwrap(), (-2.5f64).exp(), 1e-13);
        assert!(chi_square_sf(1.0, 0).is_none());
    }

    #[test]
    fn both_users_of_the_continued_fraction_match_published_tails() {
        // Normal upper tail Q(z) = 1 - Phi(z) = erfc(z / sqrt 2) / 2, through the fraction
        // since z / sqrt 2 >= 2 (standard normal tables, e.g. Abramowitz & Stegun 26.2):
        // Q(3) = 1.349898e-3, Q(4) = 3.167124e-5, Q(6) = 9.865876e-10.
        assert_rel(normal_cdf(-3.0), 1.349_898_031_630_095e-3, 1e-12);
        assert_rel(normal_cdf(-4.0), 3.167_124_183_311_992e-5, 1e-12);
        assert_rel(normal_cdf(-6.0), 9.865_876_450_376_98e-10, 1e-12);
        // Chi-square upper percentage points (tables of chi^2_{p, df}): P(X > x) = Q(df/2, x/2),
        // through the fraction since x/2 >= df/2 + 1 in each case.
        //   df = 1,  x = 6.634897  -> 0.01  (x/2 = 3.32 >= 1.5)
        //   df = 1,  x = 10.827566 -> 0.001 (x/2 = 5.41 >= 1.5)
        //   df = 5,  x = 15.086272 -> 0.01  (x/2 = 7.54 >= 3.5)
        //   df = 20, x = 31.410433 -> 0.05  (x/2 = 15.71 >= 11)
        // Cross-checked with the closed forms Q(1/2, y) = erfc(sqrt y),
        // Q(5/2, y) = erfc(sqrt y) + exp(-y) (y^(1/2) / Gamma(3/2) + y^(3/2) / Gamma(5/2)) and
        // Q(10, y) = exp(-y) sum_{k<10} y^k / k!.
        let points = [
            (6.634_896_601_021_214, 1, 0.01),
            (10.827_566_170_662_733, 1, 0.001),
            (15.086_272_469_388_987, 5, 0.01),
            (31.410_432_844_230_918, 20, 0.05),
        ];
        for (x, df, p) in points {
            assert_rel(chi_square_sf(x, df).unwrap(), p, 1e-12);
        }
        // P = 1 - Q on the fraction's side as well.
        assert_rel(
            gamma_p(10.0, 31.410_432_844_230_918 / 2.0).unwrap(),
            0.95,
            1e-13,
        );
    }

    #[test]
    fn float_safe_ceil_ignores_noise() {
        assert_eq!(21.0 / 0.7, 30.000_000_000_000_004);
        assert_eq!(float_safe_ceil(21.0 / 0.7), 30.0);
        assert_eq!(float_safe_ceil(30.01), 31.0);
        assert_eq!(float_safe_ceil(369.98), 370.0);
        assert_eq!(float_safe_ceil(-0.0), 0.0);
    }

    #[test]
    fn ranks_and_correlations() {
        assert_eq!(
            average_ranks(&[5.0, 6.0, 7.0, 8.0, 7.0]),
            [1.0, 2.0, 3.5, 5.0, 3.5]
        );
        let s = spearman(&[1.0, 2.0, 3.0, 4.0, 5.0], &[5.0, 6.0, 7.0, 8.0, 7.0]).unwrap();
        assert_rel(s, 8.0 / 95f64.sqrt(), 1e-14);
        assert_rel(
            pearson(&[1.0, 2.0, 3.0], &[2.0, 4.0, 6.0]).unwrap(),
            1.0,
            1e-15,
        );
        assert_eq!(
            pearson(&[1.0, 1.0], &[1.0, 2.0]),
            Err(MetricError::ZeroDenominator("zero variance"))
        );
        assert!(matches!(
            pearson(&[1.0], &[1.0, 2.0]),
            Err(MetricError::LengthMismatch { .. })
        ));
    }

    #[test]
    fn median_percentile_ratio() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), Some(2.5));
        assert_eq!(median(&[f64::NAN]), None);
        let v = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0];
        assert_eq!(percentile_nearest_rank_sorted(&v, 0.9), Some(9.0));
        assert_eq!(percentile_nearest_rank_sorted(&v, 0.95), Some(10.0));
        assert_eq!(percentile_nearest_rank_sorted(&v, 0.0), Some(1.0));
        assert_eq!(ratio(1.0, 0.0), None);
        assert_eq!(ratio(f64::NAN, 1.0), None);
        assert_eq!(count_ratio(1, 4), Some(0.25));
        assert_eq!(mean(&[]), None);
    }
}

/// Ordinary least-squares slope of `ys` against their positions `0, 1, 2, …`:
/// `b = sum (x - mean x)(y - mean y) / sum (x - mean x)^2`, in y units per step
/// (e.g. per month for a monthly series). `None` for fewer than 2 points or any
/// non-finite value.
pub fn least_squares_slope(ys: &[f64]) -> Option<f64> {
    if ys.len() < 2 || ys.iter().any(|y| !y.is_finite()) {
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
    ratio(sxy, sxx)
}

#[cfg(test)]
mod slope_tests {
    use super::*;

    #[test]
    fn least_squares_slope_of_a_series() {
        // y = 1, 3, 2, 6: mean x 1.5, mean y 3; sxy = (-1.5)(-2)+(-0.5)(0)+(0.5)(-1)+(1.5)(3) = 7;
        // sxx = 2.25+0.25+0.25+2.25 = 5 -> slope 1.4.
        assert_rel(
            least_squares_slope(&[1.0, 3.0, 2.0, 6.0]).unwrap(),
            1.4,
            1e-12,
        );
        assert_eq!(least_squares_slope(&[2.0, 2.0, 2.0]), Some(0.0));
        assert_eq!(least_squares_slope(&[1.0]), None);
        assert_eq!(least_squares_slope(&[1.0, f64::NAN]), None);
    }
}
