//! Queueing models for staffing: Erlang B, Erlang C (M/M/N) and Erlang A (M/M/N+M).
//!
//! Conventions: `traffic` is the offered load A in Erlangs, `agents` is N, all times
//! are in seconds (any single unit works if used consistently). Erlang B is always
//! computed by the stable recursion `B0 = 1, Bn = A*B(n-1) / (n + A*B(n-1))`, never via
//! `A^N / N!`. For `N <= A` the Erlang C queue is unstable: waiting probability 1,
//! service level 0, ASA undefined ([`MetricError::Unstable`]).

use crate::MetricError;
use crate::stats::float_safe_ceil;

/// Tolerance used when comparing a computed service level / occupancy / ASA with a
/// target in [`required_agents`] (absorbs floating-point noise only).
pub const TARGET_TOLERANCE: f64 = 1e-12;

fn check_traffic(traffic: f64) -> Result<(), MetricError> {
    if traffic.is_finite() && traffic >= 0.0 {
        Ok(())
    } else {
        Err(MetricError::InvalidInput("traffic must be finite and >= 0"))
    }
}

fn check_aht(aht_seconds: f64) -> Result<(), MetricError> {
    if aht_seconds.is_finite() && aht_seconds > 0.0 {
        Ok(())
    } else {
        Err(MetricError::InvalidInput("AHT must be finite and > 0"))
    }
}

fn check_target_time(target_seconds: f64) -> Result<(), MetricError> {
    if target_seconds.is_finite() && target_seconds >= 0.0 {
        Ok(())
    } else {
        Err(MetricError::InvalidInput(
            "target time must be finite and >= 0",
        ))
    }
}

/// Offered traffic in Erlangs: `A = contacts / interval_seconds * aht_seconds`.
/// `None` if the interval is not > 0 or any input is negative or not finite.
pub fn traffic_intensity(contacts: f64, interval_seconds: f64, aht_seconds: f64) -> Option<f64> {
    let ok = contacts.is_finite()
        && contacts >= 0.0
        && interval_seconds.is_finite()
        && interval_seconds > 0.0
        && aht_seconds.is_finite()
        && aht_seconds >= 0.0;
    ok.then(|| contacts / interval_seconds * aht_seconds)
        .filter(|a| a.is_finite())
}

/// One step of the Erlang B recursion: `B(n) = A*B(n-1) / (n + A*B(n-1))`.
#[inline]
fn erlang_b_step(n: u32, traffic: f64, prev: f64) -> f64 {
    let ab = traffic * prev;
    ab / (n as f64 + ab)
}

/// Erlang B blocking probability `B(N, A)` by the recursion `B0 = 1,
/// Bn = A*B(n-1) / (n + A*B(n-1))` (O(N), stable for any N).
pub fn erlang_b(agents: u32, traffic: f64) -> Result<f64, MetricError> {
    check_traffic(traffic)?;
    let mut b = 1.0;
    for n in 1..=agents {
        b = erlang_b_step(n, traffic, b);
    }
    Ok(b)
}

/// Erlang C waiting probability from Erlang B: `Pw = N*B / (N - A*(1 - B))` for
/// `N > A`, 1 otherwise.
#[inline]
fn wait_probability_from_b(agents: u32, traffic: f64, b: f64) -> f64 {
    let n = agents as f64;
    if n <= traffic {
        return 1.0;
    }
    (n * b / (n - traffic * (1.0 - b))).clamp(0.0, 1.0)
}

/// Erlang C service level `SL(T) = 1 - Pw * exp(-(N - A) * T / AHT)`; 0 if `N <= A`.
#[inline]
fn service_level_from_pw(agents: u32, traffic: f64, pw: f64, aht: f64, target: f64) -> f64 {
    let n = agents as f64;
    if n <= traffic {
        return 0.0;
    }
    (1.0 - pw * (-(n - traffic) * target / aht).exp()).clamp(0.0, 1.0)
}

/// Erlang C waiting probability `Pw = N*B / (N - A*(1 - B))` with `B = B(N, A)`.
/// Unstable queue (`N <= A`): `Pw = 1`.
pub fn erlang_c(agents: u32, traffic: f64) -> Result<f64, MetricError> {
    let b = erlang_b(agents, traffic)?;
    Ok(wait_probability_from_b(agents, traffic, b))
}

/// Erlang C service level: share of contacts answered within `target_seconds`,
/// `SL(T) = 1 - Pw * exp(-(N - A) * T / AHT)`; 0 when `N <= A`.
pub fn service_level(
    agents: u32,
    traffic: f64,
    aht_seconds: f64,
    target_seconds: f64,
) -> Result<f64, MetricError> {
    check_aht(aht_seconds)?;
    check_target_time(target_seconds)?;
    let pw = erlang_c(agents, traffic)?;
    Ok(service_level_from_pw(
        agents,
        traffic,
        pw,
        aht_seconds,
        target_seconds,
    ))
}

/// Erlang C average speed of answer `ASA = Pw * AHT / (N - A)` (mean wait over all
/// contacts, zero waits included). `Err(Unstable)` when `N <= A` (infinite).
pub fn asa(agents: u32, traffic: f64, aht_seconds: f64) -> Result<f64, MetricError> {
    check_aht(aht_seconds)?;
    let pw = erlang_c(agents, traffic)?;
    let n = agents as f64;
    if n <= traffic {
        return Err(MetricError::Unstable);
    }
    Ok(pw * aht_seconds / (n - traffic))
}

