//! A consultant's plugin, written from `cxaudit plugin new`: repeat contacts
//! within a window, by reason, and QA-evaluation coverage per agent and
//! month from the `qa_evaluations` table its tailored pack adds (`pack/`).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use cxaudit_plugin_sdk::prelude::*;
use cxaudit_plugin_sdk::serde;
use cxaudit_plugin_sdk::serde_json::Value;
use cxaudit_plugin_sdk::time::{local_date, month_label};

/// Repeat rate of contacts with a customer id, by contact reason.
pub struct RepeatContacts;

/// Parameters of [`RepeatContacts`].
#[derive(Params, serde::Deserialize)]
#[serde(crate = "cxaudit_plugin_sdk::serde")]
pub struct RepeatParams {
    /// days after a contact in which the customer's next contact is a repeat
    #[param(default = 7, min = 1)]
    pub window_days: i64,
    /// highest acceptable share of contacts repeated within the window
    #[param(default = 0.2, min = 0, max = 1)]
    pub max_repeat_rate: f64,
}

/// Contacts and repeated contacts of one reason, or of all.
#[derive(Default, Clone, Copy)]
struct Repeats {
    contacts: u64,
    repeated: u64,
}

impl Evaluator for RepeatContacts {
    type Params = RepeatParams;

    fn name(&self) -> &'static str {
        "repeat_contacts"
    }

    fn manifest(&self) -> Manifest {
        Manifest::new("Share of contacts followed by the same customer's next contact within a window, by reason.")
            .table(
                TableNeed::required("contacts")
                    .column("customer_id", ColumnType::String)
                    .column("arrived_at", ColumnType::Timestamp)
                    .column("contact_reason", ColumnType::String),
            )
            .params::<RepeatParams>()
            .measurement("repeat_rate", "ratio", "contacts whose customer contacts again within the window / contacts with a customer id")
            .measurement("contacts_without_customer", "contacts", "contacts with no customer id: not linkable, left out")
    }

    fn evaluate(&self, ctx: &Context<'_>, p: &RepeatParams) -> Result<Evaluation, EvalError> {
        let contacts = ctx.table("contacts")?;
        let rows = contacts
            .strs("customer_id")?
            .zip(contacts.timestamps("arrived_at")?);
        let reasons = contacts.strs("contact_reason")?;
        let mut by_customer: HashMap<&str, Vec<(i64, &str)>> = HashMap::new();
        let mut unlinked = 0u64;
        for ((customer, arrived), reason) in rows.zip(reasons) {
            match (customer, arrived) {
                (Some(c), Some(t)) => by_customer
                    .entry(c)
                    .or_default()
                    .push((t, reason.unwrap_or("(none)"))),
                _ => unlinked += 1,
            }
        }
        let window = p.window_days * 86_400;
        let mut by_reason: BTreeMap<&str, Repeats> = BTreeMap::new();
        for contacts in by_customer.values_mut() {
            contacts.sort_unstable();
            for (i, &(t, reason)) in contacts.iter().enumerate() {
                let r = by_reason.entry(reason).or_default();
                r.contacts += 1;
                r.repeated += u64::from(
                    contacts
                        .get(i + 1)
                        .is_some_and(|&(next, _)| next - t <= window),
                );
            }
        }
        let all = by_reason.values().fold(Repeats::default(), |a, r| Repeats {
            contacts: a.contacts + r.contacts,
            repeated: a.repeated + r.repeated,
        });
        if all.contacts == 0 {
            return Err(EvalError::MissingEvidence(
                "no contact has a customer id and an arrival time".into(),
            ));
        }
        let rate = all.repeated as f64 / all.contacts as f64;
        let passed = rate <= p.max_repeat_rate;
        let check = Check::new(
            "repeat_rate",
            "Repeat rate within the window",
            rate,
            format!("<= {}", p.max_repeat_rate),
            passed,
        );
        let mut e = Evaluation::from_checks(vec![check]);
        // Full credit at the bar, none at twice it.
        e.score = Some(graded(
            rate,
            2.0 * p.max_repeat_rate,
            p.max_repeat_rate,
            false,
        ));
        e.summary = format!(
            "{} of {} contacts were followed by the customer's next contact within {} days ({:.1}%, at most {:.1}%).",
            all.repeated,
            all.contacts,
            p.window_days,
            rate * 100.0,
            p.max_repeat_rate * 100.0
        );
        e.measure("repeat_rate", Some(rate))
            .measure("contacts_without_customer", Some(unlinked as f64));
        e.drilldowns.push(
            Drilldown::new(
                "by_reason",
                "Repeat contacts by reason of the first contact",
            )
            .column("reason", "")
            .column("contacts", "contacts")
            .column("repeated", "contacts")
            .column("repeat rate", "ratio")
            .rows(by_reason.iter().map(|(reason, r)| {
                vec![
                    Value::from(*reason),
                    Value::from(r.contacts),
                    Value::from(r.repeated),
                    Value::from(r.repeated as f64 / r.contacts as f64),
                ]
            })),
        );
        if unlinked > 0 {
            e.observations.push(format!(
                "{unlinked} contacts have no customer id and cannot be linked to a repeat."
            ));
        }
        if let Some((reason, r)) = by_reason
            .iter()
            .max_by_key(|(_, r)| r.repeated)
            .filter(|_| !passed)
        {
            e.actions.push(Action::new(
                format!("Find the root cause of repeats on `{reason}`: {} of its {} contacts came back within {} days.", r.repeated, r.contacts, p.window_days),
                Effort::Medium,
                OwnerRole::Process,
            ));
        }
        Ok(e)
    }
}

