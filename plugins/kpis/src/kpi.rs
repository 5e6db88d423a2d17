//! The KPIs, their units and definitions.

use cxaudit_metrics::people::AnnualisationMethod;
use cxaudit_metrics::service::ServiceLevelVariant;
use serde::Serialize;
use serde_json::json;

use crate::KpiDefinition;
use crate::options::KpiOptions;

/// A KPI. Its snake_case name is the key in JSON, in `kpi_targets.kpi` and
/// in `kpi_results.kpi`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kpi {
    /// Measured service level.
    ServiceLevel,
    /// Average speed of answer.
    AsaSeconds,
    /// Abandon rate.
    AbandonRate,
    /// Average handle time.
    AhtSeconds,
    /// Transfer rate.
    TransferRate,
    /// First contact resolution from repeats.
    FcrRate,
    /// Number of contacts.
    Contacts,
    /// Contacts per order.
    ContactsPerOrder,
    /// Operating cost per order.
    CostPerOrder,
    /// Operating cost per handled contact.
    CostPerContact,
    /// Interval forecast WAPE.
    ForecastWape,
    /// Interval forecast bias.
    ForecastBias,
    /// Occupancy.
    Occupancy,
    /// Utilisation.
    Utilisation,
    /// Schedule adherence.
    ScheduleAdherence,
    /// Annualised staff attrition.
    AttritionAnnualized,
    /// Unplanned absence rate.
    AbsenceRate,
    /// CSAT top-2-box.
    CsatTop2,
    /// Net promoter score.
    Nps,
    /// Survey response rate.
    SurveyResponseRate,
    /// CSAT top-2-box of random and census invitations only.
    CsatTop2Random,
    /// CSAT top-2-box of agent-selected invitations: a biased figure.
    CsatTop2AgentSelected,
    /// Top-2-box of customer-initiated feedback: a complaint signal, not CSAT.
    CsatTop2CustomerInitiated,
}

impl Kpi {
    /// Every KPI, in report order.
    pub const ALL: [Kpi; 23] = [
        Kpi::ServiceLevel,
        Kpi::AsaSeconds,
        Kpi::AbandonRate,
        Kpi::AhtSeconds,
        Kpi::TransferRate,
        Kpi::FcrRate,
        Kpi::Contacts,
        Kpi::ContactsPerOrder,
        Kpi::CostPerOrder,
        Kpi::CostPerContact,
        Kpi::ForecastWape,
        Kpi::ForecastBias,
        Kpi::Occupancy,
        Kpi::Utilisation,
        Kpi::ScheduleAdherence,
        Kpi::AttritionAnnualized,
        Kpi::AbsenceRate,
        Kpi::CsatTop2,
        Kpi::Nps,
        Kpi::SurveyResponseRate,
        Kpi::CsatTop2Random,
        Kpi::CsatTop2AgentSelected,
        Kpi::CsatTop2CustomerInitiated,
    ];

