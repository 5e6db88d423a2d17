//! The `contacts` pass: per-contact counts per group, FCR classified over
//! all rows, then service level, ASA, abandonment, AHT, transfers, FCR and
//! volume per group.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::NaiveDate;
use chrono_tz::Tz;
use cxaudit_metrics::fcr::{CustomerCodes, FcrClass, FcrCounts, FcrParams, FcrParts, FcrVisit};
use cxaudit_metrics::hash::RecentStrs;
use cxaudit_metrics::service::ServiceCounts;
use cxaudit_metrics::{service, stats};
use cxaudit_plugin_sdk::memo::{Memo, SameTable};
use cxaudit_plugin_sdk::table::{MS_PER_SECOND, seconds_between};
use cxaudit_plugin_sdk::{EvalError, Table, thread};

use super::grouping::GroupIds;
use super::{Groups, set};
use crate::kpi::{Kpi, KpiValue};
use crate::options::{GroupBy, KpiOptions};

/// What the contacts pass hands to other families.
#[derive(Clone)]
pub(crate) struct ContactSide {
    /// Handle seconds of agent-handled contacts, per group key.
    pub handle_seconds: BTreeMap<String, f64>,
    /// Contacts of each local day of the period that has a contact row, whatever the grouping.
    pub by_day: BTreeMap<NaiveDate, DayContacts>,
}

/// The contacts of one local day.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct DayContacts {
    /// Contacts (all rows).
    pub contacts: u64,
    /// Handled contacts (answered, not abandoned, not self-service).
    pub handled: u64,
}

/// Whether a contact was handled by an agent: answered, not abandoned, not self-service.
fn is_handled(channel: &str, answered: Option<i64>, abandoned: bool) -> bool {
    !abandoned && answered.is_some() && channel != "self_service"
}

/// The counts of one group.
#[derive(Default)]
struct ContactAcc {
    service: ServiceCounts,
    answered_wait: f64,
    handled: u64,
    handle_seconds: f64,
    transferred: u64,
    contacts: u64,
    fcr: FcrCounts,
}

/// The cells of one contact row the group counts read (instants in UTC
/// milliseconds).
struct ContactRow<'a> {
    channel: &'a str,
    arrived: i64,
    answered: Option<i64>,
    ended: Option<i64>,
    /// Talk + hold + wrap seconds.
    handle: f64,
    abandoned: bool,
    transferred: bool,
}

impl ContactAcc {
    /// Counts one contact of the group (`in_service`: its channel is one
    /// of the service channels of `o`).
    fn add(&mut self, c: &ContactRow<'_>, in_service: bool, o: &KpiOptions) {
        self.contacts += 1;
        if is_handled(c.channel, c.answered, c.abandoned) {
            self.handled += 1;
            self.handle_seconds += c.handle;
            self.transferred += u64::from(c.transferred);
        }
        if in_service {
            let timing = contact_timing(c.arrived, c.answered, c.ended, c.abandoned);
            self.service
                .add(&timing, o.sl_threshold_seconds, o.short_abandon_seconds);
            if timing.answered {
                self.answered_wait += timing.wait_seconds;
            }
        }
    }
}

/// The counts of one request (a grouping and its options): its groups in
/// first-seen order and, when it wants FCR, each FCR row's group
/// ([`NO_GROUP`] when the row has no group key; empty when it does not want
/// FCR, so another request's classification costs it no memory).
struct Grouped<'a> {
    by: GroupBy,
    o: &'a KpiOptions,
    ids: GroupIds<'a>,
    accs: Vec<(String, ContactAcc)>,
    row_group: Vec<u32>,
    /// Whether each channel met is a service channel (1) or not (0), by
    /// the channel's address: the options' list is compared once per
    /// channel and batch, not per row.
    service: RecentStrs<'a>,
}

impl<'a> Grouped<'a> {
    /// Whether `channel` is one of the request's service channels.
    fn serves(&mut self, channel: &'a str) -> bool {
        if let Some(known) = self.service.get(channel) {
            return known == 1;
        }
        let serves = self.o.service_channels.iter().any(|ch| ch == channel);
        self.service.put(channel, u32::from(serves));
        serves
    }
}

/// The group of an FCR row without a group key (half the memory of an
/// `Option<u32>` per row: there are never as many groups, since FCR refuses
/// that many rows).
const NO_GROUP: u32 = u32::MAX;

