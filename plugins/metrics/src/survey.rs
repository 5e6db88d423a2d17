//! Survey metrics: CSAT top-2-box, NPS with its sampling error, margins of error,
//! sample sizes, response rate, non-response bias z-test, chi-square test of
//! independence and key-driver correlations (Pearson or Spearman).

use crate::MetricError;
use crate::stats::{
    chi_square_sf, count_ratio, float_safe_ceil, normal_two_sided_p, pearson, spearman,
};

/// z for a two-sided 95 % interval as used by DOMAIN.md (1.96).
pub const Z_95: f64 = 1.96;

/// CSAT top-2-box counts on a 1-5 scale.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TopTwoBox {
    /// Responses in 1..=5.
    pub valid: u64,
    /// Responses 4 or 5.
    pub top_two: u64,
    /// Responses outside 1..=5 (ignored).
    pub invalid: u64,
}

impl TopTwoBox {
    /// `CSAT = responses 4-5 / valid responses`; `None` if no valid response.
    pub fn rate(&self) -> Option<f64> {
        count_ratio(self.top_two, self.valid)
    }
}

/// CSAT top-2-box over 1-5 scores: `count(4, 5) / count(1..=5)`; other values are
/// ignored and counted as invalid.
pub fn csat_top_two_box(scores: &[u8]) -> TopTwoBox {
    let mut t = TopTwoBox::default();
    for &s in scores {
        match s {
            1..=3 => t.valid += 1,
            4 | 5 => {
                t.valid += 1;
                t.top_two += 1;
            }
            _ => t.invalid += 1,
        }
    }
    t
}

/// Net Promoter Score with its sampling error, in points (-100..=100).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Nps {
    /// Valid responses n.
    pub n: u64,
    /// Promoter share p (scores 9-10).
    pub promoter_share: f64,
    /// Detractor share d (scores 0-6).
    pub detractor_share: f64,
    /// `NPS = 100 (p - d)`.
    pub nps: f64,
    /// Variance of p - d: `(p + d - (p - d)^2) / n` (fraction units).
    pub variance: f64,
    /// Standard error in points: `100 sqrt(variance)`.
    pub standard_error: f64,
    /// 95 % margin in points: `1.96 * standard_error`.
    pub margin_95: f64,
}

/// NPS statistics from promoter share `p`, detractor share `d` and `n` responses.
/// `None` if `n == 0` or the shares are not valid proportions (`p + d <= 1`).
/// Example: p = 0.5, d = 1/6, n = 100 -> NPS 33.3, SE 7.45, margin 14.6.
pub fn nps_from_shares(promoter_share: f64, detractor_share: f64, n: u64) -> Option<Nps> {
    let (p, d) = (promoter_share, detractor_share);
    if n == 0 || !(0.0..=1.0).contains(&p) || !(0.0..=1.0).contains(&d) || p + d > 1.0 + 1e-12 {
        return None;
    }
    let variance = ((p + d - (p - d).powi(2)) / n as f64).max(0.0);
    let se = 100.0 * variance.sqrt();
    Some(Nps {
        n,
        promoter_share: p,
        detractor_share: d,
        nps: 100.0 * (p - d),
        variance,
        standard_error: se,
        margin_95: Z_95 * se,
    })
}

/// NPS from 0-10 scores (promoters 9-10, detractors 0-6); scores above 10 are ignored.
/// `None` if there is no valid score.
pub fn nps(scores: &[u8]) -> Option<Nps> {
    let (mut n, mut prom, mut det) = (0u64, 0u64, 0u64);
    for &s in scores.iter().filter(|&&s| s <= 10) {
        n += 1;
        prom += u64::from(s >= 9);
        det += u64::from(s <= 6);
    }
    nps_from_counts(prom, det, n)
}

/// NPS from counts of promoters, detractors and all valid responses.
pub fn nps_from_counts(promoters: u64, detractors: u64, responses: u64) -> Option<Nps> {
    if responses == 0 || promoters + detractors > responses {
        return None;
    }
    let n = responses as f64;
    nps_from_shares(promoters as f64 / n, detractors as f64 / n, responses)
}

