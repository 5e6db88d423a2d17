//! One pass per table: rows to groups, groups to KPI values.
//!
//! [`compute_many`] runs one pass per KPI family, each in its own module and each
//! reading one evidence table (the contacts once for the requests that read them alike):
//!
//! - [`contacts`]: service level, ASA, abandonment, AHT, transfers, FCR and
//!   volume; it hands handle time per group and contacts per local day to
//!   the families below;
//! - [`forecast`]: forecast WAPE and bias from `intervals`;
//! - [`adherence`]: adherence, absence, utilisation and occupancy;
//! - [`attrition`]: annualised attrition from `agents`;
//! - [`surveys`]: CSAT, NPS and response rate (its pass runs on a thread of
//!   its own, beside the contacts pass: the two read different tables);
//! - [`demand`]: contacts and cost per order, cost per contact, each summed
//!   over the same local days on both sides (the days used and left out are
//!   the group's coverage).
//!
//! [`grouping`] holds what they share: the period filter and group keys.
//! A KPI that no pass sets is filled here with the reason it is missing.

mod adherence;
mod attrition;
mod contacts;
mod demand;
mod forecast;
mod grouping;
mod surveys;

use std::collections::BTreeMap;

use cxaudit_plugin_sdk::{EvalError, Table, thread};

use crate::evidence::Evidence;
use crate::kpi::{Kpi, KpiValue};
use crate::options::{GroupBy, KpiOptions};
use crate::{DayCoverage, GroupKpis};

use contacts::ContactSide;
pub use contacts::{PeriodFcr, contact_timing, period_fcr};

/// The KPI values of one group.
type Values = BTreeMap<Kpi, KpiValue>;
/// The values of every group, by group key.
type Groups = BTreeMap<String, Values>;
/// The days each same-days ratio of a group was summed over, by group key.
type Coverages = BTreeMap<String, BTreeMap<Kpi, DayCoverage>>;
/// What a reader of a group's value must know (e.g. a biased sample), by group key.
type Notes = BTreeMap<String, BTreeMap<Kpi, String>>;

/// Sets one KPI value of a group, creating the group.
fn set(groups: &mut Groups, key: &str, kpi: Kpi, value: KpiValue) {
    groups.entry(key.to_owned()).or_default().insert(kpi, value);
}

/// What one grouping's passes set: values, coverages and notes by group,
/// and why a family's KPIs are missing.
#[derive(Default)]
struct Computed {
    groups: Groups,
    coverages: Coverages,
    notes: Notes,
    family_reasons: Vec<(Vec<Kpi>, String)>,
}

impl Computed {
    /// Adds what another family set (families set KPIs of their own, so
    /// no value, note or reason of one replaces another's).
    fn absorb(&mut self, other: Computed) {
        for (group, values) in other.groups {
            self.groups.entry(group).or_default().extend(values);
        }
        for (group, coverages) in other.coverages {
            self.coverages.entry(group).or_default().extend(coverages);
        }
        for (group, notes) in other.notes {
            self.notes.entry(group).or_default().extend(notes);
        }
        self.family_reasons.extend(other.family_reasons);
    }
}

/// Computes every family for each request (a grouping and its options) and
/// fills the gaps with the reason they are gaps (one list of groups per
/// request, in order). Requests that read the contacts alike (the same local
/// days, period and FCR window) share one pass over them and one FCR
/// classification; the other families, over smaller tables, run once per
/// request.
pub(crate) fn compute_many(
    ev: &Evidence,
    requests: &[(GroupBy, &KpiOptions)],
) -> Vec<Vec<GroupKpis>> {
    // The surveys pass reads a table of its own: it runs beside the contacts.
    let (mut computed, surveys) = std::thread::scope(|scope| {
        let surveys_pass = thread::spawn(scope, || {
            requests
                .iter()
                .map(|&(by, o)| survey_family(ev, by, o))
                .collect::<Vec<Computed>>()
        });
        let computed = contacts_and_others(ev, requests);
        let surveys = surveys_pass.join();
        (computed, surveys)
    });
    for (c, s) in computed.iter_mut().zip(surveys) {
        c.absorb(s);
    }
    computed
        .into_iter()
        .zip(requests)
        .map(|(c, (_, o))| fill_gaps(c.groups, c.coverages, c.notes, &c.family_reasons, o))
        .collect()
}