/// The counts of every grouping and the contacts of each local day of the
/// period.
struct Tally<'a> {
    grouped: Vec<Grouped<'a>>,
    by_day: BTreeMap<NaiveDate, DayContacts>,
}

/// What the pass gives one request: its groups' contact KPIs and what it
/// hands to the other families.
#[derive(Clone)]
pub(super) struct PassOut {
    /// The contact KPIs of each group (every one the pass computes: the
    /// request's `only` is applied by the caller).
    pub groups: Groups,
    /// Handle time per group and contacts per day.
    pub side: ContactSide,
}

/// The pass for `requests` ([`pass`]), kept for the next call in this
/// process (a [`Memo`] keyed by the contacts table and each request's
/// grouping and options, its `only` narrowed to what changes the pass:
/// whether FCR is classified). The workforce plugin's service-level and
/// occupancy criteria read the contacts alike under the same groupings and
/// want different KPIs of them: one pass serves both.
pub(super) fn contacts(
    t: &Table,
    requests: &[(GroupBy, &KpiOptions)],
) -> Result<Arc<Vec<PassOut>>, EvalError> {
    /// The last pass, by its key.
    static PASSES: Passes = Memo::new();
    contacts_kept_in(&PASSES, t, requests)
}

/// The pass kept for the next call, by the contacts table and each request
/// as the pass reads it.
type Passes = Memo<(SameTable, Vec<(GroupBy, KpiOptions)>), Vec<PassOut>>;

/// [`contacts`], the pass kept in `passes`.
fn contacts_kept_in(
    passes: &Passes,
    t: &Table,
    requests: &[(GroupBy, &KpiOptions)],
) -> Result<Arc<Vec<PassOut>>, EvalError> {
    let key = (
        SameTable::of(t),
        requests
            .iter()
            .map(|&(by, o)| (by, as_the_pass_reads(o)))
            .collect(),
    );
    passes.get_or_try(key, || pass(t, requests))
}

/// `o` as the pass reads it: its `only` narrowed to what changes the pass
/// (whether FCR is classified: the pass computes every contact KPI of a
/// group whatever the request wants, and the caller keeps the wanted ones),
/// and the options it never reads at their defaults (the attrition method;
/// the FCR threads, which give the same classes whatever their number).
fn as_the_pass_reads(o: &KpiOptions) -> KpiOptions {
    let fcr: &[Kpi] = if o.wants(Kpi::FcrRate) {
        &[Kpi::FcrRate]
    } else {
        &[]
    };
    let defaults = KpiOptions::default();
    KpiOptions {
        attrition_method: defaults.attrition_method,
        fcr_threads: defaults.fcr_threads,
        ..o.clone()
    }
    .only(fcr)
}

/// Runs the pass once for every request (a grouping and its options; they
/// must read the contacts alike, [`reads_alike`]): counts per group, FCR
/// classified once, then the values per group and what the pass hands on,
/// per request, in order.
///
/// FCR is classified on a second thread while the groups are counted: the
/// two read the same rows of the period in the same order, so the `i`-th
/// class is that of the `i`-th row each group recorded (`row_group`), and
/// the values are those of one thread.
fn pass(t: &Table, requests: &[(GroupBy, &KpiOptions)]) -> Result<Vec<PassOut>, EvalError> {
    #[cfg(test)]
    tests::PASSES_RUN.with(|n| n.set(n.get() + 1));
    let Some(&(_, o)) = requests.first() else {
        return Ok(Vec::new());
    };
    let fcr = requests.iter().any(|(_, o)| o.wants(Kpi::FcrRate));
    let (tally, classes) = std::thread::scope(|scope| {
        let classes = fcr.then(|| thread::spawn(scope, || period_fcr(t, o)));
        let tally = tally(t, o, requests, fcr);
        // A panic while classifying goes on here, from where it happened.
        let classes = classes.map(thread::Spawned::join);
        (tally, classes)
    });
    let Tally {
        mut grouped,
        by_day,
    } = tally?;
    if let Some(classes) = classes {
        let classes = classes?;
        for g in &mut grouped {
            for (class, &id) in classes.classes.iter().zip(&g.row_group) {
                if id != NO_GROUP {
                    g.accs[id as usize].1.fcr.add(*class);
                }
            }
        }
    }
    let mut outs = Vec::with_capacity(grouped.len());
    for g in grouped {
        let mut out = PassOut {
            groups: Groups::new(),
            side: ContactSide {
                handle_seconds: BTreeMap::new(),
                by_day: by_day.clone(),
            },
        };
        for (key, a) in g.accs {
            set_values(&mut out.groups, &key, &a, g.by, g.o);
            out.side.handle_seconds.insert(key, a.handle_seconds);
        }
        outs.push(out);
    }
    Ok(outs)
}

