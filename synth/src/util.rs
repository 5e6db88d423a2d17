//! Small helpers: random variates, Erlang C, and deterministic text formatting.

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Seconds in a day.
pub const DAY: f64 = 86_400.0;

/// A reproducible random stream derived from the seed and a stream number.
pub fn stream(seed: u64, stream: u64) -> ChaCha8Rng {
    // SplitMix64 finaliser, so nearby seeds give unrelated streams.
    let mut z = seed
        .wrapping_add(stream.wrapping_mul(0x9E37_79B9_7F4A_7C15))
        .wrapping_add(0x632B_E59B_D9B4_E019);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    ChaCha8Rng::seed_from_u64(z)
}

/// Random variates built on a uniform source (kept here so output does not
/// depend on the sampling algorithms of a distribution crate).
pub trait Draw {
    /// Uniform in [0, 1).
    fn unif(&mut self) -> f64;
    /// Bernoulli trial.
    fn chance(&mut self, p: f64) -> bool {
        self.unif() < p
    }
    /// Standard normal (Box-Muller).
    fn normal(&mut self) -> f64 {
        let u1 = 1.0 - self.unif();
        let u2 = self.unif();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }
    /// Exponential with the given mean.
    fn exp(&mut self, mean: f64) -> f64 {
        -mean * (1.0 - self.unif()).ln()
    }
    /// Lognormal with the given median and log-sd.
    fn lognormal(&mut self, median: f64, sigma: f64) -> f64 {
        median * (sigma * self.normal()).exp()
    }
    /// Poisson count.
    fn poisson(&mut self, lambda: f64) -> u32 {
        if lambda <= 0.0 {
            0
        } else if lambda < 40.0 {
            let l = (-lambda).exp();
            let mut k = 0u32;
            let mut p = 1.0;
            loop {
                p *= self.unif();
                if p <= l {
                    return k;
                }
                k += 1;
            }
        } else {
            (lambda + lambda.sqrt() * self.normal()).round().max(0.0) as u32
        }
    }
    /// Uniform integer in [0, n).
    fn below(&mut self, n: usize) -> usize {
        ((self.unif() * n as f64) as usize).min(n.saturating_sub(1))
    }
    /// Index drawn with the given (non-negative) weights.
    fn weighted(&mut self, weights: &[f64]) -> usize {
        let total: f64 = weights.iter().sum();
        let mut x = self.unif() * total;
        for (i, w) in weights.iter().enumerate() {
            if x < *w {
                return i;
            }
            x -= w;
        }
        weights.len() - 1
    }
}

impl Draw for ChaCha8Rng {
    fn unif(&mut self) -> f64 {
        self.random::<f64>()
    }
}

/// Mean absolute deviation of a Poisson count from its mean `l`:
/// `2 l^(k+1) e^(-l) / k!` with `k = floor(l)`.
pub fn poisson_mad(l: f64) -> f64 {
    if l <= 0.0 {
        return 0.0;
    }
    let k = l.floor();
    let mut ln_fact = 0.0;
    let mut j = 2.0;
    while j <= k {
        ln_fact += f64::ln(j);
        j += 1.0;
    }
    2.0 * ((k + 1.0) * l.ln() - l - ln_fact).exp()
}

/// The time zone of every local timestamp the generator writes.
pub const TIME_ZONE: chrono_tz::Tz = chrono_tz::Europe::Lisbon;

/// Date strings for day offsets from the period start, cached, and the
/// spring-forward gap of each day (if any) in [`TIME_ZONE`].
pub struct Calendar {
    dates: Vec<String>,
    /// Per day: (start of the gap, length of the gap), seconds of local time.
    gaps: Vec<Option<(i64, i64)>>,
}

/// Days before the period start the calendar can format (notifications,
/// hires and the like happen before the period).
const LEAD: usize = 400;

/// The spring-forward gap of a local date in `tz`: (first missing second of
/// the day, gap length in seconds).
pub fn dst_gap(tz: chrono_tz::Tz, date: chrono::NaiveDate) -> Option<(i64, i64)> {
    use chrono::{Offset, TimeZone};
    let offset_at = |d: chrono::NaiveDate| {
        let midnight = d.and_hms_opt(0, 0, 0)?;
        tz.from_local_datetime(&midnight)
            .earliest()
            .map(|t| t.offset().fix().local_minus_utc() as i64)
    };
    let (a, b) = (offset_at(date)?, offset_at(date.succ_opt()?)?);
    if b <= a {
        return None;
    }
    // Transition days only: find the first minute that does not exist.
    (0..1440).find_map(|m| {
        let t = date.and_hms_opt(m / 60, m % 60, 0)?;
        match tz.from_local_datetime(&t) {
            chrono::LocalResult::None => Some((m as i64 * 60, b - a)),
            _ => None,
        }
    })
}

