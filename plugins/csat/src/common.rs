//! Evidence rows the csat evaluators share: survey invitations and contacts
//! read from their tables, the assessment window in the centre's local time,
//! and small formatting helpers.

use chrono::{Datelike, NaiveDate, TimeZone};
use chrono_tz::Tz;
use cxaudit_kpis::evaluator::{self, OptionalCells, optional_cells};
use cxaudit_metrics::sample::SelectionCells;
use cxaudit_plugin_sdk::prelude::*;
use cxaudit_plugin_sdk::table::{floor_seconds, seconds_between, trim_cell};
use cxaudit_plugin_sdk::time::LocalDates;

/// Percentages (`61.2%`) and JSON numbers (6 decimals, `null` when absent or
/// not finite), as the other KPI-reading plugins format them.
pub use cxaudit_kpis::evaluator::{num, pct};

/// Channel without agents: its contacts are never "handled".
pub const SELF_SERVICE: &str = "self_service";

/// One survey invitation, with the answers when the customer responded.
#[derive(Debug, Clone, PartialEq)]
pub struct Invitation<'a> {
    /// The row of the contact surveyed in the contacts table, when the
    /// invitations were read with it and a row has the survey's contact_id
    /// ([`load_invitations`]). A million invitations are held at once: the
    /// survey id (needed to count a row complete) and the contact id (needed
    /// only to find this row) are not kept.
    pub contact_row: Option<u32>,
    /// Channel of the surveyed contact.
    pub channel: &'a str,
    /// Agent of the surveyed contact.
    pub agent_id: Option<&'a str>,
    /// How the invitation was selected (random, census, agent_selected, customer_initiated).
    pub selection: Option<&'a str>,
    /// Whether it is customer-initiated feedback rather than an invitation
    /// ([`is_feedback`] of its selection, read once per selection value
    /// and batch by the loader).
    pub feedback: bool,
    /// When the invitation was sent, UTC milliseconds.
    pub invited_at_ms: i64,
    /// When the customer responded, UTC milliseconds.
    pub responded_at_ms: Option<i64>,
    /// Overall satisfaction, 1-5.
    pub csat: Option<i64>,
    /// Coded reason for dissatisfaction.
    pub reason: Option<&'a str>,
}

impl Invitation<'_> {
    /// The second the invitation was sent (rounded down), for the window
    /// and months.
    pub fn invited_second(&self) -> i64 {
        floor_seconds(self.invited_at_ms)
    }

    /// Whether the customer responded (a response time or a CSAT answer).
    pub fn responded(&self) -> bool {
        self.responded_at_ms.is_some() || self.csat.is_some()
    }
}

/// Invitations in the assessment window and the rows left out, each held
/// as an [`Invitation`] or as what one evaluator reads of it
/// ([`load_invitations_as`]).
#[derive(Debug, Clone)]
pub struct Invitations<R> {
    /// Invitations sent within the window.
    pub rows: Vec<R>,
    /// Rows missing survey_id, channel or invited_at.
    pub incomplete: usize,
    /// Rows invited outside the window.
    pub outside_window: usize,
    /// Invitations sent after the window ends (counted in `outside_window`):
    /// a contact handled on the last day may be invited the next.
    pub after_window: Vec<R>,
}

impl<R> Default for Invitations<R> {
    fn default() -> Self {
        Invitations {
            rows: Vec::new(),
            incomplete: 0,
            outside_window: 0,
            after_window: Vec::new(),
        }
    }
}

/// One contact of the contacts table.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Contact<'a> {
    /// Its row in the table (from 0, incomplete rows counted).
    pub row: usize,
    /// Contact id.
    pub contact_id: &'a str,
    /// Channel.
    pub channel: &'a str,
    /// Handling agent.
    pub agent_id: Option<&'a str>,
    /// Arrival, UTC milliseconds.
    pub arrived_at_ms: i64,
    /// Answer (first response), UTC milliseconds.
    pub answered_at_ms: Option<i64>,
    /// End (hang-up for abandoned contacts), UTC milliseconds.
    pub ended_at_ms: Option<i64>,
    /// Talk + hold + wrap seconds, when the columns are present.
    pub handle_seconds: Option<f64>,
    /// Abandoned before an answer.
    pub abandoned: bool,
    /// Transferred.
    pub transferred: Option<bool>,
    /// Resolved, as the CRM records it.
    pub resolved: Option<bool>,
}

