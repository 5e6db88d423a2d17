//! Governance events of the period, drawn once before the first day:
//! operational incidents (with their escalation) and service changes (with
//! their notice). Incidents and unannounced launches also raise demand (see
//! [`demand`](super::demand)).

use crate::util::{DAY, Draw};

use super::Sim;

/// Escalation limits (seconds) by severity: critical, high, medium, low.
pub const ESCALATION_LIMIT: [f64; 4] = [1800.0, 7200.0, 28_800.0, 86_400.0];
/// Severity names.
pub const SEVERITY: [&str; 4] = ["critical", "high", "medium", "low"];
/// Impact names.
pub const IMPACT: [&str; 3] = ["high", "medium", "low"];

/// An incident (operational issue).
#[derive(Debug, Clone)]
pub struct Incident {
    /// Index in [`SEVERITY`].
    pub severity: usize,
    /// Detection, seconds since the period start.
    pub detected: f64,
    /// Escalation to leadership, if it happened.
    pub escalated: Option<f64>,
    /// Resolution.
    pub resolved: Option<f64>,
}

/// A service launch or change.
#[derive(Debug, Clone)]
pub struct Change {
    /// Index in [`IMPACT`].
    pub impact: usize,
    /// Go-live, seconds since the period start.
    pub go_live: f64,
    /// When the contact centre was told, if it was.
    pub notified: Option<f64>,
}

impl Sim<'_> {
    /// Draws the period's incidents and changes, each sorted by time.
    pub(super) fn init_governance(&mut self) {
        self.draw_incidents();
        self.draw_changes();
    }

    fn draw_incidents(&mut self) {
        let r = &mut self.r_dem;
        let months = self.days as f64 / 30.4;
        for (sev, rate) in self.p.incidents_per_month.iter().enumerate() {
            let n = r.poisson(rate * months).max(if sev == 0 { 1 } else { 0 });
            for _ in 0..n {
                let day = r.below(self.days) as f64;
                let detected = day * DAY + 3600.0 * (7.0 + 15.0 * r.unif());
                let limit = ESCALATION_LIMIT[sev];
                let escalated = if self.p.baseline() {
                    if r.chance(0.2) {
                        None
                    } else {
                        Some(detected + r.lognormal(limit * 1.4, 0.8))
                    }
                } else {
                    Some(detected + limit * (0.15 + 0.7 * r.unif()))
                };
                let resolved = Some(detected + r.lognormal(3.0 * 3600.0 * (sev + 1) as f64, 0.6));
                self.incidents.push(Incident {
                    severity: sev,
                    detected,
                    escalated,
                    resolved,
                });
            }
        }
        self.incidents
            .sort_by(|a, b| a.detected.total_cmp(&b.detected));
    }

    fn draw_changes(&mut self) {
        let r = &mut self.r_dem;
        let months = self.days as f64 / 30.4;
        let n = r.poisson(self.p.changes_per_month * months).max(2);
        for i in 0..n {
            let day = r.below(self.days) as f64;
            let go_live = day * DAY + 3600.0 * (9.0 + 4.0 * r.unif());
            let impact = if i == 0 {
                0
            } else {
                r.weighted(&[0.25, 0.4, 0.35])
            };
            let notified = if self.p.baseline() {
                let x = r.unif();
                if x < 0.3 {
                    None
                } else if x < 0.55 {
                    Some(go_live + 3600.0 * (1.0 + 48.0 * r.unif()))
                } else {
                    Some(go_live - DAY * (1.0 + 5.0 * r.unif()))
                }
            } else {
                Some(go_live - DAY * (7.5 + 14.0 * r.unif()))
            };
            self.changes.push(Change {
                impact,
                go_live,
                notified,
            });
        }
        self.changes.sort_by(|a, b| a.go_live.total_cmp(&b.go_live));
    }
}
