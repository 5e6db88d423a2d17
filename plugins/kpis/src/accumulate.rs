//! One pass per table: rows to groups, groups to KPI values.

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, NaiveDate, TimeZone};
use chrono_tz::Tz;
use cxaudit_metrics::fcr::{FcrContact, FcrCounts, FcrParams, classify};
use cxaudit_metrics::people::{annualised_attrition, average_headcount, monthly_attrition};
use cxaudit_metrics::service::ServiceCounts;
use cxaudit_metrics::{demand, forecast, service, stats};
use cxaudit_plugin_sdk::table::date_from_days;
use cxaudit_plugin_sdk::{EvalError, Table};

use crate::evidence::Evidence;
use crate::kpi::{Kpi, KpiValue};
use crate::options::{GroupBy, KpiOptions};
use crate::{DayCoverage, GroupKpis};

type Values = BTreeMap<Kpi, KpiValue>;
type Groups = BTreeMap<String, Values>;
/// The days each same-days ratio of a group was summed over.
type Coverages = BTreeMap<String, BTreeMap<Kpi, DayCoverage>>;

/// The local calendar date of a UTC timestamp (seconds).
pub(crate) fn local_date(ts: i64, tz: &Tz) -> Option<NaiveDate> {
    tz.timestamp_opt(ts, 0).single().map(|t| t.date_naive())
}

/// Whether a row's local date falls in the period (always, without one).
fn in_period(o: &KpiOptions, date: Option<NaiveDate>) -> bool {
    match (o.period, date) {
        (None, _) => true,
        (Some((start, end)), Some(d)) => d >= start && d <= end,
        (Some(_), None) => false,
    }
}

/// The group key of a local date under a time grouping.
fn date_key(date: NaiveDate, by: GroupBy) -> String {
    match by {
        GroupBy::Month => format!("{:04}-{:02}", date.year(), date.month()),
        GroupBy::Week => {
            let w = date.iso_week();
            format!("{:04}-W{:02}", w.year(), w.week())
        }
        GroupBy::Day => date.format("%Y-%m-%d").to_string(),
        _ => "all".to_owned(),
    }
}

fn is_time(by: GroupBy) -> bool {
    matches!(by, GroupBy::Month | GroupBy::Week | GroupBy::Day)
}

/// Caches date keys: many rows share a day.
struct DateKeys {
    by: GroupBy,
    cache: HashMap<NaiveDate, String>,
}

impl DateKeys {
    fn new(by: GroupBy) -> Self {
        DateKeys {
            by,
            cache: HashMap::new(),
        }
    }
    fn key(&mut self, date: NaiveDate) -> String {
        let by = self.by;
        self.cache
            .entry(date)
            .or_insert_with(|| date_key(date, by))
            .clone()
    }
}

fn set(groups: &mut Groups, key: &str, kpi: Kpi, value: KpiValue) {
    groups.entry(key.to_owned()).or_default().insert(kpi, value);
}