/// The contacts family for each request (one pass for the requests that
/// read the contacts alike), then the families after it but the surveys.
fn contacts_and_others(ev: &Evidence, requests: &[(GroupBy, &KpiOptions)]) -> Vec<Computed> {
    let mut computed: Vec<Computed> = requests.iter().map(|_| Computed::default()).collect();
    let mut contact_sides: Vec<Option<ContactSide>> = requests.iter().map(|_| None).collect();
    // Occupancy needs the contacts' handle time, the demand ratios their days.
    let contacts_wanted = |o: &KpiOptions| {
        o.wants_any(&CONTACT_KPIS) || o.wants(Kpi::Occupancy) || o.wants_any(&DEMAND_KPIS)
    };
    let mut read = vec![false; requests.len()];
    for first in 0..requests.len() {
        if read[first] || !contacts_wanted(requests[first].1) {
            continue;
        }
        let alike: Vec<usize> = (first..requests.len())
            .filter(|&i| {
                let o = requests[i].1;
                !read[i] && contacts_wanted(o) && contacts::reads_alike(requests[first].1, o)
            })
            .collect();
        let mut reasons = Vec::new();
        family(
            &mut reasons,
            true,
            &CONTACT_KPIS,
            "contacts",
            ev.contacts.as_ref(),
            None,
            |t| {
                let these: Vec<(GroupBy, &KpiOptions)> =
                    alike.iter().map(|&i| requests[i]).collect();
                let outs = contacts::contacts(t, &these)?;
                for (&i, out) in alike.iter().zip(outs.iter()) {
                    // The first family of each request: its groups start here.
                    computed[i].groups = out.groups.clone();
                    contact_sides[i] = Some(out.side.clone());
                }
                Ok(())
            },
        );
        for &i in &alike {
            read[i] = true;
            computed[i].family_reasons.extend(reasons.iter().cloned());
        }
    }
    for ((c, &(by, o)), contact_side) in computed.iter_mut().zip(requests).zip(&contact_sides) {
        other_families(ev, by, o, contact_side.as_ref(), c);
    }
    computed
}

/// The surveys family for one grouping, into counts of its own
/// ([`Computed::absorb`] adds them to the other families').
fn survey_family(ev: &Evidence, by: GroupBy, o: &KpiOptions) -> Computed {
    let mut c = Computed::default();
    let Computed {
        groups,
        notes,
        family_reasons,
        ..
    } = &mut c;
    family(
        family_reasons,
        o.wants_any(&SURVEY_KPIS),
        &SURVEY_KPIS,
        "surveys",
        ev.surveys.as_ref(),
        (by == GroupBy::Queue).then_some("survey invitations carry no queue"),
        |t| surveys::surveys(t, by, o, groups, notes),
    );
    c
}

/// The families after the contacts but the surveys, for one grouping.
fn other_families(
    ev: &Evidence,
    by: GroupBy,
    o: &KpiOptions,
    contact_side: Option<&ContactSide>,
    c: &mut Computed,
) {
    let Computed {
        groups,
        coverages,
        family_reasons,
        ..
    } = c;
    family(
        family_reasons,
        o.wants_any(&INTERVAL_KPIS),
        &INTERVAL_KPIS,
        "intervals",
        ev.intervals.as_ref(),
        matches!(by, GroupBy::Channel | GroupBy::Agent)
            .then_some("intervals are planned per queue, not per channel or agent"),
        |t| forecast::intervals(t, by, o, groups),
    );
    family(
        family_reasons,
        o.wants_any(&ADHERENCE_KPIS),
        &ADHERENCE_KPIS,
        "adherence",
        ev.adherence.as_ref(),
        matches!(by, GroupBy::Queue | GroupBy::Channel)
            .then_some("adherence is recorded per agent and day, not per queue or channel"),
        |t| {
            let handle = contact_side.map(|s| &s.handle_seconds);
            adherence::adherence(t, by, o, handle, groups)
        },
    );
    family(
        family_reasons,
        o.wants_any(&[Kpi::AttritionAnnualized]),
        &[Kpi::AttritionAnnualized],
        "agents",
        ev.agents.as_ref(),
        (!matches!(by, GroupBy::All | GroupBy::Month))
            .then_some("attrition is defined over the whole period or per month"),
        |t| attrition::attrition(t, ev, by, o, groups),
    );
    family(
        family_reasons,
        o.wants_any(&DEMAND_KPIS),
        &DEMAND_KPIS,
        "business_daily",
        ev.business_daily.as_ref(),
        (by != GroupBy::All && !grouping::is_time(by))
            .then_some("orders and cost are recorded per day, not per queue, channel or agent"),
        |t| demand::demand_kpis(t, by, o, contact_side, groups, coverages),
    );
    if by == GroupBy::All {
        groups.entry("all".to_owned()).or_default();
    }
}

