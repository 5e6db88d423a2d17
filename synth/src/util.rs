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

/// Erlang C model for one interval.
pub struct Erlang {
    /// Offered load in Erlangs.
    pub a: f64,
    /// Average handle time, seconds.
    pub aht: f64,
}

impl Erlang {
    /// Smallest N > A whose service level within `t` seconds reaches `target`
    /// (0 when there is no load).
    pub fn required(&self, t: f64, target: f64) -> u32 {
        if self.a <= 0.0 {
            return 0;
        }
        // Erlang B by recursion up to n, then test each n > A in turn.
        let mut b = 1.0;
        let mut n = 0u32;
        loop {
            n += 1;
            b = self.a * b / (n as f64 + self.a * b);
            let nf = n as f64;
            if nf <= self.a {
                continue;
            }
            let pw = nf * b / (nf - self.a * (1.0 - b));
            let sl = 1.0 - pw * (-(nf - self.a) * t / self.aht).exp();
            if sl >= target || n > 100_000 {
                return n;
            }
        }
    }
}

/// Date strings for day offsets from the period start, cached.
pub struct Calendar {
    dates: Vec<String>,
}

/// Days before the period start the calendar can format (notifications,
/// hires and the like happen before the period).
const LEAD: usize = 400;

impl Calendar {
    /// Calendar covering `days` days from `start`.
    pub fn new(start: chrono::NaiveDate, days: usize) -> Self {
        let mut dates = Vec::with_capacity(days + LEAD);
        for d in 0..days + LEAD {
            let date = start + chrono::Duration::days(d as i64 - LEAD as i64);
            dates.push(date.format("%Y-%m-%d").to_string());
        }
        Calendar { dates }
    }
    /// `YYYY-MM-DD` of a day offset.
    pub fn date(&self, day: usize) -> &str {
        &self.dates[(day + LEAD).min(self.dates.len() - 1)]
    }
    /// Writes `YYYY-MM-DDTHH:MM:SS` for seconds since the period start.
    pub fn ts(&self, out: &mut String, t: f64) {
        use std::fmt::Write;
        let secs = (t.floor() as i64).max(-(LEAD as i64) * 86_400);
        let day = secs.div_euclid(86_400);
        let tod = secs.rem_euclid(86_400) as u64;
        let day = (day + LEAD as i64) as usize;
        let _ = write!(
            out,
            "{}T{:02}:{:02}:{:02}",
            self.dates[day.min(self.dates.len() - 1)],
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
    fn erlang_required_matches_domain_vector() {
        let e = Erlang {
            a: 10.0,
            aht: 180.0,
        };
        assert_eq!(e.required(20.0, 0.8), 14);
    }
}