/// Agent occupancy `A / N`, capped at 1 (an overloaded team is fully occupied).
/// `Err(ZeroDenominator)` for zero agents.
pub fn occupancy(agents: u32, traffic: f64) -> Result<f64, MetricError> {
    check_traffic(traffic)?;
    if agents == 0 {
        return Err(MetricError::ZeroDenominator("zero agents"));
    }
    Ok((traffic / agents as f64).min(1.0))
}

/// All Erlang C figures for one staffing level (see [`erlang_c_metrics`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ErlangC {
    /// N, the number of agents.
    pub agents: u32,
    /// A, the offered traffic in Erlangs.
    pub traffic: f64,
    /// Erlang B blocking probability B(N, A).
    pub erlang_b: f64,
    /// Pw = N*B / (N - A*(1-B)); 1 if unstable.
    pub wait_probability: f64,
    /// SL(T) = 1 - Pw*exp(-(N-A)*T/AHT); 0 if unstable.
    pub service_level: f64,
    /// ASA = Pw*AHT/(N-A); `None` if unstable (infinite).
    pub asa_seconds: Option<f64>,
    /// min(A/N, 1).
    pub occupancy: f64,
    /// `N > A`.
    pub stable: bool,
}

/// Erlang C waiting probability, service level within `target_seconds`, ASA and
/// occupancy for `agents` agents, `traffic` Erlangs and the given AHT (one pass).
/// `agents` must be >= 1.
pub fn erlang_c_metrics(
    agents: u32,
    traffic: f64,
    aht_seconds: f64,
    target_seconds: f64,
) -> Result<ErlangC, MetricError> {
    check_aht(aht_seconds)?;
    check_target_time(target_seconds)?;
    let b = erlang_b(agents, traffic)?;
    let occupancy = occupancy(agents, traffic)?;
    Ok(metrics_from_b(
        agents,
        traffic,
        b,
        aht_seconds,
        target_seconds,
        occupancy,
    ))
}

fn metrics_from_b(agents: u32, traffic: f64, b: f64, aht: f64, target: f64, occ: f64) -> ErlangC {
    let n = agents as f64;
    let stable = n > traffic;
    let pw = wait_probability_from_b(agents, traffic, b);
    ErlangC {
        agents,
        traffic,
        erlang_b: b,
        wait_probability: pw,
        service_level: service_level_from_pw(agents, traffic, pw, aht, target),
        asa_seconds: stable.then(|| pw * aht / (n - traffic)),
        occupancy: occ,
        stable,
    }
}

/// Targets for [`required_agents`]: the smallest N > A with SL(T) >= `service_level`
/// and, when set, occupancy A/N <= `max_occupancy` and ASA <= `max_asa_seconds`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StaffingTarget {
    /// Offered traffic A in Erlangs (>= 0).
    pub traffic: f64,
    /// Average handle time in seconds (> 0).
    pub aht_seconds: f64,
    /// Service-level threshold T in seconds (>= 0).
    pub target_seconds: f64,
    /// Required service level as a fraction in [0, 1] (0.8 = 80 %).
    pub service_level: f64,
    /// Optional maximum occupancy in (0, 1].
    pub max_occupancy: Option<f64>,
    /// Optional maximum ASA in seconds (>= 0).
    pub max_asa_seconds: Option<f64>,
    /// Search limit; default `ceil(max(A, A/max_occupancy)) + 50*sqrt(A) + 1000`.
    pub max_agents: Option<u32>,
}

impl StaffingTarget {
    /// A target with only the service-level constraint (`SL(T) >= service_level`).
    pub fn new(traffic: f64, aht_seconds: f64, target_seconds: f64, service_level: f64) -> Self {
        Self {
            traffic,
            aht_seconds,
            target_seconds,
            service_level,
            max_occupancy: None,
            max_asa_seconds: None,
            max_agents: None,
        }
    }

    /// Adds a maximum occupancy constraint `A/N <= max`.
    pub fn with_max_occupancy(mut self, max: f64) -> Self {
        self.max_occupancy = Some(max);
        self
    }

    /// Adds a maximum ASA constraint `ASA <= max_seconds`.
    pub fn with_max_asa(mut self, max_seconds: f64) -> Self {
        self.max_asa_seconds = Some(max_seconds);
        self
    }

    fn validate(&self) -> Result<(), MetricError> {
        check_traffic(self.traffic)?;
        check_aht(self.aht_seconds)?;
        check_target_time(self.target_seconds)?;
        if !(0.0..=1.0).contains(&self.service_level) {
            return Err(MetricError::InvalidInput(
                "service level target must be in [0, 1]",
            ));
        }
        if let Some(m) = self.max_occupancy
            && !(m > 0.0 && m <= 1.0)
        {
            return Err(MetricError::InvalidInput("max occupancy must be in (0, 1]"));
        }
        if let Some(m) = self.max_asa_seconds
            && !(m.is_finite() && m >= 0.0)
        {
            return Err(MetricError::InvalidInput("max ASA must be finite and >= 0"));
        }
        if self.traffic >= f64::from(u32::MAX) / 2.0 {
            return Err(MetricError::InvalidInput("traffic too large"));
        }
        Ok(())
    }

    fn search_limit(&self) -> u32 {
        if let Some(m) = self.max_agents {
            return m;
        }
        let a = self.traffic;
        let floor = match self.max_occupancy {
            Some(m) => (a / m).max(a),
            None => a,
        };
        let limit = floor.ceil() + 50.0 * a.sqrt() + 1000.0;
        if limit >= f64::from(u32::MAX) {
            u32::MAX
        } else {
            limit as u32
        }
    }

