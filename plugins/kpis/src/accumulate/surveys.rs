//! The `surveys` pass: CSAT top-2 box, NPS and response rate per group, over
//! the survey sample as `cxaudit_metrics::sample` defines it, and CSAT by
//! selection method.

use cxaudit_metrics::sample::{SampleTally, Selection, SelectionCells};
use cxaudit_plugin_sdk::{EvalError, Table};

use cxaudit_plugin_sdk::time::LocalDates;

use super::grouping::GroupIds;
use super::{Groups, Notes, set};
use crate::kpi::{Kpi, KpiValue};
use crate::options::{GroupBy, KpiOptions};

/// Runs the pass: invitations and answers per group and selection method,
/// then the figures of each group's sample (flagged when it is biased).
pub(super) fn surveys(
    t: &Table,
    by: GroupBy,
    o: &KpiOptions,
    groups: &mut Groups,
    notes: &mut Notes,
) -> Result<(), EvalError> {
    let mut channel = t.strs("channel")?;
    let mut agent = t.strs("agent_id")?;
    let invited = t.timestamps("invited_at")?;
    let mut responded = t.timestamps("responded_at")?;
    let mut csat = t.i64s("csat")?;
    let mut nps = t.i64s("nps")?;
    // Without a `selection` column no invitation is known to be random.
    let mut selection = t
        .has_column("selection")
        .then(|| t.strs("selection"))
        .transpose()?;
    let mut methods = SelectionCells::default();
    let mut dates = LocalDates::new(o.time_zone);
    let mut ids = GroupIds::default();
    // Counts per group in first-seen order, found by group index: a row allocates nothing.
    let mut accs: Vec<(String, SampleTally)> = Vec::new();
    for inv in invited {
        let (ch, ag, resp, c, n) = (
            channel.next().flatten(),
            agent.next().flatten(),
            responded.next().flatten(),
            csat.next().flatten(),
            nps.next().flatten(),
        );
        let method = methods.parse(selection.as_mut().and_then(|s| s.next().flatten()));
        let day = inv.and_then(|i| dates.date(i));
        if !o.in_period(day) {
            continue;
        }
        let id = match by {
            GroupBy::All => Some(ids.of_name("all", &mut accs)),
            GroupBy::Channel => Some(ids.of_name(ch.unwrap_or(""), &mut accs)),
            GroupBy::Agent => ag.map(|a| ids.of_name(a, &mut accs)),
            _ => day.map(|d| ids.of_date(d, by, &mut accs)),
        };
        let Some(id) = id else {
            continue;
        };
        let answered = resp.is_some();
        accs[id as usize].1.add(
            method,
            answered,
            c.filter(|_| answered),
            n.filter(|_| answered),
        );
    }
    for (key, a) in accs {
        let mut put = |kpi: Kpi, v: Option<f64>, reason: &str| {
            set(groups, &key, kpi, KpiValue::from_option(v, reason));
        };
        put(
            Kpi::CsatTop2,
            a.csat_top2(),
            "no sample response with a csat",
        );
        put(Kpi::Nps, a.nps(), "no sample response with an nps");
        put(
            Kpi::SurveyResponseRate,
            a.response_rate(),
            "no sample invitation",
        );
        put(
            Kpi::CsatTop2Random,
            a.csat_top2_of(&[Selection::Random, Selection::Census]),
            "no random or census response with a csat",
        );
        put(
            Kpi::CsatTop2AgentSelected,
            a.csat_top2_of(&[Selection::AgentSelected, Selection::Unstated]),
            "no agent-selected response with a csat",
        );
        put(
            Kpi::CsatTop2CustomerInitiated,
            a.csat_top2_of(&[Selection::CustomerInitiated]),
            "no customer-initiated feedback with a csat",
        );
        // A group with only customer-initiated feedback has no sample at all:
        // its figures are missing, not biased.
        if let Some(flag) = a.basis().flag().filter(|_| a.sample().invitations > 0) {
            let n = notes.entry(key.clone()).or_default();
            for k in [Kpi::CsatTop2, Kpi::Nps, Kpi::SurveyResponseRate] {
                n.insert(k, flag.to_owned());
            }
        }
    }
    Ok(())
}