/// Computes every family and fills the gaps with the reason they are gaps.
pub(crate) fn compute(ev: &Evidence, by: GroupBy, o: &KpiOptions) -> Vec<GroupKpis> {
    let mut groups = Groups::new();
    let mut coverages = Coverages::new();
    let mut family_reasons: Vec<(Vec<Kpi>, String)> = Vec::new();

    let mut contact_side: Option<ContactSide> = None;
    family(
        &mut family_reasons,
        &CONTACT_KPIS,
        "contacts",
        ev.contacts.as_ref(),
        None,
        |t| {
            contact_side = Some(contacts(t, by, o, &mut groups)?);
            Ok(())
        },
    );
    family(
        &mut family_reasons,
        &INTERVAL_KPIS,
        "intervals",
        ev.intervals.as_ref(),
        matches!(by, GroupBy::Channel | GroupBy::Agent)
            .then_some("intervals are planned per queue, not per channel or agent"),
        |t| intervals(t, by, o, &mut groups),
    );
    family(
        &mut family_reasons,
        &ADHERENCE_KPIS,
        "adherence",
        ev.adherence.as_ref(),
        matches!(by, GroupBy::Queue | GroupBy::Channel)
            .then_some("adherence is recorded per agent and day, not per queue or channel"),
        |t| {
            let handle = contact_side.as_ref().map(|s| &s.handle_seconds);
            adherence(t, by, o, handle, &mut groups)
        },
    );
    family(
        &mut family_reasons,
        &[Kpi::AttritionAnnualized],
        "agents",
        ev.agents.as_ref(),
        (!matches!(by, GroupBy::All | GroupBy::Month))
            .then_some("attrition is defined over the whole period or per month"),
        |t| attrition(t, ev, by, o, &mut groups),
    );
    family(
        &mut family_reasons,
        &SURVEY_KPIS,
        "surveys",
        ev.surveys.as_ref(),
        (by == GroupBy::Queue).then_some("survey invitations carry no queue"),
        |t| surveys(t, by, o, &mut groups),
    );
    family(
        &mut family_reasons,
        &DEMAND_KPIS,
        "business_daily",
        ev.business_daily.as_ref(),
        (by != GroupBy::All && !is_time(by))
            .then_some("orders and cost are recorded per day, not per queue, channel or agent"),
        |t| {
            let side = contact_side.as_ref();
            demand_kpis(t, by, o, side, &mut groups, &mut coverages)
        },
    );
    if by == GroupBy::All {
        groups.entry("all".to_owned()).or_default();
    }
    groups
        .into_iter()
        .map(|(group, mut values)| {
            for kpi in Kpi::ALL {
                values.entry(kpi).or_insert_with(|| {
                    match family_reasons.iter().find(|(ks, _)| ks.contains(&kpi)) {
                        Some((_, reason)) => KpiValue::Unavailable(reason.clone()),
                        None => KpiValue::NoData("no rows for this group".into()),
                    }
                });
            }
            let coverage = coverages.remove(&group).unwrap_or_default();
            GroupKpis {
                group,
                values,
                coverage,
            }
        })
        .collect()
}

/// Runs the pass of one KPI family over its table, unless the table is absent
/// or the grouping does not apply to it (`unsupported` says why); notes why
/// the family's KPIs are unavailable when it does not run or fails.
fn family(
    reasons: &mut Vec<(Vec<Kpi>, String)>,
    kpis: &[Kpi],
    table_name: &str,
    table: Option<&Table>,
    unsupported: Option<&str>,
    pass: impl FnOnce(&Table) -> Result<(), EvalError>,
) {
    let reason = match (table, unsupported) {
        (None, _) => format!("no `{table_name}` table in the evidence"),
        (Some(_), Some(why)) => why.to_owned(),
        (Some(t), None) => match pass(t) {
            Ok(()) => return,
            Err(e) => format!("{table_name}: {}", message(&e)),
        },
    };
    reasons.push((kpis.to_vec(), reason));
}

fn message(e: &EvalError) -> String {
    match e {
        EvalError::MissingEvidence(m) | EvalError::NotApplicable(m) | EvalError::Failed(m) => {
            m.clone()
        }
    }
}

const CONTACT_KPIS: [Kpi; 7] = [
    Kpi::ServiceLevel,
    Kpi::AsaSeconds,
    Kpi::AbandonRate,
    Kpi::AhtSeconds,
    Kpi::TransferRate,
    Kpi::FcrRate,
    Kpi::Contacts,
];
const INTERVAL_KPIS: [Kpi; 2] = [Kpi::ForecastWape, Kpi::ForecastBias];
const ADHERENCE_KPIS: [Kpi; 4] = [
    Kpi::Occupancy,
    Kpi::Utilisation,
    Kpi::ScheduleAdherence,
    Kpi::AbsenceRate,
];
const SURVEY_KPIS: [Kpi; 3] = [Kpi::CsatTop2, Kpi::Nps, Kpi::SurveyResponseRate];
const DEMAND_KPIS: [Kpi; 3] = [
    Kpi::ContactsPerOrder,
    Kpi::CostPerOrder,
    Kpi::CostPerContact,
];