/// Every group with every wanted KPI: those no pass set are unavailable for
/// the reason noted for their family, or have no data in the group; each
/// group with the coverage of its same-days ratios and the notes on its
/// values. A KPI a pass set on the way but that is not wanted is left out.
fn fill_gaps(
    groups: Groups,
    mut coverages: Coverages,
    mut notes: Notes,
    family_reasons: &[(Vec<Kpi>, String)],
    o: &KpiOptions,
) -> Vec<GroupKpis> {
    groups
        .into_iter()
        .map(|(group, mut values)| {
            values.retain(|kpi, _| o.wants(*kpi));
            for kpi in Kpi::ALL.into_iter().filter(|k| o.wants(*k)) {
                values.entry(kpi).or_insert_with(|| {
                    match family_reasons.iter().find(|(ks, _)| ks.contains(&kpi)) {
                        Some((_, reason)) => KpiValue::Unavailable(reason.clone()),
                        None => KpiValue::NoData("no rows for this group".into()),
                    }
                });
            }
            let mut coverage = coverages.remove(&group).unwrap_or_default();
            coverage.retain(|kpi, _| o.wants(*kpi));
            let mut notes = notes.remove(&group).unwrap_or_default();
            notes.retain(|kpi, _| o.wants(*kpi));
            GroupKpis {
                group,
                values,
                coverage,
                notes,
            }
        })
        .collect()
}

/// Runs the pass of one KPI family over its table, unless it is not
/// `wanted`, the table is absent or the grouping does not apply to it
/// (`unsupported` says why); notes why the family's KPIs are unavailable
/// when it does not run or fails.
fn family(
    reasons: &mut Vec<(Vec<Kpi>, String)>,
    wanted: bool,
    kpis: &[Kpi],
    table_name: &str,
    table: Option<&Table>,
    unsupported: Option<&str>,
    pass: impl FnOnce(&Table) -> Result<(), EvalError>,
) {
    if !wanted {
        return;
    }
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

/// The text of an evaluation error, without its kind.
fn message(e: &EvalError) -> String {
    match e {
        EvalError::MissingEvidence(m) | EvalError::NotApplicable(m) | EvalError::Failed(m) => {
            m.clone()
        }
    }
}

/// The KPIs of the `contacts` pass.
const CONTACT_KPIS: [Kpi; 7] = [
    Kpi::ServiceLevel,
    Kpi::AsaSeconds,
    Kpi::AbandonRate,
    Kpi::AhtSeconds,
    Kpi::TransferRate,
    Kpi::FcrRate,
    Kpi::Contacts,
];
/// The KPIs of the `intervals` pass.
const INTERVAL_KPIS: [Kpi; 2] = [Kpi::ForecastWape, Kpi::ForecastBias];
/// The KPIs of the `adherence` pass.
const ADHERENCE_KPIS: [Kpi; 4] = [
    Kpi::Occupancy,
    Kpi::Utilisation,
    Kpi::ScheduleAdherence,
    Kpi::AbsenceRate,
];
/// The KPIs of the `surveys` pass.
const SURVEY_KPIS: [Kpi; 6] = [
    Kpi::CsatTop2,
    Kpi::Nps,
    Kpi::SurveyResponseRate,
    Kpi::CsatTop2Random,
    Kpi::CsatTop2AgentSelected,
    Kpi::CsatTop2CustomerInitiated,
];
/// The KPIs of the `business_daily` pass.
const DEMAND_KPIS: [Kpi; 3] = [
    Kpi::ContactsPerOrder,
    Kpi::CostPerOrder,
    Kpi::CostPerContact,
];
