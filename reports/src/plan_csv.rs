//! `improvement-plan.csv`: the recorded plan, one row per action, each
//! row ending with the run digest of the assessment.

use cxaudit_model::Plan;
use cxaudit_model::plan;

use crate::text::csv_text;

/// The columns of `improvement-plan.csv`.
pub const CSV_COLUMNS: [&str; 17] = [
    "rank",
    "criterion",
    "title",
    "section",
    "status",
    "gap_points",
    "effort",
    "owner_role",
    "horizon",
    "importance",
    "urgency",
    "on_shortest_path",
    "action",
    "source",
    "triggered_by",
    "merged_guidance",
    crate::run_digest::CSV_COLUMN,
];

/// The name of an action's source in the CSV.
fn source_str(source: plan::ActionSource) -> &'static str {
    match source {
        plan::ActionSource::Data => "data",
        plan::ActionSource::Pack => "pack",
        plan::ActionSource::Status => "status",
    }
}

/// Formats points for the CSV: whole numbers without decimals, else one decimal.
fn csv_points(x: f64) -> String {
    let r = (x * 10.0).round() / 10.0;
    if (r - r.round()).abs() < 1e-9 {
        format!("{}", r.round() as i64)
    } else {
        format!("{r:.1}")
    }
}

/// `improvement-plan.csv`: one row per action; `horizon` in days; `source`
/// says where the action comes from (`data`, `pack`, `status`),
/// `triggered_by` what made the criterion a gap, `merged_guidance` the
/// pack's generic actions the row stands for (` | ` between them); the
/// last column is `run_digest`, the same on every row. Text cells are
/// neutralised against spreadsheet formulas ([`csv_text`]); numbers are
/// written as they are.
pub fn to_csv(plan: &Plan, run_digest: &str) -> Result<String, csv::Error> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    w.write_record(CSV_COLUMNS)?;
    for g in &plan.gaps {
        for a in &g.actions {
            w.write_record([
                g.rank.to_string(),
                csv_text(&g.criterion),
                csv_text(&g.title),
                csv_text(&g.section),
                g.status.as_str().to_owned(),
                csv_points(g.gap_points),
                plan::effort_str(a.effort).to_owned(),
                plan::owner_role_str(a.owner_role).to_owned(),
                a.horizon.days().to_string(),
                g.importance.as_str().to_owned(),
                g.urgency.as_str().to_owned(),
                if g.on_shortest_path { "yes" } else { "no" }.to_owned(),
                csv_text(&a.text),
                source_str(a.source).to_owned(),
                csv_text(&a.trigger),
                csv_text(&a.guidance.join(" | ")),
                run_digest.to_owned(),
            ])?;
        }
    }
    let bytes = w
        .into_inner()
        .map_err(|e| csv::Error::from(e.into_error()))?;
    Ok(String::from_utf8(bytes).expect("CSV of UTF-8 strings is UTF-8"))
}

#[cfg(test)]
mod tests {
    use cxaudit_model::Status;
    use cxaudit_model::evaluation::{Effort, OwnerRole};
    use cxaudit_model::plan::{
        ActionSource, Horizon, Importance, PlannedAction, RankedGap, ShortestPath, Urgency,
    };

    use super::*;

    /// A plan of one gap with one action, whose texts are `text`.
    fn plan_with(text: &str, gap_points: f64) -> Plan {
        Plan {
            gaps: vec![RankedGap {
                rank: 1,
                criterion: text.to_owned(),
                title: text.to_owned(),
                section: text.to_owned(),
                status: Status::NotMet,
                mandatory: false,
                blocking: false,
                gap_points,
                effort: Effort::Low,
                owner_role: OwnerRole::Process,
                importance: Importance::High,
                urgency: Urgency::Urgent,
                horizon: Horizon::Days30,
                on_shortest_path: true,
                actions: vec![PlannedAction {
                    text: text.to_owned(),
                    effort: Effort::Low,
                    owner_role: OwnerRole::Process,
                    horizon: Horizon::Days30,
                    source: ActionSource::Data,
                    guidance: vec![text.to_owned(), "Review weekly.".to_owned()],
                    trigger: text.to_owned(),
                }],
            }],
            shortest_path: ShortestPath::AlreadyCertified,
        }
    }

    /// The one data row of the CSV, parsed back.
    fn row(plan: &Plan) -> csv::StringRecord {
        let text = to_csv(plan, "0123abcd").unwrap();
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), 1, "{text}");
        rows[0].clone()
    }

    #[test]
    fn formula_text_cells_are_neutralised_and_numbers_kept() {
        // A negative number can only come from cxaudit's own formatting: it stays a number.
        let r = row(&plan_with("=HYPERLINK(\"http://x\",\"y\")", -0.5));
        for i in [1, 2, 3, 12, 14] {
            assert_eq!(&r[i], "'=HYPERLINK(\"http://x\",\"y\")", "column {i}");
        }
        assert_eq!(&r[15], "'=HYPERLINK(\"http://x\",\"y\") | Review weekly.");
        assert_eq!(&r[5], "-0.5");
        assert_eq!(&r[0], "1");
        assert_eq!(&r[8], "30");
    }

    #[test]
    fn plain_text_cells_are_unchanged() {
        let r = row(&plan_with("Set targets, then review", 2.0));
        assert_eq!(&r[3], "Set targets, then review");
        assert_eq!(&r[12], "Set targets, then review");
        assert_eq!(&r[13], "data");
        assert_eq!(&r[14], "Set targets, then review");
        assert_eq!(&r[15], "Set targets, then review | Review weekly.");
        assert_eq!(&r[16], "0123abcd");
        assert_eq!(&r[5], "2");
    }
}