    /// Whether `agents` agents meet every constraint, given `b = B(agents, A)`.
    fn met_with_b(&self, agents: u32, b: f64) -> bool {
        let n = agents as f64;
        if n <= self.traffic {
            return false;
        }
        let pw = wait_probability_from_b(agents, self.traffic, b);
        let sl = service_level_from_pw(
            agents,
            self.traffic,
            pw,
            self.aht_seconds,
            self.target_seconds,
        );
        if sl < self.service_level - TARGET_TOLERANCE {
            return false;
        }
        if let Some(max) = self.max_occupancy
            && self.traffic / n > max + TARGET_TOLERANCE
        {
            return false;
        }
        if let Some(max) = self.max_asa_seconds {
            let asa = pw * self.aht_seconds / (n - self.traffic);
            if asa > max + TARGET_TOLERANCE * max.max(1.0) {
                return false;
            }
        }
        true
    }

    /// Whether `agents` agents meet every constraint (computed from scratch with the
    /// same arithmetic as [`required_agents`], so the two always agree).
    pub fn is_met_by(&self, agents: u32) -> Result<bool, MetricError> {
        self.validate()?;
        let b = erlang_b(agents, self.traffic)?;
        Ok(self.met_with_b(agents, b))
    }
}

/// Required agents: the smallest integer N > A meeting every constraint of `target`
/// (SL(T) >= target, optional max occupancy and max ASA), found with one upward pass
/// of the Erlang B recursion (O(N), e.g. ~0.2 ms for A = 50,000 Erlangs).
/// `Err(NoSolution)` if no N up to the search limit qualifies.
pub fn required_agents(target: &StaffingTarget) -> Result<u32, MetricError> {
    target.validate()?;
    let limit = target.search_limit();
    let a = target.traffic;
    let mut b = 1.0;
    for n in 1..=limit {
        b = erlang_b_step(n, a, b);
        if n as f64 > a && target.met_with_b(n, b) {
            return Ok(n);
        }
    }
    Err(MetricError::NoSolution)
}

/// Scheduled agents: `ceil(required / (1 - shrinkage))` with a float-safe ceiling
/// (values within 1e-9 of an integer are that integer: 21/0.7 gives 30, not 31).
/// `shrinkage` must be in [0, 1).
pub fn scheduled_agents(required: u32, shrinkage: f64) -> Result<u32, MetricError> {
    if !(0.0..1.0).contains(&shrinkage) {
        return Err(MetricError::InvalidInput("shrinkage must be in [0, 1)"));
    }
    let x = float_safe_ceil(f64::from(required) / (1.0 - shrinkage));
    if x > f64::from(u32::MAX) {
        return Err(MetricError::InvalidInput("scheduled agents overflow u32"));
    }
    Ok(x as u32)
}

/// Erlang A (M/M/N+M) figures for one staffing level (see [`erlang_a`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ErlangA {
    /// N, the number of agents.
    pub agents: u32,
    /// A, the offered traffic in Erlangs.
    pub traffic: f64,
    /// P(wait > 0): probability an arriving contact finds all agents busy.
    pub wait_probability: f64,
    /// P(abandon): share of offered contacts that abandon.
    pub abandon_probability: f64,
    /// Share of offered contacts answered within T: P(no wait) + P(answered after
    /// waiting <= T). Converges to Erlang C SL(T) as patience grows.
    pub service_level: f64,
    /// Mean wait of answered contacts (zero waits included); `None` if none answered.
    pub asa_answered_seconds: Option<f64>,
    /// Mean time in queue over all offered contacts (abandoners until they leave):
    /// `P(abandon) * mean patience` (Little's law).
    pub mean_wait_all_seconds: f64,
    /// Carried load per agent: `A * (1 - P(abandon)) / N`.
    pub occupancy: f64,
}

const ERLANG_A_MAX_TERMS: u64 = 50_000_000;

/// Erlang A (Palm / Garnett–Mandelbaum–Reiman M/M/N+M): Poisson arrivals, exponential
/// handle time (mean `aht_seconds`), N agents, exponential patience (mean
/// `mean_patience_seconds`; `f64::INFINITY` gives Erlang C).
///
/// With x = N*patience/AHT, y = A*patience/AHT and `J = sum_{j>=0} y^j / ((x+1)...(x+j))`
/// (computed as a scaled ratio recursion, no overflow):
/// `P(wait) = B*J / (1 + B*(J-1))` with B = Erlang B(N, A);
/// `P(abandon) = P(wait) * (sum_j j*t_j) / (y * J)`;
/// answered within T after waiting = `pi_N * (N/AHT) * int_0^T h(t) dt` with
/// `pi_N = P(wait)/J` and `h(t) = exp(-(N/AHT + 1/patience) t + y (1 - exp(-t/patience)))`
/// (the offered-wait survival of a waiting contact times its own patience survival);
/// ASA of answered contacts uses `int_0^inf t h(t) dt`. Integrals by adaptive Simpson
/// on the log-concave integrand, split at its mode.
pub fn erlang_a(
    agents: u32,
    traffic: f64,
    aht_seconds: f64,
    mean_patience_seconds: f64,
    target_seconds: f64,
) -> Result<ErlangA, MetricError> {
    erlang_a_impl(
        agents,
        traffic,
        aht_seconds,
        mean_patience_seconds,
        target_seconds,
    )
    .map(|r| r.0)
}

