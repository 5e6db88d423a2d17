//! CX2: precision of the monthly CSAT per channel.

use std::collections::BTreeSet;

use chrono::Datelike;
use cxaudit_metrics::hash::{FxMap, StrMap};
use cxaudit_metrics::sample::SelectionCells;
use cxaudit_metrics::survey::{margin_of_error, required_sample_size, response_rate};
use cxaudit_plugin_sdk::prelude::*;
use serde::Deserialize;
use serde_json::json;

use cxaudit_plugin_sdk::table::floor_seconds;

use crate::common::{self, ContactColumns, Window, num, pct};

/// Evaluator `precision`.
pub struct Precision;

/// Parameters of [`Precision`]: each doc comment is the manifest's
/// description.
#[derive(Debug, Deserialize, Params)]
pub struct PrecisionParams {
    /// largest margin of error per month and channel (ratio; 0.05 = 5 points)
    #[param(default = 0.05, min = 0.001, max = 1)]
    pub target_margin: f64,
    /// z of the confidence level (1.96 = 95%)
    #[param(default = 1.96, min = 0)]
    pub z: f64,
    /// `conservative`: p = 0.5; `observed`: p = the cell's top-2-box share
    #[param(default = "conservative")]
    pub p_basis: String,
    /// share of month x channel cells within the margin for full credit
    #[param(default = 1.0, min = 0, max = 1)]
    pub target_cell_share: f64,
    /// share of cells at or below which no credit is earned
    #[param(default = 0.5, min = 0, max = 1)]
    pub cell_share_floor: f64,
}

/// One month x channel cell.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    /// Month `YYYY-MM` (local).
    pub month: String,
    /// Channel.
    pub channel: String,
    /// Contacts in the survey population (handled; self-service: completed).
    pub population: u64,
    /// Eligible invitations: every selection method but customer-initiated
    /// feedback, which is not an invitation.
    pub invitations: u64,
    /// Eligible invitations with a response time (completes).
    pub responded: u64,
    /// Random or census responses with a valid 1-5 CSAT: the sample the margin is for.
    pub responses: u64,
    /// Of those, responses scoring 4 or 5.
    pub top_two: u64,
    /// Agent-selected (or unstated) responses with a valid CSAT: a biased
    /// sample, reported without a margin of error.
    pub biased_responses: u64,
    /// Customer-initiated feedback rows: a complaint signal, reported apart.
    pub feedback: u64,
    /// p used in the margin.
    pub p: f64,
    /// Margin of error of the random and census responses; `None` when there is none.
    pub margin: Option<f64>,
    /// Responses needed for the target margin.
    pub required: Option<u64>,
    /// Whether the margin is within target.
    pub meets: bool,
    /// Whether the finite population correction was applied.
    pub fpc: bool,
}

impl Evaluator for Precision {
    type Params = PrecisionParams;

