//! LP2: the business plan covers the period, has its sections with content,
//! initiatives each with an owner and a due date, and objectives linked to
//! KPIs that have targets.

use chrono::NaiveDate;
use cxaudit_plugin_sdk::DocumentNeed;
use cxaudit_plugin_sdk::markdown::{self, MarkdownDoc, MdTable};
use cxaudit_plugin_sdk::prelude::*;
use serde::Deserialize;

use crate::common::{self, SectionState};

/// Evaluator `business_plan`.
pub struct BusinessPlan;

/// Parameters of [`BusinessPlan`]: each doc comment is the manifest's
/// description.
#[derive(Debug, Deserialize, Params)]
pub struct PlanParams {
    /// headings (canonical names of the evidence schema) that must be present, each with text or a table under it
    #[param(default = &SECTIONS)]
    pub required_sections: Vec<String>,
    /// heading (canonical name) of the initiatives table (columns owner and due)
    #[param(default = "initiatives")]
    pub initiatives_section: String,
    /// heading (canonical name) whose items (lines, list items, table rows) are the objectives
    #[param(default = "objectives")]
    pub objectives_section: String,
    /// smallest share of objectives naming a KPI that has a target in kpi_targets
    #[param(default = 0.5, min = 0, max = 1)]
    pub min_objectives_linked_share: f64,
}

const DOC: &str = "business_plan";

/// The initiatives table's columns (canonical names).
const OWNER: &str = "owner";
const DUE: &str = "due";

/// The headings that must have content (canonical names).
const SECTIONS: [&str; 5] = [
    "objectives",
    "demand_forecast",
    "capacity_plan",
    "budget",
    "risks",
];

impl Evaluator for BusinessPlan {
    type Params = PlanParams;

    fn name(&self) -> &'static str {
        "business_plan"
    }

    fn manifest(&self) -> Manifest {
        Manifest::new(
            "The business plan covers the assessment period; has objectives, demand forecast, \
             capacity plan, budget and risks with real content; lists initiatives each with an \
             owner and a due date; and links its objectives to KPIs that have targets.",
        )
        .document_need(
            DocumentNeed::required(DOC)
                .headings(&SECTIONS)
                .headings(&["initiatives"])
                .columns(&[OWNER, DUE]),
        )
        .table(TableNeed::optional("kpi_targets").column("kpi", ColumnType::String))
        .params::<PlanParams>()
        .measurement(
            "sections_with_content",
            "sections",
            "required headings present with content",
        )
        .measurement(
            "initiatives_complete_share",
            "ratio",
            "initiatives with an owner and a due date / initiatives",
        )
        .measurement(
            "objectives_linked_share",
            "ratio",
            "objectives naming a KPI with a target / objectives",
        )
    }

    fn evaluate(&self, ctx: &Context<'_>, p: &PlanParams) -> Result<Evaluation, EvalError> {
        let doc = ctx.document(DOC)?.parse()?;
        let period = ctx.period_dates()?;
        let targets = target_kpis(ctx)?;

        let coverage = Coverage::read(&doc.markdown);
        let sections = common::section_checks(&doc, &p.required_sections);
        let initiatives = Initiatives::read(&doc, &p.initiatives_section);
        let objectives = Objectives::read(&doc, &p.objectives_section, targets.as_deref());

        let mut checks = vec![coverage.check(period)];
        checks.extend(sections.iter().map(|(_, _, c)| c.clone()));
        checks.push(initiatives.check());
        checks.push(objectives.check(p.min_objectives_linked_share, targets.is_some()));
        let mut e = Evaluation::from_checks(checks);

        let with_content = common::sections_with_content(&sections);
        e.summary = format!(
            "{}: {}; {with_content} of {} sections with content; {} of {} initiatives with owner and due date; {} of {} objectives linked to a KPI target.",
            doc.path,
            coverage.describe(),
            sections.len(),
            initiatives.complete(),
            initiatives.rows.len(),
            objectives.linked(),
            objectives.items.len()
        );
        e.measure("sections_with_content", Some(with_content as f64));
        e.measure("initiatives_complete_share", initiatives.complete_share());
        e.measure("objectives_linked_share", objectives.linked_share());
        e.definitions = definitions(&initiatives.heading, &objectives.heading);
        if targets.is_none() {
            e.observations.push(
                "No kpi_targets table in the evidence: no objective can be linked to a KPI target."
                    .into(),
            );
        }
        e.drilldowns.push(initiatives.drilldown());
        e.drilldowns.push(objectives.drilldown());
        e.actions = actions(&coverage, &sections, &initiatives, &objectives, p, period);
        Ok(e)
    }
}