/// Smallest number of agents whose Erlang A service level reaches
/// `service_level` within `target_seconds` (and, if given, whose occupancy
/// stays at or under `max_occupancy`), with the figures at that level.
/// Service level rises with N, so the search doubles then bisects.
pub fn required_agents_erlang_a(
    traffic: f64,
    aht_seconds: f64,
    mean_patience_seconds: f64,
    target_seconds: f64,
    service_level: f64,
    max_occupancy: Option<f64>,
) -> Result<ErlangA, MetricError> {
    if !(0.0..=1.0).contains(&service_level) {
        return Err(MetricError::InvalidInput(
            "service level target must be in [0, 1]",
        ));
    }
    let meets = |n: u32| -> Result<Option<ErlangA>, MetricError> {
        let r = match erlang_a(
            n,
            traffic,
            aht_seconds,
            mean_patience_seconds,
            target_seconds,
        ) {
            Ok(r) => r,
            Err(MetricError::Unstable) => return Ok(None),
            Err(e) => return Err(e),
        };
        let occupancy_ok = max_occupancy.is_none_or(|m| r.occupancy <= m + 1e-12);
        Ok((r.service_level + 1e-12 >= service_level && occupancy_ok).then_some(r))
    };
    let limit = (traffic.max(1.0) * 4.0 + 1000.0).min(u32::MAX as f64) as u32;
    let mut hi = 1u32;
    let mut found = loop {
        if let Some(r) = meets(hi)? {
            break r;
        }
        if hi >= limit {
            return Err(MetricError::NoSolution);
        }
        hi = hi.saturating_mul(2).min(limit);
    };
    let mut lo = hi / 2; // fails (or is 0)
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        match meets(mid)? {
            Some(r) => {
                hi = mid;
                found = r;
            }
            None => lo = mid,
        }
    }
    Ok(found)
}

/// [`erlang_a`] plus P(answered after waiting) from the quadrature, which must equal
/// `P(wait) - P(abandon)` (internal consistency check used by the tests).
fn erlang_a_impl(
    agents: u32,
    traffic: f64,
    aht_seconds: f64,
    mean_patience_seconds: f64,
    target_seconds: f64,
) -> Result<(ErlangA, f64), MetricError> {
    check_traffic(traffic)?;
    check_aht(aht_seconds)?;
    check_target_time(target_seconds)?;
    if agents == 0 {
        return Err(MetricError::InvalidInput("agents must be >= 1"));
    }
    if mean_patience_seconds.is_nan() || mean_patience_seconds <= 0.0 {
        return Err(MetricError::InvalidInput("mean patience must be > 0"));
    }
    let n = agents as f64;
    if mean_patience_seconds == f64::INFINITY {
        let c = erlang_c_metrics(agents, traffic, aht_seconds, target_seconds)?;
        let asa = c.asa_seconds.ok_or(MetricError::Unstable)?;
        let r = ErlangA {
            agents,
            traffic,
            wait_probability: c.wait_probability,
            abandon_probability: 0.0,
            service_level: c.service_level,
            asa_answered_seconds: Some(asa),
            mean_wait_all_seconds: asa,
            occupancy: c.occupancy,
        };
        return Ok((r, c.wait_probability));
    }
    if traffic == 0.0 {
        let r = ErlangA {
            agents,
            traffic,
            wait_probability: 0.0,
            abandon_probability: 0.0,
            service_level: 1.0,
            asa_answered_seconds: Some(0.0),
            mean_wait_all_seconds: 0.0,
            occupancy: 0.0,
        };
        return Ok((r, 0.0));
    }
    // Time unit: one AHT. theta = abandonment rate per waiting contact.
    let theta = aht_seconds / mean_patience_seconds;
    let x = n / theta;
    let y = traffic / theta;
    let (ln_j, ln_j1) = erlang_a_series(x, y)?;
    let b = erlang_b(agents, traffic)?;
    let ln_b = b.ln();
    let inv_j = (-ln_j).exp();
    let p_wait = (1.0 / ((-(ln_b + ln_j)).exp() + 1.0 - inv_j)).clamp(0.0, 1.0);
    let p_ab = (p_wait * (ln_j1 - ln_j).exp() / y).clamp(0.0, p_wait);
    // ln of pi_N = P(wait) / J, kept in log space (J can exceed f64 range).
    let ln_pi_n = p_wait.ln() - ln_j;
    let has_wait = p_wait > 0.0;

    // h(t) = exp(g(t) - g(t*)), t in AHT units, with g(t) = -rate t - y expm1(-theta t)
    // concave with mode t*. Written around the mode without cancellation:
    // g(t) - g(t*) = -(rate - A c) d - y c phi(theta d), d = t - t*, c = exp(-theta t*),
    // phi(u) = exp(-u) - 1 + u >= 0.
    let rate = n + theta;
    let (t_star, c, g_star) = if traffic > rate {
        let t_star = (traffic / rate).ln() / theta;
        (
            t_star,
            rate / traffic,
            (traffic - rate) / theta - rate * t_star,
        )
    } else {
        (0.0, 1.0, 0.0)
    };
    let lin = (rate - traffic * c).max(0.0);
    let curv = y * c;
    let h = move |t: f64| {
        let d = t - t_star;
        (-lin * d - curv * phi(theta * d)).exp()
    };
    let (int_all, int_t) = integrate_to_infinity(&h, t_star, rate, traffic, theta)?;
    // prefactor converting integrals of the scaled h into probabilities
    let pref_ln = ln_pi_n + n.ln() + g_star;
    let t_target = target_seconds / aht_seconds;
    let tol = 1e-12 * int_all;
    let int_t_target = if t_target <= 0.0 {
        0.0
    } else if t_star > 0.0 && t_star < t_target {
        adaptive_simpson(&h, 0.0, t_star, tol / 2.0)
            + adaptive_simpson(&h, t_star, t_target, tol / 2.0)
    } else {
        adaptive_simpson(&h, 0.0, t_target, tol)
    };
    let answered_after_wait_within = if has_wait {
        (pref_ln + int_t_target.ln()).exp()
    } else {
        0.0
    };
    let service_level = (1.0 - p_wait + answered_after_wait_within).clamp(0.0, 1.0);
    let answered = 1.0 - p_ab;
    let asa_answered = if answered > 0.0 {
        let waited_time = if has_wait && int_t > 0.0 {
            (pref_ln + int_t.ln()).exp()
        } else {
            0.0
        };
        Some(waited_time / answered * aht_seconds)
    } else {
        None
    };
    let answered_after_wait = if has_wait {
        (pref_ln + int_all.ln()).exp()
    } else {
        0.0
    };
    let r = ErlangA {
        agents,
        traffic,
        wait_probability: p_wait,
        abandon_probability: p_ab,
        service_level,
        asa_answered_seconds: asa_answered,
        mean_wait_all_seconds: p_ab * mean_patience_seconds,
        occupancy: (traffic * (1.0 - p_ab) / n).clamp(0.0, 1.0),
    };
    Ok((r, answered_after_wait))
}

