//! CX5: key drivers of satisfaction, coded dissatisfaction reasons, and
//! actions on the top reasons.

use std::collections::BTreeMap;

use cxaudit_kpis::evaluator::optional_cells;
use cxaudit_metrics::sample::SelectionCells;
use cxaudit_metrics::survey::{Correlation, key_drivers};
use cxaudit_plugin_sdk::DocumentNeed;
use cxaudit_plugin_sdk::prelude::*;
use serde::Deserialize;
use serde_json::json;

use crate::common::{self, Invitation, Selected, Window, num, pct, score_from_checks};

/// What CX5 keeps of an invitation: whether it is feedback, its csat answer
/// and its reason (40 bytes where an [`Invitation`] takes 120; a million
/// are held through the evaluation).
#[derive(Debug, Clone, Copy)]
struct Response<'a> {
    /// Customer-initiated feedback ([`Invitation::feedback`]).
    feedback: bool,
    /// Overall satisfaction, 1-5.
    csat: Option<i64>,
    /// Coded reason for dissatisfaction.
    reason: Option<&'a str>,
}

impl<'a> Response<'a> {
    fn of(i: Invitation<'a>) -> Self {
        Response {
            feedback: i.feedback,
            csat: i.csat,
            reason: i.reason,
        }
    }
}

impl Selected for Response<'_> {
    fn is_feedback(&self) -> bool {
        self.feedback
    }
}

/// The headings and the column that state actions (canonical names): the
/// review minutes' actions and the business plan's initiatives.
const ACTIONS: &str = "actions";
const INITIATIVES: &str = "initiatives";
const ACTION: &str = "action";

/// Evaluator `drivers`.
pub struct Drivers;

/// Parameters of [`Drivers`]: each doc comment is the manifest's
/// description.
#[derive(Debug, Deserialize, Params)]
pub struct DriversParams {
    /// correlation of each attr_* with csat: `spearman` or `pearson`
    #[param(default = "spearman")]
    pub method: String,
    /// a response with csat at or below this is dissatisfied
    #[param(default = 2, min = 1, max = 5)]
    pub dissatisfied_max: i64,
    /// share of dissatisfied responses with a coded reason (ratio)
    #[param(default = 0.9, min = 0, max = 1)]
    pub coded_target: f64,
    /// top reasons that must have an action
    #[param(default = 3, min = 1)]
    pub top_n: i64,
    /// complete responses (csat and every attr_*) needed to rank drivers
    #[param(default = 30, min = 3)]
    pub min_driver_responses: i64,
    /// a section heading or table column with one of these words holds actions
    #[param(default = &["action", "initiative"])]
    pub action_keywords: Vec<String>,
}

/// A dissatisfaction reason with its count.
#[derive(Debug, Clone, PartialEq)]
pub struct Reason {
    /// The code.
    pub code: String,
    /// Dissatisfied responses with this code.
    pub count: u64,
    /// Share of coded dissatisfied responses.
    pub share: f64,
    /// Documents where an action names it.
    pub actioned_in: Vec<String>,
}

impl Evaluator for Drivers {
    type Params = DriversParams;