    /// The KPI's key, e.g. `service_level`.
    pub fn key(self) -> &'static str {
        match self {
            Kpi::ServiceLevel => "service_level",
            Kpi::AsaSeconds => "asa_seconds",
            Kpi::AbandonRate => "abandon_rate",
            Kpi::AhtSeconds => "aht_seconds",
            Kpi::TransferRate => "transfer_rate",
            Kpi::FcrRate => "fcr_rate",
            Kpi::Contacts => "contacts",
            Kpi::ContactsPerOrder => "contacts_per_order",
            Kpi::CostPerOrder => "cost_per_order",
            Kpi::CostPerContact => "cost_per_contact",
            Kpi::ForecastWape => "forecast_wape",
            Kpi::ForecastBias => "forecast_bias",
            Kpi::Occupancy => "occupancy",
            Kpi::Utilisation => "utilisation",
            Kpi::ScheduleAdherence => "schedule_adherence",
            Kpi::AttritionAnnualized => "attrition_annualized",
            Kpi::AbsenceRate => "absence_rate",
            Kpi::CsatTop2 => "csat_top2",
            Kpi::Nps => "nps",
            Kpi::SurveyResponseRate => "survey_response_rate",
            Kpi::CsatTop2Random => "csat_top2_random",
            Kpi::CsatTop2AgentSelected => "csat_top2_agent_selected",
            Kpi::CsatTop2CustomerInitiated => "csat_top2_customer_initiated",
        }
    }

    /// The KPI of a key, if it is one.
    pub fn from_key(key: &str) -> Option<Kpi> {
        Kpi::ALL.iter().copied().find(|k| k.key() == key)
    }

    /// Whether the KPI is a ratio of two daily quantities summed over the
    /// same days (its group then carries a [`crate::DayCoverage`]).
    pub fn sums_over_same_days(self) -> bool {
        matches!(
            self,
            Kpi::ContactsPerOrder | Kpi::CostPerOrder | Kpi::CostPerContact
        )
    }

    /// Unit of its values.
    pub fn unit(self) -> &'static str {
        match self {
            Kpi::AsaSeconds | Kpi::AhtSeconds => "seconds",
            Kpi::Contacts => "contacts",
            Kpi::ContactsPerOrder => "contacts per order",
            Kpi::CostPerOrder | Kpi::CostPerContact => "currency",
            Kpi::Nps => "points (-100 to 100)",
            _ => "ratio",
        }
    }

    /// Whether higher values are better (for targets without a direction).
    pub fn higher_is_better(self) -> bool {
        !matches!(
            self,
            Kpi::AsaSeconds
                | Kpi::AbandonRate
                | Kpi::TransferRate
                | Kpi::ContactsPerOrder
                | Kpi::CostPerOrder
                | Kpi::CostPerContact
                | Kpi::ForecastWape
                | Kpi::AttritionAnnualized
                | Kpi::AbsenceRate
                | Kpi::AhtSeconds
        )
    }

    /// The range a value (and a target) can take: `(min, max)`.
    pub fn range(self) -> (f64, f64) {
        match self {
            Kpi::Nps => (-100.0, 100.0),
            Kpi::ForecastBias => (-1.0, f64::INFINITY),
            Kpi::ForecastWape | Kpi::AttritionAnnualized => (0.0, f64::INFINITY),
            k if k.unit() == "ratio" => (0.0, 1.0),
            _ => (0.0, f64::INFINITY),
        }
    }

    fn source(self) -> &'static str {
        match self {
            Kpi::ContactsPerOrder => "contacts, business_daily",
            Kpi::CostPerOrder => "business_daily",
            Kpi::CostPerContact => "business_daily, contacts",
            Kpi::ForecastWape | Kpi::ForecastBias => "intervals",
            Kpi::Occupancy => "contacts, adherence",
            Kpi::Utilisation | Kpi::ScheduleAdherence | Kpi::AbsenceRate => "adherence",
            Kpi::AttritionAnnualized => "agents",
            Kpi::CsatTop2
            | Kpi::Nps
            | Kpi::SurveyResponseRate
            | Kpi::CsatTop2Random
            | Kpi::CsatTop2AgentSelected
            | Kpi::CsatTop2CustomerInitiated => "surveys",
            _ => "contacts",
        }
    }

    /// The definition as used with `options`.
    pub fn definition(self, o: &KpiOptions) -> KpiDefinition {
        let channels = o.service_channels.join(", ");
        let (text, parameters) = match self {
            Kpi::ServiceLevel => {
                let (text, params) = match o.sl_variant {
                    ServiceLevelVariant::AnsweredOverOffered => ("answered within T / offered".to_owned(), json!({})),
                    ServiceLevelVariant::AnsweredOverAnswered => ("answered within T / answered".to_owned(), json!({})),
                    ServiceLevelVariant::AnsweredAndAbandonedWithinOverOffered => {
                        ("(answered within T + abandoned within T) / offered".to_owned(), json!({}))
                    }
                    ServiceLevelVariant::AnsweredOverOfferedExcludingShortAbandons { short_abandon_seconds } => (
                        format!("answered within T / (offered - abandoned within {short_abandon_seconds} s)"),
                        json!({ "short_abandon_seconds": short_abandon_seconds }),
                    ),
                };
                let mut p = params;
                p["threshold_seconds"] = json!(o.sl_threshold_seconds);
                p["channels"] = json!(o.service_channels);
                (format!("{text}, T = {} s; contacts of the {channels} channels, by arrival", o.sl_threshold_seconds), p)
            }
            Kpi::AsaSeconds => (
                format!("sum of (answered_at - arrived_at) over answered contacts / answered contacts, {channels} channels"),
                json!({ "channels": o.service_channels }),
            ),
            Kpi::AbandonRate => (
                if o.abandon_excludes_short {
                    format!(
                        "(abandoned - abandoned within {} s) / (offered - abandoned within {} s), {channels} channels",
                        o.short_abandon_seconds, o.short_abandon_seconds
                    )
                } else {
                    format!("abandoned / offered, {channels} channels")
                },
                json!({ "excludes_short_abandons": o.abandon_excludes_short, "short_abandon_seconds": o.short_abandon_seconds, "channels": o.service_channels }),
            ),
            Kpi::AhtSeconds => (
                "(talk + hold + wrap seconds) / handled contacts (answered, not abandoned, not self-service)".to_owned(),
                json!({}),
            ),
            Kpi::TransferRate => ("transferred handled contacts / handled contacts".to_owned(), json!({})),
            Kpi::FcrRate => (
                format!(
                    "1 - repeat generators / eligible contacts; a contact generates a repeat when the same customer contacts again within {} days after it ended; contacts whose window runs past the end of the data are not eligible, contacts without customer id are excluded and counted; grouped by the first contact",
                    o.fcr_window_days
                ),
                json!({ "window_days": o.fcr_window_days }),
            ),
            Kpi::Contacts => ("every contact row (all channels, abandoned included), by arrival".to_owned(), json!({})),
            Kpi::ContactsPerOrder => (
                "contacts (all rows) / orders (business_daily.orders), both summed over the same local days (evidence time zone): the days of the period with at least one contact and a business_daily row stating orders; days with only one of the two are left out of both sides and counted; not computed when the period has no contact".to_owned(),
                json!({}),
            ),
            Kpi::CostPerOrder => (
                "operating cost / orders (business_daily), both summed over the same days: the days of the period whose business_daily rows state both; days stating only one are left out of both sides and counted".to_owned(),
                json!({}),
            ),
            Kpi::CostPerContact => (
                "operating cost (business_daily) / handled contacts, both summed over the same local days (evidence time zone): the days of the period with at least one contact and a business_daily row stating a cost; days with only one of the two are left out of both sides and counted".to_owned(),
                json!({}),
            ),
            Kpi::ForecastWape => ("sum |forecast - actual| / sum actual contacts over intervals".to_owned(), json!({})),
            Kpi::ForecastBias => ("sum (forecast - actual) / sum actual contacts over intervals (positive = over-forecast)".to_owned(), json!({})),
            Kpi::Occupancy => (
                "handle time of agent-handled contacts / worked (logged-in: handling or available) minutes from adherence".to_owned(),
                json!({}),
            ),
            Kpi::Utilisation => (
                "worked (logged-in: handling or available) minutes / paid minutes, over agent-days that state both (adherence)".to_owned(),
                json!({}),
            ),
            Kpi::ScheduleAdherence => ("adherent minutes / scheduled minutes".to_owned(), json!({})),
            Kpi::AttritionAnnualized => {
                let method = match o.attrition_method {
                    AnnualisationMethod::SumOfMonths => "sum of monthly rates x 12 / months",
                    AnnualisationMethod::TimesTwelve => "12 x mean monthly rate",
                    AnnualisationMethod::Compounding => "1 - (1 - mean monthly rate)^12",
                };
                (
                    format!("monthly = leavers in month / average of headcount at month start and end; annualised as {method}"),
                    json!({ "method": format!("{:?}", o.attrition_method) }),
                )
            }
            Kpi::AbsenceRate => ("unplanned absence minutes / scheduled minutes".to_owned(), json!({})),
            Kpi::CsatTop2 => (
                format!("responses with csat 4 or 5 / responses with a csat (1-5 scale), over the group's survey sample, by invitation date: {SAMPLE}"),
                json!({}),
            ),
            Kpi::Nps => (
                format!("% of nps 9-10 minus % of nps 0-6, over the sample's responses with an nps: {SAMPLE}"),
                json!({}),
            ),
            Kpi::SurveyResponseRate => (
                format!("completes (invitations with a response) / eligible invitations of the sample: {SAMPLE}"),
                json!({}),
            ),
            Kpi::CsatTop2Random => (
                "responses with csat 4 or 5 / responses with a csat, random and census invitations only".to_owned(),
                json!({}),
            ),
            Kpi::CsatTop2AgentSelected => (
                "responses with csat 4 or 5 / responses with a csat, invitations chosen by agents (or with no stated method): a biased figure, no margin of error".to_owned(),
                json!({}),
            ),
            Kpi::CsatTop2CustomerInitiated => (
                "feedback rows with csat 4 or 5 / feedback rows with a csat, customer-initiated feedback only: a complaint signal, never part of CSAT, NPS or response rates".to_owned(),
                json!({}),
            ),
        };
        KpiDefinition {
            kpi: self,
            unit: self.unit(),
            source: self.source(),
            definition: text,
            parameters,
        }
    }
}

/// The survey sample, as every survey KPI states it (`cxaudit_metrics::sample`).
const SAMPLE: &str = "the random and census invitations; a group without any is measured on all its invitations (agent-selected or unstated), flagged as a biased sample; customer-initiated feedback is never in it";

/// A KPI's value in one group.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum KpiValue {
    /// Computed.
    Value(f64),
    /// The table is there but has nothing to compute from (e.g. no answered contacts).
    NoData(String),
    /// The table is absent, or the KPI is not defined for this grouping.
    Unavailable(String),
}

impl KpiValue {
    /// The value, if computed.
    pub fn value(&self) -> Option<f64> {
        match self {
            KpiValue::Value(v) => Some(*v),
            _ => None,
        }
    }

    /// A value, or `NoData` with a reason when the ratio is undefined.
    pub fn from_option(v: Option<f64>, reason: &str) -> Self {
        match v {
            Some(v) if v.is_finite() => KpiValue::Value(v),
            _ => KpiValue::NoData(reason.to_owned()),
        }
    }
}