/// `phi(u) = exp(-u) - 1 + u`, accurate for small |u| (series) and non-negative.
fn phi(u: f64) -> f64 {
    if u.abs() < 0.5 {
        // sum_{k>=2} (-u)^k / k!
        let mut term = u * u / 2.0;
        let mut sum = term;
        for k in 3..30 {
            term *= -u / k as f64;
            sum += term;
            if term.abs() <= 1e-17 * sum {
                break;
            }
        }
        sum
    } else {
        (-u).exp_m1() + u
    }
}

/// `(ln J, ln J1)` with `t_j = y^j / ((x+1)...(x+j))`, `J = sum t_j`, `J1 = sum j t_j`.
fn erlang_a_series(x: f64, y: f64) -> Result<(f64, f64), MetricError> {
    const SCALE: f64 = 1e-200;
    let ln_scale_step = -SCALE.ln();
    let mut log_scale = 0.0;
    let (mut w, mut s0, mut s1) = (1.0f64, 1.0f64, 0.0f64);
    let mut j: u64 = 0;
    loop {
        j += 1;
        if j > ERLANG_A_MAX_TERMS {
            return Err(MetricError::NoConvergence);
        }
        let jf = j as f64;
        let r = y / (x + jf);
        w *= r;
        if w > 1e200 {
            w *= SCALE;
            s0 *= SCALE;
            s1 *= SCALE;
            log_scale += ln_scale_step;
        }
        s0 += w;
        s1 += jf * w;
        if r < 1.0 {
            let q = r / (1.0 - r);
            let tail0 = w * q;
            let tail1 = w * (jf * q + q / (1.0 - r));
            if tail0 <= 1e-17 * s0 && tail1 <= 1e-17 * s1 {
                break;
            }
        }
    }
    Ok((log_scale + s0.ln(), log_scale + s1.ln()))
}

/// `(int_0^inf h, int_0^inf t h)` for the log-concave `h` with mode `t_star` and
/// `ln h'(t) = -rate + traffic * exp(-theta t)`. Pieces of doubling length after the
/// mode until a tangent-line bound on the tail is negligible.
fn integrate_to_infinity(
    h: &impl Fn(f64) -> f64,
    t_star: f64,
    rate: f64,
    traffic: f64,
    theta: f64,
) -> Result<(f64, f64), MetricError> {
    let th = |t: f64| t * h(t);
    let (mut i0, mut i1) = (0.0, 0.0);
    if t_star > 0.0 {
        let c0 = simpson(h, 0.0, t_star);
        let c1 = simpson(&th, 0.0, t_star);
        i0 += adaptive_simpson(h, 0.0, t_star, 1e-12 * c0.abs().max(1e-300));
        i1 += adaptive_simpson(&th, 0.0, t_star, 1e-12 * c1.abs().max(1e-300));
    }
    let mut start = t_star;
    let mut len = 1.0 / rate;
    for _ in 0..400 {
        let end = start + len;
        let c0 = simpson(h, start, end).abs().max(i0);
        let c1 = simpson(&th, start, end).abs().max(i1);
        i0 += adaptive_simpson(h, start, end, 1e-12 * c0.max(1e-300));
        i1 += adaptive_simpson(&th, start, end, 1e-12 * c1.max(1e-300));
        let slope = rate - traffic * (-theta * end).exp();
        if slope > 0.0 {
            let he = h(end);
            let tail0 = he / slope;
            let tail1 = he * (end / slope + 1.0 / (slope * slope));
            if tail0 <= 1e-16 * i0 && tail1 <= 1e-16 * i1 {
                return Ok((i0, i1));
            }
        }
        start = end;
        len *= 2.0;
    }
    Err(MetricError::NoConvergence)
}

fn simpson(f: &impl Fn(f64) -> f64, a: f64, b: f64) -> f64 {
    (b - a) / 6.0 * (f(a) + 4.0 * f(0.5 * (a + b)) + f(b))
}

/// Adaptive Simpson quadrature with Richardson correction, absolute tolerance `tol`.
/// Refinement stops at depth 40, when the difference is at the rounding-noise floor,
/// or after a budget of function evaluations (the current estimate is then kept).
fn adaptive_simpson(f: &impl Fn(f64) -> f64, a: f64, b: f64, tol: f64) -> f64 {
    if b <= a {
        return 0.0;
    }
    let (fa, fb, fm) = (f(a), f(b), f(0.5 * (a + b)));
    let whole = (b - a) / 6.0 * (fa + 4.0 * fm + fb);
    let mut budget: u32 = 2_000_000;
    let seg = Segment {
        a,
        b,
        fa,
        fm,
        fb,
        whole,
    };
    simpson_rec(f, seg, tol.max(f64::MIN_POSITIVE), 40, &mut budget)
}

