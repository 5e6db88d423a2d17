//! GV2: high-impact service launches and changes notified to the centre a
//! minimum number of days before go-live.

use chrono::NaiveDate;
use chrono_tz::Tz;
use cxaudit_plugin_sdk::prelude::*;
use cxaudit_plugin_sdk::table::{floor_seconds, seconds_between};
use serde::Deserialize;

use crate::common;

/// Evaluator `change_notice`.
pub struct ChangeNotice;

/// Parameters of [`ChangeNotice`]: each doc comment is the manifest's
/// description.
#[derive(Debug, Deserialize, Params)]
pub struct NoticeParams {
    /// impact levels whose notice is judged
    #[param(default = &["high"])]
    pub impacts: Vec<String>,
    /// smallest notice, days between notified_at and go_live_at
    #[param(default = 7.0, min = 0, max = 365)]
    pub min_notice_days: f64,
    /// share notified in time for full credit
    #[param(default = 1.0, min = 0, max = 1)]
    pub target_share: f64,
    /// share at or below which no credit is given (linear in between)
    #[param(default = 0.8, min = 0, max = 1)]
    pub floor_share: f64,
}

const DAY: f64 = 86_400.0;

impl Evaluator for ChangeNotice {
    type Params = NoticeParams;

    fn name(&self) -> &'static str {
        "change_notice"
    }

    fn manifest(&self) -> Manifest {
        Manifest::new(
            "Changes of the judged impacts going live in the period were notified to the centre \
             at least the minimum notice before go-live.",
        )
        .table(
            TableNeed::required("changes")
                .column("change_id", ColumnType::String)
                .column("impact", ColumnType::String)
                .column("go_live_at", ColumnType::Timestamp)
                .column("notified_at", ColumnType::Timestamp),
        )
        .params::<NoticeParams>()
        .measurement(
            "notified_in_time_share",
            "ratio",
            "judged changes notified >= min_notice_days before go-live / judged changes going live in the period",
        )
        .measurement("changes_judged", "changes", "changes of the judged impacts going live in the period")
        .measurement("never_notified", "changes", "judged changes without notified_at")
    }

    fn evaluate(&self, ctx: &Context<'_>, p: &NoticeParams) -> Result<Evaluation, EvalError> {
        let tz = ctx.time_zone()?;
        let period = ctx.period_dates()?;
        let table = ctx.table("changes")?;
        let changes = read_changes(&table, &p.impacts, period, tz)?;
        if changes.is_empty() {
            return Err(EvalError::NotApplicable(format!(
                "no change of impact {} went live in the period {} to {}",
                p.impacts.join(", "),
                period.0,
                period.1
            )));
        }
        Ok(evaluation(&changes, p, tz))
    }
}

/// One judged change.
struct Change {
    id: String,
    impact: String,
    /// UTC milliseconds.
    go_live_at_ms: i64,
    /// UTC milliseconds.
    notified_at_ms: Option<i64>,
}

impl Change {
    /// Notice in seconds (negative when notified after go-live).
    fn notice(&self) -> Option<f64> {
        self.notified_at_ms
            .map(|n| seconds_between(n, self.go_live_at_ms))
    }

    fn in_time(&self, min_notice_days: f64) -> bool {
        self.notice().is_some_and(|n| n >= min_notice_days * DAY)
    }
}

fn read_changes(
    table: &Table,
    impacts: &[String],
    period: (NaiveDate, NaiveDate),
    tz: Tz,
) -> Result<Vec<Change>, EvalError> {
    let wanted: Vec<String> = impacts
        .iter()
        .map(|s| s.trim().to_ascii_lowercase())
        .collect();
    let rows = table
        .strs("change_id")?
        .zip(table.strs("impact")?)
        .zip(table.timestamps_ms("go_live_at")?)
        .zip(table.timestamps_ms("notified_at")?);
    let mut out = Vec::new();
    for (i, (((id, impact), go_live), notified)) in rows.enumerate() {
        let impact = impact.unwrap_or("").trim().to_ascii_lowercase();
        if !wanted.contains(&impact) {
            continue;
        }
        let Some(go_live_at_ms) = go_live else {
            continue;
        };
        let in_period = common::local_date(floor_seconds(go_live_at_ms), tz)
            .is_some_and(|d| d >= period.0 && d <= period.1);
        if in_period {
            out.push(Change {
                id: id.map_or_else(|| format!("row {}", i + 2), str::to_owned),
                impact,
                go_live_at_ms,
                notified_at_ms: notified,
            });
        }
    }
    Ok(out)
}

