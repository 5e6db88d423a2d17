//! The views the report templates receive: preformatted strings built from
//! the assessment alone, one module per part of the page.

use cxaudit_model::plan::Plan;
use cxaudit_model::{Assessment, OverrideKind, Status};
use serde::Serialize;

use crate::text::{self, pct, pct_opt, points};
use crate::{DRILLDOWN_ROWS, svg};

mod evidence;
mod findings;
mod overview;
mod plan;

pub use evidence::*;
pub use findings::*;
pub use overview::*;
pub use plan::*;

/// CSS class of a status.
pub fn status_class(status: Status) -> &'static str {
    match status {
        Status::Met => "met",
        Status::PartiallyMet => "partial",
        Status::NotMet => "notmet",
        Status::NotApplicable => "na",
        Status::InsufficientEvidence | Status::Error | Status::Manual => "flag",
    }
}

/// A status in words.
pub fn status_label(status: Status) -> String {
    text::status_label(status.as_str())
}

pub(crate) fn short_hash(h: &str) -> String {
    h.chars().take(12).collect()
}

pub(crate) fn anchor(criterion: &str) -> String {
    let safe: String = criterion
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    format!("finding-{safe}")
}

/// A name and a value.
#[derive(Debug, Clone, Serialize)]
pub struct NameValue {
    /// Name.
    pub name: String,
    /// Value.
    pub value: String,
}

/// Everything the report templates receive.
#[derive(Debug, Clone, Serialize)]
pub struct ReportView {
    /// `cxaudit VERSION`.
    pub generated_by: String,
    /// Document title.
    pub title: String,
    /// Centre name.
    pub centre_name: String,
    /// Site.
    pub centre_site: String,
    /// Period start.
    pub period_start: String,
    /// Period end.
    pub period_end: String,
    /// As of.
    pub as_of: String,
    /// Record format.
    pub schema_version: String,
    /// The run digest every file of the set carries.
    pub run_digest: String,
    /// Pack.
    pub pack: PackView,
    /// Decision.
    pub decision: DecisionView,
    /// Overall.
    pub overall: OverallView,
    /// Counts by status.
    pub counts: Vec<CountView>,
    /// Number of criteria.
    pub criteria_count: usize,
    /// Flagged findings.
    pub flagged_count: usize,
    /// Rules, failed first.
    pub rules: Vec<RuleView>,
    /// Section chart.
    pub section_chart_svg: String,
    /// Sections.
    pub sections: Vec<SectionView>,
    /// Findings.
    pub findings: Vec<FindingView>,
    /// Plan.
    pub plan: PlanView,
    /// Attestations and waivers read.
    pub overrides: Vec<OverrideView>,
    /// Whether any were read.
    pub has_overrides: bool,
    /// Row accounting of the tables read.
    pub data_quality: Vec<DataQualityView>,
    /// Whether any table was read.
    pub has_data_quality: bool,
    /// Evidence.
    pub evidence: Vec<InventoryView>,
    /// Plugins.
    pub plugins: Vec<PluginView>,
    /// Whether any plugin was used.
    pub has_plugins: bool,
    /// Method.
    pub method: MethodView,
    /// Warnings.
    pub warnings: Vec<String>,
    /// Whether there are warnings.
    pub has_warnings: bool,
    /// Drill-down cap.
    pub drilldown_rows: usize,
}