    fn name(&self) -> &'static str {
        "drivers"
    }

    fn manifest(&self) -> Manifest {
        Manifest::new(
            "Key drivers of satisfaction are ranked from the driver ratings; dissatisfied \
             responses carry a coded reason; the top reasons have actions in the reviews or \
             the business plan.",
        )
        .table(
            TableNeed::required("surveys")
                .column("survey_id", ColumnType::String)
                .column("channel", ColumnType::String)
                .column("invited_at", ColumnType::Timestamp)
                .column("csat", ColumnType::Integer)
                .optional_column("selection", ColumnType::String)
                .optional_column("responded_at", ColumnType::Timestamp)
                .optional_column("dissatisfaction_reason", ColumnType::String)
                .optional_column("attr_*", ColumnType::Integer),
        )
        .document_need(
            DocumentNeed::optional("review_minutes")
                .headings(&[ACTIONS])
                .columns(&[ACTION]),
        )
        .document_need(DocumentNeed::optional("business_plan").headings(&[INITIATIVES]))
        .params::<DriversParams>()
        .measurement(
            "driver_responses",
            "responses",
            "responses with csat and every attr_* rating",
        )
        .measurement(
            "top_driver_correlation",
            "correlation",
            "correlation of the first-ranked attribute with csat",
        )
        .measurement(
            "dissatisfied_responses",
            "responses",
            "responses with csat <= dissatisfied_max",
        )
        .measurement(
            "dissatisfied_coded_share",
            "ratio",
            "dissatisfied responses with a coded reason / dissatisfied responses",
        )
        .measurement(
            "top_reasons_actioned_share",
            "ratio",
            "top reasons named in an action / top reasons",
        )
    }

    fn evaluate(&self, ctx: &Context<'_>, p: &DriversParams) -> Result<Evaluation, EvalError> {
        let method = match p.method.as_str() {
            "spearman" => Correlation::Spearman,
            "pearson" => Correlation::Pearson,
            other => {
                return Err(EvalError::Failed(format!(
                    "bad parameters: method must be `spearman` or `pearson`, found `{other}`"
                )));
            }
        };
        let window = Window::from_context(ctx)?;
        let table = ctx.table("surveys")?;
        let mut invitations = common::load_invitations_as(&table, None, &window, Response::of)?;
        let feedback = common::drop_customer_initiated(&mut invitations);
        let responses: Vec<&Response> = invitations
            .rows
            .iter()
            .filter(|i| i.csat.is_some_and(|c| (1..=5).contains(&c)))
            .collect();
        if responses.is_empty() {
            return Err(EvalError::MissingEvidence(
                "no survey response with a 1-5 csat in the assessment period".into(),
            ));
        }
        let mut e = common::evaluation_noting_skipped(&invitations, None);
        e.observations.extend(common::feedback_left_out(
            feedback,
            "the driver ranking and the dissatisfaction reasons",
        ));
        let drivers = rank_drivers(&table, &window, method, p, &mut e)?;
        let coded = report_reasons(&responses, p, &mut e);
        let actioned = report_actions(ctx, p, coded, &mut e)?;
        score_from_checks(&mut e);
        e.summary = format!("{drivers}; {actioned}.");
        Ok(e)
    }
}