impl Calendar {
    /// Calendar covering `days` days from `start`.
    pub fn new(start: chrono::NaiveDate, days: usize) -> Self {
        let mut dates = Vec::with_capacity(days + LEAD);
        let mut gaps = Vec::with_capacity(days + LEAD);
        for d in 0..days + LEAD {
            let date = start + chrono::Duration::days(d as i64 - LEAD as i64);
            dates.push(date.format("%Y-%m-%d").to_string());
            gaps.push(dst_gap(TIME_ZONE, date));
        }
        Calendar { dates, gaps }
    }
    /// `YYYY-MM-DD` of a day offset.
    pub fn date(&self, day: usize) -> &str {
        &self.dates[(day + LEAD).min(self.dates.len() - 1)]
    }
    /// Writes `YYYY-MM-DDTHH:MM:SS` for seconds since the period start.
    ///
    /// The simulation clock runs 86,400 s a day in local wall time. On the
    /// day clocks go forward (a gap of `g` seconds at `G`), the simulated
    /// span `[G, G + 2g)` is mapped linearly onto the real local span
    /// `[G + g, G + 2g)`: the mapping is monotone, continuous in real time
    /// (local `G + g` is the instant the gap starts) and never writes a
    /// local time that does not exist. Nothing but surveys and incident
    /// follow-ups happens at that hour of the night.
    pub fn ts(&self, out: &mut String, t: f64) {
        use std::fmt::Write;
        let secs = (t.floor() as i64).max(-(LEAD as i64) * 86_400);
        let day = secs.div_euclid(86_400);
        let mut tod = secs.rem_euclid(86_400);
        let day = ((day + LEAD as i64) as usize).min(self.dates.len() - 1);
        if let Some((g0, g)) = self.gaps[day]
            && tod >= g0
        {
            let w = (2 * g).min(86_400 - g0);
            if tod < g0 + w {
                tod = if w > g {
                    g0 + g + (tod - g0) * (w - g) / w
                } else {
                    86_399
                };
            }
        }
        let _ = write!(
            out,
            "{}T{:02}:{:02}:{:02}",
            self.dates[day],
            tod / 3600,
            (tod / 60) % 60,
            tod % 60
        );
    }
}

/// Writes a CSV field, quoting it when needed.
pub fn field(out: &mut String, s: &str) {
    if s.contains([',', '"', '\n']) {
        out.push('"');
        out.push_str(&s.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(s);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn poisson_mad_is_exact() {
        // l = 1: 2/e; l = 2.5: 2 * 2.5^3 e^-2.5 / 2.
        assert!((poisson_mad(1.0) - 2.0 / std::f64::consts::E).abs() < 1e-12);
        assert!((poisson_mad(2.5) - 2.5f64.powi(3) * (-2.5f64).exp()).abs() < 1e-12);
        // Large l: about sqrt(2 l / pi).
        let l = 400.0;
        assert!((poisson_mad(l) / (2.0 * l / std::f64::consts::PI).sqrt() - 1.0).abs() < 0.01);
    }

    #[test]
    fn lisbon_spring_gap_is_found_and_skipped() {
        let d = chrono::NaiveDate::from_ymd_opt(2026, 3, 29).unwrap_or_default();
        assert_eq!(dst_gap(TIME_ZONE, d), Some((3600, 3600)));
        assert_eq!(dst_gap(TIME_ZONE, d.pred_opt().unwrap_or_default()), None);
        let autumn = chrono::NaiveDate::from_ymd_opt(2026, 10, 25).unwrap_or_default();
        assert_eq!(dst_gap(TIME_ZONE, autumn), None);
        let cal = Calendar::new(d, 2);
        let fmt = |t: f64| {
            let mut s = String::new();
            cal.ts(&mut s, t);
            s
        };
        assert_eq!(fmt(3599.0), "2026-03-29T00:59:59");
        assert_eq!(fmt(3600.0), "2026-03-29T02:00:00");
        assert_eq!(fmt(5400.0), "2026-03-29T02:15:00");
        assert_eq!(fmt(10_799.0), "2026-03-29T02:59:59");
        assert_eq!(fmt(10_800.0), "2026-03-29T03:00:00");
        assert_eq!(fmt(86_400.0 + 5400.0), "2026-03-30T01:30:00");
        // Monotone through the whole day.
        let mut last = String::new();
        for t in (0..86_400).step_by(7) {
            let s = fmt(t as f64);
            assert!(s >= last, "{s} < {last}");
            last = s;
        }
    }
}