impl Contact<'_> {
    /// Handled: not abandoned, answered, and not self-service.
    pub fn handled(&self) -> bool {
        !self.abandoned && self.answered_at_ms.is_some() && self.channel != SELF_SERVICE
    }

    /// In the survey population of its channel: handled, or for
    /// self-service (no agent) a session that was not abandoned.
    pub fn in_population(&self) -> bool {
        if self.channel == SELF_SERVICE {
            !self.abandoned
        } else {
            self.handled()
        }
    }

    /// Wait, exact to the millisecond: answered - arrived (answered) or
    /// ended - arrived (abandoned).
    pub fn wait_seconds(&self) -> Option<f64> {
        let until = if self.abandoned {
            self.ended_at_ms
        } else {
            self.answered_at_ms
        }?;
        Some(seconds_between(self.arrived_at_ms, until))
    }

    /// The second of arrival (rounded down), for the window and months.
    pub fn arrived_second(&self) -> i64 {
        floor_seconds(self.arrived_at_ms)
    }
}

/// What each invitation's contact gave (the `T` a loader picked from the
/// contact's row), found in one pass over the contacts table by the rows the
/// invitations name.
#[derive(Debug, Clone)]
pub struct Linked<T> {
    /// For each invitation, in the order given, the number of its contact
    /// row among the distinct rows named ([`ContactRows::NONE`] without one).
    row_of_invitation: Vec<u32>,
    /// For each distinct row, what it gave (`None`: the row is incomplete).
    picked: Vec<Option<T>>,
    /// Contact rows lacking contact_id, channel, arrived_at or abandoned,
    /// over the whole table.
    pub incomplete: usize,
}

impl<T> Linked<T> {
    /// What the contact of the invitation at `index` (of those the contacts
    /// were linked for) gave.
    pub fn of(&self, index: usize) -> Option<&T> {
        let &n = self.row_of_invitation.get(index)?;
        self.picked.get(usize::try_from(n).ok()?)?.as_ref()
    }
}

/// The contact rows a list of invitations names, numbered in the order first
/// met, and each invitation's number: the contacts table is then read once,
/// in order, and each row finds its number by position (no lookup by id).
pub struct ContactRows {
    /// For each row of the contacts table, its number ([`Self::NONE`] when
    /// no invitation names it).
    number_of_row: Vec<u32>,
    /// How many distinct rows the invitations name.
    named: usize,
    /// For each invitation, in the order given, the number of its contact
    /// row ([`Self::NONE`] without one).
    pub of_invitation: Vec<u32>,
}

impl ContactRows {
    /// The number of an invitation that names no contact row.
    pub const NONE: u32 = u32::MAX;

    /// Numbers the contact rows of `rows`, one per invitation in order, in
    /// a table of `table_rows` rows (a row beyond it names nothing).
    pub fn of(rows: impl Iterator<Item = Option<u32>>, table_rows: usize) -> Self {
        let mut number_of_row = vec![Self::NONE; table_rows];
        let mut named = 0u32;
        let of_invitation = rows
            .map(|row| {
                let Some(slot) = row.and_then(|r| number_of_row.get_mut(r as usize)) else {
                    return Self::NONE;
                };
                if *slot == Self::NONE {
                    *slot = named;
                    named += 1;
                }
                *slot
            })
            .collect();
        ContactRows {
            number_of_row,
            named: named as usize,
            of_invitation,
        }
    }

    /// How many distinct rows the invitations name.
    pub fn len(&self) -> usize {
        self.named
    }

    /// Whether no invitation names a row.
    pub fn is_empty(&self) -> bool {
        self.named == 0
    }

    /// The number of a contact row, when an invitation names it.
    pub fn number(&self, row: usize) -> Option<usize> {
        match self.number_of_row.get(row) {
            Some(&n) if n != Self::NONE => Some(n as usize),
            _ => None,
        }
    }
}

/// The assessment period as UTC instants of the centre's local days.
#[derive(Debug, Clone)]
pub struct Window {
    /// Local midnight starting the first day, UTC seconds.
    pub start: i64,
    /// Local midnight after the last day, UTC seconds (exclusive).
    pub end: i64,
    /// The centre's time zone.
    pub tz: Tz,
    first_day: NaiveDate,
    last_day: NaiveDate,
}