/// KPI names of the targets table, when the evidence has it.
fn target_kpis(ctx: &Context<'_>) -> Result<Option<Vec<String>>, EvalError> {
    let Some(table) = ctx.optional_table("kpi_targets") else {
        return Ok(None);
    };
    let mut kpis: Vec<String> = table
        .strs("kpi")?
        .flatten()
        .map(|k| k.trim().to_owned())
        .filter(|k| !k.is_empty())
        .collect();
    kpis.sort();
    kpis.dedup();
    Ok(Some(kpis))
}

/// What the plan's checks mean; `initiatives` and `objectives` are the
/// headings as shown.
fn definitions(initiatives: &str, objectives: &str) -> Vec<Definition> {
    vec![
        Definition::new(
            "Period coverage",
            "Front matter `period_start` <= period start and `period_end` >= period end; without them, the earliest and latest YYYY-MM-DD dates in the plan's text must span the period.",
        ),
        Definition::new(
            "Complete initiative",
            &format!(
                "A row of the `{initiatives}` table with a named Owner (not empty, TBD or -) and a Due cell holding a YYYY-MM-DD date.",
            ),
        ),
        Definition::new(
            "Linked objective",
            &format!(
                "An item (line, list item or table row) of `{objectives}` naming a KPI that has a row in kpi_targets, by key, key with spaces or a common name (e.g. `CSAT` for csat_top2).",
            ),
        ),
    ]
}

/// Whether the plan covers the period, and from what.
struct Coverage {
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    source: &'static str,
}

impl Coverage {
    fn read(md: &MarkdownDoc) -> Self {
        let (fs, fe) = (md.front_date("period_start"), md.front_date("period_end"));
        if fs.is_some() || fe.is_some() {
            return Coverage {
                from: fs,
                to: fe,
                source: "front matter",
            };
        }
        let mut dates = markdown::find_dates(&md.preamble);
        for s in &md.sections {
            dates.extend(markdown::find_dates(&s.heading));
            dates.extend(markdown::find_dates(&s.text));
        }
        Coverage {
            from: dates.iter().min().copied(),
            to: dates.iter().max().copied(),
            source: "dates in the text",
        }
    }

    fn covers(&self, period: (NaiveDate, NaiveDate)) -> bool {
        matches!((self.from, self.to), (Some(f), Some(t)) if f <= period.0 && t >= period.1)
    }

    fn describe(&self) -> String {
        match (self.from, self.to) {
            (Some(f), Some(t)) => format!("plan spans {f} to {t} ({})", self.source),
            _ => "plan period not stated".to_owned(),
        }
    }

    fn check(&self, period: (NaiveDate, NaiveDate)) -> Check {
        Check::new(
            "covers_period",
            "Plan covers the assessment period",
            self.describe(),
            format!("spans {} to {}", period.0, period.1),
            self.covers(period),
        )
    }
}

/// One initiative row.
struct Initiative {
    name: String,
    owner: Option<String>,
    due: Option<NaiveDate>,
}

/// The initiatives table.
struct Initiatives {
    /// The initiatives heading as shown.
    heading: String,
    found_table: bool,
    rows: Vec<Initiative>,
}

