//! Comparisons of two groups within strata, combined: the Cochran–Mantel–Haenszel
//! test for proportions and a stratified test of skewed times on the log scale
//! (Holm's correction for several of them is [`crate::significance::holm_adjusted`]). Used by CX3 to compare survey
//! respondents with invited non-respondents within each channel, so the channel
//! mix cannot pass for a difference between the groups.

use crate::stats::normal_two_sided_p;

/// One stratum's 2x2 table: `x1` of `n1` in group 1 have the trait, `x2` of `n2`
/// in group 2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Stratum2x2 {
    /// Group 1 with the trait.
    pub x1: u64,
    /// Group 1 size.
    pub n1: u64,
    /// Group 2 with the trait.
    pub x2: u64,
    /// Group 2 size.
    pub n2: u64,
}

/// A difference between two groups combined over strata, with its test.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StratifiedTest {
    /// The combined difference group 1 - group 2 (a share, or seconds), each
    /// stratum weighted by `n1 n2 / (n1 + n2)`.
    pub difference: f64,
    /// Standardised effect size (Cohen's d for times, on the pooled
    /// within-stratum SD; `None` for proportions or a zero SD).
    pub effect_size: Option<f64>,
    /// z statistic (signed: positive when group 1 is higher).
    pub z: f64,
    /// Two-sided p-value.
    pub p_value: f64,
    /// Strata that carried information (both groups present).
    pub strata: usize,
}

/// Cochran–Mantel–Haenszel test of a common difference in proportions over
/// strata, without continuity correction. Per stratum with `N = n1 + n2`,
/// `m1 = x1 + x2`, `m0 = N - m1`: `E = n1 m1 / N`, `V = n1 n2 m1 m0 / (N^2 (N - 1))`;
/// `z = sum (x1 - E) / sqrt(sum V)` (z² is the CMH chi-square, 1 df). The
/// difference is the Mantel–Haenszel risk difference
/// `sum (x1 n2 - x2 n1) / N / sum n1 n2 / N`. Strata missing a group are
/// left out. `None` when no stratum informs (`sum V = 0`) or counts are inconsistent.
/// Example: strata (2 of 2 vs 2 of 4) and (1 of 2 vs 1 of 2): E = 4/3 and 1,
/// V = 64/180 and 1/3, z = (2/3) / sqrt(0.68889) = 0.80322; difference
/// (4/3 x 0.5 + 1 x 0) / (4/3 + 1) = 0.28571.
pub fn cochran_mantel_haenszel(strata: &[Stratum2x2]) -> Option<StratifiedTest> {
    let (mut dev, mut var, mut rd_num, mut rd_den, mut used) = (0.0, 0.0, 0.0, 0.0, 0);
    for s in strata {
        if s.x1 > s.n1 || s.x2 > s.n2 {
            return None;
        }
        if s.n1 == 0 || s.n2 == 0 {
            continue;
        }
        let (x1, n1, x2, n2) = (s.x1 as f64, s.n1 as f64, s.x2 as f64, s.n2 as f64);
        let n = n1 + n2;
        let m1 = x1 + x2;
        let m0 = n - m1;
        dev += x1 - n1 * m1 / n;
        if n > 1.0 {
            var += n1 * n2 * m1 * m0 / (n * n * (n - 1.0));
        }
        rd_num += (x1 * n2 - x2 * n1) / n;
        rd_den += n1 * n2 / n;
        used += 1;
    }
    if var <= 0.0 || rd_den <= 0.0 {
        return None;
    }
    let z = dev / var.sqrt();
    Some(StratifiedTest {
        difference: rd_num / rd_den,
        effect_size: None,
        z,
        p_value: normal_two_sided_p(z),
        strata: used,
    })
}