impl Window {
    /// The request's period in the request's time zone.
    pub fn from_context(ctx: &Context<'_>) -> Result<Self, EvalError> {
        let tz = ctx.time_zone()?;
        let day = |s: &str| {
            NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .map_err(|e| EvalError::Failed(format!("period date `{s}`: {e}")))
        };
        let first_day = day(&ctx.period().start)?;
        let last_day = day(&ctx.period().end)?;
        let midnight = |d: NaiveDate| -> Result<i64, EvalError> {
            let naive = d
                .and_hms_opt(0, 0, 0)
                .ok_or_else(|| EvalError::Failed(format!("no midnight on {d}")))?;
            tz.from_local_datetime(&naive)
                .earliest()
                .map(|t| t.timestamp())
                .ok_or_else(|| EvalError::Failed(format!("no local midnight on {d} in {tz}")))
        };
        let after_last = last_day
            .succ_opt()
            .ok_or_else(|| EvalError::Failed("period end out of range".into()))?;
        Ok(Window {
            start: midnight(first_day)?,
            end: midnight(after_last)?,
            tz,
            first_day,
            last_day,
        })
    }

    /// Whether an instant falls in the period.
    pub fn contains(&self, ts: i64) -> bool {
        ts >= self.start && ts < self.end
    }

    /// The local months of many instants in the window's zone.
    pub fn local_months(&self) -> LocalMonths {
        LocalMonths(LocalDates::new(self.tz))
    }

    /// The first day of every month the period touches, in order.
    pub fn month_firsts(&self) -> Vec<NaiveDate> {
        evaluator::months_of(self.first_day, self.last_day)
    }

    /// Every month `YYYY-MM` the period touches, in order.
    pub fn months(&self) -> Vec<String> {
        self.month_firsts()
            .into_iter()
            .map(evaluator::month_label)
            .collect()
    }
}

/// Local months of instants ([`Window::local_months`]): the zone's offsets
/// looked up once per hour, as [`LocalDates`] does.
pub struct LocalMonths(LocalDates);

impl LocalMonths {
    /// Local month of an instant (seconds) as (year, month); `None` when the
    /// instant has no local time.
    pub fn of(&mut self, ts: i64) -> Option<(i32, u32)> {
        self.0.date(ts).map(|d| (d.year(), d.month()))
    }
}

fn trimmed(v: Option<&str>) -> Option<&str> {
    v.map(trim_cell).filter(|s| !s.is_empty())
}

/// Reads the surveys table: invitations sent within the window, each with
/// the row of its contact in `contacts` when given (the rows the host
/// resolved at load, else found by id: [`Table::rows_named`]). Columns the
/// table lacks read as empty; `survey_id`, `channel` and `invited_at` must exist.
pub fn load_invitations<'a>(
    t: &'a Table,
    contacts: Option<&Table>,
    window: &Window,
) -> Result<Invitations<Invitation<'a>>, EvalError> {
    load_invitations_as(t, contacts, window, |i| i)
}