/// Margin of error of a proportion `z sqrt(p(1-p)/n)`, times the finite population
/// correction `sqrt((N - n) / (N - 1))` when `population = Some(N)`. `None` for
/// `n == 0`, `p` outside [0, 1], `n > N` or `N < 2`.
pub fn margin_of_error(p: f64, n: u64, population: Option<u64>, z: f64) -> Option<f64> {
    if n == 0 || !(0.0..=1.0).contains(&p) || !(z.is_finite() && z >= 0.0) {
        return None;
    }
    let base = z * (p * (1.0 - p) / n as f64).sqrt();
    match population {
        None => Some(base),
        Some(pop) if pop >= 2 && n <= pop => {
            Some(base * ((pop - n) as f64 / (pop - 1) as f64).sqrt())
        }
        Some(_) => None,
    }
}

/// Unrounded sample size for margin `e`: `n0 = z^2 p (1 - p) / e^2` (384.16 for
/// z = 1.96, p = 0.5, e = 0.05). `None` unless `e > 0`, `p` in [0, 1].
pub fn sample_size_n0(margin: f64, p: f64, z: f64) -> Option<f64> {
    if margin <= 0.0
        || !margin.is_finite()
        || !(0.0..=1.0).contains(&p)
        || !z.is_finite()
        || z < 0.0
    {
        return None;
    }
    Some(z * z * p * (1.0 - p) / (margin * margin))
}

/// Required sample size, rounded up (float-safe): `n0` or, with a population N,
/// `n0 / (1 + (n0 - 1) / N)` (384.16 -> 385; N = 10,000 -> 370).
pub fn required_sample_size(margin: f64, p: f64, z: f64, population: Option<u64>) -> Option<u64> {
    let n0 = sample_size_n0(margin, p, z)?;
    let n = match population {
        None => n0,
        Some(0) => return None,
        Some(pop) => n0 / (1.0 + (n0 - 1.0) / pop as f64),
    };
    let c = float_safe_ceil(n).max(0.0);
    (c < u64::MAX as f64).then_some(c as u64)
}

/// Response rate `completes / eligible invitations`.
pub fn response_rate(completes: u64, eligible_invitations: u64) -> Option<f64> {
    count_ratio(completes, eligible_invitations)
}

/// Result of [`two_proportion_z_test`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ZTest {
    /// x1 / n1.
    pub p1: f64,
    /// x2 / n2.
    pub p2: f64,
    /// Pooled proportion (x1 + x2) / (n1 + n2).
    pub pooled: f64,
    /// `z = (p1 - p2) / sqrt(pooled (1 - pooled) (1/n1 + 1/n2))`.
    pub z: f64,
    /// Two-sided p-value `2 (1 - Phi(|z|))`.
    pub p_value: f64,
}

/// Two-proportion z-test with pooled proportion (e.g. non-response bias: 26/364 vs
/// 8/210 -> z = 1.630, p = 0.103). `None` if a group is empty, `x > n`, or the pooled
/// proportion is 0 or 1 (zero standard error).
pub fn two_proportion_z_test(x1: u64, n1: u64, x2: u64, n2: u64) -> Option<ZTest> {
    if n1 == 0 || n2 == 0 || x1 > n1 || x2 > n2 {
        return None;
    }
    let (p1, p2) = (x1 as f64 / n1 as f64, x2 as f64 / n2 as f64);
    let pooled = (x1 + x2) as f64 / (n1 + n2) as f64;
    let se = (pooled * (1.0 - pooled) * (1.0 / n1 as f64 + 1.0 / n2 as f64)).sqrt();
    if se == 0.0 {
        return None;
    }
    let z = (p1 - p2) / se;
    Some(ZTest {
        p1,
        p2,
        pooled,
        z,
        p_value: normal_two_sided_p(z),
    })
}

/// Result of [`chi_square_independence`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChiSquareTest {
    /// `sum (O - E)^2 / E` with `E = row total * column total / grand total`.
    pub statistic: f64,
    /// Degrees of freedom `(r - 1)(c - 1)` over non-empty rows and columns.
    pub df: u64,
    /// Upper-tail p-value `Q(df/2, statistic/2)`.
    pub p_value: f64,
    /// Smallest expected count (rule of thumb: warn below 5).
    pub min_expected: f64,
}