/// Ranks the attr_* columns by correlation with csat over complete responses
/// to invitations (customer-initiated feedback left out).
fn rank_drivers(
    table: &Table,
    window: &Window,
    method: Correlation,
    p: &DriversParams,
    e: &mut Evaluation,
) -> Result<String, EvalError> {
    let names = table.columns_with_prefix("attr_");
    // One row at a time, every column advanced together (none copied).
    let mut invited = table.timestamps("invited_at")?;
    let mut selection = optional_cells(table, "selection", |c| table.strs(c))?;
    let mut columns = Vec::with_capacity(names.len());
    for n in &names {
        columns.push(table.i64s(n)?);
    }
    let mut overall = Vec::new();
    let mut attrs: Vec<Vec<f64>> = vec![Vec::new(); names.len()];
    let mut values: Vec<Option<i64>> = Vec::with_capacity(names.len());
    let mut methods = SelectionCells::default();
    for c in table.i64s("csat")? {
        let (invited, selection) = (invited.next().flatten(), selection.next().flatten());
        values.clear();
        values.extend(columns.iter_mut().map(|col| col.next().flatten()));
        let feedback = !methods.parse(selection).is_invitation();
        let in_window = invited.is_some_and(|t| window.contains(t)) && !feedback;
        let Some(c) = c.filter(|c| (1..=5).contains(c) && in_window) else {
            continue;
        };
        if !names.is_empty() && values.iter().all(Option::is_some) {
            overall.push(c as f64);
            for (a, v) in attrs.iter_mut().zip(values.iter().flatten()) {
                a.push(*v as f64);
            }
        }
    }
    let n = overall.len();
    let pairs: Vec<(&str, &[f64])> = names
        .iter()
        .map(String::as_str)
        .zip(attrs.iter().map(Vec::as_slice))
        .collect();
    let ranked = if n as i64 >= p.min_driver_responses {
        key_drivers(&pairs, &overall, method)
    } else {
        Vec::new()
    };
    let computed = ranked.iter().any(|d| d.correlation.is_some());
    let method_name = if method == Correlation::Spearman {
        "Spearman"
    } else {
        "Pearson"
    };
    e.checks.push(Check::new(
        "driver_ranking",
        "Key-driver ranking computed from attribute ratings",
        json!({"attributes": names.len(), "responses": n}),
        format!(
            ">= 1 attr_* column and >= {} complete responses",
            p.min_driver_responses
        ),
        computed,
    ));
    e.measure("driver_responses", Some(n as f64));
    e.measure(
        "top_driver_correlation",
        ranked.first().and_then(|d| d.correlation),
    );
    e.definitions.push(Definition::new(
        "key driver",
        &format!(
            "{method_name} correlation of each attr_* rating with csat over responses in the period with csat and every attribute, ranked from the strongest positive."
        ),
    ));
    e.drilldowns.push(Drilldown {
        id: "drivers".into(),
        title: "Key drivers of satisfaction".into(),
        columns: ["rank", "attribute", "correlation", "responses"]
            .map(String::from)
            .to_vec(),
        rows: ranked
            .iter()
            .enumerate()
            .map(|(i, d)| vec![json!(i + 1), json!(d.name), num(d.correlation), json!(n)])
            .collect(),
        units: Vec::new(),
    });
    e.charts.push(Chart {
        id: "drivers".into(),
        title: format!("{method_name} correlation with overall satisfaction"),
        kind: ChartKind::Bar,
        x: ranked.iter().map(|d| d.name.to_owned()).collect(),
        y: Vec::new(),
        unit: "correlation".into(),
        series: vec![Series {
            name: "correlation".into(),
            values: ranked.iter().map(|d| d.correlation).collect(),
        }],
    });
    if !computed {
        e.actions.push(Action::new(
            if names.is_empty() {
                "Add driver ratings (attr_* questions: wait, knowledge, courtesy, resolution, effort) to the survey export so drivers can be ranked.".to_owned()
            } else {
                format!(
                    "Collect complete driver ratings: {n} responses have csat and every attribute, {} are needed.",
                    p.min_driver_responses
                )
            },
            Effort::Medium,
            OwnerRole::Technology,
        ));
        return Ok(format!(
            "key drivers not ranked ({} attributes, {n} complete responses)",
            names.len()
        ));
    }
    let top: Vec<String> = ranked
        .iter()
        .take(3)
        .map(|d| {
            format!(
                "{} {}",
                d.name,
                d.correlation.map_or("n/a".into(), |c| format!("{c:.2}"))
            )
        })
        .collect();
    Ok(format!("top drivers {} (n = {n})", top.join(", ")))
}

/// Counts coded reasons of dissatisfied responses; returns the top reasons.
fn report_reasons(responses: &[&Response], p: &DriversParams, e: &mut Evaluation) -> Vec<Reason> {
    let dissatisfied: Vec<&&Response> = responses
        .iter()
        .filter(|r| r.csat.is_some_and(|c| c <= p.dissatisfied_max))
        .collect();
    let mut counts: BTreeMap<&str, u64> = BTreeMap::new();
    for r in &dissatisfied {
        if let Some(code) = r.reason {
            *counts.entry(code).or_default() += 1;
        }
    }
    let coded: u64 = counts.values().sum();
    let share = (!dissatisfied.is_empty()).then(|| coded as f64 / dissatisfied.len() as f64);
    e.checks.push(Check::new(
        "reasons_coded",
        &format!(
            "Dissatisfied responses (csat <= {}) with a coded reason",
            p.dissatisfied_max
        ),
        num(share),
        format!(">= {}", p.coded_target),
        share.is_none_or(|s| s + 1e-12 >= p.coded_target),
    ));
    e.measure("dissatisfied_responses", Some(dissatisfied.len() as f64));
    e.measure("dissatisfied_coded_share", share);
    if dissatisfied.is_empty() {
        e.observations.push(format!(
            "No response in the period has csat <= {}: no reason to code.",
            p.dissatisfied_max
        ));
    } else if share.is_some_and(|s| s + 1e-12 < p.coded_target) {
        e.actions.push(Action::new(
            format!(
                "Code the reason of every dissatisfied response: {coded} of {} ({}) carry a reason, target {}.",
                dissatisfied.len(),
                share.map_or("n/a".into(), pct),
                pct(p.coded_target)
            ),
            Effort::Low,
            OwnerRole::Process,
        ));
    }
    let mut reasons: Vec<Reason> = counts
        .into_iter()
        .map(|(code, count)| Reason {
            code: code.to_owned(),
            count,
            share: count as f64 / coded.max(1) as f64,
            actioned_in: Vec::new(),
        })
        .collect();
    reasons.sort_by(|a, b| b.count.cmp(&a.count).then(a.code.cmp(&b.code)));
    e.charts.push(Chart {
        id: "reasons".into(),
        title: "Dissatisfaction reasons".into(),
        kind: ChartKind::Bar,
        x: reasons.iter().map(|r| r.code.clone()).collect(),
        y: Vec::new(),
        unit: "responses".into(),
        series: vec![Series {
            name: "dissatisfied responses".into(),
            values: reasons.iter().map(|r| Some(r.count as f64)).collect(),
        }],
    });
    reasons
}