    fn name(&self) -> &'static str {
        "precision"
    }

    fn manifest(&self) -> Manifest {
        Manifest::new(
            "The monthly CSAT of every channel is precise enough: margin of error at the \
             confidence level with finite population correction within target; required \
             sample sizes and response rates reported per month and channel.",
        )
        .table(
            TableNeed::required("surveys")
                .column("survey_id", ColumnType::String)
                .column("channel", ColumnType::String)
                .column("invited_at", ColumnType::Timestamp)
                .column("csat", ColumnType::Integer)
                .optional_column("responded_at", ColumnType::Timestamp)
                .optional_column("selection", ColumnType::String)
                .optional_column("agent_id", ColumnType::String)
                .optional_column("nps", ColumnType::Integer),
        )
        .table(common::contacts_need(true).column("answered_at", ColumnType::Timestamp))
        .params::<PrecisionParams>()
        .measurement("cells", "cells", "month x channel cells judged")
        .measurement(
            "cells_meeting_margin_share",
            "ratio",
            "cells whose margin of error <= target / cells",
        )
        .measurement(
            "worst_margin",
            "ratio",
            "largest margin of error among cells with responses",
        )
        .measurement(
            "responses",
            "responses",
            "random or census responses with a valid 1-5 CSAT in the period (the sample the margins are for)",
        )
        .measurement(
            "period_response_rate",
            "ratio",
            "completes / eligible invitations (customer-initiated feedback excluded), in the period",
        )
        .measurement(
            "survey_response_rate",
            "ratio",
            "completes / eligible invitations of the survey sample, whole surveys table (as `cxaudit kpis`)",
        )
        .measurement(
            "csat_top2",
            "ratio",
            "CSAT top-2-box of the survey sample (as `cxaudit kpis`)",
        )
        .measurement(
            "nps",
            "points",
            "% promoters - % detractors of the survey sample (as `cxaudit kpis`)",
        )
    }

    fn evaluate(&self, ctx: &Context<'_>, p: &PrecisionParams) -> Result<Evaluation, EvalError> {
        if p.p_basis != "conservative" && p.p_basis != "observed" {
            return Err(EvalError::Failed(format!(
                "bad parameters: p_basis must be `conservative` or `observed`, found `{}`",
                p.p_basis
            )));
        }
        let window = Window::from_context(ctx)?;
        let surveys = ctx.table("surveys")?;
        let invitations = common::load_invitations_as(&surveys, None, &window, Counted::of)?;
        let contacts_table = ctx.table("contacts")?;
        let (population, incomplete) = population(&contacts_table, &window)?;
        let cells = build_cells(&invitations.rows, &population, &window, p);
        if cells.is_empty() {
            return Err(EvalError::MissingEvidence(
                "no handled contact and no survey invitation in the assessment period".into(),
            ));
        }
        let mut e = common::evaluation_noting_skipped(&invitations, Some(incomplete));
        report(&cells, p, &mut e);
        common::survey_kpis(ctx, &mut e);
        Ok(e)
    }
}

/// What CX2 counts of an invitation (64 bytes where a
/// [`common::Invitation`] takes 120; a million are held at once).
#[derive(Debug, Clone, Copy)]
struct Counted<'a> {
    /// Channel of the surveyed contact.
    channel: &'a str,
    /// How the invitation was selected.
    selection: Option<&'a str>,
    /// When the invitation was sent, UTC milliseconds.
    invited_at_ms: i64,
    /// Whether it has a response time (a complete).
    responded: bool,
    /// Overall satisfaction, when answered.
    csat: Option<i64>,
}

impl<'a> Counted<'a> {
    fn of(i: common::Invitation<'a>) -> Self {
        Counted {
            channel: i.channel,
            selection: i.selection,
            invited_at_ms: i.invited_at_ms,
            responded: i.responded_at_ms.is_some(),
            csat: i.csat,
        }
    }

    /// The second the invitation was sent (rounded down).
    fn invited_second(&self) -> i64 {
        floor_seconds(self.invited_at_ms)
    }
}

/// A local (year, month); `None` for an instant with no local time.
type Month = Option<(i32, u32)>;

/// A cell's key while counting: local (year, month) and channel. Cells are
/// laid out in month and channel order, so the maps' order does not show.
type Key<'c> = (Month, &'c str);

/// Counts per cell while a pass goes over rows in time order: by month,
/// then by channel under the channel's address ([`StrMap`]). The month
/// found last is nearly always the row's, and a channel (a dictionary's
/// value) is found without hashing its text; a map keyed by both hashed
/// every row.
struct ByCell<'c, V> {
    months: Vec<(Month, StrMap<'c, V>)>,
}

impl<'c, V: Default> ByCell<'c, V> {
    fn new() -> Self {
        ByCell { months: Vec::new() }
    }

    /// The counts of the cell of `month` and `channel`.
    fn entry(&mut self, month: Month, channel: &'c str) -> &mut V {
        let at = match self.months.iter().rposition(|(m, _)| *m == month) {
            Some(at) => at,
            None => {
                self.months.push((month, StrMap::default()));
                self.months.len() - 1
            }
        };
        self.months[at].1.entry(channel)
    }

    /// The counts by cell.
    fn into_map(self) -> FxMap<Key<'c>, V> {
        self.months
            .into_iter()
            .flat_map(|(month, channels)| {
                channels
                    .into_entries()
                    .into_iter()
                    .map(move |(channel, v)| ((month, channel), v))
            })
            .collect()
    }
}