/// [`load_invitations`], each invitation kept as `pick` makes it: an
/// evaluator that reads a few fields of a million invitations holds only
/// those.
pub fn load_invitations_as<'a, R>(
    t: &'a Table,
    contacts: Option<&Table>,
    window: &Window,
    pick: impl Fn(Invitation<'a>) -> R,
) -> Result<Invitations<R>, EvalError> {
    let rows = match contacts {
        Some(c) if t.has_column("contact_id") => {
            Some(t.rows_named("contact_id", c, "contact_id")?)
        }
        _ => None,
    };
    let mut contact_rows = rows.iter().flat_map(|r| r.iter());
    let mut ids = t.strs("survey_id")?.map(trimmed);
    let mut channels = t.strs("channel")?.map(trimmed);
    let invited = t.timestamps_ms("invited_at")?;
    let mut agent = optional_cells(t, "agent_id", |c| Ok(t.strs(c)?.map(trimmed)))?;
    let mut selection = optional_cells(t, "selection", |c| Ok(t.strs(c)?.map(trimmed)))?;
    let mut responded = optional_cells(t, "responded_at", |c| t.timestamps_ms(c))?;
    let mut csat = optional_cells(t, "csat", |c| t.i64s(c))?;
    let mut reason = optional_cells(t, "dissatisfaction_reason", |c| Ok(t.strs(c)?.map(trimmed)))?;
    let mut out = Invitations {
        rows: Vec::with_capacity(t.num_rows()),
        ..Invitations::default()
    };
    let mut methods = SelectionCells::default();
    // One row at a time, every column advanced together.
    for invited in invited {
        let (id, channel) = (ids.next(), channels.next());
        let (agent_id, selection) = (agent.next(), selection.next());
        let (responded_at_ms, csat, reason) = (responded.next(), csat.next(), reason.next());
        let contact_row = contact_rows.next().flatten();
        let (Some(Some(_survey_id)), Some(Some(channel)), Some(invited_at_ms)) =
            (id, channel, invited)
        else {
            out.incomplete += 1;
            continue;
        };
        let in_window = window.contains(floor_seconds(invited_at_ms));
        if !in_window {
            out.outside_window += 1;
        }
        let selection = selection.flatten();
        let row = Invitation {
            contact_row,
            channel,
            agent_id: agent_id.flatten(),
            selection,
            feedback: !methods.parse(selection).is_invitation(),
            invited_at_ms,
            responded_at_ms: responded_at_ms.flatten(),
            csat: csat.flatten(),
            reason: reason.flatten(),
        };
        if in_window {
            out.rows.push(pick(row));
        } else if floor_seconds(invited_at_ms) >= window.end {
            out.after_window.push(pick(row));
        }
    }
    Ok(out)
}

/// An invitation as held by an evaluator: whether it is feedback.
pub trait Selected {
    /// Whether it is customer-initiated feedback rather than an invitation
    /// ([`is_feedback`] of its selection).
    fn is_feedback(&self) -> bool;
}

/// Whether a survey's `selection` cell marks customer-initiated feedback
/// rather than an invitation (`cxaudit_metrics::sample::Selection::is_invitation`).
pub fn is_feedback(selection: Option<&str>) -> bool {
    !cxaudit_metrics::sample::Selection::parse(selection).is_invitation()
}

impl Selected for Invitation<'_> {
    fn is_feedback(&self) -> bool {
        self.feedback
    }
}

/// Leaves customer-initiated feedback out of `invitations` (it was never an
/// invitation: `cxaudit_metrics::sample`) and returns how many rows it was,
/// for the observation that says so.
pub fn drop_customer_initiated<R: Selected>(invitations: &mut Invitations<R>) -> usize {
    let before = invitations.rows.len();
    invitations.rows.retain(|i| !i.is_feedback());
    invitations.after_window.retain(|i| !i.is_feedback());
    before - invitations.rows.len()
}

/// The observation of feedback rows left out by [`drop_customer_initiated`].
pub fn feedback_left_out(count: usize, what: &str) -> Option<String> {
    (count > 0).then(|| {
        format!(
            "{count} customer-initiated feedback row(s) in the period are not invitations: left out of {what}."
        )
    })
}

/// A contacts need that starts with the columns [`each_contact`] requires
/// (`contact_id`, `channel`, `arrived_at`, `abandoned`); add the others.
pub fn contacts_need(required: bool) -> TableNeed {
    let need = if required {
        TableNeed::required("contacts")
    } else {
        TableNeed::optional("contacts")
    };
    need.column("contact_id", ColumnType::String)
        .column("channel", ColumnType::String)
        .column("arrived_at", ColumnType::Timestamp)
        .column("abandoned", ColumnType::Bool)
}

/// The optional contact columns a pass ([`each_contact`], [`load_linked`])
/// reads, besides the four every pass reads (`contact_id`, `channel`,
/// `arrived_at`, `abandoned`): a column not read is empty in every
/// [`Contact`] handed on. A pass that needs a contact's end reads one more
/// column of two million rows, not eight.
#[derive(Debug, Clone, Copy, Default)]
pub struct ContactColumns {
    /// `agent_id`.
    pub agent: bool,
    /// `answered_at` ([`Contact::handled`], [`Contact::in_population`] and
    /// [`Contact::wait_seconds`] read it).
    pub answered: bool,
    /// `ended_at` ([`Contact::wait_seconds`] reads it).
    pub ended: bool,
    /// `talk_seconds`, `hold_seconds` and `wrap_seconds`
    /// ([`Contact::handle_seconds`]).
    pub handle: bool,
    /// `transferred`.
    pub transferred: bool,
    /// `resolved`.
    pub resolved: bool,
}