/// Text that states actions in a document: sections under an actions or
/// initiatives heading (by the document's words) or whose heading has an
/// action keyword, and rows of tables with an action column (idem).
pub fn action_texts(doc: &ParsedDocument, keywords: &[String]) -> Vec<String> {
    let has_keyword = |s: &str| {
        let s = s.to_lowercase();
        keywords
            .iter()
            .any(|k| !k.trim().is_empty() && s.contains(&k.to_lowercase()))
    };
    let headings = [doc.heading_names(ACTIONS), doc.heading_names(INITIATIVES)];
    let action_column = doc.column_names(ACTION);
    let mut out = Vec::new();
    for s in &doc.markdown.sections {
        let action_section =
            headings.iter().any(|h| h.matches(&s.heading)) || has_keyword(&s.heading);
        if action_section {
            out.extend(s.text.lines().map(str::to_owned));
        }
        for t in &s.tables {
            let action_table = t
                .header
                .iter()
                .any(|h| action_column.matches(h) || has_keyword(h));
            if action_section || action_table {
                out.extend(t.rows.iter().map(|r| r.join(" | ")));
            }
        }
    }
    out
}

/// Whether an action text names a reason code (as written, or with `_` as spaces).
pub fn names_reason(text: &str, code: &str) -> bool {
    let t = text.to_lowercase();
    let c = code.to_lowercase();
    t.contains(&c) || t.contains(&c.replace('_', " "))
}