/// The FCR classes of the contacts of the period and their customers' codes.
#[derive(Debug)]
pub struct PeriodFcr {
    /// The FCR class of each contact of the period, in row order.
    pub classes: Vec<FcrClass>,
    /// The customers of those contacts as codes, when they were classified
    /// in one part (always in an evaluator: [`KpiOptions::fcr_threads`] is
    /// 1), so that a subset of them can be classified again without coding
    /// the ids anew ([`CustomerCodes::without`]).
    pub codes: Option<CustomerCodes>,
}

/// The FCR classes of the contacts of the period: the rows [`tally`]
/// counts (local days, period and FCR window of `o`). A row without an
/// arrival ends the walk: [`tally`] reports it.
///
/// They are kept for the next call in this process (a [`Memo`] keyed by the
/// contacts table and what shapes them: time zone, period, window): the
/// performance plugin's FCR criterion and its KPI attainment classify the
/// same contacts.
pub fn period_fcr(t: &Table, o: &KpiOptions) -> Result<Arc<PeriodFcr>, EvalError> {
    /// The contacts and what shapes their classes.
    type Key = (SameTable, Tz, Option<(NaiveDate, NaiveDate)>, u32);
    /// The last classes, by their key.
    static CLASSES: Memo<Key, PeriodFcr> = Memo::new();
    let key = (SameTable::of(t), o.time_zone, o.period, o.fcr_window_days);
    CLASSES.get_or_try(key, || classify_period(t, o))
}

/// [`period_fcr`], computed.
fn classify_period(t: &Table, o: &KpiOptions) -> Result<PeriodFcr, EvalError> {
    let mut customer = t.strs("customer_id")?;
    let arrived = t.timestamps_ms("arrived_at")?;
    let mut ended = t.timestamps_ms("ended_at")?;
    let mut abandoned = t.bools("abandoned")?;
    let mut days = o.local_days();
    let mut rows = FcrParts::new(o.fcr_threads, t.num_rows());
    let failed = |e| EvalError::Failed(format!("FCR: {e}"));
    for arr in arrived {
        let (cust, end) = (customer.next().flatten(), ended.next().flatten());
        let aband = abandoned.next().flatten().unwrap_or(false);
        let Some(arr) = arr else { break };
        if o.in_period(days.of(arr)) {
            rows.push(FcrVisit::new(cust, arr, end, aband))
                .map_err(failed)?;
        }
    }
    let params = FcrParams {
        window_days: o.fcr_window_days,
        data_end: None,
        ticks_per_second: MS_PER_SECOND,
    };
    let (classes, codes) = rows.classify_keeping_codes(&params).map_err(failed)?;
    Ok(PeriodFcr { classes, codes })
}

/// Whether two sets of options read the contacts alike (the same local days,
/// period and FCR window), so that one pass serves both.
pub(super) fn reads_alike(a: &KpiOptions, b: &KpiOptions) -> bool {
    a.time_zone == b.time_zone && a.period == b.period && a.fcr_window_days == b.fcr_window_days
}