impl ContactColumns {
    /// Every optional column.
    pub const ALL: ContactColumns = ContactColumns {
        agent: true,
        answered: true,
        ended: true,
        handle: true,
        transferred: true,
        resolved: true,
    };
}

/// Links each invitation to its contact: what `pick` takes from the contact
/// row the invitation names (only that is kept), every row found in one
/// pass over the table; each invitation's is then found by its position
/// ([`Linked::of`]). `contact_rows` are the invitations'
/// [`Invitation::contact_row`]s in order (so they must have been read with
/// this table); an evaluator holding a million invitations may keep just
/// those and what it compares, and drop the rows before linking.
pub fn load_linked<'t, T>(
    t: &'t Table,
    contact_rows: impl Iterator<Item = Option<u32>>,
    columns: ContactColumns,
    mut pick: impl FnMut(&Contact<'t>) -> T,
) -> Result<Linked<T>, EvalError> {
    let rows = ContactRows::of(contact_rows, t.num_rows());
    let mut picked: Vec<Option<T>> = std::iter::repeat_with(|| None).take(rows.len()).collect();
    let incomplete = each_contact(t, columns, |c| {
        if let Some(n) = rows.number(c.row) {
            picked[n] = Some(pick(&c));
        }
    })?;
    Ok(Linked {
        row_of_invitation: rows.of_invitation,
        picked,
        incomplete,
    })
}