/// What the contacts pass hands to other families.
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

fn contacts(
    t: &Table,
    by: GroupBy,
    o: &KpiOptions,
    groups: &mut Groups,
) -> Result<ContactSide, EvalError> {
    let mut customer = t.strs("customer_id")?;
    let mut channel = t.strs("channel")?;
    let mut queue = t.strs("queue")?;
    let mut agent = t.strs("agent_id")?;
    let arrived = t.timestamps("arrived_at")?;
    let mut answered = t.timestamps("answered_at")?;
    let mut ended = t.timestamps("ended_at")?;
    let mut talk = t.f64s("talk_seconds")?;
    let mut hold = t.f64s("hold_seconds")?;
    let mut wrap = t.f64s("wrap_seconds")?;
    let mut abandoned = t.bools("abandoned")?;
    let mut transferred = t.bools("transferred")?;

    let mut keys = DateKeys::new(by);
    let mut group_ids: HashMap<String, usize> = HashMap::new();
    let mut accs: Vec<(String, ContactAcc)> = Vec::new();
    let mut fcr_rows: Vec<FcrContact<'_>> = Vec::with_capacity(t.num_rows());
    let mut row_group: Vec<Option<u32>> = Vec::with_capacity(t.num_rows());
    let mut by_day: BTreeMap<NaiveDate, DayContacts> = BTreeMap::new();
    let mut row = 0usize;
    for arr in arrived {
        let (cust, chan, q, ag) = (
            customer.next().flatten(),
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
        let day = local_date(arr, &o.time_zone);
        if !in_period(o, day) {
            continue;
        }
        let chan = chan.unwrap_or("");
        let q = q.unwrap_or("");
        let handled = !aband && ans.is_some() && chan != "self_service";
        if let Some(d) = day {
            let c = by_day.entry(d).or_default();
            c.contacts += 1;
            c.handled += u64::from(handled);
        }
        fcr_rows.push(FcrContact {
            customer_id: cust,
            arrived_at: arr,
            ended_at: end,
            agent_id: ag,
            queue: q,
            abandoned: aband,
        });
        let key: Option<String> = match by {
            GroupBy::All => Some("all".to_owned()),
            GroupBy::Queue => Some(q.to_owned()),
            GroupBy::Channel => Some(chan.to_owned()),
            GroupBy::Agent => ag.map(str::to_owned),
            _ => day.map(|d| keys.key(d)),
        };
        let Some(key) = key else {
            row_group.push(None);
            continue;
        };
        let id = *group_ids.entry(key.clone()).or_insert_with(|| {
            accs.push((key, ContactAcc::default()));
            accs.len() - 1
        });
        row_group.push(Some(id as u32));
        let acc = &mut accs[id].1;
        acc.contacts += 1;
        if handled {
            acc.handled += 1;
            acc.handle_seconds += handle;
            acc.transferred += u64::from(trans);
        }
        if o.service_channels.iter().any(|c| c == chan) {
            let wait = match (ans, end) {
                (Some(a), _) if !aband => (a - arr) as f64,
                (_, Some(e)) => (e - arr) as f64,
                _ => f64::INFINITY,
            };
            let timing = service::ContactTiming {
                wait_seconds: wait,
                answered: !aband && ans.is_some(),
                abandoned: aband,
            };
            add_timing(&mut acc.service, &timing, o);
            if timing.answered {
                acc.answered_wait += wait;
            }
        }
    }
    let params = FcrParams {
        window_days: o.fcr_window_days,
        data_end: None,
    };
    let classes =
        classify(&fcr_rows, &params).map_err(|e| EvalError::Failed(format!("FCR: {e}")))?;
    for (class, gid) in classes.iter().zip(&row_group) {
        if let Some(g) = gid {
            accs[*g as usize].1.fcr.add(*class);
        }
    }
    let mut side = ContactSide {
        handle_seconds: BTreeMap::new(),
        by_day,
    };
    for (key, a) in accs {
        let sl = a.service.service_level(o.sl_variant);
        if by == GroupBy::Agent {
            let why =
                "service level, ASA and abandonment are properties of a queue, not of an agent";
            for k in [Kpi::ServiceLevel, Kpi::AsaSeconds, Kpi::AbandonRate] {
                set(groups, &key, k, KpiValue::Unavailable(why.into()));
            }
        } else {
            set(
                groups,
                &key,
                Kpi::ServiceLevel,
                KpiValue::from_option(sl, "no offered contact on a service channel"),
            );
            set(
                groups,
                &key,
                Kpi::AsaSeconds,
                KpiValue::from_option(
                    service::asa_from_totals(a.answered_wait, a.service.answered),
                    "no answered contact on a service channel",
                ),
            );
            set(
                groups,
                &key,
                Kpi::AbandonRate,
                KpiValue::from_option(
                    a.service.abandon_rate(o.abandon_excludes_short),
                    "no offered contact on a service channel",
                ),
            );
        }
        set(
            groups,
            &key,
            Kpi::AhtSeconds,
            KpiValue::from_option(
                stats::ratio(a.handle_seconds, a.handled as f64),
                "no handled contact",
            ),
        );
        set(
            groups,
            &key,
            Kpi::TransferRate,
            KpiValue::from_option(
                service::transfer_rate(a.transferred, a.handled),
                "no handled contact",
            ),
        );
        set(
            groups,
            &key,
            Kpi::FcrRate,
            KpiValue::from_option(a.fcr.fcr(), "no contact eligible for FCR"),
        );
        set(
            groups,
            &key,
            Kpi::Contacts,
            KpiValue::Value(a.contacts as f64),
        );
        side.handle_seconds.insert(key, a.handle_seconds);
    }
    Ok(side)
}

fn add_timing(c: &mut ServiceCounts, r: &service::ContactTiming, o: &KpiOptions) {
    let one = ServiceCounts::from_contacts(
        std::slice::from_ref(r),
        o.sl_threshold_seconds,
        o.short_abandon_seconds,
    );
    c.offered += one.offered;
    c.answered += one.answered;
    c.answered_within += one.answered_within;
    c.abandoned += one.abandoned;
    c.abandoned_within += one.abandoned_within;
    c.short_abandoned += one.short_abandoned;
}

fn intervals(t: &Table, by: GroupBy, o: &KpiOptions, groups: &mut Groups) -> Result<(), EvalError> {
    let mut queue = t.strs("queue")?;
    let start = t.timestamps("interval_start")?;
    let mut fc = t.f64s("forecast_contacts")?;
    let mut ac = t.f64s("actual_contacts")?;
    let mut keys = DateKeys::new(by);
    let mut series: BTreeMap<String, (Vec<f64>, Vec<f64>)> = BTreeMap::new();
    for s in start {
        let (q, f, a) = (
            queue.next().flatten(),
            fc.next().flatten(),
            ac.next().flatten(),
        );
        let (Some(s), Some(f), Some(a)) = (s, f, a) else {
            continue;
        };
        let day = local_date(s, &o.time_zone);
        if !in_period(o, day) {
            continue;
        }
        let key = match by {
            GroupBy::Queue => q.unwrap_or("").to_owned(),
            GroupBy::All => "all".to_owned(),
            _ => match day {
                Some(d) => keys.key(d),
                None => continue,
            },
        };
        let e = series.entry(key).or_default();
        e.0.push(f);
        e.1.push(a);
    }
    for (key, (f, a)) in series {
        set(
            groups,
            &key,
            Kpi::ForecastWape,
            KpiValue::from_option(forecast::wape(&f, &a).ok(), "no actual volume"),
        );
        set(
            groups,
            &key,
            Kpi::ForecastBias,
            KpiValue::from_option(forecast::bias(&f, &a).ok(), "no actual volume"),
        );
    }
    Ok(())
}

#[derive(Default)]
struct AdherenceAcc {
    scheduled: f64,
    adherent: f64,
    worked: f64,
    absence: f64,
    /// Paid minutes, and the worked minutes of the rows that state them.
    paid: f64,
    worked_paid: f64,
}

fn adherence(
    t: &Table,
    by: GroupBy,
    o: &KpiOptions,
    handle: Option<&BTreeMap<String, f64>>,
    groups: &mut Groups,
) -> Result<(), EvalError> {
    let mut agent = t.strs("agent_id")?;
    let date = t.dates("date")?;
    let mut sched = t.f64s("scheduled_minutes")?;
    let mut adh = t.f64s("adherent_minutes")?;
    let mut worked = t.f64s("worked_minutes")?;
    let mut absence = t.f64s("unplanned_absence_minutes")?;
    let mut paid = t
        .has_column("paid_minutes")
        .then(|| t.f64s("paid_minutes"))
        .transpose()?;
    let mut keys = DateKeys::new(by);
    let mut accs: BTreeMap<String, AdherenceAcc> = BTreeMap::new();
    for d in date {
        let ag = agent.next().flatten();
        let (s, a, w, u) = (
            sched.next().flatten(),
            adh.next().flatten(),
            worked.next().flatten(),
            absence.next().flatten(),
        );
        let p = paid.as_mut().and_then(|p| p.next().flatten());
        let day = d.and_then(date_from_days);
        if !in_period(o, day) {
            continue;
        }
        let key = match by {
            GroupBy::Agent => match ag {
                Some(a) => a.to_owned(),
                None => continue,
            },
            GroupBy::All => "all".to_owned(),
            _ => match day {
                Some(d) => keys.key(d),
                None => continue,
            },
        };
        let acc = accs.entry(key).or_default();
        acc.scheduled += s.unwrap_or(0.0);
        acc.adherent += a.unwrap_or(0.0);
        acc.worked += w.unwrap_or(0.0);
        acc.absence += u.unwrap_or(0.0);
        // Utilisation pairs worked and paid minutes of the same agent-days.
        if let (Some(p), Some(w)) = (p, w) {
            acc.paid += p;
            acc.worked_paid += w;
        }
    }
    for (key, a) in accs {
        set(
            groups,
            &key,
            Kpi::ScheduleAdherence,
            KpiValue::from_option(
                cxaudit_metrics::people::adherence(a.adherent, a.scheduled),
                "no scheduled minutes",
            ),
        );
        set(
            groups,
            &key,
            Kpi::AbsenceRate,
            KpiValue::from_option(
                cxaudit_metrics::people::absence_rate(a.absence, a.scheduled),
                "no scheduled minutes",
            ),
        );
        set(
            groups,
            &key,
            Kpi::Utilisation,
            if paid.is_some() {
                KpiValue::from_option(
                    service::utilisation(a.worked_paid * 60.0, a.paid * 60.0),
                    "no paid minutes",
                )
            } else {
                KpiValue::Unavailable(
                    "utilisation needs `paid_minutes` in the `adherence` table".into(),
                )
            },
        );
        set(
            groups,
            &key,
            Kpi::Occupancy,
            match handle.map(|h| h.get(&key).copied().unwrap_or(0.0)) {
                Some(hs) => KpiValue::from_option(
                    service::occupancy(hs, a.worked * 60.0 - hs),
                    "no worked minutes, or more handle time than worked time",
                ),
                None => KpiValue::Unavailable("handle time needs the `contacts` table".into()),
            },
        );
    }
    Ok(())
}

fn attrition(
    t: &Table,
    ev: &Evidence,
    by: GroupBy,
    o: &KpiOptions,
    groups: &mut Groups,
) -> Result<(), EvalError> {
    let hired: Vec<Option<NaiveDate>> = t
        .dates("hired_on")?
        .map(|d| d.and_then(date_from_days))
        .collect();
    let exited: Vec<Option<NaiveDate>> = t
        .dates("exited_on")?
        .map(|d| d.and_then(date_from_days))
        .collect();
    let Some((start, end)) = o.period.or_else(|| data_period(ev, o)) else {
        return Err(EvalError::MissingEvidence(
            "no period to compute monthly attrition over".into(),
        ));
    };
    let headcount = |day: NaiveDate, end_of_day: bool| -> f64 {
        hired
            .iter()
            .zip(&exited)
            .filter(|(h, x)| {
                h.is_some_and(|h| h <= day)
                    && x.is_none_or(|x| if end_of_day { x > day } else { x >= day })
            })
            .count() as f64
    };
    let mut rates = Vec::new();
    for first in crate::evaluator::months_of(start, end) {
        let last = crate::evaluator::month_end(first);
        let leavers = exited
            .iter()
            .filter(|x| x.is_some_and(|x| x >= first && x <= last))
            .count() as f64;
        let avg = average_headcount(headcount(first, false), headcount(last, true));
        let Some(m) = monthly_attrition(leavers, avg) else {
            continue;
        };
        rates.push(m);
        if by == GroupBy::Month {
            let key = date_key(first, GroupBy::Month);
            let v = annualised_attrition(&[m.min(1.0)], o.attrition_method).ok();
            set(
                groups,
                &key,
                Kpi::AttritionAnnualized,
                KpiValue::from_option(v, "no headcount"),
            );
        }
    }
    if by == GroupBy::All {
        let capped: Vec<f64> = rates.iter().map(|m| m.min(1.0)).collect();
        let v = annualised_attrition(&capped, o.attrition_method).ok();
        set(
            groups,
            "all",
            Kpi::AttritionAnnualized,
            KpiValue::from_option(v, "no headcount in the period"),
        );
    }
    Ok(())
}

/// The local dates the contacts span, when no period is given.
fn data_period(ev: &Evidence, o: &KpiOptions) -> Option<(NaiveDate, NaiveDate)> {
    let t = ev.contacts.as_ref()?;
    let mut it = t.timestamps("arrived_at").ok()?.flatten();
    let first = it.next()?;
    let (lo, hi) = it.fold((first, first), |(lo, hi), x| (lo.min(x), hi.max(x)));
    Some((local_date(lo, &o.time_zone)?, local_date(hi, &o.time_zone)?))
}

#[derive(Default)]
struct SurveyAcc {
    invitations: u64,
    responses: u64,
    csat: Vec<u8>,
    nps: Vec<u8>,
}

fn surveys(t: &Table, by: GroupBy, o: &KpiOptions, groups: &mut Groups) -> Result<(), EvalError> {
    let mut channel = t.strs("channel")?;
    let mut agent = t.strs("agent_id")?;
    let invited = t.timestamps("invited_at")?;
    let mut responded = t.timestamps("responded_at")?;
    let mut csat = t.i64s("csat")?;
    let mut nps = t.i64s("nps")?;
    let mut keys = DateKeys::new(by);
    let mut accs: BTreeMap<String, SurveyAcc> = BTreeMap::new();
    for inv in invited {
        let (ch, ag, resp, c, n) = (
            channel.next().flatten(),
            agent.next().flatten(),
            responded.next().flatten(),
            csat.next().flatten(),
            nps.next().flatten(),
        );
        let day = inv.and_then(|i| local_date(i, &o.time_zone));
        if !in_period(o, day) {
            continue;
        }
        let key = match by {
            GroupBy::All => "all".to_owned(),
            GroupBy::Channel => ch.unwrap_or("").to_owned(),
            GroupBy::Agent => match ag {
                Some(a) => a.to_owned(),
                None => continue,
            },
            _ => match day {
                Some(d) => keys.key(d),
                None => continue,
            },
        };
        let acc = accs.entry(key).or_default();
        acc.invitations += 1;
        if resp.is_some() {
            acc.responses += 1;
            if let Some(c) = c.filter(|c| (1..=5).contains(c)) {
                acc.csat.push(c as u8);
            }
            if let Some(n) = n.filter(|n| (0..=10).contains(n)) {
                acc.nps.push(n as u8);
            }
        }
    }
    for (key, a) in accs {
        let top2 = cxaudit_metrics::survey::csat_top_two_box(&a.csat).rate();
        set(
            groups,
            &key,
            Kpi::CsatTop2,
            KpiValue::from_option(top2, "no response with a csat"),
        );
        let nps = cxaudit_metrics::survey::nps(&a.nps).map(|n| n.nps);
        set(
            groups,
            &key,
            Kpi::Nps,
            KpiValue::from_option(nps, "no response with an nps"),
        );
        let rr = cxaudit_metrics::survey::response_rate(a.responses, a.invitations);
        set(
            groups,
            &key,
            Kpi::SurveyResponseRate,
            KpiValue::from_option(rr, "no invitation"),
        );
    }
    Ok(())
}

/// What `business_daily` states on one day (the rows of a day are summed;
/// a quantity is stated when some row of the day has it).
#[derive(Debug, Clone, Copy, Default)]
struct BusinessDay {
    orders: Option<u64>,
    cost: Option<f64>,
}

/// The days of the period that `business_daily` has a row for. Without an
/// `operating_cost` column, no day states a cost.
fn business_days(t: &Table, o: &KpiOptions) -> Result<BTreeMap<NaiveDate, BusinessDay>, EvalError> {
    let date = t.dates("date")?;
    let mut orders = t.i64s("orders")?;
    let mut cost = t
        .has_column("operating_cost")
        .then(|| t.f64s("operating_cost"))
        .transpose()?;
    let mut days: BTreeMap<NaiveDate, BusinessDay> = BTreeMap::new();
    for d in date {
        let n = orders.next().flatten();
        let c = cost.as_mut().and_then(|c| c.next().flatten());
        let Some(day) = d.and_then(date_from_days) else {
            continue;
        };
        if !in_period(o, Some(day)) {
            continue;
        }
        let b = days.entry(day).or_default();
        if let Some(n) = n {
            *b.orders.get_or_insert(0) += n.max(0) as u64;
        }
        if let Some(c) = c {
            *b.cost.get_or_insert(0.0) += c;
        }
    }
    Ok(days)
}

impl DayCoverage {
    /// Adds one day: both sides stated, it is summed; one side only, it is
    /// left out; neither, it does not count.
    fn add(&mut self, day: NaiveDate, numerator: Option<f64>, denominator: Option<f64>) {
        match (numerator, denominator) {
            (Some(n), Some(d)) => {
                self.numerator += n;
                self.denominator += d;
                self.days_used += 1;
            }
            (None, None) => {}
            _ => self.left_out.push(day),
        }
    }

    /// The ratio over the days used, or why there is none: `no_days` when no
    /// day states both sides, `zero` when their denominator sums to zero.
    fn value(&self, ratio: Option<f64>, no_days: &str, zero: &str) -> KpiValue {
        if self.days_used == 0 {
            return KpiValue::NoData(format!(
                "{no_days} ({} day(s) state only one of them)",
                self.left_out.len()
            ));
        }
        KpiValue::from_option(ratio, zero)
    }
}

/// The three demand ratios of one group, each over its own same days.
#[derive(Default)]
struct DemandAcc {
    contacts_per_order: DayCoverage,
    cost_per_order: DayCoverage,
    cost_per_contact: DayCoverage,
}

/// Contacts per order, cost per order and cost per contact. Each ratio sums
/// its numerator and denominator over the same local days: those on which
/// both are stated. The contacts table states a day's contacts (and handled
/// contacts) when it has a row on that local day; `business_daily` states
/// orders or a cost on a day when a row of that day has them. Nothing is
/// inferred from a missing row: days on which only one side is stated are
/// left out of both sides and recorded in the group's coverage.
fn demand_kpis(
    t: &Table,
    by: GroupBy,
    o: &KpiOptions,
    side: Option<&ContactSide>,
    groups: &mut Groups,
    coverages: &mut Coverages,
) -> Result<(), EvalError> {
    let business = business_days(t, o)?;
    let has_cost = t.has_column("operating_cost");
    for (key, acc) in demand_by_group(&business, side, by) {
        for (kpi, value) in demand_values(&acc, side, has_cost) {
            set(groups, &key, kpi, value);
        }
        let mut coverage = BTreeMap::new();
        if side.is_some() {
            coverage.insert(Kpi::ContactsPerOrder, acc.contacts_per_order);
        }
        if has_cost {
            coverage.insert(Kpi::CostPerOrder, acc.cost_per_order);
            if side.is_some() {
                coverage.insert(Kpi::CostPerContact, acc.cost_per_contact);
            }
        }
        coverages.insert(key, coverage);
    }
    Ok(())
}

/// Every day that either table states, added to the ratios of its group.
fn demand_by_group(
    business: &BTreeMap<NaiveDate, BusinessDay>,
    side: Option<&ContactSide>,
    by: GroupBy,
) -> BTreeMap<String, DemandAcc> {
    let mut days: Vec<NaiveDate> = business.keys().copied().collect();
    if let Some(s) = side {
        days.extend(s.by_day.keys().copied());
        days.sort_unstable();
        days.dedup();
    }
    let mut keys = DateKeys::new(by);
    let mut accs: BTreeMap<String, DemandAcc> = BTreeMap::new();
    for day in days {
        let key = match by {
            GroupBy::All => "all".to_owned(),
            _ => keys.key(day),
        };
        let b = business.get(&day).copied().unwrap_or_default();
        let orders = b.orders.map(|n| n as f64);
        let acc = accs.entry(key).or_default();
        acc.cost_per_order.add(day, b.cost, orders);
        if let Some(s) = side {
            let c = s.by_day.get(&day);
            acc.contacts_per_order
                .add(day, c.map(|c| c.contacts as f64), orders);
            acc.cost_per_contact
                .add(day, b.cost, c.map(|c| c.handled as f64));
        }
    }
    accs
}

/// The demand KPIs of one group from its same-days sums.
fn demand_values(acc: &DemandAcc, side: Option<&ContactSide>, has_cost: bool) -> Values {
    let cost = |v: KpiValue| {
        if has_cost {
            v
        } else {
            KpiValue::Unavailable(
                "cost needs `operating_cost` in the `business_daily` table".into(),
            )
        }
    };
    let c = &acc.cost_per_order;
    let mut values = Values::from([(
        Kpi::CostPerOrder,
        cost(c.value(
            demand::cost_per_order(c.numerator, c.denominator as u64),
            "no day states both an operating cost and orders",
            "no orders on the days that state a cost",
        )),
    )]);
    let Some(side) = side else {
        for k in [Kpi::ContactsPerOrder, Kpi::CostPerContact] {
            values.insert(
                k,
                KpiValue::Unavailable("needs the `contacts` table".into()),
            );
        }
        return values;
    };
    let c = &acc.contacts_per_order;
    let cpo = if side.by_day.is_empty() {
        KpiValue::NoData(
            "no contact in the period: an empty contacts table is no evidence of demand".into(),
        )
    } else {
        c.value(
            demand::contacts_per_order(c.numerator as u64, c.denominator as u64),
            "no day states both contacts and orders",
            "no orders",
        )
    };
    values.insert(Kpi::ContactsPerOrder, cpo);
    let c = &acc.cost_per_contact;
    values.insert(
        Kpi::CostPerContact,
        cost(c.value(
            demand::cost_per_contact(c.numerator, c.denominator as u64),
            "no day states both an operating cost and contacts",
            "no handled contact on the days that state a cost",
        )),
    );
    values
}
