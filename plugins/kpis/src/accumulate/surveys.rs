//! The `surveys` pass: CSAT top-2 box, NPS and response rate per group.

use std::collections::BTreeMap;

use cxaudit_plugin_sdk::{EvalError, Table};

use super::grouping::{DateKeys, in_period, local_date};
use super::{Groups, set};
use crate::kpi::{Kpi, KpiValue};
use crate::options::{GroupBy, KpiOptions};

/// The invitations and answers of one group.
#[derive(Default)]
struct SurveyAcc {
    invitations: u64,
    responses: u64,
    csat: Vec<u8>,
    nps: Vec<u8>,
}

/// Runs the pass: invitations and valid answers per group, then the rates.
pub(super) fn surveys(
    t: &Table,
    by: GroupBy,
    o: &KpiOptions,
    groups: &mut Groups,
) -> Result<(), EvalError> {
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
