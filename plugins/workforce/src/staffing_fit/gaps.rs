//! Where the gaps are: the mean gap (scheduled - required) per weekday and
//! local interval, as runs of agents to add or move and as weekday x hour
//! heatmaps.

use std::collections::BTreeMap;

use cxaudit_plugin_sdk::prelude::*;

use super::requirement::Judged;
use crate::common::{LocalSlot, WEEKDAYS, WeekGrid, clock};

/// Mean gap (scheduled - required) per group, weekday and local start minute.
pub(super) type Cells = BTreeMap<String, BTreeMap<(usize, u32), (f64, usize, i64)>>;

/// The gap cells of the judged units, slots in `tz`.
pub(super) fn group_cells(judged: &[Judged], tz: chrono_tz::Tz) -> Cells {
    let mut cells: Cells = BTreeMap::new();
    for j in judged {
        let Some(s) = LocalSlot::of(j.unit.start, tz) else {
            continue;
        };
        let c = cells
            .entry(j.unit.group.clone())
            .or_default()
            .entry((s.weekday, s.minute))
            .or_insert((0.0, 0, j.unit.minutes));
        c.0 += j.gap();
        c.1 += 1;
    }
    cells
}

/// A run of consecutive slots of one weekday with the same shortfall (or
/// surplus) in whole agents.
#[derive(Debug, Clone, PartialEq)]
struct Run {
    group: String,
    weekday: usize,
    from: u32,
    to: u32,
    agents: u32,
    weight: f64,
}

/// The runs of shortfall (or surplus) agents, largest first.
fn runs(cells: &Cells, shortfall: bool) -> Vec<Run> {
    let mut out = Vec::new();
    for (group, slots) in cells {
        let mut current: Option<Run> = None;
        for (&(weekday, minute), &(sum, n, len)) in slots {
            let mean = sum / n as f64;
            let amount = if shortfall { -mean } else { mean };
            let qualifies = amount >= if shortfall { 0.5 } else { 1.0 };
            let agents = if shortfall {
                (amount - 1e-9).ceil()
            } else {
                (amount + 1e-9).floor()
            }
            .max(0.0) as u32;
            let contiguous = current
                .as_ref()
                .is_some_and(|r| r.weekday == weekday && r.to == minute && r.agents == agents);
            if qualifies && contiguous {
                if let Some(r) = current.as_mut() {
                    r.to = minute + len as u32;
                    r.agents = r.agents.max(agents);
                    r.weight += amount;
                }
            } else {
                out.extend(current.take());
                if qualifies {
                    current = Some(Run {
                        group: group.clone(),
                        weekday,
                        from: minute,
                        to: minute + len as u32,
                        agents,
                        weight: amount,
                    });
                }
            }
        }
        out.extend(current);
    }
    out.sort_by(|a, b| {
        b.weight
            .total_cmp(&a.weight)
            .then_with(|| (a.weekday, a.from).cmp(&(b.weekday, b.from)))
    });
    out
}

/// Actions: add agents to the five largest shortfall runs, move them out of
/// the three largest surplus runs.
pub(super) fn gap_actions(cells: &Cells, pooled: bool) -> Vec<Action> {
    let scope = |g: &str| {
        if pooled {
            "pooled queues".to_owned()
        } else {
            format!("queue {g}")
        }
    };
    // `3 agents` and `Mon 09:00-10:30 on queue b` of a run.
    let agents = |r: &Run| format!("{} agent{}", r.agents, if r.agents == 1 { "" } else { "s" });
    let when = |r: &Run| {
        format!(
            "{} {}-{} on {}",
            WEEKDAYS[r.weekday],
            clock(r.from),
            clock(r.to),
            scope(&r.group)
        )
    };
    let mut out: Vec<Action> = runs(cells, true)
        .into_iter()
        .take(5)
        .map(|r| {
            Action::new(
                format!(
                    "Add {} {} (scheduled below the Erlang requirement on average).",
                    agents(&r),
                    when(&r)
                ),
                Effort::Medium,
                OwnerRole::Process,
            )
        })
        .collect();
    out.extend(runs(cells, false).into_iter().take(3).map(|r| {
        Action::new(
            format!(
                "Move {} out of {} (scheduled above the requirement) to the short intervals.",
                agents(&r),
                when(&r)
            ),
            Effort::Low,
            OwnerRole::Process,
        )
    }));
    out
}

/// One heatmap of the mean gap by weekday x hour per group.
pub(super) fn gap_heatmaps(judged: &[Judged], tz: chrono_tz::Tz) -> Vec<Chart> {
    let mut grids: BTreeMap<&str, WeekGrid> = BTreeMap::new();
    for j in judged {
        let Some(s) = LocalSlot::of(j.unit.start, tz) else {
            continue;
        };
        grids
            .entry(j.unit.group.as_str())
            .or_default()
            .add(s.weekday, s.hour(), j.gap());
    }
    grids
        .into_iter()
        .map(|(g, grid)| {
            grid.chart(
                &format!("gap_heatmap_{g}"),
                &format!("Mean staffing gap (scheduled - required) by weekday x hour, {g}"),
                "agents",
            )
        })
        .collect()
}