fn report_actions(
    ctx: &Context<'_>,
    p: &DriversParams,
    mut reasons: Vec<Reason>,
    e: &mut Evaluation,
) -> Result<String, EvalError> {
    let mut docs = Vec::new();
    for kind in ["review_minutes", "business_plan"] {
        if let Ok(found) = ctx.documents(kind) {
            docs.extend(found);
        }
    }
    let mut texts: Vec<(String, Vec<String>)> = Vec::new();
    for d in &docs {
        match ParsedDocument::parse(&d.path, &d.text, d.vocabulary.clone()) {
            Ok(parsed) => texts.push((d.path.clone(), action_texts(&parsed, &p.action_keywords))),
            Err(m) => e.observations.push(format!("Not read: {m}.")),
        }
    }
    let top_n = p.top_n.max(1) as usize;
    for r in reasons.iter_mut().take(top_n) {
        r.actioned_in = texts
            .iter()
            .filter(|(_, lines)| lines.iter().any(|l| names_reason(l, &r.code)))
            .map(|(path, _)| path.clone())
            .collect();
    }
    let top: Vec<&Reason> = reasons.iter().take(top_n).collect();
    let with_action = top.iter().filter(|r| !r.actioned_in.is_empty()).count();
    let share = (!top.is_empty()).then(|| with_action as f64 / top.len() as f64);
    let dissatisfied_without_codes = top.is_empty()
        && e.measurements
            .iter()
            .any(|m| m.name == "dissatisfied_responses" && m.value.is_some_and(|v| v > 0.0));
    let passed = !dissatisfied_without_codes && with_action == top.len();
    e.checks.push(Check::new(
        "top_reasons_actioned",
        &format!(
            "Top {top_n} dissatisfaction reasons named in an action (review minutes, business plan)"
        ),
        json!(format!("{with_action} of {}", top.len())),
        "every top reason",
        passed,
    ));
    e.measure("top_reasons_actioned_share", share);
    e.definitions.push(Definition::new(
        "reason with an action",
        &format!(
            "The reason code (or its words) appears in a row of a table with a column, or under a heading, containing one of: {}; in review_minutes or business_plan documents.",
            p.action_keywords.join(", ")
        ),
    ));
    if docs.is_empty() {
        e.observations
            .push("No review_minutes or business_plan document: no action can be found.".into());
    }
    e.drilldowns.push(
        Drilldown {
            id: "reasons".into(),
            title: "Dissatisfaction reasons".into(),
            columns: ["reason", "responses", "share", "top", "actioned_in"]
                .map(String::from)
                .to_vec(),
            rows: reasons
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    vec![
                        json!(r.code),
                        json!(r.count),
                        num(Some(r.share)),
                        json!(i < top_n),
                        json!(r.actioned_in.join(", ")),
                    ]
                })
                .collect(),
            units: Vec::new(),
        }
        .unit_of(&["share"], "ratio"),
    );
    let missing: Vec<&&Reason> = top.iter().filter(|r| r.actioned_in.is_empty()).collect();
    if !missing.is_empty() {
        let list: Vec<String> = missing
            .iter()
            .map(|r| format!("{} ({} responses, {})", r.code, r.count, pct(r.share)))
            .collect();
        e.actions.push(Action::new(
            format!(
                "Record an owned action in the monthly review for the top dissatisfaction reasons without one: {}.",
                list.join(", ")
            ),
            Effort::Low,
            OwnerRole::Process,
        ));
    }
    Ok(if top.is_empty() {
        "no coded dissatisfaction reason".into()
    } else {
        let names: Vec<String> = top
            .iter()
            .map(|r| format!("{} {}", r.code, pct(r.share)))
            .collect();
        format!(
            "top reasons {}; {with_action} of {} with an action",
            names.join(", "),
            top.len()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::common::fixtures::{invite, january, with_surveys};
    use cxaudit_plugin_sdk::testing::TestHost;

    const REVIEW: &str = "# Performance review 2026-01\n\n## Discussion\n\nTop reasons long_wait (2), agent_knowledge (1).\n\n## Actions\n\n| KPI | Action | Owner | Due |\n|---|---|---|---|\n| csat_top2 | Dissatisfaction reason long_wait: staff peaks to forecast | WFM | 2026-02-28 |\n";

    /// Six responses csat 1, 1, 2, 4, 5, 5 (three dissatisfied: long_wait, long_wait,
    /// agent_knowledge) and one invitation without a response.
    /// attr_wait = csat (Spearman 1), attr_courtesy reversed (Spearman -1).
    fn host() -> TestHost {
        let t = "2026-01-10T12:00:00";
        let surveys = [
            invite("s1", "c1", "voice", "A1", t)
                .answered(1)
                .reason("long_wait"),
            invite("s2", "c2", "voice", "A1", t)
                .answered(1)
                .reason("long_wait"),
            invite("s3", "c3", "voice", "A1", t)
                .answered(2)
                .reason("agent_knowledge"),
            invite("s4", "c4", "voice", "A1", t).answered(4),
            invite("s5", "c5", "voice", "A1", t).answered(5),
            invite("s6", "c6", "voice", "A1", t).answered(5),
            invite("s7", "c7", "voice", "A1", t),
        ];
        let wait = vec![Some(1), Some(1), Some(2), Some(4), Some(5), Some(5), None];
        let courtesy = vec![Some(5), Some(5), Some(4), Some(2), Some(1), Some(1), None];
        with_surveys(
            january(),
            &surveys,
            &[("attr_wait", wait), ("attr_courtesy", courtesy)],
        )
    }

    #[test]
    fn drivers_ranked_reasons_coded_one_top_reason_without_action() {
        // Drivers: attr_wait 1.0 then attr_courtesy -1.0 over 6 complete responses -> pass.
        // Coded 3 of 3 dissatisfied -> pass. Top reasons long_wait (2, 66.7%) and
        // agent_knowledge (1, 33.3%); only long_wait is in an Actions table row (the
        // discussion text does not count) -> fail. Score 2 of 3.
        let e = host()
            .document("review_minutes", "reviews/2026-01.md", REVIEW)
            .run(&Drivers, json!({"min_driver_responses": 3}));
        let drivers = &e.drilldown("drivers").unwrap().rows;
        assert_eq!(drivers[0][1], json!("attr_wait"));
        assert_eq!(drivers[0][2], json!(1.0));
        assert_eq!(drivers[1][2], json!(-1.0));
        let reasons = &e.drilldown("reasons").unwrap().rows;
        assert_eq!(reasons[0][0], json!("long_wait"));
        assert_eq!(reasons[0][1], json!(2));
        assert_eq!(reasons[0][4], json!("reviews/2026-01.md"));
        assert_eq!(reasons[1][4], json!(""));
        let passed: Vec<bool> = e.checks.iter().map(|c| c.passed).collect();
        assert_eq!(passed, [true, true, false]);
        assert!((e.score.unwrap() - 2.0 / 3.0).abs() < 1e-12);
        assert!(
            e.actions
                .iter()
                .any(|a| a.text.contains("agent_knowledge (1 responses, 33.3%)"))
        );
        assert_eq!(e.charts.len(), 2);
    }

    /// A complaint form is no survey response: two customer-initiated rows
    /// (csat 1, reason `billing_error`; csat 5 with attr_wait 1) change
    /// neither the ranking (attr_wait still 1.0 over the same 6 responses)
    /// nor the reasons (long_wait still first, no `billing_error`).
    #[test]
    fn customer_initiated_feedback_is_left_out_of_drivers_and_reasons() {
        let t = "2026-01-10T12:00:00";
        let mut surveys: Vec<_> = (1..=6)
            .map(|k| {
                let id: &'static str = Box::leak(format!("s{k}").into_boxed_str());
                invite(id, "c1", "voice", "A1", t).answered([1, 1, 2, 4, 5, 5][k - 1])
            })
            .collect();
        surveys[0] = surveys[0].reason("long_wait");
        surveys[1] = surveys[1].reason("long_wait");
        surveys[2] = surveys[2].reason("agent_knowledge");
        surveys.push(
            invite("f1", "c8", "voice", "A1", t)
                .answered(1)
                .reason("billing_error")
                .selected("customer_initiated"),
        );
        surveys.push(
            invite("f2", "c9", "voice", "A1", t)
                .answered(5)
                .selected("customer_initiated"),
        );
        let wait = vec![
            Some(1),
            Some(1),
            Some(2),
            Some(4),
            Some(5),
            Some(5),
            Some(5),
            Some(1),
        ];
        let e = with_surveys(january(), &surveys, &[("attr_wait", wait)])
            .run(&Drivers, json!({"min_driver_responses": 3}));
        let rows = |id: &str| e.drilldown(id).unwrap().rows.clone();
        assert_eq!(rows("drivers")[0][2], json!(1.0));
        assert_eq!(rows("drivers")[0][3], json!(6));
        let reasons = rows("reasons");
        assert_eq!(reasons[0][0], json!("long_wait"));
        assert!(reasons.iter().all(|r| r[0] != json!("billing_error")));
        assert!(
            e.observations
                .iter()
                .any(|o| o.starts_with("2 customer-initiated feedback row(s)"))
        );
    }

    #[test]
    fn too_few_responses_uncoded_reasons_and_no_documents() {
        // Default minimum 30 complete responses: ranking fails. Dissatisfied at csat <= 1:
        // 2 responses, both coded. No document: top reason long_wait has no action.
        let e = host().run(&Drivers, json!({"dissatisfied_max": 1}));
        let passed: Vec<bool> = e.checks.iter().map(|c| c.passed).collect();
        assert_eq!(passed, [false, true, false]);
        assert!(
            e.observations
                .iter()
                .any(|o| o.contains("No review_minutes"))
        );
        // With csat <= 4 as dissatisfied: 4 responses, 3 coded = 0.75 < 0.9.
        let e = host().run(
            &Drivers,
            json!({"dissatisfied_max": 4, "min_driver_responses": 3}),
        );
        let m = e.measurement("dissatisfied_coded_share").unwrap();
        assert_eq!(m.value, Some(0.75));
        assert!(!e.checks[1].passed);
    }
}