/// The window's survey population per cell (contacts in the population of
/// their channel, by local month of arrival), counted in one pass over the
/// contacts table ([`ByCell`]), and the rows left out as incomplete.
fn population<'t>(
    t: &'t Table,
    window: &Window,
) -> Result<(FxMap<Key<'t>, u64>, usize), EvalError> {
    let mut by_cell: ByCell<'t, u64> = ByCell::new();
    let mut months = window.local_months();
    let columns = ContactColumns {
        answered: true,
        ..ContactColumns::default()
    };
    let incomplete = common::each_contact(t, columns, |c| {
        if c.in_population() && window.contains(c.arrived_second()) {
            *by_cell.entry(months.of(c.arrived_second()), c.channel) += 1;
        }
    })?;
    Ok((by_cell.into_map(), incomplete))
}

/// Builds the month x channel cells of the period: every month of the
/// period, every channel with population (from [`population`]) or
/// invitations.
fn build_cells<'a>(
    invitations: &[Counted<'a>],
    population: &FxMap<Key<'a>, u64>,
    window: &Window,
    p: &PrecisionParams,
) -> Vec<Cell> {
    let mut by_cell: ByCell<'a, Tally> = ByCell::new();
    let mut months = window.local_months();
    let mut methods = SelectionCells::default();
    for i in invitations {
        let a = by_cell.entry(months.of(i.invited_second()), i.channel);
        let method = methods.parse(i.selection);
        if !method.is_invitation() {
            a.feedback += 1;
            continue;
        }
        a.invitations += 1;
        a.responded += u64::from(i.responded);
        if let Some(s) = i.csat.filter(|s| (1..=5).contains(s)) {
            if method.is_probability() {
                a.responses += 1;
                a.top_two += u64::from(s >= 4);
            } else {
                a.biased_responses += 1;
            }
        }
    }
    let answers = by_cell.into_map();
    let channels: BTreeSet<&str> = population
        .keys()
        .chain(answers.keys())
        .map(|(_, ch)| *ch)
        .collect();
    let mut cells = Vec::new();
    for first in window.month_firsts() {
        let month = Some((first.year(), first.month()));
        let label = cxaudit_plugin_sdk::time::month_label(first);
        for ch in &channels {
            let key = (month, *ch);
            let n_pop = population.get(&key).copied().unwrap_or(0);
            let tally = answers.get(&key).copied().unwrap_or_default();
            cells.push(cell(label.clone(), (*ch).to_owned(), n_pop, tally, p));
        }
    }
    cells
}

/// Counts of one cell's invitations.
#[derive(Debug, Clone, Copy, Default)]
struct Tally {
    invitations: u64,
    responded: u64,
    responses: u64,
    top_two: u64,
    biased_responses: u64,
    feedback: u64,
}

fn cell(month: String, channel: String, population: u64, t: Tally, p: &PrecisionParams) -> Cell {
    let Tally {
        invitations,
        responded,
        responses,
        top_two,
        biased_responses,
        feedback,
    } = t;
    let p_used = if p.p_basis == "observed" && responses > 0 {
        top_two as f64 / responses as f64
    } else {
        0.5
    };
    let fpc = population >= 2 && responses <= population;
    let pop = fpc.then_some(population);
    let margin = margin_of_error(p_used, responses, pop, p.z);
    let required = required_sample_size(
        p.target_margin,
        p_used,
        p.z,
        (population > 0).then_some(population),
    );
    Cell {
        month,
        channel,
        population,
        invitations,
        responded,
        responses,
        top_two,
        biased_responses,
        feedback,
        p: p_used,
        margin,
        required,
        meets: margin.is_some_and(|m| m <= p.target_margin + 1e-12),
        fpc,
    }
}