/// Reads the rows of the period into group counts, and, when `fcr`, each
/// row's group for the requests that want FCR: the local days and period are
/// those of `o` (every request reads the contacts alike).
fn tally<'a>(
    t: &'a Table,
    o: &KpiOptions,
    requests: &[(GroupBy, &'a KpiOptions)],
    fcr: bool,
) -> Result<Tally<'a>, EvalError> {
    let grouped_by = |by: GroupBy| requests.iter().any(|r| r.0 == by);
    // The customers are read by the FCR thread; the column must exist either way.
    let _ = str_cells_if(t, "customer_id", false)?;
    let mut channel = t.strs("channel")?;
    let mut queue = str_cells_if(t, "queue", grouped_by(GroupBy::Queue))?;
    let mut agent = str_cells_if(t, "agent_id", grouped_by(GroupBy::Agent))?;
    let arrived = t.timestamps_ms("arrived_at")?;
    let mut answered = t.timestamps_ms("answered_at")?;
    let mut ended = t.timestamps_ms("ended_at")?;
    let mut talk = t.f64s("talk_seconds")?;
    let mut hold = t.f64s("hold_seconds")?;
    let mut wrap = t.f64s("wrap_seconds")?;
    let mut abandoned = t.bools("abandoned")?;
    let mut transferred = t.bools("transferred")?;

    let fcr_capacity = if fcr { t.num_rows() } else { 0 };
    let mut days = o.local_days();
    let mut out = Tally {
        grouped: requests
            .iter()
            .map(|&(by, o)| Grouped {
                by,
                o,
                ids: GroupIds::default(),
                accs: Vec::new(),
                row_group: Vec::with_capacity(if o.wants(Kpi::FcrRate) {
                    fcr_capacity
                } else {
                    0
                }),
                service: RecentStrs::default(),
            })
            .collect(),
        by_day: BTreeMap::new(),
    };
    let mut row = 0usize;
    let mut today: Option<(NaiveDate, DayContacts)> = None;
    for arr in arrived {
        let (chan, q, ag) = (
            channel.next().flatten(),
            queue.next().flatten(),
            agent.next().flatten(),
        );
        let (ans, end) = (answered.next().flatten(), ended.next().flatten());
        let handle = talk.next().flatten().unwrap_or(0.0)
            + hold.next().flatten().unwrap_or(0.0)
            + wrap.next().flatten().unwrap_or(0.0);
        let (aband, trans) = (
            abandoned.next().flatten().unwrap_or(false),
            transferred.next().flatten().unwrap_or(false),
        );
        row += 1;
        let Some(arr) = arr else {
            return Err(EvalError::Failed(format!("row {row}: arrived_at is empty")));
        };
        let day = days.of(arr);
        if !o.in_period(day) {
            continue;
        }
        let chan = chan.unwrap_or("");
        let q = q.unwrap_or("");
        if let Some(d) = day {
            // Rows come in time order: a day is counted apart, then added.
            if today.is_some_and(|(t, _)| t != d) {
                add_day(&mut out.by_day, today.take());
            }
            let c = &mut today.get_or_insert((d, DayContacts::default())).1;
            c.contacts += 1;
            c.handled += u64::from(is_handled(chan, ans, aband));
        }
        let contact = ContactRow {
            channel: chan,
            arrived: arr,
            answered: ans,
            ended: end,
            handle,
            abandoned: aband,
            transferred: trans,
        };
        for g in &mut out.grouped {
            let (ids, accs) = (&mut g.ids, &mut g.accs);
            let id = match g.by {
                GroupBy::All => Some(ids.of_name("all", accs)),
                GroupBy::Queue => Some(ids.of_name(q, accs)),
                GroupBy::Channel => Some(ids.of_name(chan, accs)),
                GroupBy::Agent => ag.map(|a| ids.of_name(a, accs)),
                by => day.map(|d| ids.of_date(d, by, accs)),
            };
            if fcr && g.o.wants(Kpi::FcrRate) {
                g.row_group.push(id.unwrap_or(NO_GROUP));
            }
            if let Some(id) = id {
                let in_service = g.serves(chan);
                g.accs[id as usize].1.add(&contact, in_service, g.o);
            }
        }
    }
    add_day(&mut out.by_day, today);
    Ok(out)
}

/// The cells of string column `name` when `read`, else none (each row's
/// cell reads as empty): the column must exist either way, but one that no
/// request reads is not walked.
fn str_cells_if<'t>(
    t: &'t Table,
    name: &str,
    read: bool,
) -> Result<impl Iterator<Item = Option<&'t str>> + 't, EvalError> {
    Ok(t.strs(name)?.take(if read { usize::MAX } else { 0 }))
}

/// Adds one day's counts to the counts per day.
fn add_day(by_day: &mut BTreeMap<NaiveDate, DayContacts>, day: Option<(NaiveDate, DayContacts)>) {
    if let Some((d, c)) = day {
        let total = by_day.entry(d).or_default();
        total.contacts += c.contacts;
        total.handled += c.handled;
    }
}