/// Hands every complete contact row of the table (all dates) to `visit`,
/// in table order, keeping none; returns how many rows lack contact_id,
/// channel, arrived_at or abandoned (those are not handed on). Of the other
/// columns, those of `columns` are read (empty when the table lacks one);
/// those four must exist.
pub fn each_contact<'t>(
    t: &'t Table,
    columns: ContactColumns,
    mut visit: impl FnMut(Contact<'t>),
) -> Result<usize, EvalError> {
    /// A column's cells when it is to be read (and the table has it), else
    /// an empty cell for every row.
    fn cells_if<T, I: Iterator<Item = Option<T>>>(
        read: bool,
        t: &Table,
        name: &'static str,
        cells: impl FnOnce(&'static str) -> Result<I, EvalError>,
    ) -> Result<OptionalCells<I>, EvalError> {
        if read {
            optional_cells(t, name, cells)
        } else {
            Ok(OptionalCells::Absent)
        }
    }
    let c = columns;
    let mut ids = t.strs("contact_id")?.map(trimmed);
    let mut channels = t.strs("channel")?.map(trimmed);
    let arrived = t.timestamps_ms("arrived_at")?;
    let mut abandoned = t.bools("abandoned")?;
    let mut agent = cells_if(c.agent, t, "agent_id", |n| Ok(t.strs(n)?.map(trimmed)))?;
    let mut answered = cells_if(c.answered, t, "answered_at", |n| t.timestamps_ms(n))?;
    let mut ended = cells_if(c.ended, t, "ended_at", |n| t.timestamps_ms(n))?;
    let mut talk = cells_if(c.handle, t, "talk_seconds", |n| t.f64s(n))?;
    let mut hold = cells_if(c.handle, t, "hold_seconds", |n| t.f64s(n))?;
    let mut wrap = cells_if(c.handle, t, "wrap_seconds", |n| t.f64s(n))?;
    let mut transferred = cells_if(c.transferred, t, "transferred", |n| t.bools(n))?;
    let mut resolved = cells_if(c.resolved, t, "resolved", |n| t.bools(n))?;
    let mut incomplete = 0;
    // One row at a time, every column advanced together.
    for (row, arrived) in arrived.enumerate() {
        let (id, channel, abandoned) = (ids.next(), channels.next(), abandoned.next());
        let (agent_id, answered_at_ms, ended_at_ms) = (agent.next(), answered.next(), ended.next());
        let (talk, hold, wrap) = (talk.next(), hold.next(), wrap.next());
        let (transferred, resolved) = (transferred.next(), resolved.next());
        let (
            Some(Some(contact_id)),
            Some(Some(channel)),
            Some(arrived_at_ms),
            Some(Some(abandoned)),
        ) = (id, channel, arrived, abandoned)
        else {
            incomplete += 1;
            continue;
        };
        let handle_seconds = match (talk.flatten(), hold.flatten(), wrap.flatten()) {
            (Some(a), Some(b), Some(c)) => Some(a + b + c),
            _ => None,
        };
        visit(Contact {
            row,
            contact_id,
            channel,
            agent_id: agent_id.flatten(),
            arrived_at_ms,
            answered_at_ms: answered_at_ms.flatten(),
            ended_at_ms: ended_at_ms.flatten(),
            handle_seconds,
            abandoned,
            transferred: transferred.flatten(),
            resolved: resolved.flatten(),
        });
    }
    Ok(incomplete)
}

/// Recomputes score and status from the checks, keeping everything else.
pub fn score_from_checks(e: &mut Evaluation) {
    let total: f64 = e.checks.iter().map(|c| c.weight).sum();
    if total > 0.0 {
        let passed: f64 = e.checks.iter().filter(|c| c.passed).map(|c| c.weight).sum();
        let score = passed / total;
        e.score = Some(score);
        e.status = status_for_score(score);
    }
}

/// An unscored evaluation noting the invitation rows left out, then the
/// contact rows left out when `contacts` is given.
pub fn evaluation_noting_skipped<R>(
    inv: &Invitations<R>,
    incomplete_contacts: Option<usize>,
) -> Evaluation {
    let mut e = Evaluation::with_status(Status::NotMet, "");
    note_skipped_invitations(inv, &mut e.observations);
    if let Some(incomplete) = incomplete_contacts {
        note_skipped_contacts(incomplete, &mut e.observations);
    }
    e
}

/// Notes rows left out of the invitations, when there are any.
pub fn note_skipped_invitations<R>(inv: &Invitations<R>, observations: &mut Vec<String>) {
    if inv.incomplete > 0 {
        observations.push(format!(
            "{} survey rows lack survey_id, channel or invited_at and were skipped.",
            inv.incomplete
        ));
    }
    if inv.outside_window > 0 {
        observations.push(format!(
            "{} survey invitations fall outside the assessment period and are left out of the sample ({} of them sent after it, which still count in per-agent invitation rates when their contact was handled in the period).",
            inv.outside_window,
            inv.after_window.len()
        ));
    }
}

/// Notes contact rows left out, when there are any.
pub fn note_skipped_contacts(incomplete: usize, observations: &mut Vec<String>) {
    if incomplete > 0 {
        observations.push(format!(
            "{incomplete} contact rows lack contact_id, channel, arrived_at or abandoned and were skipped."
        ));
    }
}

/// The survey KPIs as `cxaudit kpis` reports them over the evidence
/// (cxaudit-kpis, group `all`): csat_top2, nps and survey_response_rate.
/// A KPI the evidence cannot give is a measurement without a value.
/// Recorded in `e`; survey_response_rate takes the unit and definition the
/// manifest declares.
pub fn survey_kpis(ctx: &Context<'_>, e: &mut Evaluation) {
    use cxaudit_kpis::{Evidence, Kpi, KpiOptions};
    let options = KpiOptions::default()
        .with_time_zone(ctx.time_zone_name())
        .map(|o| o.only(&[Kpi::CsatTop2, Kpi::Nps, Kpi::SurveyResponseRate]));
    let group = options
        .ok()
        .map(|o| cxaudit_kpis::overall(&Evidence::from_context(ctx), &o));
    let value = |k: Kpi| group.as_ref().and_then(|g| g.value(k));
    e.measurements.extend([
        Measurement::new(
            "csat_top2",
            value(Kpi::CsatTop2),
            "ratio",
            "responses with csat 4 or 5 / responses with a csat (1-5) of the survey sample (random and census invitations; all invitations, flagged biased, when there is none; never customer-initiated feedback), whole surveys table (as `cxaudit kpis`)",
        ),
        Measurement::new(
            "nps",
            value(Kpi::Nps),
            "points",
            "% of nps 9-10 minus % of nps 0-6 over the survey sample's responses with an nps, whole surveys table (as `cxaudit kpis`)",
        ),
    ]);
    e.measure("survey_response_rate", value(Kpi::SurveyResponseRate));
}

#[cfg(test)]
pub(crate) mod fixtures {
    //! Hand-made test rows and the tables built from them.
    use cxaudit_plugin_sdk::testing::{TableBuilder, TestHost};

    /// A contact row: timestamps as `YYYY-MM-DDTHH:MM:SS` (UTC).
    #[derive(Clone, Copy)]
    pub struct C {
        pub id: &'static str,
        pub channel: &'static str,
        pub agent: Option<&'static str>,
        pub arrived: &'static str,
        pub answered: Option<&'static str>,
        pub ended: Option<&'static str>,
        pub handle: f64,
        pub abandoned: bool,
        pub transferred: bool,
        pub resolved: Option<bool>,
    }

    /// A handled contact on `channel` by `agent`, arriving at `arrived`,
    /// answered 30 s later... (answered/ended given as literals).
    pub fn handled(
        id: &'static str,
        channel: &'static str,
        agent: &'static str,
        arrived: &'static str,
        answered: &'static str,
        ended: &'static str,
    ) -> C {
        C {
            id,
            channel,
            agent: Some(agent),
            arrived,
            answered: Some(answered),
            ended: Some(ended),
            handle: 300.0,
            abandoned: false,
            transferred: false,
            resolved: Some(true),
        }
    }

    /// Adds a contacts table.
    pub fn with_contacts(host: TestHost, rows: &[C]) -> TestHost {
        let b = TableBuilder::new()
            .strings("contact_id", rows.iter().map(|r| Some(r.id)))
            .strings("channel", rows.iter().map(|r| Some(r.channel)))
            .strings("agent_id", rows.iter().map(|r| r.agent))
            .timestamps("arrived_at", rows.iter().map(|r| Some(r.arrived)))
            .timestamps("answered_at", rows.iter().map(|r| r.answered))
            .timestamps("ended_at", rows.iter().map(|r| r.ended))
            .floats("talk_seconds", rows.iter().map(|r| Some(r.handle)))
            .floats("hold_seconds", rows.iter().map(|_| Some(0.0)))
            .floats("wrap_seconds", rows.iter().map(|_| Some(0.0)))
            .bools("abandoned", rows.iter().map(|r| Some(r.abandoned)))
            .bools("transferred", rows.iter().map(|r| Some(r.transferred)))
            .bools("resolved", rows.iter().map(|r| r.resolved))
            .build();
        host.table("contacts", b)
    }

    /// A survey row.
    #[derive(Clone, Copy)]
    pub struct S {
        pub id: &'static str,
        pub contact: Option<&'static str>,
        pub channel: &'static str,
        pub agent: Option<&'static str>,
        pub selection: &'static str,
        pub invited: &'static str,
        pub responded: Option<&'static str>,
        pub csat: Option<i64>,
        pub reason: Option<&'static str>,
    }

    /// A random invitation without a response.
    pub fn invite(
        id: &'static str,
        contact: &'static str,
        channel: &'static str,
        agent: &'static str,
        invited: &'static str,
    ) -> S {
        S {
            id,
            contact: Some(contact),
            channel,
            agent: Some(agent),
            selection: "random",
            invited,
            responded: None,
            csat: None,
            reason: None,
        }
    }

    impl S {
        /// The same invitation, answered with a CSAT score.
        pub fn answered(mut self, csat: i64) -> S {
            self.responded = Some(self.invited);
            self.csat = Some(csat);
            self
        }
        /// The same invitation with another selection method.
        pub fn selected(mut self, selection: &'static str) -> S {
            self.selection = selection;
            self
        }
        /// The same invitation with a coded dissatisfaction reason.
        pub fn reason(mut self, reason: &'static str) -> S {
            self.reason = Some(reason);
            self
        }
    }

    /// Adds a surveys table, with optional `attr_*` columns (one value per row).
    pub fn with_surveys(
        host: TestHost,
        rows: &[S],
        attrs: &[(&str, Vec<Option<i64>>)],
    ) -> TestHost {
        let mut b = TableBuilder::new()
            .strings("survey_id", rows.iter().map(|r| Some(r.id)))
            .strings("contact_id", rows.iter().map(|r| r.contact))
            .strings("channel", rows.iter().map(|r| Some(r.channel)))
            .strings("agent_id", rows.iter().map(|r| r.agent))
            .strings("selection", rows.iter().map(|r| Some(r.selection)))
            .timestamps("invited_at", rows.iter().map(|r| Some(r.invited)))
            .timestamps("responded_at", rows.iter().map(|r| r.responded))
            .integers("csat", rows.iter().map(|r| r.csat))
            .integers("nps", rows.iter().map(|r| r.csat.map(|c| c * 2)))
            .strings("dissatisfaction_reason", rows.iter().map(|r| r.reason));
        for (name, values) in attrs {
            b = b.integers(name, values.iter().copied());
        }
        host.table("surveys", b.build())
    }

    /// A host whose period is January 2026.
    pub fn january() -> TestHost {
        TestHost::new().period("2026-01-01", "2026-01-31")
    }

    /// Asserts that the evaluation names `n` incomplete contact rows.
    pub fn assert_incomplete_contacts_named(e: &cxaudit_plugin_sdk::Evaluation, n: usize) {
        let said = format!("{n} contact rows lack contact_id, channel, arrived_at or abandoned");
        assert!(
            e.observations.iter().any(|o| o.starts_with(&said)),
            "{:?}",
            e.observations
        );
    }

    /// Adds a contacts table and a surveys table without `attr_*` columns.
    pub fn with_contacts_and_surveys(host: TestHost, contacts: &[C], surveys: &[S]) -> TestHost {
        with_surveys(with_contacts(host, contacts), surveys, &[])
    }
}

#[cfg(test)]
mod tests {
    use super::fixtures::*;
    use super::*;

    #[test]
    fn each_invitation_finds_its_contact_by_position() {
        let h = |id, agent| {
            handled(
                id,
                "voice",
                agent,
                "2026-01-05T10:00:00",
                "2026-01-05T10:00:30",
                "2026-01-05T10:05:00",
            )
        };
        // C2 twice (the first row, by A1, is the one linked: in evidence the engine
        // loaded a key is unique, and a reference names the first row holding it), and
        // a row with no channel (incomplete: counted, never linked).
        let mut broken = h("C4", "A9");
        broken.channel = "";
        let contacts = [
            h("C1", "A1"),
            h("C2", "A1"),
            broken,
            h("C3", "A3"),
            h("C2", "A2"),
        ];
        let mut no_id = invite("S2", "", "voice", "A1", "2026-01-05T11:00:00");
        no_id.contact = None;
        let surveys = [
            invite("S1", "C2", "voice", "A1", "2026-01-05T11:00:00"),
            no_id,
            invite("S3", "C9", "voice", "A1", "2026-01-05T11:00:00"),
            invite("S4", "C2", "voice", "A1", "2026-01-05T11:00:00"),
            invite("S5", "C3", "voice", "A1", "2026-01-05T11:00:00"),
            invite("S6", "C4", "voice", "A1", "2026-01-05T11:00:00"),
        ];
        with_contacts_and_surveys(january(), &contacts, &surveys).with_context(|ctx| {
            let window = Window::from_context(ctx).unwrap();
            let surveys = ctx.table("surveys").unwrap();
            let table = ctx.table("contacts").unwrap();
            let invitations = load_invitations(&surveys, Some(&table), &window).unwrap();
            let rows: Vec<_> = invitations.rows.iter().map(|i| i.contact_row).collect();
            assert_eq!(rows, [Some(1), None, None, Some(1), Some(3), Some(2)]);
            let linked = load_linked(
                &table,
                rows.iter().copied(),
                ContactColumns {
                    agent: true,
                    ..ContactColumns::default()
                },
                |c| (c.contact_id, c.agent_id),
            )
            .unwrap();
            let found: Vec<_> = (0..7).map(|k| linked.of(k).copied()).collect();
            // C2's first row, no id, an unknown id, C2 again, C3, C4's incomplete row,
            // past the end.
            let c2 = Some(("C2", Some("A1")));
            assert_eq!(
                found,
                [c2, None, None, c2, Some(("C3", Some("A3"))), None, None]
            );
            assert_eq!(linked.incomplete, 1);
        });
    }
}