fn report(cells: &[Cell], p: &PrecisionParams, e: &mut Evaluation) {
    let meeting = cells.iter().filter(|c| c.meets).count();
    let share = meeting as f64 / cells.len() as f64;
    let score = graded(share, p.cell_share_floor, p.target_cell_share, true);
    e.checks.push(Check::new(
        "cells_meeting_margin",
        "Share of month x channel cells whose margin of error is within target",
        num(Some(share)),
        format!(">= {} (margin <= {})", p.target_cell_share, p.target_margin),
        share + 1e-12 >= p.target_cell_share,
    ));
    e.score = Some(score);
    e.status = status_for_score(score);
    let months: BTreeSet<&str> = cells.iter().map(|c| c.month.as_str()).collect();
    let silent: Vec<&str> = months
        .iter()
        .copied()
        .filter(|m| {
            cells
                .iter()
                .filter(|c| c.month == *m)
                .all(|c| c.responses == 0 && c.biased_responses == 0)
        })
        .collect();
    let invitations: u64 = cells.iter().map(|c| c.invitations).sum();
    let responded: u64 = cells.iter().map(|c| c.responded).sum();
    let responses: u64 = cells.iter().map(|c| c.responses).sum();
    let overall_rate = response_rate(responded, invitations);
    let worst = cells.iter().filter_map(|c| c.margin).max_by(f64::total_cmp);
    measurements(e, cells.len(), share, worst, responses, overall_rate);
    let silent_clause = if silent.is_empty() {
        String::new()
    } else {
        format!(
            "; no survey responses in {} (margin undefined, cells fail)",
            silent.join(", ")
        )
    };
    e.summary = format!(
        "{meeting} of {} month x channel cells have a margin of error within {:.1} points at z = {} ({}){silent_clause}; response rate {}.",
        cells.len(),
        p.target_margin * 100.0,
        p.z,
        pct(share),
        overall_rate.map_or("n/a".into(), pct),
    );
    for m in &silent {
        e.observations.push(format!(
            "{m}: no survey responses in any channel, so no margin of error can be computed; its cells fail."
        ));
    }
    let biased_only: Vec<String> = cells
        .iter()
        .filter(|c| c.responses == 0 && c.biased_responses > 0)
        .map(|c| format!("{} {}", c.channel, c.month))
        .collect();
    if !biased_only.is_empty() {
        e.observations.push(format!(
            "{} cells have only agent-selected responses: a biased sample has no margin of error, so they fail ({}).",
            biased_only.len(),
            cxaudit_kpis::evaluator::first_of(&biased_only, 6, |s| s.clone())
        ));
    }
    for c in cells.iter().filter(|c| c.responses > 0 && !c.fpc) {
        e.observations.push(format!(
            "{} {}: {} responses against a population of {}; margin computed without finite population correction.",
            c.month, c.channel, c.responses, c.population
        ));
    }
    definitions(e, p);
    drilldown(e, cells);
    chart(e, cells);
    actions(e, cells, &silent, p);
}

fn measurements(
    e: &mut Evaluation,
    cells: usize,
    share: f64,
    worst: Option<f64>,
    responses: u64,
    rate: Option<f64>,
) {
    e.measure("cells", Some(cells as f64));
    e.measure("cells_meeting_margin_share", Some(share));
    e.measure("worst_margin", worst);
    e.measure("responses", Some(responses as f64));
    e.measure("period_response_rate", rate);
}

fn definitions(e: &mut Evaluation, p: &PrecisionParams) {
    e.definitions.extend([
        Definition::new(
            "margin of error",
            &format!(
                "z·sqrt(p(1-p)/n)·sqrt((N-n)/(N-1)), z = {}, n = random or census responses with a valid 1-5 CSAT in the month and channel (by invitation month, local time; agent-selected responses are a biased sample and get no margin), N = contacts of that channel arriving that month that were handled (self-service: not abandoned); p = {}.",
                p.z,
                if p.p_basis == "observed" {
                    "the cell's observed top-2-box share"
                } else {
                    "0.5 (conservative)"
                }
            ),
        ),
        Definition::new(
            "required sample",
            "n0 = z²p(1-p)/e², corrected n0/(1+(n0-1)/N), rounded up.",
        ),
        Definition::new(
            "response rate",
            "Completes (invitations with a response time) / eligible invitations, per month and channel of invitation; every selection method but customer-initiated feedback, which is not an invitation and is counted apart.",
        ),
        Definition::new(
            "score",
            &format!(
                "Linear between {} (no credit) and {} (full credit) of cells meeting the margin.",
                p.cell_share_floor, p.target_cell_share
            ),
        ),
    ]);
}

