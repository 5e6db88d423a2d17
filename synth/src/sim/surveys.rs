//! Customer surveys: who is invited by the scenario's selection method
//! (in the baseline, a small random post-contact survey of voice and chat run
//! by the customer-experience team beside the agents' own survey offers and
//! customer-initiated feedback; random or census in the follow-up), who responds, and the ratings, driven by the contact's
//! actual wait, resolution and transfers and the agent's skill and courtesy.

use crate::params::Ch;
use crate::util::{DAY, Draw};

use super::Sim;
use super::contact::Contact;

/// Dissatisfaction reason codes, in the order of the driver attributes.
pub const DISSAT: [&str; 5] = [
    "long_wait",
    "agent_knowledge",
    "agent_attitude",
    "issue_not_resolved",
    "too_much_effort",
];

/// Share of handled voice and chat contacts the baseline's random survey invites.
const BASELINE_RANDOM_RATE: f64 = 0.05;

/// A survey invitation for a finished contact.
pub(super) struct Survey {
    /// Survey number (`S000000001`).
    pub(super) id: u64,
    /// The contact surveyed.
    pub(super) contact: Contact,
    /// Selection method, as the surveys table writes it.
    pub(super) selection: &'static str,
    /// Invitation time, seconds since the period start.
    pub(super) invited: f64,
    /// The answers, when the customer responded.
    pub(super) response: Option<Response>,
}

/// A customer's answers to a survey.
pub(super) struct Response {
    /// Response time, seconds since the period start.
    pub(super) at: f64,
    /// CSAT, 1 to 5.
    pub(super) csat: u8,
    /// Likelihood to recommend, 0 to 10.
    pub(super) nps: u8,
    /// Whether the customer says the issue was resolved.
    pub(super) resolved_reported: bool,
    /// Driver ratings, 1 to 5, in the order of [`DISSAT`] (None: no agent).
    pub(super) drivers: [Option<u8>; 5],
    /// The weakest driver of a dissatisfied (CSAT 1-2) customer.
    pub(super) weakest_driver: Option<usize>,
    /// Whether the dissatisfaction reason was recorded.
    pub(super) reason_recorded: bool,
}

/// Latent ratings (1-5 scale before rounding) of a contact's drivers and
/// overall satisfaction.
struct Latent {
    drivers: [Option<f64>; 5],
    overall: f64,
}

/// A latent rating rounded to the 1-5 scale.
fn rate(x: f64) -> u8 {
    x.round().clamp(1.0, 5.0) as u8
}