/// Sets the contact KPIs of one group from its counts.
fn set_values(groups: &mut Groups, key: &str, a: &ContactAcc, by: GroupBy, o: &KpiOptions) {
    if by == GroupBy::Agent {
        let why = "service level, ASA and abandonment are properties of a queue, not of an agent";
        for k in [Kpi::ServiceLevel, Kpi::AsaSeconds, Kpi::AbandonRate] {
            set(groups, key, k, KpiValue::Unavailable(why.into()));
        }
    } else {
        set_service_values(groups, key, a, o);
    }
    set(
        groups,
        key,
        Kpi::AhtSeconds,
        KpiValue::from_option(
            stats::ratio(a.handle_seconds, a.handled as f64),
            "no handled contact",
        ),
    );
    set(
        groups,
        key,
        Kpi::TransferRate,
        KpiValue::from_option(
            service::transfer_rate(a.transferred, a.handled),
            "no handled contact",
        ),
    );
    set(
        groups,
        key,
        Kpi::FcrRate,
        KpiValue::from_option(a.fcr.fcr(), "no contact eligible for FCR"),
    );
    set(
        groups,
        key,
        Kpi::Contacts,
        KpiValue::Value(a.contacts as f64),
    );
}

/// Sets service level, ASA and abandonment of one group (a queue property).
fn set_service_values(groups: &mut Groups, key: &str, a: &ContactAcc, o: &KpiOptions) {
    let sl = a.service.service_level(o.sl_variant);
    set(
        groups,
        key,
        Kpi::ServiceLevel,
        KpiValue::from_option(sl, "no offered contact on a service channel"),
    );
    set(
        groups,
        key,
        Kpi::AsaSeconds,
        KpiValue::from_option(
            service::asa_from_totals(a.answered_wait, a.service.answered),
            "no answered contact on a service channel",
        ),
    );
    set(
        groups,
        key,
        Kpi::AbandonRate,
        KpiValue::from_option(
            a.service.abandon_rate(o.abandon_excludes_short),
            "no offered contact on a service channel",
        ),
    );
}