fn drilldown(e: &mut Evaluation, cells: &[Cell]) {
    e.drilldowns.push(
        Drilldown {
            id: "month_channel".into(),
            title: "Precision by month and channel".into(),
            columns: [
                "month",
                "channel",
                "population",
                "invitations",
                "responded",
                "response_rate",
                "csat_responses",
                "agent_selected_responses",
                "customer_initiated_feedback",
                "p",
                "margin",
                "required_responses",
                "meets_target",
            ]
            .map(String::from)
            .to_vec(),
            rows: cells
                .iter()
                .map(|c| {
                    vec![
                        json!(c.month),
                        json!(c.channel),
                        json!(c.population),
                        json!(c.invitations),
                        json!(c.responded),
                        num(response_rate(c.responded, c.invitations)),
                        json!(c.responses),
                        json!(c.biased_responses),
                        json!(c.feedback),
                        num(Some(c.p)),
                        num(c.margin),
                        json!(c.required),
                        json!(c.meets),
                    ]
                })
                .collect(),
            units: Vec::new(),
        }
        .unit_of(&["margin", "response_rate"], "ratio"),
    );
}

fn chart(e: &mut Evaluation, cells: &[Cell]) {
    let months: BTreeSet<&str> = cells.iter().map(|c| c.month.as_str()).collect();
    let channels: BTreeSet<&str> = cells.iter().map(|c| c.channel.as_str()).collect();
    e.charts.push(Chart {
        id: "margin_heatmap".into(),
        title: "Margin of error by month and channel".into(),
        kind: ChartKind::Heatmap,
        x: months.iter().map(|m| (*m).to_owned()).collect(),
        y: channels.iter().map(|c| (*c).to_owned()).collect(),
        unit: "ratio".into(),
        series: channels
            .iter()
            .map(|ch| Series {
                name: (*ch).to_owned(),
                values: months
                    .iter()
                    .map(|m| {
                        cells
                            .iter()
                            .find(|c| c.month == *m && c.channel == *ch)
                            .and_then(|c| c.margin)
                    })
                    .collect(),
            })
            .collect(),
    });
}