impl Initiatives {
    fn read(doc: &ParsedDocument, heading: &str) -> Self {
        let label = doc.heading_names(heading).label().to_owned();
        let section = doc.section(heading);
        let table = section.as_ref().and_then(|s| {
            s.tables
                .iter()
                .find(|t| doc.column(t, OWNER).is_some())
                .or_else(|| s.tables.first())
        });
        let Some(table) = table else {
            return Initiatives {
                heading: label,
                found_table: false,
                rows: Vec::new(),
            };
        };
        Initiatives {
            heading: label,
            found_table: true,
            rows: table
                .rows
                .iter()
                .map(|r| read_initiative(doc, table, r))
                .collect(),
        }
    }

    fn complete(&self) -> usize {
        self.rows
            .iter()
            .filter(|r| r.owner.is_some() && r.due.is_some())
            .count()
    }

    fn complete_share(&self) -> Option<f64> {
        (!self.rows.is_empty()).then(|| self.complete() as f64 / self.rows.len() as f64)
    }

    fn incomplete_names(&self) -> Vec<String> {
        self.rows
            .iter()
            .filter(|r| r.owner.is_none() || r.due.is_none())
            .map(|r| {
                let missing: Vec<&str> = [
                    r.owner.is_none().then_some("owner"),
                    r.due.is_none().then_some("due date"),
                ]
                .into_iter()
                .flatten()
                .collect();
                format!("{} (no {})", r.name, missing.join(", no "))
            })
            .collect()
    }

    fn check(&self) -> Check {
        let (measured, passed) = if !self.found_table {
            (format!("no `{}` table", self.heading), false)
        } else if self.rows.is_empty() {
            ("table has no rows".to_owned(), false)
        } else {
            let gaps = self.incomplete_names();
            let text = if gaps.is_empty() {
                format!("{} of {} complete", self.rows.len(), self.rows.len())
            } else {
                format!(
                    "{} of {} complete; missing: {}",
                    self.complete(),
                    self.rows.len(),
                    gaps.join("; ")
                )
            };
            (text, gaps.is_empty())
        };
        Check::new(
            "initiatives_owner_due",
            "Every initiative has an owner and a due date",
            measured,
            "every row with Owner and Due",
            passed,
        )
    }

    fn drilldown(&self) -> Drilldown {
        Drilldown {
            id: "initiatives".into(),
            title: "Initiatives".into(),
            columns: vec![
                "initiative".into(),
                "owner".into(),
                "due".into(),
                "complete".into(),
            ],
            rows: self
                .rows
                .iter()
                .map(|r| {
                    vec![
                        r.name.clone().into(),
                        r.owner.clone().into(),
                        r.due.map(|d| d.to_string()).into(),
                        (r.owner.is_some() && r.due.is_some()).into(),
                    ]
                })
                .collect(),
            units: Vec::new(),
        }
    }
}

fn read_initiative(doc: &ParsedDocument, table: &MdTable, row: &[String]) -> Initiative {
    let name = row
        .first()
        .map(|c| c.trim().to_owned())
        .filter(|c| !c.is_empty())
        .unwrap_or_else(|| "(unnamed)".to_owned());
    let owner = doc
        .cell(table, row, OWNER)
        .filter(|c| common::is_named(Some(c)))
        .map(str::to_owned);
    let due = doc
        .cell(table, row, DUE)
        .and_then(|c| markdown::find_dates(c).into_iter().next());
    Initiative { name, owner, due }
}

/// The objectives and the KPIs each names.
struct Objectives {
    /// The objectives heading as shown.
    heading: String,
    found_section: bool,
    items: Vec<(String, Vec<String>)>,
}