/// Pearson chi-square test of independence on an r x c table of counts (no
/// continuity correction). All-zero rows and columns are dropped. Errors: ragged
/// rows, or fewer than 2 non-empty rows or columns.
pub fn chi_square_independence<R: AsRef<[u64]>>(table: &[R]) -> Result<ChiSquareTest, MetricError> {
    let cols = table.first().map_or(0, |r| r.as_ref().len());
    for r in table {
        if r.as_ref().len() != cols {
            return Err(MetricError::LengthMismatch {
                left: cols,
                right: r.as_ref().len(),
            });
        }
    }
    let row_tot: Vec<f64> = table
        .iter()
        .map(|r| r.as_ref().iter().map(|&v| v as f64).sum())
        .collect();
    let col_tot: Vec<f64> = (0..cols)
        .map(|j| table.iter().map(|r| r.as_ref()[j] as f64).sum())
        .collect();
    let rows_used = row_tot.iter().filter(|&&t| t > 0.0).count();
    let cols_used = col_tot.iter().filter(|&&t| t > 0.0).count();
    if rows_used < 2 || cols_used < 2 {
        return Err(MetricError::InvalidInput(
            "need at least 2 non-empty rows and columns",
        ));
    }
    let total: f64 = row_tot.iter().sum();
    let (mut stat, mut min_expected) = (0.0, f64::INFINITY);
    for (r, &rt) in table.iter().zip(&row_tot) {
        if rt == 0.0 {
            continue;
        }
        for (&o, &ct) in r.as_ref().iter().zip(&col_tot) {
            if ct == 0.0 {
                continue;
            }
            let e = rt * ct / total;
            min_expected = min_expected.min(e);
            stat += (o as f64 - e).powi(2) / e;
        }
    }
    let df = ((rows_used - 1) * (cols_used - 1)) as u64;
    let p_value = chi_square_sf(stat, df).ok_or(MetricError::NoConvergence)?;
    Ok(ChiSquareTest {
        statistic: stat,
        df,
        p_value,
        min_expected,
    })
}

/// Correlation method for [`key_drivers`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Correlation {
    /// Pearson product-moment correlation.
    #[default]
    Pearson,
    /// Spearman rank correlation (average ranks for ties).
    Spearman,
}

/// Correlation of `x` and `y` by `method` (see [`crate::stats`]).
pub fn correlation(x: &[f64], y: &[f64], method: Correlation) -> Result<f64, MetricError> {
    match method {
        Correlation::Pearson => pearson(x, y),
        Correlation::Spearman => spearman(x, y),
    }
}

/// One attribute's correlation with overall satisfaction.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Driver<'a> {
    /// Attribute name.
    pub name: &'a str,
    /// Correlation with overall; `None` if undefined (constant series, mismatch…).
    pub correlation: Option<f64>,
}

/// Key drivers: correlation of each attribute with `overall`, ranked by correlation
/// descending (undefined last, ties by name).
pub fn key_drivers<'a>(
    attributes: &[(&'a str, &[f64])],
    overall: &[f64],
    method: Correlation,
) -> Vec<Driver<'a>> {
    let mut v: Vec<Driver<'a>> = attributes
        .iter()
        .map(|&(name, xs)| Driver {
            name,
            correlation: correlation(xs, overall, method).ok(),
        })
        .collect();
    v.sort_by(|a, b| match (a.correlation, b.correlation) {
        (Some(x), Some(y)) => y.total_cmp(&x).then(a.name.cmp(b.name)),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.name.cmp(b.name),
    });
    v
}

/// Result of [`two_mean_z_test`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MeanZTest {
    /// Mean of the first group.
    pub mean1: f64,
    /// Mean of the second group.
    pub mean2: f64,
    /// Sample standard deviation (n - 1) of the first group.
    pub sd1: f64,
    /// Sample standard deviation (n - 1) of the second group.
    pub sd2: f64,
    /// Welch statistic `z = (m1 - m2) / sqrt(s1^2/n1 + s2^2/n2)`.
    pub z: f64,
    /// Two-sided p-value from the standard normal (large-sample approximation of
    /// Welch's t): `2 (1 - Phi(|z|))`.
    pub p_value: f64,
    /// Cohen's d `(m1 - m2) / s_pooled`, `s_pooled = sqrt(((n1-1)s1^2 + (n2-1)s2^2) /
    /// (n1 + n2 - 2))`; `None` when the pooled SD is 0.
    pub cohens_d: Option<f64>,
}

