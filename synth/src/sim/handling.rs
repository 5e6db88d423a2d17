//! Handling: what an agent's work on a contact takes and achieves.
//! Lognormal talk, hold and wrap by channel (slower for new hires and weaker
//! agents, longer after a transfer), resolution, the agent's coding of it,
//! repeats of unresolved issues, and the share of attention a chat or
//! messaging session gets while the agent handles several at once.

use crate::params::{Ch, QUEUE_RES};
use crate::util::Draw;

use super::Sim;
use super::contact::{Contact, ST_DONE};

/// Extra work an agent gets done per additional concurrent chat session.
pub const CONCURRENCY_GAIN: f64 = 0.3;

impl Sim<'_> {
    /// Agent work on a contact: handle times, transfer, resolution, repeats.
    /// Returns when the agent is done with it.
    pub(super) fn work(&mut self, si: usize, c: &mut Contact, t: f64, concurrent: bool) -> f64 {
        let ai = self.shifts[si].agent;
        self.draw_handling(ai, c, t, concurrent);
        self.fcr_register(c);
        self.draw_repeat(c);
        // Stored times are what the export will show (f32 seconds).
        let handle = c.talk as f64 + c.hold as f64 + c.wrap as f64;
        if !matches!(c.ch, Ch::Chat | Ch::Messaging) {
            // Chat and messaging are counted when the session ends, at the
            // agent attention they took (see `end_session`).
            let mi = self.month_of[self.day] as usize;
            self.months[mi].handle_secs += handle;
        }
        t + handle
    }

    /// Draws how roster agent `ai`, answering at `t`, handles `c`: handle
    /// times, transfer, resolution and its coding.
    fn draw_handling(&mut self, ai: usize, c: &mut Contact, t: f64, concurrent: bool) {
        let (tenure, skill) = {
            let a = &self.agents[ai];
            ((self.day as i32 - a.hired) as f64, a.skill)
        };
        let expf = 1.0 - (-tenure / 90.0).exp();
        let r = &mut self.r_sim;
        let (talk_m, hold_p, hold_m, wrap_m) = self.p.handle(c.ch);
        let mult = self.p.aht_factor * (1.3 - 0.3 * expf) * (-0.15 * skill).exp();
        let transferred = r.chance(self.p.transfer_p * (1.2 - 0.4 * expf) * (-skill).exp());
        let mut talk = r.lognormal(talk_m * mult, 0.55);
        if transferred {
            talk *= 1.6;
        }
        if concurrent {
            // Customers wait for replies while the agent serves another chat.
            talk *= 1.3;
        }
        let hold = if r.chance(hold_p) {
            r.lognormal(hold_m, 0.7)
        } else {
            0.0
        };
        let wrap = r.lognormal(wrap_m * mult, 0.5);
        let pres = (self.p.res_base + QUEUE_RES[c.q as usize] + 0.10 * skill + 0.08 * expf
            - 0.04
            - if transferred { 0.12 } else { 0.0 }
            - if c.repeat { 0.05 } else { 0.0 })
        .clamp(0.05, 0.98);
        let resolved = r.chance(pres);
        let coded = if r.chance(self.p.missing_resolved) {
            None
        } else if !resolved && r.chance(self.p.optimistic_coding) {
            Some(true)
        } else {
            Some(resolved)
        };
        c.answered = t;
        c.talk = talk as f32;
        c.hold = hold as f32;
        c.wrap = wrap as f32;
        c.ended = t + c.talk as f64 + c.hold as f64;
        c.agent = self.agents[ai].id;
        c.transferred = transferred;
        c.resolved = resolved;
        c.coded = coded;
        c.state = ST_DONE;
    }

    /// The customer comes back later (most unresolved issues, a few
    /// resolved ones), often by voice.
    fn draw_repeat(&mut self, c: &Contact) {
        let again = if c.resolved { 0.03 } else { 0.85 };
        if !self.r_sim.chance(again) {
            return;
        }
        let delay = self.r_sim.lognormal(20.0 * 3600.0, 1.0);
        let ch = match c.ch {
            Ch::Voice => {
                if self.r_sim.chance(0.8) {
                    Ch::Voice
                } else {
                    Ch::Chat
                }
            }
            other => {
                if self.r_sim.chance(0.45) {
                    Ch::Voice
                } else {
                    other
                }
            }
        };
        self.schedule_followup(c, ch, c.ended + delay, true);
    }

    /// Shares the agent's time since the last change equally between the
    /// chat / messaging sessions in progress. With `k` sessions open the
    /// agent does the work of `1 + CONCURRENCY_GAIN (k - 1)` agents (the
    /// multitasking gain the planners also assume), so the handle time
    /// credited is that many times the elapsed time, never `k` times.
    pub(super) fn share_attention(&mut self, si: usize, t: f64) {
        let s = &mut self.shifts[si];
        let load = s.load as usize;
        if load > 0 {
            let gain = 1.0 + CONCURRENCY_GAIN * (load as f64 - 1.0);
            let dt = (t - s.last_share).max(0.0) * gain / load as f64;
            for &ci in &s.sess[..load] {
                self.contacts[ci as usize].attn += dt;
            }
        }
        s.last_share = t;
    }

    /// A chat / messaging session ends: its handle time is the agent
    /// attention it took (talk, hold and wrap scaled alike), so an agent's
    /// handle time never exceeds the time it spent with sessions open.
    pub(super) fn end_session(&mut self, si: usize, ci: usize, t: f64) {
        self.share_attention(si, t);
        let s = &mut self.shifts[si];
        let load = s.load as usize;
        if let Some(k) = s.sess[..load].iter().position(|&x| x as usize == ci) {
            s.sess.copy_within(k + 1..load, k);
            s.load -= 1;
        }
        let c = &mut self.contacts[ci];
        let full = c.talk as f64 + c.hold as f64 + c.wrap as f64;
        if full > 0.0 {
            let f = (c.attn / full).clamp(0.0, 1.0);
            c.talk = (c.talk as f64 * f) as f32;
            c.hold = (c.hold as f64 * f) as f32;
            c.wrap = (c.wrap as f64 * f) as f32;
        }
        let c = *c;
        let handle = c.talk as f64 + c.hold as f64 + c.wrap as f64;
        let mi = self.month_of[self.day] as usize;
        self.months[mi].handle_secs += handle;
        // The interval AHT is the effective workload per contact: a
        // concurrent session counts at 1 / conc of its handle time, the
        // workload the planners staff it with (see `plan`).
        let i = self.iv_of(c.arrived);
        self.aht_sum[c.q as usize][i] += handle / self.conc();
        self.aht_n[c.q as usize][i] += 1.0;
    }

    /// The concurrency factor the planners assume for chat and messaging:
    /// an agent at the concurrency cap does the work of this many agents.
    pub(super) fn conc(&self) -> f64 {
        1.0 + CONCURRENCY_GAIN * (self.p.concurrency as f64 - 1.0)
    }
}
