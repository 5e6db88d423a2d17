//! The roster: agents and their employment spells. The initial roster,
//! daily leavers (a hazard higher in the first 90 days), weekly hiring to
//! the capacity plan, and rehires of former agents.

use crate::util::Draw;

use super::Sim;

/// Days after leaving before a former agent may be rehired.
const REHIRE_AFTER_DAYS: i32 = 30;

/// One employment spell of an agent (a rehire is a new spell, same id).
pub(super) struct Agent {
    /// Agent number (`A00001`).
    pub(super) id: u32,
    /// Team number.
    pub(super) team: u32,
    /// Hire day (offset from the period start; negative before it).
    pub(super) hired: i32,
    /// Certification day, if certified.
    pub(super) certified: Option<i32>,
    /// First day on live contacts.
    pub(super) live_from: i32,
    /// Exit day, if the spell ended.
    pub(super) exited: Option<i32>,
    /// Whether the exit was involuntary.
    pub(super) involuntary: bool,
    /// Skill (log-scale effect on handle time, transfers and resolution).
    pub(super) skill: f64,
    /// Courtesy as customers rate it.
    pub(super) courtesy: f64,
    /// Whether this spell is a rehire.
    pub(super) rehired: bool,
}

impl Agent {
    /// Whether the spell covers day `d`.
    pub(super) fn employed(&self, d: i32) -> bool {
        self.hired <= d && self.exited.is_none_or(|e| e > d)
    }
}

impl Sim<'_> {
    fn new_agent(&mut self, hired: i32, pre_period: bool) -> Agent {
        let r = &mut self.r_wf;
        let early = !pre_period && r.chance(self.p.early_live_share);
        let certified = if self.p.baseline() && r.chance(0.06) {
            None
        } else {
            Some(hired + self.p.certify_days)
        };
        let live_from = if early {
            hired + self.p.nesting_days
        } else {
            hired + self.p.certify_days
        };
        let id = self.next_agent;
        self.next_agent += 1;
        Agent {
            id,
            team: (id - 1) % self.n_teams + 1,
            hired,
            certified,
            live_from,
            exited: None,
            involuntary: false,
            skill: 0.35 * r.normal(),
            courtesy: 0.35 * r.normal(),
            rehired: false,
        }
    }

    /// Headcount the centre hires to on day `d`.
    fn headcount_target(&self, d: i64) -> usize {
        let fte = if self.p.baseline() {
            // Last week's actual shifts, no allowance for absence or growth.
            let per_day = if self.recent_shifts.is_empty() {
                self.planned_shifts(d, 7).0
            } else {
                self.recent_shifts.iter().sum::<u32>() as f64 / self.recent_shifts.len() as f64
            };
            per_day * 7.0 / 5.0 * 1.08
        } else {
            self.planned_shifts(d + 7, 28).1 * 7.0 / 5.0 / (1.0 - self.p.absence_p)
        };
        fte.ceil() as usize
    }

    /// The roster on the first day: agents of every tenure to the capacity
    /// plan, and a few former agents (rehire candidates).
    pub(super) fn init_roster(&mut self) {
        let target = self.headcount_target(0);
        self.n_teams = (target as u32).div_ceil(12).max(2);
        for _ in 0..target {
            let tenure = (self.r_wf.exp(self.p.tenure_mean) as i32).clamp(35, 2500);
            let a = self.new_agent(-tenure, true);
            self.add_agent(a);
        }
        for _ in 0..(target / 8).max(3) {
            let tenure = 60 + self.r_wf.below(400) as i32;
            let exited = -(30 + self.r_wf.below(300) as i32);
            let mut a = self.new_agent(exited - tenure, true);
            a.exited = Some(exited);
            a.involuntary = false;
            self.add_agent(a);
        }
    }

    fn add_agent(&mut self, a: Agent) {
        let id = a.id as usize;
        if self.by_id.len() <= id {
            self.by_id.resize(id + 1, usize::MAX);
        }
        self.by_id[id] = self.agents.len();
        self.agents.push(a);
    }

    /// The latest spell of an agent id.
    pub(super) fn agent_by_id(&self, id: u32) -> Option<&Agent> {
        self.by_id
            .get(id as usize)
            .and_then(|&k| self.agents.get(k))
    }

    /// Agents employed on day `d`.
    pub(super) fn employed_count(&self, d: i32) -> u64 {
        self.agents.iter().filter(|a| a.employed(d)).count() as u64
    }

    /// The roster's day `d`: month-start headcount, leavers, and hiring on
    /// Mondays.
    pub(super) fn workforce_day(&mut self, d: usize) {
        let mi = self.month_of[d] as usize;
        if d == 0 || self.month_of[d - 1] as usize != mi {
            self.months[mi].hc_start = self.employed_count(d as i32);
        }
        self.draw_leavers(d);
        if self.dow(d as i64) == 0 {
            self.hire(d);
        }
    }

    /// Leavers: a hazard accumulator keeps the count close to the hazard.
    fn draw_leavers(&mut self, d: usize) {
        let di = d as i32;
        let mi = self.month_of[d] as usize;
        let hz: Vec<f64> = self
            .agents
            .iter()
            .map(|a| {
                if a.employed(di) && a.hired < di {
                    let early = if di - a.hired < 90 {
                        self.p.early_hazard
                    } else {
                        1.0
                    };
                    self.p.hazard * early
                } else {
                    0.0
                }
            })
            .collect();
        if d == 0 {
            self.hazard_acc = self.r_wf.unif();
        }
        self.hazard_acc += hz.iter().sum::<f64>();
        while self.hazard_acc >= 1.0 {
            self.hazard_acc -= 1.0;
            let k = self.r_wf.weighted(&hz);
            if hz[k] > 0.0 && self.agents[k].exited.is_none() {
                let inv = self.r_wf.chance(self.p.involuntary);
                let a = &mut self.agents[k];
                a.exited = Some(di);
                a.involuntary = inv;
                self.months[mi].leavers += 1;
            }
        }
    }

    /// Hires up to the capacity plan, sometimes rehiring a former agent.
    fn hire(&mut self, d: usize) {
        let di = d as i32;
        let mi = self.month_of[d] as usize;
        let target = self.headcount_target(d as i64);
        let employed = self.employed_count(di) as usize;
        let rehired_any = self.agents.iter().any(|a| a.rehired);
        for h in 0..target.saturating_sub(employed) {
            let candidate = self.rehire_candidate(di);
            let rehire = candidate.is_some()
                && ((!rehired_any && h == 0 && d > 20) || self.r_wf.chance(0.05));
            let mut a = self.new_agent(di, false);
            if let (true, Some(c)) = (rehire, candidate) {
                self.next_agent -= 1;
                a.id = self.agents[c].id;
                a.team = self.agents[c].team;
                a.skill = self.agents[c].skill;
                a.courtesy = self.agents[c].courtesy;
                a.certified = Some(di + 7);
                a.live_from = di + 7;
                a.rehired = true;
            }
            self.add_agent(a);
            self.months[mi].hires += 1;
        }
    }

    /// The first former agent who left voluntarily at least 30 days before
    /// day `di` and has not been rehired since.
    fn rehire_candidate(&self, di: i32) -> Option<usize> {
        self.agents.iter().position(|a| {
            !a.involuntary
                && a.exited.is_some_and(|e| e + REHIRE_AFTER_DAYS <= di)
                && !self
                    .agents
                    .iter()
                    .any(|b| b.id == a.id && b.hired > a.hired)
        })
    }
}