/// Difference of two means with unequal variances (Welch's statistic), its p-value by
/// the normal approximation (fine for large groups, e.g. respondents vs non-respondents
/// on wait or handle time) and Cohen's d. `None` if a group has fewer than 2 values, a
/// value is not finite, or the standard error is 0.
/// Example: [1, 2, 3, 4, 5] vs [2, 4, 6] -> z = -1 / sqrt(2.5/5 + 4/3) = -0.7385, d = -1/sqrt 3.
pub fn two_mean_z_test(x: &[f64], y: &[f64]) -> Option<MeanZTest> {
    if x.len() < 2 || y.len() < 2 || x.iter().chain(y).any(|v| !v.is_finite()) {
        return None;
    }
    let (n1, n2) = (x.len() as f64, y.len() as f64);
    let (m1, m2) = (crate::stats::mean(x)?, crate::stats::mean(y)?);
    let v1 = x.iter().map(|v| (v - m1).powi(2)).sum::<f64>() / (n1 - 1.0);
    let v2 = y.iter().map(|v| (v - m2).powi(2)).sum::<f64>() / (n2 - 1.0);
    let se = (v1 / n1 + v2 / n2).sqrt();
    if se == 0.0 || !se.is_finite() {
        return None;
    }
    let z = (m1 - m2) / se;
    let pooled = (((n1 - 1.0) * v1 + (n2 - 1.0) * v2) / (n1 + n2 - 2.0)).sqrt();
    Some(MeanZTest {
        mean1: m1,
        mean2: m2,
        sd1: v1.sqrt(),
        sd2: v2.sqrt(),
        z,
        p_value: normal_two_sided_p(z),
        cohens_d: (pooled > 0.0).then(|| (m1 - m2) / pooled),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::assert_rel;

    #[test]
    fn csat() {
        let t = csat_top_two_box(&[5, 4, 3, 1, 2, 5, 0, 9]);
        assert_eq!(
            t,
            TopTwoBox {
                valid: 6,
                top_two: 3,
                invalid: 2
            }
        );
        assert_eq!(t.rate(), Some(0.5));
        assert_eq!(csat_top_two_box(&[]).rate(), None);
    }

    #[test]
    fn nps_domain_vector() {
        let r = nps_from_shares(0.5, 1.0 / 6.0, 100).unwrap();
        assert!((r.nps - 33.3).abs() < 0.05);
        assert!((r.standard_error - 7.45).abs() < 0.005);
        assert!((r.margin_95 - 14.6).abs() < 0.05);
        assert_rel(
            r.variance,
            (0.5 + 1.0 / 6.0 - (1.0f64 / 3.0).powi(2)) / 100.0,
            1e-14,
        );
        // the same from scores: 300 responses, 150 promoters, 50 detractors
        let mut s = vec![10u8; 150];
        s.extend(vec![8u8; 100]);
        s.extend(vec![3u8; 50]);
        s.push(11); // ignored
        let from_scores = nps(&s).unwrap();
        assert_eq!(from_scores.n, 300);
        assert_rel(from_scores.nps, 100.0 / 3.0, 1e-14);
        assert_eq!(nps(&[]), None);
        assert_eq!(nps_from_counts(3, 3, 5), None);
        assert_eq!(nps_from_shares(0.7, 0.7, 10), None);
    }

    #[test]
    fn margins_and_sample_sizes() {
        assert_rel(sample_size_n0(0.05, 0.5, Z_95).unwrap(), 384.16, 1e-12);
        assert_eq!(required_sample_size(0.05, 0.5, Z_95, None), Some(385));
        assert_eq!(
            required_sample_size(0.05, 0.5, Z_95, Some(10_000)),
            Some(370)
        );
        assert_eq!(required_sample_size(0.0, 0.5, Z_95, None), None);
        let m = margin_of_error(0.5, 400, None, Z_95).unwrap();
        assert_rel(m, 0.049, 1e-12);
        let f = margin_of_error(0.5, 400, Some(10_000), Z_95).unwrap();
        assert_rel(f, 0.049 * (9600.0f64 / 9999.0).sqrt(), 1e-12);
        assert_eq!(margin_of_error(0.5, 400, Some(100), Z_95), None);
        assert_eq!(margin_of_error(0.5, 0, None, Z_95), None);
        assert_eq!(margin_of_error(0.5, 10, Some(10), Z_95), Some(0.0));
        assert_eq!(response_rate(370, 1000), Some(0.37));
        assert_eq!(response_rate(1, 0), None);
    }

    #[test]
    fn z_test_domain_vector() {
        let t = two_proportion_z_test(26, 364, 8, 210).unwrap();
        assert!((t.z - 1.630).abs() < 0.0005, "{}", t.z);
        assert!((t.p_value - 0.103).abs() < 0.0005, "{}", t.p_value);
        // exact recomputation of the statistic
        let pooled: f64 = 34.0 / 574.0;
        let se = (pooled * (1.0 - pooled) * (1.0 / 364.0 + 1.0 / 210.0)).sqrt();
        assert_rel(t.z, (26.0 / 364.0 - 8.0 / 210.0) / se, 1e-14);
        assert_eq!(two_proportion_z_test(0, 10, 0, 10), None);
        assert_eq!(two_proportion_z_test(11, 10, 0, 10), None);
    }

    #[test]
    fn chi_square_matches_z_squared_for_2x2() {
        let t = chi_square_independence(&[[26u64, 338], [8, 202]]).unwrap();
        let z = two_proportion_z_test(26, 364, 8, 210).unwrap();
        assert_eq!(t.df, 1);
        assert_rel(t.statistic, z.z * z.z, 1e-12);
        assert_rel(t.p_value, z.p_value, 1e-11);
        // 2x3 table with an empty column dropped: df = 1
        let t2 = chi_square_independence(&[vec![10u64, 0, 20], vec![20, 0, 10]]).unwrap();
        assert_eq!(t2.df, 1);
        // hand computation: E = 15 everywhere, stat = 4 * 25/15
        assert_rel(t2.statistic, 100.0 / 15.0, 1e-14);
        assert_rel(
            t2.p_value,
            crate::stats::erfc((100.0f64 / 15.0 / 2.0).sqrt()),
            1e-12,
        );
        assert_eq!(t2.min_expected, 15.0);
        assert!(chi_square_independence(&[vec![1u64, 2], vec![3]]).is_err());
        assert!(chi_square_independence(&[[1u64, 2]]).is_err());
        assert!(chi_square_independence::<[u64; 2]>(&[]).is_err());
    }

    #[test]
    fn drivers_ranked() {
        let overall = [1.0, 2.0, 3.0, 4.0, 5.0];
        let a = [2.0, 4.0, 6.0, 8.0, 10.0];
        let b = [5.0, 4.0, 3.0, 2.0, 1.0];
        let c = [3.0, 3.0, 3.0, 3.0, 3.0];
        let d = [1.0, 3.0, 2.0, 5.0, 4.0];
        let v = key_drivers(
            &[("b", &b), ("c", &c), ("a", &a), ("d", &d)],
            &overall,
            Correlation::Spearman,
        );
        let names: Vec<_> = v.iter().map(|d| d.name).collect();
        assert_eq!(names, ["a", "d", "b", "c"]);
        assert_rel(v[0].correlation.unwrap(), 1.0, 1e-15);
        assert_eq!(v[3].correlation, None);
        assert_rel(v[1].correlation.unwrap(), 0.8, 1e-14);
    }
}

#[cfg(test)]
mod mean_z_tests {
    use super::*;
    use crate::stats::assert_rel;

    #[test]
    fn welch_z_by_hand() {
        // means 3 and 4, sample variances 2.5 and 4
        let t = two_mean_z_test(&[1.0, 2.0, 3.0, 4.0, 5.0], &[2.0, 4.0, 6.0]).unwrap();
        assert_rel(t.z, -1.0 / (2.5f64 / 5.0 + 4.0 / 3.0).sqrt(), 1e-14);
        assert!((t.z + 0.738549).abs() < 1e-6, "{}", t.z);
        assert_rel(t.p_value, normal_two_sided_p(t.z), 1e-15);
        assert_rel(t.cohens_d.unwrap(), -1.0 / 3f64.sqrt(), 1e-14);
        assert_rel(t.sd2, 2.0, 1e-15);
        assert_eq!(two_mean_z_test(&[1.0], &[1.0, 2.0]), None);
        assert_eq!(two_mean_z_test(&[1.0, 1.0], &[1.0, 1.0]), None);
    }
}
