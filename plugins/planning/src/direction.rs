//! LP1: the direction statement has its sections with real content, is
//! approved within the approval window, and was briefed to staff.

use chrono::{Months, NaiveDate};
use cxaudit_plugin_sdk::DocumentNeed;
use cxaudit_plugin_sdk::markdown::MarkdownDoc;
use cxaudit_plugin_sdk::prelude::*;
use serde::Deserialize;

use crate::common::{self, SectionState};

/// Evaluator `direction_statement`.
pub struct DirectionStatement;

/// Parameters of [`DirectionStatement`]: each doc comment is the manifest's
/// description.
#[derive(Debug, Deserialize, Params)]
pub struct DirectionParams {
    /// headings (canonical names of the evidence schema) that must be present, each with text or a table under it
    #[param(default = &SECTIONS)]
    pub required_sections: Vec<String>,
    /// approval no older than this many months at the as-of date
    #[param(default = 12, min = 1, max = 120)]
    pub approval_max_age_months: u32,
    /// heading (canonical name) under which staff briefings are recorded with their dates
    #[param(default = "staff_briefing")]
    pub briefing_section: String,
}

const DOC: &str = "direction";

/// The headings of a direction statement (canonical names).
const SECTIONS: [&str; 4] = ["mission", "customer_promise", "values", "staff_briefing"];

impl Evaluator for DirectionStatement {
    type Params = DirectionParams;

    fn name(&self) -> &'static str {
        "direction_statement"
    }

    fn manifest(&self) -> Manifest {
        Manifest::new(
            "The direction statement holds every required section with real content, names its \
             approver, was approved within the approval window, and records a staff briefing.",
        )
        .document_need(DocumentNeed::required(DOC).headings(&SECTIONS))
        .params::<DirectionParams>()
        .measurement(
            "sections_with_content",
            "sections",
            "required headings present with text or a table under them",
        )
        .measurement(
            "approval_age_days",
            "days",
            "as-of date minus front matter `approved_on`",
        )
        .measurement(
            "briefings_in_window",
            "briefings",
            "dates in the staff-briefing section inside the period or the approval window",
        )
    }

    fn evaluate(&self, ctx: &Context<'_>, p: &DirectionParams) -> Result<Evaluation, EvalError> {
        let doc = ctx.document(DOC)?.parse()?;
        let (start, end) = ctx.period_dates()?;
        let as_of = ctx.as_of_date()?;
        let window_start = as_of
            .checked_sub_months(Months::new(p.approval_max_age_months))
            .unwrap_or(NaiveDate::MIN);
        let approval = Approval::read(&doc.markdown, window_start, as_of);
        let briefing = Briefing::read(
            &doc,
            &p.briefing_section,
            (start, end),
            approval.date,
            as_of,
        );
        let sections = common::section_checks(&doc, &p.required_sections);

        let mut checks: Vec<Check> = sections.iter().map(|(_, _, c)| c.clone()).collect();
        checks.push(approval.approver_check());
        checks.push(approval.date_check(p.approval_max_age_months, window_start, as_of));
        checks.push(briefing.check());
        let mut e = Evaluation::from_checks(checks);

        let with_content = common::sections_with_content(&sections);
        e.summary = summary(
            &doc.path,
            with_content,
            sections.len(),
            &approval,
            &briefing,
            as_of,
        );
        e.measure("sections_with_content", Some(with_content as f64));
        e.measure(
            "approval_age_days",
            approval.date.map(|d| (as_of - d).num_days() as f64),
        );
        e.measure("briefings_in_window", Some(briefing.in_window.len() as f64));
        e.definitions = vec![
            Definition::new(
                "Section with content",
                "A heading (subsections folded in) with paragraph or list text, or a table with at least one row, under it. A heading alone fails.",
            ),
            Definition::new(
                "Approval window",
                &format!(
                    "`approved_on` between {window_start} and the as-of date {as_of} ({} months), with `approved_by` named.",
                    p.approval_max_age_months
                ),
            ),
            Definition::new(
                "Staff briefing",
                &format!(
                    "A YYYY-MM-DD date in the `{}` section (text or table) inside the period {start} to {end}, or between the approval date and the as-of date.",
                    briefing.heading
                ),
            ),
        ];
        e.drilldowns.push(sections_drilldown(&sections));
        if !briefing.all.is_empty() {
            e.drilldowns.push(briefing.drilldown());
        }
        e.actions = actions(&sections, &approval, &briefing, p);
        Ok(e)
    }
}

/// The approval recorded in the front matter.
struct Approval {
    date: Option<NaiveDate>,
    by: Option<String>,
    in_window: bool,
}

impl Approval {
    fn read(md: &MarkdownDoc, window_start: NaiveDate, as_of: NaiveDate) -> Self {
        let date = md.front_date("approved_on");
        Approval {
            date,
            by: md.front_str("approved_by").map(str::to_owned),
            in_window: date.is_some_and(|d| d >= window_start && d <= as_of),
        }
    }