impl Objectives {
    fn read(doc: &ParsedDocument, heading: &str, targets: Option<&[String]>) -> Self {
        let label = doc.heading_names(heading).label().to_owned();
        let Some(section) = doc.section(heading) else {
            return Objectives {
                heading: label,
                found_section: false,
                items: Vec::new(),
            };
        };
        let mut texts: Vec<String> = section
            .text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect();
        for t in &section.tables {
            texts.extend(t.rows.iter().map(|r| r.join(" ")));
        }
        let items = texts
            .into_iter()
            .map(|text| {
                let kpis = targets
                    .unwrap_or(&[])
                    .iter()
                    .filter(|k| common::mentions_kpi(&text, k))
                    .cloned()
                    .collect();
                (text, kpis)
            })
            .collect();
        Objectives {
            heading: label,
            found_section: true,
            items,
        }
    }

    fn linked(&self) -> usize {
        self.items.iter().filter(|(_, k)| !k.is_empty()).count()
    }

    fn linked_share(&self) -> Option<f64> {
        (!self.items.is_empty()).then(|| self.linked() as f64 / self.items.len() as f64)
    }

    fn check(&self, min_share: f64, have_targets: bool) -> Check {
        let share = self.linked_share();
        let measured = match (self.found_section, have_targets, share) {
            (false, _, _) => "no objectives section".to_owned(),
            (_, false, _) => "no kpi_targets table".to_owned(),
            (_, _, None) => "no objectives listed".to_owned(),
            (_, _, Some(s)) => format!(
                "{} of {} ({})",
                self.linked(),
                self.items.len(),
                common::pct(s)
            ),
        };
        Check::new(
            "objectives_linked_to_targets",
            "Objectives name KPIs that have targets",
            measured,
            format!(">= {}", common::pct(min_share)),
            have_targets && share.is_some_and(|s| s >= min_share),
        )
    }

    fn drilldown(&self) -> Drilldown {
        Drilldown {
            id: "objectives".into(),
            title: "Objectives and the KPI targets they name".into(),
            columns: vec!["objective".into(), "kpis with targets".into()],
            rows: self
                .items
                .iter()
                .map(|(t, k)| vec![t.clone().into(), k.join(", ").into()])
                .collect(),
            units: Vec::new(),
        }
    }
}

fn actions(
    coverage: &Coverage,
    sections: &[(String, SectionState, Check)],
    initiatives: &Initiatives,
    objectives: &Objectives,
    p: &PlanParams,
    period: (NaiveDate, NaiveDate),
) -> Vec<Action> {
    let mut out = Vec::new();
    if !coverage.covers(period) {
        out.push(Action::new(format!(
                "State the plan's period in its front matter (`period_start = {}`, `period_end = {}`) and plan for the whole of it.",
                period.0, period.1
            ), Effort::Low, OwnerRole::Process));
    }
    let gaps = common::section_gaps(sections);
    if !gaps.is_empty() {
        out.push(Action::new(
            format!("Write the business plan sections {}.", gaps.join(", ")),
            Effort::Medium,
            OwnerRole::Process,
        ));
    }
    let incomplete = initiatives.incomplete_names();
    if !initiatives.found_table || initiatives.rows.is_empty() {
        out.push(Action::new(
            format!(
                "List the plan's initiatives in a `{}` table with columns Initiative, Owner, Due.",
                initiatives.heading
            ),
            Effort::Low,
            OwnerRole::Process,
        ));
    } else if !incomplete.is_empty() {
        out.push(Action::new(
            format!(
                "Give an owner and a due date to {} initiative(s): {}.",
                incomplete.len(),
                incomplete.join("; ")
            ),
            Effort::Low,
            OwnerRole::Process,
        ));
    }
    let unlinked: Vec<&str> = objectives
        .items
        .iter()
        .filter(|(_, k)| k.is_empty())
        .map(|(t, _)| t.as_str())
        .collect();
    if objectives
        .linked_share()
        .is_none_or(|s| s < p.min_objectives_linked_share)
    {
        let detail = if unlinked.is_empty() {
            String::new()
        } else {
            format!(" (not linked: {})", unlinked.join("; "))
        };
        out.push(Action::new(
            format!("Tie each objective to a KPI with a numeric target in kpi_targets{detail}."),
            Effort::Low,
            OwnerRole::Process,
        ));
    }
    out
}
