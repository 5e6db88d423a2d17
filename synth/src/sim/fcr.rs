//! First-contact resolution, as the centre measures it: every finished
//! contact of a known customer opens a 7-day window; another contact of the
//! same customer inside the window counts it as repeated. Contacts whose
//! window ends after the period are not eligible.

use crate::util::DAY;

use super::Sim;
use super::contact::Contact;

/// The repeat window.
const WEEK_SECS: f64 = 7.0 * DAY;

/// One FCR registration: a contact that ended, waiting to see a repeat.
pub(super) struct FcrRec {
    ended: f64,
    month: u16,
    eligible: bool,
    flagged: bool,
}

impl Sim<'_> {
    /// A contact arrives: earlier contacts of the customer whose window it
    /// falls in are repeated.
    pub(super) fn fcr_arrival(&mut self, c: &Contact) {
        if !c.show_cust {
            return;
        }
        if let Some(v) = self.fcr.get_mut(&c.cust) {
            for rec in v.iter_mut() {
                if !rec.flagged && rec.ended < c.arrived && c.arrived <= rec.ended + WEEK_SECS {
                    rec.flagged = true;
                    if rec.eligible {
                        self.months[rec.month as usize].fcr_repeat += 1;
                    }
                }
            }
        }
    }

    /// A contact ended: opens its repeat window.
    pub(super) fn fcr_register(&mut self, c: &Contact) {
        if !c.show_cust || !c.has_ended() {
            return;
        }
        let month = self.month_of[self.day_of(c.arrived)];
        let eligible = c.ended + WEEK_SECS <= self.data_end;
        if eligible {
            self.months[month as usize].fcr_eligible += 1;
        }
        self.fcr.entry(c.cust).or_default().push(FcrRec {
            ended: c.ended,
            month,
            eligible,
            flagged: false,
        });
    }

    /// Forgets the registrations whose window closed before `now`.
    pub(super) fn fcr_forget_before(&mut self, now: f64) {
        self.fcr.retain(|_, v| {
            v.retain(|r| r.ended + WEEK_SECS >= now);
            !v.is_empty()
        });
    }
}
