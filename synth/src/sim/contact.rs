//! The contact record: created by [`arrivals`](super::arrivals), moved
//! through the queue and handled by an agent, then tallied and written.

use crate::params::Ch;

use super::NONE;

/// Not yet arrived (its `Arrive` event is pending).
pub(super) const ST_PENDING: u8 = 0;
/// In a pod's waiting line.
pub(super) const ST_WAITING: u8 = 1;
/// Finished: handled, abandoned, or a self-service session.
pub(super) const ST_DONE: u8 = 2;
/// An e-mail moved to a pod's backlog (the backlog holds its record).
pub(super) const ST_MOVED: u8 = 3;

/// One contact: what the customer did and what the centre did with it.
#[derive(Clone, Copy)]
pub(super) struct Contact {
    /// Contact number (`C000000001`).
    pub(super) id: u64,
    /// Customer number.
    pub(super) cust: u32,
    /// Whether the export shows the customer.
    pub(super) show_cust: bool,
    /// Channel.
    pub(super) ch: Ch,
    /// Queue index.
    pub(super) q: u8,
    /// Contact reason index within the queue.
    pub(super) reason: u8,
    /// A repeat of an unresolved issue.
    pub(super) repeat: bool,
    /// Arrival, seconds since the period start.
    pub(super) arrived: f64,
    /// Answer time, NaN when never answered.
    pub(super) answered: f64,
    /// End time, NaN while open.
    pub(super) ended: f64,
    /// Talk seconds credited.
    pub(super) talk: f32,
    /// Hold seconds credited.
    pub(super) hold: f32,
    /// Wrap-up seconds credited.
    pub(super) wrap: f32,
    /// Agent id, [`NONE`] when no agent handled it.
    pub(super) agent: u32,
    /// The customer gave up waiting.
    pub(super) abandoned: bool,
    /// Transferred to another agent.
    pub(super) transferred: bool,
    /// Actually resolved.
    pub(super) resolved: bool,
    /// Resolution as the agent coded it (None: left blank).
    pub(super) coded: Option<bool>,
    /// One of the `ST_*` states.
    pub(super) state: u8,
    /// Pod the customer is routed to.
    pub(super) pod: u16,
    /// Agent attention accrued so far by a chat or messaging session.
    pub(super) attn: f64,
}

impl Contact {
    /// Whether an agent handled it.
    pub(super) fn has_agent(&self) -> bool {
        self.agent != NONE
    }

    /// Whether it was answered.
    pub(super) fn was_answered(&self) -> bool {
        !self.answered.is_nan()
    }

    /// Whether it has ended.
    pub(super) fn has_ended(&self) -> bool {
        !self.ended.is_nan()
    }
}