    fn approver_check(&self) -> Check {
        Check::new(
            "approved_by",
            "Approver named (front matter `approved_by`)",
            self.by.clone().unwrap_or_else(|| "none".into()),
            "a named approver",
            common::is_named(self.by.as_deref()),
        )
    }

    fn date_check(&self, months: u32, window_start: NaiveDate, as_of: NaiveDate) -> Check {
        Check::new(
            "approval_in_window",
            &format!(
                "Approved within {months} months of the as-of date (front matter `approved_on`)"
            ),
            self.date
                .map_or_else(|| "no approval date".to_owned(), |d| d.to_string()),
            format!("{window_start} to {as_of}"),
            self.in_window,
        )
    }
}

/// Briefing dates found in the briefing section.
struct Briefing {
    /// The briefing heading as shown.
    heading: String,
    found_section: bool,
    all: Vec<NaiveDate>,
    in_window: Vec<NaiveDate>,
}

impl Briefing {
    fn read(
        doc: &ParsedDocument,
        heading: &str,
        period: (NaiveDate, NaiveDate),
        approved_on: Option<NaiveDate>,
        as_of: NaiveDate,
    ) -> Self {
        let label = doc.heading_names(heading).label().to_owned();
        let Some(section) = doc.section(heading) else {
            return Briefing {
                heading: label,
                found_section: false,
                all: Vec::new(),
                in_window: Vec::new(),
            };
        };
        let all = common::section_dates(&section);
        let in_window = all
            .iter()
            .copied()
            .filter(|d| {
                let in_period = *d >= period.0 && *d <= period.1;
                let after_approval = approved_on.is_some_and(|a| *d >= a && *d <= as_of);
                in_period || after_approval
            })
            .collect();
        Briefing {
            heading: label,
            found_section: true,
            all,
            in_window,
        }
    }

    fn check(&self) -> Check {
        let measured = if !self.found_section {
            format!("no `{}` section", self.heading)
        } else if self.all.is_empty() {
            "no dated briefing".to_owned()
        } else {
            format!(
                "{} of {} dated briefings in the window",
                self.in_window.len(),
                self.all.len()
            )
        };
        Check::new(
            "staff_briefing",
            "Staff briefing recorded with a date inside the period or the approval window",
            measured,
            ">= 1 dated briefing in the window",
            !self.in_window.is_empty(),
        )
    }

    fn drilldown(&self) -> Drilldown {
        Drilldown {
            id: "briefings".into(),
            title: "Briefing dates found".into(),
            columns: vec!["date".into(), "in window".into()],
            rows: self
                .all
                .iter()
                .map(|d| vec![d.to_string().into(), self.in_window.contains(d).into()])
                .collect(),
            units: Vec::new(),
        }
    }
}

fn sections_drilldown(sections: &[(String, SectionState, Check)]) -> Drilldown {
    Drilldown {
        id: "sections".into(),
        title: "Required sections".into(),
        columns: vec!["section".into(), "state".into(), "line".into()],
        rows: sections
            .iter()
            .map(|(h, s, _)| {
                let line = match s {
                    SectionState::Missing => serde_json::Value::Null,
                    SectionState::Empty(line) | SectionState::Present { line, .. } => {
                        (*line).into()
                    }
                };
                vec![h.clone().into(), s.describe().into(), line]
            })
            .collect(),
        units: Vec::new(),
    }
}

fn summary(
    path: &str,
    with_content: usize,
    required: usize,
    approval: &Approval,
    briefing: &Briefing,
    as_of: NaiveDate,
) -> String {
    let approval_text = match approval.date {
        Some(d) => format!(
            "approved on {d} ({} days before {as_of}){}",
            (as_of - d).num_days(),
            if approval.in_window {
                ""
            } else {
                ", outside the window"
            }
        ),
        None => "no approval date".to_owned(),
    };
    format!(
        "{path}: {with_content} of {required} required sections with content; {approval_text}; {} dated staff briefing(s) in the window.",
        briefing.in_window.len()
    )
}

fn actions(
    sections: &[(String, SectionState, Check)],
    approval: &Approval,
    briefing: &Briefing,
    p: &DirectionParams,
) -> Vec<Action> {
    let mut out = Vec::new();
    let gaps = common::section_gaps(sections);
    if !gaps.is_empty() {
        out.push(Action::new(
            format!(
                "Write the direction statement sections {}.",
                gaps.join(", ")
            ),
            Effort::Low,
            OwnerRole::Process,
        ));
    }
    if !approval.in_window || !common::is_named(approval.by.as_deref()) {
        let last = approval.date.map_or_else(
            || "never recorded".to_owned(),
            |d| format!("last approved {d}"),
        );
        out.push(Action::new(format!(
                "Have leadership review and re-approve the direction statement ({last}; limit {} months), recording `approved_on` and `approved_by`.",
                p.approval_max_age_months
            ), Effort::Low, OwnerRole::Process));
    }
    if briefing.in_window.is_empty() {
        out.push(Action::new(format!(
                "Brief all staff on the direction statement and record each briefing with its date and attendance under `{}`.",
                briefing.heading
            ), Effort::Low, OwnerRole::People));
    }
    out
}