/// Stratified comparison of skewed times (waits, handle times): the test is on
/// `ln(1 + t)`, where the long right tail of a few very long waits no longer
/// dominates the variance: per stratum the difference of mean log times
/// `D = mean1 - mean2` with variance `s1²/n1 + s2²/n2`, combined with
/// inverse-variance weights, `z = sum (D/v) / sqrt(sum 1/v)`. The difference
/// reported is in seconds, the stratified difference of means weighted by
/// `n1 n2 / (n1 + n2)`; the effect size is that difference over the pooled
/// within-stratum SD (Cohen's d). Strata with fewer than 2 values in a group,
/// or no spread on the log scale, are left out; negative or non-finite times
/// are ignored. `None` when no stratum informs.
pub fn stratified_log_times(strata: &[(Vec<f64>, Vec<f64>)]) -> Option<StratifiedTest> {
    let clean = |v: &[f64]| -> Vec<f64> {
        v.iter()
            .copied()
            .filter(|x| x.is_finite() && *x >= 0.0)
            .collect()
    };
    let moments = |v: &[f64]| -> (f64, f64) {
        let n = v.len() as f64;
        let m = v.iter().sum::<f64>() / n;
        let ss = v.iter().map(|x| (x - m).powi(2)).sum::<f64>();
        (m, ss)
    };
    let (mut wsum, mut wd, mut diff_num, mut diff_den) = (0.0, 0.0, 0.0, 0.0);
    let (mut ss_within, mut df_within, mut used) = (0.0, 0.0, 0);
    for (a, b) in strata {
        let (a, b) = (clean(a), clean(b));
        if a.len() < 2 || b.len() < 2 {
            continue;
        }
        let (n1, n2) = (a.len() as f64, b.len() as f64);
        let la: Vec<f64> = a.iter().map(|x| x.ln_1p()).collect();
        let lb: Vec<f64> = b.iter().map(|x| x.ln_1p()).collect();
        let ((lm1, lss1), (lm2, lss2)) = (moments(&la), moments(&lb));
        let v = lss1 / (n1 - 1.0) / n1 + lss2 / (n2 - 1.0) / n2;
        let ((m1, ss1), (m2, ss2)) = (moments(&a), moments(&b));
        let w = n1 * n2 / (n1 + n2);
        diff_num += w * (m1 - m2);
        diff_den += w;
        ss_within += ss1 + ss2;
        df_within += n1 + n2 - 2.0;
        used += 1;
        if v > 0.0 {
            wsum += 1.0 / v;
            wd += (lm1 - lm2) / v;
        }
    }
    if wsum <= 0.0 || diff_den <= 0.0 {
        return None;
    }
    let z = wd / wsum.sqrt();
    let difference = diff_num / diff_den;
    let sd = (df_within > 0.0).then(|| (ss_within / df_within).sqrt());
    Some(StratifiedTest {
        difference,
        effect_size: sd.filter(|s| *s > 0.0).map(|s| difference / s),
        z,
        p_value: normal_two_sided_p(z),
        strata: used,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) {
        assert!((a - b).abs() < 1e-5, "{a} vs {b}");
    }

    #[test]
    fn cmh_worked_by_hand() {
        let t = cochran_mantel_haenszel(&[
            Stratum2x2 {
                x1: 2,
                n1: 2,
                x2: 2,
                n2: 4,
            },
            Stratum2x2 {
                x1: 1,
                n1: 2,
                x2: 1,
                n2: 2,
            },
            // No group 2: no information, left out.
            Stratum2x2 {
                x1: 3,
                n1: 3,
                x2: 0,
                n2: 0,
            },
        ])
        .unwrap();
        // Voice: N 6, m1 4: E = 2 x 4 / 6 = 1.33333, V = 2 x 4 x 4 x 2 / (36 x 5) = 0.35556.
        // Chat: N 4, m1 2: E = 1, V = 2 x 2 x 2 x 2 / (16 x 3) = 0.33333.
        // z = (0.66667 + 0) / sqrt(0.68889) = 0.80322.
        close(t.z, 0.666_666_7 / 0.688_888_9f64.sqrt());
        close(t.z, 0.80322);
        // MH difference: weights 8/6 and 1, differences 0.5 and 0 -> 0.66667 / 2.33333.
        close(t.difference, 2.0 / 7.0);
        assert_eq!(t.strata, 2);
        assert!(
            cochran_mantel_haenszel(&[Stratum2x2 {
                x1: 1,
                n1: 1,
                x2: 1,
                n2: 1
            }])
            .is_none()
        );
    }

    #[test]
    fn log_times_combine_strata_and_resist_a_long_tail() {
        // One stratum, times e-1 and e^3-1 (log1p 1 and 3) vs 0 and e^2-1 (log1p 0, 2):
        // mean logs 2 and 1, variances 2 and 2: v = 2/2 + 2/2 = 2; z = 1 / sqrt(2) = 0.70711.
        let e = std::f64::consts::E;
        let a = vec![e - 1.0, e.powi(3) - 1.0];
        let b = vec![0.0, e.powi(2) - 1.0];
        let t = stratified_log_times(&[(a.clone(), b.clone())]).unwrap();
        close(t.z, 1.0 / 2f64.sqrt());
        // Difference in seconds: mean a - mean b = (e + e^3 - 2)/2 - (e^2 - 1)/2.
        close(
            t.difference,
            (e + e.powi(3) - 2.0) / 2.0 - (e * e - 1.0) / 2.0,
        );
        // Two identical strata: the sum of D/v is 2 x 1/2 = 1, sum 1/v = 1: z = 1.
        let t2 = stratified_log_times(&[(a.clone(), b.clone()), (a, b)]).unwrap();
        close(t2.z, 1.0);
        assert_eq!(t2.strata, 2);
        assert!(stratified_log_times(&[(vec![1.0], vec![2.0, 3.0])]).is_none());
    }
}
