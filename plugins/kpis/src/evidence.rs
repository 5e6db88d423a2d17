//! The canonical tables the KPIs read; any of them may be absent.

use cxaudit_plugin_sdk::{Context, Table};

/// The evidence tables, each optional: a KPI whose table is absent is
/// reported as unavailable, not zero.
#[derive(Debug, Clone, Default)]
pub struct Evidence {
    /// `contacts`.
    pub contacts: Option<Table>,
    /// `intervals`.
    pub intervals: Option<Table>,
    /// `agents`.
    pub agents: Option<Table>,
    /// `adherence`.
    pub adherence: Option<Table>,
    /// `surveys`.
    pub surveys: Option<Table>,
    /// `business_daily`.
    pub business_daily: Option<Table>,
}

impl Evidence {
    /// The tables an evaluator can see (those its manifest declares and the
    /// evidence has).
    pub fn from_context(ctx: &Context<'_>) -> Self {
        Evidence {
            contacts: ctx.optional_table("contacts"),
            intervals: ctx.optional_table("intervals"),
            agents: ctx.optional_table("agents"),
            adherence: ctx.optional_table("adherence"),
            surveys: ctx.optional_table("surveys"),
            business_daily: ctx.optional_table("business_daily"),
        }
    }

    /// Every table, present or not, in a fixed order.
    pub fn tables(&self) -> impl Iterator<Item = Option<&Table>> {
        [
            &self.contacts,
            &self.intervals,
            &self.agents,
            &self.adherence,
            &self.surveys,
            &self.business_daily,
        ]
        .into_iter()
        .map(Option::as_ref)
    }

    /// The table of a canonical name.
    pub fn table(&self, name: &str) -> Option<&Table> {
        match name {
            "contacts" => self.contacts.as_ref(),
            "intervals" => self.intervals.as_ref(),
            "agents" => self.agents.as_ref(),
            "adherence" => self.adherence.as_ref(),
            "surveys" => self.surveys.as_ref(),
            "business_daily" => self.business_daily.as_ref(),
            _ => None,
        }
    }
}
