//! `improvement-plan.csv`: the recorded plan, one row per action, each
//! row ending with the run digest of the assessment.

use cxaudit_model::Plan;
use cxaudit_model::plan;

/// The columns of `improvement-plan.csv`.
pub const CSV_COLUMNS: [&str; 14] = [
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
    crate::run_digest::CSV_COLUMN,
];

/// Formats points for the CSV: whole numbers without decimals, else one decimal.
fn csv_points(x: f64) -> String {
    let r = (x * 10.0).round() / 10.0;
    if (r - r.round()).abs() < 1e-9 {
        format!("{}", r.round() as i64)
    } else {
        format!("{r:.1}")
    }
}

/// `improvement-plan.csv`: one row per action; `horizon` in days; the
/// last column is `run_digest`, the same on every row.
pub fn to_csv(plan: &Plan, run_digest: &str) -> Result<String, csv::Error> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    w.write_record(CSV_COLUMNS)?;
    for g in &plan.gaps {
        for a in &g.actions {
            w.write_record([
                g.rank.to_string(),
                g.criterion.clone(),
                g.title.clone(),
                g.section.clone(),
                g.status.as_str().to_owned(),
                csv_points(g.gap_points),
                plan::effort_str(a.effort).to_owned(),
                plan::owner_role_str(a.owner_role).to_owned(),
                a.horizon.days().to_string(),
                g.importance.as_str().to_owned(),
                g.urgency.as_str().to_owned(),
                if g.on_shortest_path { "yes" } else { "no" }.to_owned(),
                a.text.clone(),
                run_digest.to_owned(),
            ])?;
        }
    }
    let bytes = w
        .into_inner()
        .map_err(|e| csv::Error::from(e.into_error()))?;
    Ok(String::from_utf8(bytes).expect("CSV of UTF-8 strings is UTF-8"))
}