fn evaluation(changes: &[Change], p: &NoticeParams, tz: Tz) -> Evaluation {
    let total = changes.len();
    let in_time = changes
        .iter()
        .filter(|c| c.in_time(p.min_notice_days))
        .count();
    let never = changes
        .iter()
        .filter(|c| c.notified_at_ms.is_none())
        .count();
    let share = in_time as f64 / total as f64;
    let check = Check::new(
        "notified_in_time",
        &format!(
            "Share of {} impact changes notified at least {} days before go-live",
            p.impacts.join("/"),
            p.min_notice_days
        ),
        common::round(share, 4),
        format!(">= {}", p.target_share),
        share >= p.target_share,
    );
    let mut e = Evaluation::from_checks(vec![check]);
    let score = graded(share, p.floor_share, p.target_share, true);
    e.score = Some(score);
    e.status = status_for_score(score);
    e.summary = format!(
        "{in_time} of {total} {} impact changes ({}) were notified at least {} days before go-live; {never} never notified (target {}, floor {}).",
        p.impacts.join("/"),
        common::pct(share),
        p.min_notice_days,
        common::pct(p.target_share),
        common::pct(p.floor_share)
    );
    e.measure("notified_in_time_share", Some(share));
    e.measure("changes_judged", Some(total as f64));
    e.measure("never_notified", Some(never as f64));
    e.definitions = vec![
        Definition::new(
            "Notified in time",
            &format!(
                "go_live_at - notified_at >= {} days; a change without notified_at was not notified. Changes are those going live in the period (local date).",
                p.min_notice_days
            ),
        ),
        Definition::new(
            "Score",
            &format!(
                "Linear from 0 at a share of {} to 1 at {}.",
                p.floor_share, p.target_share
            ),
        ),
    ];
    let late: Vec<&Change> = changes
        .iter()
        .filter(|c| !c.in_time(p.min_notice_days))
        .collect();
    e.drilldowns.push(late_drilldown(&late, p, tz));
    e.charts.push(notice_chart(changes, p));
    if !late.is_empty() {
        e.actions.push(action(&late, p));
    }
    e
}

fn late_drilldown(late: &[&Change], p: &NoticeParams, tz: Tz) -> Drilldown {
    Drilldown {
        id: "late_notice".into(),
        title: "Changes notified late or never".into(),
        columns: vec![
            "change".into(),
            "impact".into(),
            "go-live (local)".into(),
            "notified (local)".into(),
            "notice (days)".into(),
            "short by (days)".into(),
        ],
        rows: late
            .iter()
            .map(|c| {
                let notice = c.notice().map(|n| common::round(n / DAY, 2));
                vec![
                    c.id.clone().into(),
                    c.impact.clone().into(),
                    common::local_time_label(floor_seconds(c.go_live_at_ms), tz).into(),
                    c.notified_at_ms
                        .map_or_else(
                            || "never".to_owned(),
                            |n| common::local_time_label(floor_seconds(n), tz),
                        )
                        .into(),
                    notice.into(),
                    notice
                        .map(|n| common::round(p.min_notice_days - n, 2))
                        .into(),
                ]
            })
            .collect(),
        units: Vec::new(),
    }
}

fn notice_chart(changes: &[Change], p: &NoticeParams) -> Chart {
    Chart {
        id: "notice_days".into(),
        title: "Notice given per change against the minimum".into(),
        kind: ChartKind::Bar,
        x: changes.iter().map(|c| c.id.clone()).collect(),
        y: Vec::new(),
        unit: "days".into(),
        series: vec![
            Series {
                name: "notice".into(),
                values: changes
                    .iter()
                    .map(|c| c.notice().map(|n| common::round(n / DAY, 2)))
                    .collect(),
            },
            Series {
                name: "minimum".into(),
                values: changes.iter().map(|_| Some(p.min_notice_days)).collect(),
            },
        ],
    }
}

fn action(late: &[&Change], p: &NoticeParams) -> Action {
    let listed = common::first_of(late, 10, |c| match c.notice() {
        Some(n) => format!("{} with {:.1} days", c.id, n / DAY),
        None => format!("{} never", c.id),
    });
    Action::new(
        format!(
            "Agree a change calendar with product and IT so every {} impact change reaches the centre {} days before go-live: {} were late or never notified ({listed}).",
            p.impacts.join("/"),
            p.min_notice_days,
            late.len()
        ),
        Effort::Medium,
        OwnerRole::Process,
    )
}