impl ReportView {
    /// The view of an assessment and its plan.
    pub fn new(a: &Assessment, p: &Plan) -> Self {
        let rules_pct = &a.scoring_method.rules;
        let certified = a.decision.certified;
        let label = |c: bool| if c { "Certified" } else { "Not certified" }.to_owned();
        let failed = a.scores.rules.iter().filter(|r| !r.passed).count();
        let total_rules = a.scores.rules.len();
        let partial = a.partial();
        let label = |c: bool| match partial {
            Some(_) => "Partial run: not a certification decision".to_owned(),
            None => label(c),
        };
        let statement = if let Some(p) = partial {
            format!(
                "Partial run: {} of {} criteria were assessed ({}); the other {} ({}) were not run, \
                 are not scored and are not counted. This is not a certification decision: assess \
                 every criterion of the pack to decide certification.",
                p.criteria.len(),
                p.criteria.len() + p.omitted.len(),
                p.criteria.join(", "),
                p.omitted.len(),
                p.omitted.join(", ")
            )
        } else if certified {
            format!("Certified: all {total_rules} certification rules hold.")
        } else {
            format!(
                "Not certified: {failed} of {total_rules} certification rule{} failed.",
                if total_rules == 1 { "" } else { "s" }
            )
        };
        let mut rules: Vec<RuleView> = a
            .scores
            .rules
            .iter()
            .map(|r| RuleView {
                rule: r.rule.clone(),
                passed: r.passed,
                detail: r.detail.clone(),
                passed_without: a
                    .scores_without_attestations
                    .rules
                    .iter()
                    .find(|w| w.rule == r.rule)
                    .is_none_or(|w| w.passed),
            })
            .collect();
        rules.sort_by_key(|r| r.passed);
        let without = &a.scores_without_attestations;
        let overall = &a.scores.overall;
        let statuses = [
            Status::Met,
            Status::PartiallyMet,
            Status::NotMet,
            Status::NotApplicable,
            Status::InsufficientEvidence,
            Status::Error,
            Status::Manual,
        ];
        let counts = statuses
            .iter()
            .map(|s| CountView {
                label: status_label(*s),
                class: status_class(*s),
                count: a.findings.iter().filter(|f| f.outcome.status == *s).count(),
            })
            .filter(|c| c.count > 0)
            .collect();
        let sections: Vec<SectionView> = a
            .scores
            .sections
            .iter()
            .map(|s| SectionView {
                id: s.id.clone(),
                title: s.title.clone(),
                score: pct_opt(s.totals.score),
                earned: points(s.totals.earned),
                available: points(s.totals.available),
                minimum: pct(s.minimum),
                passed: s.passed,
                without_score: without
                    .sections
                    .iter()
                    .find(|w| w.id == s.id)
                    .map_or_else(|| "n/a".to_owned(), |w| pct_opt(w.totals.score)),
                criteria: a.findings.iter().filter(|f| f.section == s.id).count(),
            })
            .collect();
        let bars: Vec<svg::SectionBar> = a
            .scores
            .sections
            .iter()
            .map(|s| svg::SectionBar {
                label: format!("{} {}", s.id, s.title),
                score: s.totals.score,
                minimum: s.minimum,
                passed: s.passed,
            })
            .collect();
        let overall_bar = svg::SectionBar {
            label: "Overall".into(),
            score: overall.score,
            minimum: rules_pct.certify_overall_min,
            passed: overall
                .score
                .is_some_and(|v| v + 1e-9 >= rules_pct.certify_overall_min),
        };
        let section_chart_svg = svg::sections(
            &bars,
            &overall_bar,
            "Scores by section against their minimums",
        );
        let overrides = a
            .attestations
            .iter()
            .map(|o| OverrideView {
                kind: match o.kind {
                    OverrideKind::Attestation => "Attestation".into(),
                    OverrideKind::Waiver => "Waiver".into(),
                },
                criterion: o.criterion.clone(),
                status: status_label(o.status),
                score: o.score.map_or_else(String::new, pct),
                justification: o.justification.clone(),
                approver: o.approver.clone(),
                date: o.date.to_string(),
                expires: o
                    .expires
                    .map_or_else(|| "no expiry".to_owned(), |d| d.to_string()),
                applied: o.applied,
                state: if o.applied {
                    "in force".to_owned()
                } else {
                    format!(
                        "not applied: {}",
                        o.ignored_because
                            .clone()
                            .unwrap_or_else(|| "not in force".into())
                    )
                },
            })
            .collect::<Vec<_>>();
        ReportView {
            generated_by: format!("{} {}", a.engine.name, a.engine.version),
            title: format!("Certification assessment: {}", a.centre.name),
            centre_name: a.centre.name.clone(),
            centre_site: a.centre.site.clone(),
            period_start: a.period.start.clone(),
            period_end: a.period.end.clone(),
            as_of: a.as_of.clone(),
            schema_version: a.schema_version.clone(),
            run_digest: a.run.digest.clone(),
            pack: PackView::new(a),
            decision: DecisionView {
                certified,
                label: label(certified),
                class: if certified { "pass" } else { "fail" },
                without_label: label(a.decision.certified_without_attestations),
                differs: a.decision.certified != a.decision.certified_without_attestations,
                statement,
                partial: partial.is_some(),
            },
            overall: OverallView {
                score: pct_opt(overall.score),
                earned: points(overall.earned),
                available: points(overall.available),
                points: points(overall.points),
                threshold: pct(rules_pct.certify_overall_min),
                without_score: pct_opt(without.overall.score),
                without_earned: points(without.overall.earned),
                without_available: points(without.overall.available),
                differs: without.overall != *overall,
            },
            counts,
            criteria_count: a.findings.len(),
            flagged_count: a.findings.iter().filter(|f| f.flagged).count(),
            rules,
            section_chart_svg,
            sections,
            findings: a.findings.iter().map(|f| finding_view(a, f)).collect(),
            plan: plan_view(a, p),
            has_overrides: !overrides.is_empty(),
            overrides,
            has_data_quality: a.evidence.iter().any(|e| e.records.is_some()),
            data_quality: data_quality(a),
            evidence: a
                .evidence
                .iter()
                .map(|e| InventoryView {
                    kind: e.kind.clone(),
                    name: e.name.clone(),
                    path: e.path.clone(),
                    sha256: e.sha256.clone().unwrap_or_else(|| "unreadable".into()),
                    rows: match (e.rows, e.skipped_rows) {
                        (Some(r), Some(s)) if s > 0 => format!("{r} ({s} skipped)"),
                        (Some(r), _) => r.to_string(),
                        (None, _) => "–".into(),
                    },
                    status: e.status.replace('_', " "),
                    messages: e.messages.clone(),
                })
                .collect(),
            has_plugins: !a.plugins.is_empty(),
            plugins: a
                .plugins
                .iter()
                .map(|p| PluginView {
                    name: p.name.clone(),
                    version: p.version.clone(),
                    abi_version: p.abi_version.clone(),
                    sdk_version: p.sdk_version.clone(),
                    file: p.file.clone(),
                    sha256: p.sha256.clone(),
                })
                .collect(),
            method: MethodView {
                description: a.scoring_method.description.clone(),
                formula: a.scoring_method.formula.clone(),
                formula_lines: a
                    .scoring_method
                    .formula
                    .split("; ")
                    .map(|l| l.trim().to_owned())
                    .filter(|l| !l.is_empty())
                    .collect(),
                met_from: pct(rules_pct.met_from),
                partially_met_from: pct(rules_pct.partially_met_from),
                overall_min: pct(rules_pct.certify_overall_min),
                section_min: pct(rules_pct.certify_section_min),
                mandatory_rule: if rules_pct.certify_mandatory_met {
                    "every mandatory criterion met (or not applicable)".into()
                } else {
                    "mandatory criteria are not a separate rule in this pack".into()
                },
                plan_rules: plan_rules(),
            },
            has_warnings: !a.warnings.is_empty(),
            warnings: a.warnings.clone(),
            drilldown_rows: DRILLDOWN_ROWS,
        }
    }
}