impl Sim<'_> {
    /// Survey invitation (and answers) for a finished contact, by the
    /// scenario's selection method; None when the contact is not surveyed.
    pub(super) fn draw_survey(&mut self, c: &Contact) -> Option<Survey> {
        if !c.has_ended() || (c.abandoned && self.p.scenario == crate::Scenario::Followup) {
            return None;
        }
        let latent = self.draw_latent(c);
        let sat01 = ((latent.overall - 1.0) / 4.0).clamp(0.0, 1.0);
        let (selection, invited) = self.draw_invitation(c, sat01)?;
        let r = &mut self.r_srv;
        let p_resp = match selection {
            "agent_selected" => 0.1 + 0.6 * sat01.powi(3),
            "customer_initiated" => 0.85,
            _ => 0.17 + 0.1 * sat01,
        };
        let responded = r.chance(p_resp);
        let id = self.next_survey;
        self.next_survey += 1;
        let response = responded.then(|| self.draw_response(c, invited, &latent));
        Some(Survey {
            id,
            contact: *c,
            selection,
            invited,
            response,
        })
    }

    /// The contact's latent driver ratings and overall satisfaction.
    fn draw_latent(&mut self, c: &Contact) -> Latent {
        let wait = if !c.was_answered() {
            if c.abandoned {
                c.ended - c.arrived
            } else {
                0.0
            }
        } else {
            c.answered - c.arrived
        };
        let wait_scale = match c.ch {
            Ch::Email => 3600.0 * 3.0,
            Ch::Messaging => 300.0,
            _ => 40.0,
        };
        let (skill, courtesy, expf) = if c.has_agent() {
            let a = self
                .agent_by_id(c.agent)
                .map(|a| {
                    (
                        a.skill,
                        a.courtesy,
                        1.0 - (-((self.day as i32 - a.hired) as f64) / 90.0).exp(),
                    )
                })
                .unwrap_or((0.0, 0.0, 0.5));
            (Some(a.0), Some(a.1), a.2)
        } else {
            (None, None, 0.0)
        };
        let r = &mut self.r_srv;
        let attr_wait = 5.1 - 1.1 * (1.0 + wait / wait_scale).ln() + 0.6 * r.normal();
        let knowledge = skill.map(|s| {
            3.9 + 1.0 * s + 0.5 * expf + if c.resolved { 0.5 } else { -0.6 } + 0.6 * r.normal()
        });
        let court = courtesy.map(|s| 4.3 + 0.9 * s + 0.6 * r.normal());
        let resol = if c.abandoned {
            1.5 + 0.6 * r.normal()
        } else if c.resolved {
            4.6 + 0.5 * r.normal()
        } else {
            1.9 + 0.8 * r.normal()
        };
        let ease = 4.4 - if c.transferred { 1.0 } else { 0.0 } - if c.repeat { 0.5 } else { 0.0 }
            + 0.6 * r.normal();
        let mut overall = 0.18 * attr_wait
            + 0.17 * knowledge.unwrap_or(4.0)
            + 0.13 * court.unwrap_or(4.3)
            + 0.37 * resol
            + 0.15 * ease
            - 0.06
            + self.p.sat_offset
            + 0.45 * r.normal();
        if c.abandoned {
            overall -= 0.5;
        }
        Latent {
            drivers: [Some(attr_wait), knowledge, court, Some(resol), Some(ease)],
            overall,
        }
    }

    /// Who gets invited, how and when; None when the contact is not.
    fn draw_invitation(&mut self, c: &Contact, sat01: f64) -> Option<(&'static str, f64)> {
        let r = &mut self.r_srv;
        let ended = c.ended;
        if !self.p.baseline() {
            let rate = match c.ch {
                Ch::Voice => 0.22,
                Ch::Chat => 0.3,
                _ => 1.0,
            };
            if rate < 1.0 {
                if !r.chance(rate) {
                    return None;
                }
                return Some(("random", ended + 900.0 + 4.0 * 3600.0 * r.unif()));
            }
            return Some(("census", ended + 900.0 + 4.0 * 3600.0 * r.unif()));
        }
        let handled = c.has_agent();
        // The customer-experience team's random post-contact survey: the survey
        // tool samples 5% of handled voice and chat contacts (the channels it is
        // wired into), invited like the follow-up's random survey. It is the
        // centre's like-for-like measure of satisfaction, too small and too
        // narrow to be its sample (CX1, CX2).
        if handled
            && !c.abandoned
            && matches!(c.ch, Ch::Voice | Ch::Chat)
            && r.chance(BASELINE_RANDOM_RATE)
        {
            return Some(("random", ended + 900.0 + 4.0 * 3600.0 * r.unif()));
        }
        // Agents offer the survey to customers who sounded pleased.
        let good = c.coded == Some(true) && !c.transferred;
        let p_offer = if good {
            0.003 + 0.3 * sat01.powi(6)
        } else {
            0.003
        };
        if handled && matches!(c.ch, Ch::Voice | Ch::Chat) && r.chance(p_offer) {
            let t = if r.chance(0.35) {
                // Weekly batch: next Monday 10:00.
                let day = (ended / DAY).floor() as i64;
                let dow = (self.start_dow + day).rem_euclid(7);
                (day + 7 - dow) as f64 * DAY + 36_000.0
            } else {
                ended + 3600.0 * (1.0 + 20.0 * r.unif())
            };
            Some(("agent_selected", t))
        } else if r.chance(0.004 + 0.02 * (1.0 - sat01)) {
            Some(("customer_initiated", ended + 600.0 + 3.0 * DAY * r.unif()))
        } else {
            None
        }
    }

    /// The answers of a customer who responds to an invitation at `invited`.
    fn draw_response(&mut self, c: &Contact, invited: f64, latent: &Latent) -> Response {
        let r = &mut self.r_srv;
        let at = invited + r.lognormal(2.0 * 3600.0, 1.0).min(6.0 * DAY);
        let csat = rate(latent.overall);
        let nps = (2.3 * latent.overall - 1.6 + 1.0 * r.normal())
            .round()
            .clamp(0.0, 10.0) as u8;
        let resolved_reported = if r.chance(0.92) {
            c.resolved
        } else {
            !c.resolved
        };
        let mut weakest_driver = None;
        let mut reason_recorded = false;
        if csat <= 2 {
            // The weakest driver names the reason; the baseline often leaves it blank.
            let mut worst = 0;
            let mut wv = f64::MAX;
            for (k, a) in latent.drivers.iter().enumerate() {
                if let Some(x) = a
                    && *x < wv
                {
                    wv = *x;
                    worst = k;
                }
            }
            weakest_driver = Some(worst);
            reason_recorded = !(self.p.baseline() && r.chance(0.65));
        }
        Response {
            at,
            csat,
            nps,
            resolved_reported,
            drivers: latent.drivers.map(|a| a.map(rate)),
            weakest_driver,
            reason_recorded,
        }
    }
}