/// Share of agent-months with live contacts that had enough QA evaluations.
pub struct QaCoverage;

/// Parameters of [`QaCoverage`].
#[derive(Params, serde::Deserialize)]
#[serde(crate = "cxaudit_plugin_sdk::serde")]
pub struct QaParams {
    /// QA evaluations each agent needs in each month with live contacts
    #[param(default = 4, min = 1)]
    pub min_per_agent_month: u64,
    /// share of agent-months that must have them
    #[param(default = 0.95, min = 0, max = 1)]
    pub target_share: f64,
}

impl Evaluator for QaCoverage {
    type Params = QaParams;

    fn name(&self) -> &'static str {
        "qa_coverage"
    }

    fn manifest(&self) -> Manifest {
        Manifest::new("QA evaluations per agent and month against a minimum, over the agent-months with live contacts.")
            .table(TableNeed::required("contacts").column("agent_id", ColumnType::String).column("arrived_at", ColumnType::Timestamp))
            .table(TableNeed::required("qa_evaluations").column("agent_id", ColumnType::String).column("evaluated_at", ColumnType::Timestamp))
            .params::<QaParams>()
            .measurement("qa_coverage", "ratio", "agent-months with at least the minimum of QA evaluations / agent-months with live contacts")
    }

    fn evaluate(&self, ctx: &Context<'_>, p: &QaParams) -> Result<Evaluation, EvalError> {
        let tz = ctx.time_zone()?;
        let agent_months = |table: &Table, at: &str| -> Result<Vec<(String, String)>, EvalError> {
            let rows = table.strs("agent_id")?.zip(table.timestamps(at)?);
            Ok(rows
                .filter_map(|(agent, ts)| {
                    Some((agent?.to_owned(), month_label(local_date(ts?, tz)?)))
                })
                .collect())
        };
        let active: BTreeSet<(String, String)> =
            agent_months(&ctx.table("contacts")?, "arrived_at")?
                .into_iter()
                .collect();
        let mut evaluations: BTreeMap<(String, String), u64> = BTreeMap::new();
        for key in agent_months(&ctx.table("qa_evaluations")?, "evaluated_at")? {
            *evaluations.entry(key).or_default() += 1;
        }
        if active.is_empty() {
            return Err(EvalError::MissingEvidence(
                "no contact has an agent and an arrival time".into(),
            ));
        }
        let count = |key: &(String, String)| evaluations.get(key).copied().unwrap_or(0);
        let short: Vec<&(String, String)> = active
            .iter()
            .filter(|k| count(k) < p.min_per_agent_month)
            .collect();
        let coverage = 1.0 - short.len() as f64 / active.len() as f64;
        let passed = coverage >= p.target_share;
        let check = Check::new(
            "qa_coverage",
            "Agent-months with enough QA evaluations",
            coverage,
            format!(">= {}", p.target_share),
            passed,
        );
        let mut e = Evaluation::from_checks(vec![check]);
        e.score = Some(graded(coverage, 0.0, p.target_share, true));
        e.summary = format!(
            "{} of {} agent-months with live contacts had at least {} QA evaluations ({:.1}%, target {:.1}%).",
            active.len() - short.len(),
            active.len(),
            p.min_per_agent_month,
            coverage * 100.0,
            p.target_share * 100.0
        );
        e.measure("qa_coverage", Some(coverage));
        e.drilldowns.push(
            Drilldown::new("short", "Agent-months under the minimum of QA evaluations")
                .column("agent", "")
                .column("month", "")
                .column("evaluations", "evaluations")
                .rows(short.iter().map(|k| {
                    vec![
                        Value::from(k.0.as_str()),
                        Value::from(k.1.as_str()),
                        Value::from(count(k)),
                    ]
                })),
        );
        let outside = evaluations.keys().filter(|k| !active.contains(*k)).count();
        if outside > 0 {
            e.observations.push(format!(
                "{outside} agent-months have QA evaluations but no live contact: not counted."
            ));
        }
        if !passed {
            e.actions.push(Action::new(
                format!("Plan {} QA evaluations per agent and month, starting with the {} agent-months listed.", p.min_per_agent_month, short.len()),
                Effort::Low,
                OwnerRole::People,
            ));
        }
        Ok(e)
    }
}

export_plugin!(
    name: "consultant",
    version: env!("CARGO_PKG_VERSION"),
    evaluators: [RepeatContacts, QaCoverage],
);