/// A contact's timing for service level, ASA and abandonment, from its
/// timestamps in UTC milliseconds, so waits are exact to the millisecond:
/// the wait is answered - arrived for an answered contact, ended - arrived
/// otherwise (an abandon's time to abandon), and infinite (never within any
/// threshold) when neither is known. The one rule behind `cxaudit kpis` and
/// every plugin that judges service.
pub fn contact_timing(
    arrived_ms: i64,
    answered_ms: Option<i64>,
    ended_ms: Option<i64>,
    abandoned: bool,
) -> service::ContactTiming {
    let wait_seconds = match (answered_ms, ended_ms) {
        (Some(a), _) if !abandoned => seconds_between(arrived_ms, a),
        (_, Some(e)) => seconds_between(arrived_ms, e),
        _ => f64::INFINITY,
    };
    service::ContactTiming {
        wait_seconds,
        answered: !abandoned && answered_ms.is_some(),
        abandoned,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cxaudit_plugin_sdk::testing::TableBuilder;

    /// Four voice contacts of one customer, answered after 10 s, 40 s, 10 s
    /// and 40 s, each handled 100 s: two on 2026-03-02 (the first a repeat
    /// generator, the second resolved: nothing in the 7 days after it) and
    /// two on 03-20 (censored: their windows run past the data's end).
    fn contacts_of_one_customer() -> Table {
        let arrived = ["2026-03-02T10:00:00", "2026-03-02T12:00:00"];
        let later = ["2026-03-20T10:00:00", "2026-03-20T12:00:00"];
        let answered = [
            "2026-03-02T10:00:10",
            "2026-03-02T12:00:40",
            "2026-03-20T10:00:10",
            "2026-03-20T12:00:40",
        ];
        let ended = [
            "2026-03-02T10:01:50",
            "2026-03-02T12:02:20",
            "2026-03-20T10:01:50",
            "2026-03-20T12:02:20",
        ];
        let batch = TableBuilder::new()
            .strings("customer_id", [Some("K"); 4])
            .strings("channel", [Some("voice"); 4])
            .strings("queue", [Some("q"); 4])
            .strings("agent_id", [Some("a"); 4])
            .timestamps("arrived_at", arrived.iter().chain(&later).map(|a| Some(*a)))
            .timestamps("answered_at", answered.map(Some))
            .timestamps("ended_at", ended.map(Some))
            .floats("talk_seconds", [Some(100.0); 4])
            .floats("hold_seconds", [Some(0.0); 4])
            .floats("wrap_seconds", [Some(0.0); 4])
            .bools("abandoned", [Some(false); 4])
            .bools("transferred", [Some(false); 4])
            .build();
        Table::new("contacts", batch.schema(), vec![batch])
    }

    /// The options of March 2026, computing `only` these KPIs.
    fn march(only: &[Kpi]) -> KpiOptions {
        KpiOptions::default()
            .with_period(
                NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(),
                NaiveDate::from_ymd_opt(2026, 3, 31).unwrap(),
            )
            .only(only)
    }

    /// The value of `kpi` in the group `all`, when it has one.
    fn value(out: &PassOut, kpi: Kpi) -> Option<f64> {
        match out.groups.get("all")?.get(&kpi)? {
            KpiValue::Value(v) => Some(*v),
            _ => None,
        }
    }

    thread_local! {
        /// Passes run on this thread (a test's own count).
        pub(super) static PASSES_RUN: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
    }

    #[test]
    fn a_pass_serves_the_next_call_that_reads_the_contacts_alike_whatever_kpis_it_wants() {
        let (t, passes) = (contacts_of_one_customer(), Passes::new());
        let run = |requests: &[(GroupBy, &KpiOptions)]| {
            let before = PASSES_RUN.with(|n| n.get());
            let outs = contacts_kept_in(&passes, &t, requests).unwrap();
            (outs, PASSES_RUN.with(|n| n.get()) - before)
        };
        let service = march(&[Kpi::ServiceLevel]);
        let occupancy = march(&[Kpi::Occupancy]);
        let (_, passes_run) = run(&[(GroupBy::All, &service), (GroupBy::Day, &service)]);
        assert_eq!(passes_run, 1);
        // Other KPIs of the same contacts, read alike under the same
        // groupings: served by the pass.
        let (outs, passes_run) = run(&[(GroupBy::All, &occupancy), (GroupBy::Day, &occupancy)]);
        assert_eq!(passes_run, 0);
        // It holds every contact KPI: 2 of 4 answered within 20 s; 100 s AHT.
        assert_eq!(value(&outs[0], Kpi::ServiceLevel), Some(0.5));
        assert_eq!(value(&outs[0], Kpi::AhtSeconds), Some(100.0));
        assert_eq!(outs[0].side.handle_seconds.get("all"), Some(&400.0));
        let days: Vec<&String> = outs[1].groups.keys().collect();
        assert_eq!(days, ["2026-03-02", "2026-03-20"]);
        // Options the pass does not read change nothing.
        let mut unread = occupancy.clone();
        unread.attrition_method = cxaudit_metrics::people::AnnualisationMethod::TimesTwelve;
        unread.fcr_threads = 4;
        let (_, passes_run) = run(&[(GroupBy::All, &unread), (GroupBy::Day, &unread)]);
        assert_eq!(passes_run, 0);
        // Other groupings are another pass.
        let (_, passes_run) = run(&[(GroupBy::All, &service)]);
        assert_eq!(passes_run, 1);
        // So is another threshold: all within 60 s.
        let mut sixty = service.clone();
        sixty.sl_threshold_seconds = 60.0;
        let (outs, passes_run) = run(&[(GroupBy::All, &sixty)]);
        assert_eq!(
            (passes_run, value(&outs[0], Kpi::ServiceLevel)),
            (1, Some(1.0))
        );
        // And a request that wants FCR after a pass that did not classify:
        // one repeat generator, one resolved, two censored.
        let fcr = march(&[Kpi::FcrRate]);
        let (outs, passes_run) = run(&[(GroupBy::All, &fcr)]);
        assert_eq!((passes_run, value(&outs[0], Kpi::FcrRate)), (1, Some(0.5)));
        // Other contacts (other memory) are another pass.
        let (other, before) = (contacts_of_one_customer(), PASSES_RUN.with(|n| n.get()));
        contacts_kept_in(&passes, &other, &[(GroupBy::All, &fcr)]).unwrap();
        assert_eq!(PASSES_RUN.with(|n| n.get()) - before, 1);
    }
}