fn actions(e: &mut Evaluation, cells: &[Cell], silent: &[&str], p: &PrecisionParams) {
    if !silent.is_empty() {
        e.actions.push(Action::new(
            format!(
                "Run the survey every month: no responses were collected in {}.",
                silent.join(", ")
            ),
            Effort::Medium,
            OwnerRole::Process,
        ));
    }
    let mut short: Vec<&Cell> = cells
        .iter()
        .filter(|c| !c.meets && c.responses > 0)
        .collect();
    short.sort_by(|a, b| {
        let gap = |c: &Cell| c.required.unwrap_or(0).saturating_sub(c.responses);
        gap(b).cmp(&gap(a)).then(a.month.cmp(&b.month))
    });
    if short.is_empty() {
        return;
    }
    let list: Vec<String> = short
        .iter()
        .take(8)
        .map(|c| {
            format!(
                "{} {}: {} responses, {} needed (margin {:.1} points)",
                c.channel,
                c.month,
                c.responses,
                c.required.map_or("n/a".into(), |r| r.to_string()),
                c.margin.unwrap_or(0.0) * 100.0
            )
        })
        .collect();
    e.actions.push(Action::new(
        format!(
            "Raise invitations or response rates to reach a {:.1}-point margin: {}.",
            p.target_margin * 100.0,
            list.join("; ")
        ),
        Effort::Medium,
        OwnerRole::Process,
    ));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::common::fixtures::{
        C, S, assert_incomplete_contacts_named, handled, invite, with_contacts_and_surveys,
    };
    use cxaudit_plugin_sdk::testing::TestHost;

    fn leak(s: String) -> &'static str {
        Box::leak(s.into_boxed_str())
    }

    /// `host` with extra survey rows.
    fn host_with(extra: &[S]) -> TestHost {
        host_rows(extra)
    }

    /// Voice, period January-February 2026: 10 handled contacts in each month.
    /// January: 8 invitations, 4 answered with csat 5, 5, 4, 2 (top-2 3/4).
    /// February: 5 invitations, none answered (a month with no responses).
    fn host() -> TestHost {
        host_rows(&[])
    }

    fn host_rows(extra: &[S]) -> TestHost {
        let mut contacts: Vec<C> = Vec::new();
        for (month, day) in [("01", "10"), ("02", "10")] {
            for k in 0..10 {
                let t = leak(format!("2026-{month}-{day}T10:{k:02}:00"));
                let a = leak(format!("2026-{month}-{day}T10:{k:02}:20"));
                let end = leak(format!("2026-{month}-{day}T10:{k:02}:50"));
                contacts.push(handled(
                    leak(format!("c{month}{k}")),
                    "voice",
                    "A1",
                    t,
                    a,
                    end,
                ));
            }
        }
        // An abandoned contact is not in the population.
        let mut abandoned = handled(
            "x",
            "voice",
            "A1",
            "2026-01-11T10:00:00",
            "2026-01-11T10:00:00",
            "2026-01-11T10:00:40",
        );
        abandoned.abandoned = true;
        abandoned.answered = None;
        abandoned.agent = None;
        contacts.push(abandoned);
        // A row without a channel is incomplete: in no cell, and named.
        contacts.push(handled(
            "y",
            "",
            "A1",
            "2026-01-11T10:00:00",
            "2026-01-11T10:00:10",
            "2026-01-11T10:05:00",
        ));
        let mut surveys: Vec<S> = Vec::new();
        let scores = [Some(5), Some(5), Some(4), Some(2), None, None, None, None];
        for (k, score) in scores.iter().enumerate() {
            let s = invite(
                leak(format!("j{k}")),
                leak(format!("c01{k}")),
                "voice",
                "A1",
                "2026-01-10T12:00:00",
            );
            surveys.push(match score {
                Some(v) => s.answered(*v),
                None => s,
            });
        }
        for k in 0..5 {
            surveys.push(invite(
                leak(format!("f{k}")),
                leak(format!("c02{k}")),
                "voice",
                "A1",
                "2026-02-10T12:00:00",
            ));
        }
        surveys.extend_from_slice(extra);
        with_contacts_and_surveys(
            TestHost::new().period("2026-01-01", "2026-02-28"),
            &contacts,
            &surveys,
        )
    }

    #[test]
    fn month_without_responses_fails_its_cell() {
        // January: N = 10, n = 4, p = 0.5: margin = 1.96 sqrt(0.25/4) sqrt(6/9) = 0.400083;
        // with target 0.45 it meets. Required: n0 = 3.8416*0.25/0.2025 = 4.7427,
        // n0 / (1 + 3.7427/10) = 3.451 -> 4. February: no responses -> margin undefined, fails.
        // Cells met 1 of 2 = 0.5; default floor 0.5 -> score 0; floor 0 -> score 0.5.
        let h = host();
        let e = h.run(&Precision, json!({"target_margin": 0.45}));
        let rows = &e.drilldowns[0].rows;
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0][0], json!("2026-01"));
        assert_eq!(rows[0][2], json!(10));
        assert_eq!(rows[0][3], json!(8));
        assert_eq!(rows[0][5], json!(0.5));
        assert_eq!(rows[0][10], json!(0.400083));
        assert_eq!(rows[0][11], json!(4));
        assert_eq!(rows[0][12], json!(true));
        assert_eq!(rows[1][10], json!(null));
        assert_eq!(rows[1][12], json!(false));
        assert_eq!(e.score, Some(0.0));
        assert_eq!(e.status, Status::NotMet);
        assert!(
            e.summary.contains("no survey responses in 2026-02"),
            "{}",
            e.summary
        );
        assert!(
            e.observations
                .iter()
                .any(|o| o.starts_with("2026-02: no survey responses"))
        );
        assert!(e.actions.iter().any(|a| a.text.contains("2026-02")));
        assert_incomplete_contacts_named(&e, 1);
        let e = h.run(
            &Precision,
            json!({"target_margin": 0.45, "cell_share_floor": 0.0}),
        );
        assert_eq!(e.score, Some(0.5));
        assert_eq!(e.status, Status::PartiallyMet);
        // 4 responded of 13 invitations in the period; the kpis figure covers the whole table.
        let m = |name: &str| e.measurement(name).unwrap().value;
        assert!((m("period_response_rate").unwrap() - 4.0 / 13.0).abs() < 1e-12);
        assert!((m("survey_response_rate").unwrap() - 4.0 / 13.0).abs() < 1e-12);
        assert_eq!(m("csat_top2"), Some(0.75));
        // nps answers 10, 10, 8, 4: 2 promoters, 1 detractor of 4 -> 25.
        assert_eq!(m("nps"), Some(25.0));
    }

    #[test]
    fn default_margin_and_observed_p() {
        // Target 0.05: January's margin 0.40 fails too -> 0 of 2 cells.
        let e = host().run(&Precision, json!({}));
        assert_eq!(e.score, Some(0.0));
        assert!(
            e.actions
                .iter()
                .any(|a| a.text.contains("voice 2026-01: 4 responses, 10 needed")),
            "{:?}",
            e.actions
        );
        // Observed p = 0.75: margin = 1.96 sqrt(0.1875/4) sqrt(6/9) = 0.346482.
        let e = host().run(&Precision, json!({"p_basis": "observed"}));
        assert_eq!(e.drilldowns[0].rows[0][9], json!(0.75));
        assert_eq!(e.drilldowns[0].rows[0][10], json!(0.346482));
        let e = host().run(&Precision, json!({"p_basis": "other"}));
        assert_eq!(e.status, Status::Error);
    }

    #[test]
    fn feedback_is_no_invitation_and_agent_selected_cells_have_no_margin() {
        // January voice (10 handled): the 8 random invitations of `host` (4 answered).
        // Add 4 agent-selected invitations, all answered (csat 5), and 6 customer-initiated
        // feedback rows, all answered. Eligible invitations 8 + 4 = 12, completes 4 + 4 = 8:
        // response rate 8/12 = 0.666667 (with the feedback it would read 14/18). The margin
        // still rests on the 4 random responses: 0.400083 as before.
        // Chat, January: 3 agent-selected responses only -> no margin, the cell fails.
        let mut surveys: Vec<S> = Vec::new();
        for k in 0..4 {
            surveys.push(
                invite(
                    leak(format!("a{k}")),
                    leak(format!("c01{k}")),
                    "voice",
                    "A1",
                    "2026-01-10T12:00:00",
                )
                .selected("agent_selected")
                .answered(5),
            );
        }
        for k in 0..6 {
            surveys.push(
                invite(
                    leak(format!("u{k}")),
                    leak(format!("c01{k}")),
                    "voice",
                    "A1",
                    "2026-01-10T12:00:00",
                )
                .selected("customer_initiated")
                .answered(1),
            );
        }
        for k in 0..3 {
            surveys.push(
                invite(
                    leak(format!("h{k}")),
                    leak(format!("h{k}")),
                    "chat",
                    "A2",
                    "2026-01-10T12:00:00",
                )
                .selected("agent_selected")
                .answered(5),
            );
        }
        let base = host_with(&surveys);
        let e = base.run(&Precision, json!({"target_margin": 0.45}));
        let rows = &e.drilldowns[0].rows;
        let voice_jan = rows
            .iter()
            .find(|r| r[0] == json!("2026-01") && r[1] == json!("voice"))
            .unwrap();
        assert_eq!(voice_jan[3], json!(12));
        assert_eq!(voice_jan[4], json!(8));
        assert_eq!(voice_jan[5], json!(0.666667));
        assert_eq!(
            (&voice_jan[6], &voice_jan[7], &voice_jan[8]),
            (&json!(4), &json!(4), &json!(6))
        );
        assert_eq!(voice_jan[10], json!(0.400083));
        let chat_jan = rows
            .iter()
            .find(|r| r[0] == json!("2026-01") && r[1] == json!("chat"))
            .unwrap();
        assert_eq!((&chat_jan[6], &chat_jan[7]), (&json!(0), &json!(3)));
        assert_eq!(chat_jan[10], json!(null));
        assert_eq!(chat_jan[12], json!(false));
        assert!(
            e.observations
                .iter()
                .any(|o| o.starts_with("1 cells have only agent-selected responses")),
            "{:?}",
            e.observations
        );
    }
}