#[derive(Clone, Copy)]
struct Segment {
    a: f64,
    b: f64,
    fa: f64,
    fm: f64,
    fb: f64,
    whole: f64,
}

fn simpson_rec(f: &impl Fn(f64) -> f64, s: Segment, tol: f64, depth: u32, budget: &mut u32) -> f64 {
    let m = 0.5 * (s.a + s.b);
    let (lm, rm) = (0.5 * (s.a + m), 0.5 * (m + s.b));
    let (flm, frm) = (f(lm), f(rm));
    *budget = budget.saturating_sub(2);
    let left = (m - s.a) / 6.0 * (s.fa + 4.0 * flm + s.fm);
    let right = (s.b - m) / 6.0 * (s.fm + 4.0 * frm + s.fb);
    let delta = left + right - s.whole;
    let noise_floor = 1e-13 * (left.abs() + right.abs());
    if depth == 0 || *budget == 0 || delta.abs() <= (15.0 * tol).max(noise_floor) {
        return left + right + delta / 15.0;
    }
    let l = Segment {
        a: s.a,
        b: m,
        fa: s.fa,
        fm: flm,
        fb: s.fm,
        whole: left,
    };
    let r = Segment {
        a: m,
        b: s.b,
        fa: s.fm,
        fm: frm,
        fb: s.fb,
        whole: right,
    };
    simpson_rec(f, l, tol / 2.0, depth - 1, budget)
        + simpson_rec(f, r, tol / 2.0, depth - 1, budget)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::assert_rel;

    const AHT: f64 = 180.0;
    const T: f64 = 20.0;

    #[test]
    fn traffic_from_volume() {
        assert_rel(
            traffic_intensity(100.0, 1800.0, 180.0).unwrap(),
            10.0,
            1e-15,
        );
        assert_rel(
            traffic_intensity(360.0, 1800.0, 240.0).unwrap(),
            48.0,
            1e-15,
        );
        assert_eq!(traffic_intensity(1.0, 0.0, 180.0), None);
        assert_eq!(traffic_intensity(-1.0, 1800.0, 180.0), None);
        assert_eq!(traffic_intensity(f64::NAN, 1800.0, 180.0), None);
    }

    #[test]
    fn domain_table_n11_to_15() {
        // N, Pw, SL(20 s), ASA s, occupancy — DOMAIN.md section 5 (7-8 digits given).
        let rows = [
            (11, 0.682_118_2, 0.389_613_8, 122.781_28, 0.909_090_9),
            (12, 0.449_388_2, 0.640_158, 40.444_94, 0.833_333_3),
            (13, 0.285_270_5, 0.795_594_8, 17.116_23, 0.769_230_8),
            (14, 0.174_131_9, 0.888_350_02, 7.835_937, 0.714_285_7),
            (15, 0.102_042_4, 0.941_452_8, 3.673_525, 0.666_666_7),
        ];
        let a = traffic_intensity(100.0, 1800.0, AHT).unwrap();
        for (n, pw, sl, asa_s, occ) in rows {
            let m = erlang_c_metrics(n, a, AHT, T).unwrap();
            assert_rel(m.wait_probability, pw, 1e-6);
            assert_rel(m.service_level, sl, 1e-6);
            assert_rel(m.asa_seconds.unwrap(), asa_s, 1e-6);
            assert_rel(m.occupancy, occ, 1e-6);
            assert!(m.stable);
            // the single-figure functions agree with the combined one
            assert_eq!(erlang_c(n, a).unwrap(), m.wait_probability);
            assert_eq!(service_level(n, a, AHT, T).unwrap(), m.service_level);
            assert_eq!(asa(n, a, AHT).unwrap(), m.asa_seconds.unwrap());
            assert_eq!(occupancy(n, a).unwrap(), m.occupancy);
        }
    }

    #[test]
    fn required_and_scheduled() {
        let q = StaffingTarget::new(10.0, AHT, T, 0.8);
        assert_eq!(required_agents(&q), Ok(14));
        assert_eq!(scheduled_agents(14, 0.3), Ok(20));
        let q = q.with_max_occupancy(0.7);
        assert_eq!(required_agents(&q), Ok(15));
        assert_eq!(scheduled_agents(15, 0.3), Ok(22));
        assert_eq!(scheduled_agents(21, 0.3), Ok(30));
        assert_eq!(scheduled_agents(10, 0.0), Ok(10));
        assert!(scheduled_agents(10, 1.0).is_err());
        assert!(scheduled_agents(10, f64::NAN).is_err());
        // max ASA: ASA(13) = 17.1 s, ASA(14) = 7.8 s
        let q = StaffingTarget::new(10.0, AHT, T, 0.0).with_max_asa(10.0);
        assert_eq!(required_agents(&q), Ok(14));
        let q = StaffingTarget::new(10.0, AHT, T, 0.0);
        assert_eq!(required_agents(&q), Ok(11));
    }

    #[test]
    fn large_n_wait_probability() {
        // DOMAIN.md reference values (15-16 significant digits).
        assert_rel(
            erlang_c(1100, 1000.0).unwrap(),
            0.001_044_797_928_407_51,
            1e-9,
        );
        assert_rel(
            erlang_c(5000, 4900.0).unwrap(),
            0.099_937_877_234_487_7,
            1e-9,
        );
        assert_rel(
            erlang_c(20000, 19800.0).unwrap(),
            0.100_588_987_492_739_5,
            1e-9,
        );
    }

    #[test]
    fn domain_second_vector() {
        let a = traffic_intensity(360.0, 1800.0, 240.0).unwrap();
        assert_eq!(a, 48.0);
        let m = erlang_c_metrics(55, a, 240.0, 15.0).unwrap();
        assert_rel(m.wait_probability, 0.238_701, 1e-5);
        assert_rel(m.asa_seconds.unwrap(), 8.184, 1e-4);
        assert_rel(m.service_level, 0.845_883, 1e-5);
    }

    #[test]
    fn unstable_and_edge_cases() {
        let m = erlang_c_metrics(10, 10.0, AHT, T).unwrap();
        assert_eq!(m.wait_probability, 1.0);
        assert_eq!(m.service_level, 0.0);
        assert_eq!(m.asa_seconds, None);
        assert!(!m.stable);
        assert_eq!(m.occupancy, 1.0);
        assert_eq!(asa(5, 10.0, AHT), Err(MetricError::Unstable));
        assert_eq!(erlang_c(3, 0.0), Ok(0.0));
        assert_eq!(service_level(3, 0.0, AHT, T), Ok(1.0));
        assert_eq!(erlang_b(0, 5.0), Ok(1.0));
        assert!(erlang_b(3, -1.0).is_err());
        assert!(erlang_b(3, f64::NAN).is_err());
        assert!(service_level(12, 10.0, 0.0, T).is_err());
        assert!(service_level(12, 10.0, AHT, -1.0).is_err());
        assert!(occupancy(0, 1.0).is_err());
        assert!(required_agents(&StaffingTarget::new(10.0, AHT, T, 1.5)).is_err());
        assert!(
            required_agents(&StaffingTarget::new(10.0, AHT, T, 0.8).with_max_occupancy(0.0))
                .is_err()
        );
        let mut capped = StaffingTarget::new(10.0, AHT, T, 0.99);
        capped.max_agents = Some(12);
        assert_eq!(required_agents(&capped), Err(MetricError::NoSolution));
        // SL target 1.0 terminates (Pw underflows) with a finite answer
        assert!(required_agents(&StaffingTarget::new(10.0, AHT, T, 1.0)).is_ok());
    }

    #[test]
    fn erlang_b_known_value() {
        // Classic table value: B(10, 5) = 0.018384570...
        assert_rel(erlang_b(10, 5.0).unwrap(), 0.018_384_570_336_649_9, 1e-12);
    }

    #[test]
    fn required_agents_large_traffic() {
        for a in [20_000.0, 50_000.0] {
            let q = StaffingTarget::new(a, 180.0, 20.0, 0.8);
            let n = required_agents(&q).unwrap();
            assert!(q.is_met_by(n).unwrap());
            assert!(!q.is_met_by(n - 1).unwrap());
            assert!(f64::from(n) > a && f64::from(n) < a + 200.0);
        }
    }

    /// Independent check: truncated birth-death chain solved directly, plus the
    /// waiting contact's position chain integrated with RK4 for SL and ASA.
    fn erlang_a_reference(n: u32, a: f64, aht: f64, patience: f64, t: f64) -> (f64, f64, f64, f64) {
        let (mu, theta, lambda) = (1.0 / aht, 1.0 / patience, a / aht);
        let nf = n as f64;
        let kmax = (n as usize) + 3000;
        let mut p = vec![0.0f64; kmax + 1];
        p[0] = 1.0;
        for k in 1..=kmax {
            let death = if k <= n as usize {
                k as f64 * mu
            } else {
                nf * mu + (k - n as usize) as f64 * theta
            };
            p[k] = p[k - 1] * lambda / death;
        }
        let total: f64 = p.iter().sum();
        for v in &mut p {
            *v /= total;
        }
        let p_wait: f64 = p[n as usize..].iter().sum();
        let queue: f64 = p[n as usize..]
            .iter()
            .enumerate()
            .map(|(j, v)| j as f64 * v)
            .sum();
        let p_ab = theta * queue / lambda;
        // q_i: waiting contact with i ahead still waiting (own patience included);
        // two extra states accumulate the served flux n*mu*q_0 and t * that flux.
        let m = 300;
        let mut q: Vec<f64> = p[n as usize..n as usize + m].to_vec();
        q.extend([0.0, 0.0]);
        let deriv = |time: f64, q: &[f64], out: &mut [f64]| {
            for i in 0..m {
                let inflow = if i + 1 < m {
                    (nf * mu + (i + 1) as f64 * theta) * q[i + 1]
                } else {
                    0.0
                };
                out[i] = -(nf * mu + i as f64 * theta + theta) * q[i] + inflow;
            }
            out[m] = nf * mu * q[0];
            out[m + 1] = time * nf * mu * q[0];
        };
        let dt = 0.05;
        let steps_to_t = (t / dt).round() as usize;
        let total_steps = steps_to_t + (3000.0 / dt) as usize;
        let mut served_by_t = 0.0;
        let len = m + 2;
        let (mut k1, mut k2, mut k3, mut k4) = (
            vec![0.0; len],
            vec![0.0; len],
            vec![0.0; len],
            vec![0.0; len],
        );
        let mut tmp = vec![0.0; len];
        for step in 0..total_steps {
            if step == steps_to_t {
                served_by_t = q[m];
            }
            let time = step as f64 * dt;
            deriv(time, &q, &mut k1);
            for i in 0..len {
                tmp[i] = q[i] + 0.5 * dt * k1[i];
            }
            deriv(time + 0.5 * dt, &tmp, &mut k2);
            for i in 0..len {
                tmp[i] = q[i] + 0.5 * dt * k2[i];
            }
            deriv(time + 0.5 * dt, &tmp, &mut k3);
            for i in 0..len {
                tmp[i] = q[i] + dt * k3[i];
            }
            deriv(time + dt, &tmp, &mut k4);
            for i in 0..len {
                q[i] += dt / 6.0 * (k1[i] + 2.0 * k2[i] + 2.0 * k3[i] + k4[i]);
            }
        }
        let served_time = q[m + 1];
        let sl = 1.0 - p_wait + served_by_t;
        let asa = served_time / (1.0 - p_ab);
        (p_wait, p_ab, sl, asa)
    }

    #[test]
    fn erlang_a_matches_birth_death_reference() {
        // AHT 180 s, mean patience 120 s, T = 20 s; under- and over-loaded cases.
        for (n, a) in [(12, 10.0), (9, 10.0), (20, 17.5)] {
            let r = erlang_a(n, a, 180.0, 120.0, 20.0).unwrap();
            let (pw, pab, sl, asa_ref) = erlang_a_reference(n, a, 180.0, 120.0, 20.0);
            assert_rel(r.wait_probability, pw, 1e-10);
            assert_rel(r.abandon_probability, pab, 1e-10);
            assert_rel(r.service_level, sl, 1e-6);
            assert_rel(r.asa_answered_seconds.unwrap(), asa_ref, 1e-6);
            assert_rel(r.mean_wait_all_seconds, pab * 120.0, 1e-12);
        }
    }

    #[test]
    fn erlang_a_converges_to_erlang_c() {
        for n in 11..=15 {
            let c = erlang_c_metrics(n, 10.0, AHT, T).unwrap();
            let a = erlang_a(n, 10.0, AHT, 1e9, T).unwrap();
            assert_rel(a.wait_probability, c.wait_probability, 1e-5);
            assert_rel(a.service_level, c.service_level, 1e-5);
            assert_rel(
                a.asa_answered_seconds.unwrap(),
                c.asa_seconds.unwrap(),
                1e-4,
            );
            assert!(a.abandon_probability < 1e-5);
            let inf = erlang_a(n, 10.0, AHT, f64::INFINITY, T).unwrap();
            assert_eq!(inf.wait_probability, c.wait_probability);
        }
        assert_eq!(
            erlang_a(10, 10.0, AHT, f64::INFINITY, T),
            Err(MetricError::Unstable)
        );
    }

    #[test]
    fn erlang_a_abandonment_decreases_with_agents() {
        let mut prev = 1.0;
        for n in 1..=30 {
            let r = erlang_a(n, 12.0, 200.0, 90.0, 30.0).unwrap();
            assert!((0.0..=1.0).contains(&r.abandon_probability));
            assert!((0.0..=1.0).contains(&r.service_level));
            assert!(r.abandon_probability <= prev, "n={n}");
            assert!(r.abandon_probability <= r.wait_probability);
            prev = r.abandon_probability;
        }
        // heavy overload stays finite and sane
        let r = erlang_a(100, 500.0, 300.0, 60.0, 20.0).unwrap();
        assert!(r.abandon_probability > 0.7 && r.abandon_probability < 1.0);
        assert!(r.wait_probability > 0.999);
        let r = erlang_a(5, 0.0, 300.0, 60.0, 20.0).unwrap();
        assert_eq!(r.service_level, 1.0);
        assert!(erlang_a(0, 1.0, 300.0, 60.0, 20.0).is_err());
        assert!(erlang_a(5, 1.0, 300.0, 0.0, 20.0).is_err());
    }

    #[test]
    fn erlang_a_internal_consistency_on_extreme_grid() {
        // P(answered after waiting) from the quadrature == P(wait) - P(abandon),
        // from the series, to 1e-9 (1e-6 for the extreme patience of 1e6 s, where up to
        // ~2e7 series terms and log-magnitudes ~1e6 accumulate rounding); SL within
        // [1 - Pw, 1 - Pab].
        let start = std::time::Instant::now();
        for &a in &[0.05, 1.0, 10.0, 95.0, 800.0, 4000.0] {
            for &ratio in &[0.5, 0.9, 1.0, 1.1, 1.5] {
                let n = ((a * ratio) as u32).max(1);
                for &patience in &[1.0, 30.0, 180.0, 1800.0, 36_000.0, 1e6] {
                    let (r, served_after_wait) =
                        erlang_a_impl(n, a, 180.0, patience, 20.0).unwrap();
                    let expect = r.wait_probability - r.abandon_probability;
                    let tol = if patience >= 1e6 { 1e-6 } else { 1e-9 };
                    assert!(
                        (served_after_wait - expect).abs() <= tol * expect.max(1e-300) + 1e-13,
                        "a={a} n={n} patience={patience}: {served_after_wait} vs {expect}"
                    );
                    assert!(r.service_level >= 1.0 - r.wait_probability - 1e-12);
                    assert!(r.service_level <= 1.0 - r.abandon_probability + 1e-12);
                }
            }
        }
        assert!(
            start.elapsed().as_secs() < 60,
            "grid too slow: {:?}",
            start.elapsed()
        );
    }

    #[test]
    fn erlang_a_requirement_is_minimal_and_tends_to_erlang_c() {
        // With near-infinite patience Erlang A is Erlang C: 14 agents for 80 % in 20 s (A = 10).
        let r = required_agents_erlang_a(10.0, 180.0, f64::INFINITY, 20.0, 0.8, None).unwrap();
        assert_eq!(r.agents, 14);
        // With patience, abandonment helps the queue: never more agents than Erlang C, and N - 1 fails.
        let r = required_agents_erlang_a(10.0, 180.0, 120.0, 20.0, 0.8, None).unwrap();
        assert!(r.agents <= 14 && r.service_level >= 0.8);
        let below = erlang_a(r.agents - 1, 10.0, 180.0, 120.0, 20.0).unwrap();
        assert!(below.service_level < 0.8);
    }
}
