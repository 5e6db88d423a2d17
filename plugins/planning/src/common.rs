//! Helpers shared by the planning evaluators: dates and periods, documents,
//! durations, KPI names, number formatting (units of targets are
//! `cxaudit_kpis::targets`).

use chrono::{Datelike, NaiveDate};
use cxaudit_kpis::Kpi;
use cxaudit_plugin_sdk::markdown::{self, Section};
use cxaudit_plugin_sdk::prelude::*;

pub use cxaudit_kpis::evaluator::{
    first_of, kpi_value_label, local_date, local_time_label, month_label, months_of, pct, round,
};

/// First day of the month of `date`.
pub fn month_start(date: NaiveDate) -> NaiveDate {
    date.with_day(1).unwrap_or(date)
}

/// What a required heading looks like in a document.
#[derive(Debug, Clone, PartialEq)]
pub enum SectionState {
    /// No heading of that name.
    Missing,
    /// The heading is there with nothing under it (line of the heading).
    Empty(usize),
    /// The heading has text or a table (line, words of text, table rows).
    Present {
        /// 1-based line of the heading.
        line: usize,
        /// Words of text under it, subsections included.
        words: usize,
        /// Table rows under it, subsections included.
        table_rows: usize,
    },
}

impl SectionState {
    /// Whether the section has real content.
    pub fn has_content(&self) -> bool {
        matches!(self, SectionState::Present { .. })
    }

    /// Short description for checks and drill-downs.
    pub fn describe(&self) -> String {
        match self {
            SectionState::Missing => "missing".into(),
            SectionState::Empty(line) => format!("heading only, no content (line {line})"),
            SectionState::Present {
                words, table_rows, ..
            } => format!("present ({words} words, {table_rows} table rows)"),
        }
    }
}

/// The state of a required section (subsections fold into it), found by
/// canonical name with the document's words.
pub fn section_state(doc: &ParsedDocument, heading: &str) -> SectionState {
    match doc.section(heading) {
        None => SectionState::Missing,
        Some(s) if !s.has_content() => SectionState::Empty(s.line),
        Some(s) => SectionState::Present {
            line: s.line,
            words: s.text.split_whitespace().count(),
            table_rows: s.tables.iter().map(|t| t.rows.len()).sum(),
        },
    }
}

/// One check per required section (canonical names, or headings the
/// vocabulary knows): present with content. The first item is the heading
/// as shown (the centre's name, else the English one).
pub fn section_checks(
    doc: &ParsedDocument,
    headings: &[String],
) -> Vec<(String, SectionState, Check)> {
    headings
        .iter()
        .map(|h| {
            let names = doc.heading_names(h);
            let label = names.label().to_owned();
            let state = section_state(doc, h);
            let check = Check::new(
                &format!("section_{}", slug(names.canonical())),
                &format!("Section `{label}` present with content"),
                state.describe(),
                "present with text or a table",
                state.has_content(),
            );
            (label, state, check)
        })
        .collect()
}

/// How many required sections have content.
pub fn sections_with_content(sections: &[(String, SectionState, Check)]) -> usize {
    sections.iter().filter(|(_, s, _)| s.has_content()).count()
}

/// The required sections without content, as `` `heading` (state) ``.
pub fn section_gaps(sections: &[(String, SectionState, Check)]) -> Vec<String> {
    sections
        .iter()
        .filter(|(_, s, _)| !s.has_content())
        .map(|(h, s, _)| format!("`{h}` ({})", s.describe()))
        .collect()
}

/// Every date in a section's text and table cells.
pub fn section_dates(section: &Section) -> Vec<NaiveDate> {
    let mut dates = markdown::find_dates(&section.text);
    for t in &section.tables {
        for row in &t.rows {
            for cell in row {
                dates.extend(markdown::find_dates(cell));
            }
        }
    }
    dates.sort();
    dates.dedup();
    dates
}

/// Whether a cell names someone (not empty, not a placeholder).
pub fn is_named(cell: Option<&str>) -> bool {
    match cell {
        None => false,
        Some(c) => {
            let c = c.trim().to_ascii_lowercase();
            !matches!(
                c.as_str(),
                "" | "-" | "--" | "?" | "tbd" | "tba" | "n/a" | "na" | "none" | "todo" | "unknown"
            )
        }
    }
}

/// A lower-case identifier from a heading: `Customer promise` -> `customer_promise`.
pub fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.trim().chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('_') && !out.is_empty() {
            out.push('_');
        }
    }
    out.trim_end_matches('_').to_owned()
}

/// Parses a duration such as `30 minutes`, `2 hours`, `1 day`, `45 min`,
/// `1.5 h`, `90 s` into seconds.
pub fn parse_duration_seconds(text: &str) -> Option<f64> {
    let t = text.trim().to_ascii_lowercase();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == ','))
        .unwrap_or(t.len());
    let number: f64 = t[..split].replace(',', ".").parse().ok()?;
    let unit = t[split..].trim().trim_end_matches('.');
    let factor = match unit {
        "s" | "sec" | "secs" | "second" | "seconds" => 1.0,
        "m" | "min" | "mins" | "minute" | "minutes" => 60.0,
        "h" | "hr" | "hrs" | "hour" | "hours" => 3600.0,
        "d" | "day" | "days" => 86_400.0,
        "w" | "wk" | "week" | "weeks" => 604_800.0,
        "" => return None,
        _ => return None,
    };
    (number.is_finite() && number >= 0.0).then_some(number * factor)
}

/// A duration in seconds for people: `30 min`, `2.5 h`, `3.0 days`.
pub fn duration_label(seconds: f64) -> String {
    if seconds < 3600.0 {
        format!("{:.0} min", seconds / 60.0)
    } else if seconds < 2.0 * 86_400.0 {
        format!("{:.1} h", seconds / 3600.0)
    } else {
        format!("{:.1} days", seconds / 86_400.0)
    }
}

/// Words that name a KPI in prose, besides its key with spaces.
fn kpi_aliases(kpi: Kpi) -> &'static [&'static str] {
    match kpi {
        Kpi::ServiceLevel => &["service level"],
        Kpi::AsaSeconds => &["asa", "speed of answer", "answer time", "response time"],
        Kpi::AbandonRate => &["abandon"],
        Kpi::AhtSeconds => &["aht", "handle time", "handling time"],
        Kpi::TransferRate => &["transfer"],
        Kpi::FcrRate => &[
            "fcr",
            "first contact resolution",
            "first-contact resolution",
        ],
        Kpi::Contacts => &["contact volume"],
        Kpi::ContactsPerOrder => &["contacts per order", "contact rate", "cpo"],
        Kpi::CostPerOrder => &["cost per order"],
        Kpi::CostPerContact => &["cost per contact"],
        Kpi::ForecastWape => &["wape", "forecast accuracy", "forecast error"],
        Kpi::ForecastBias => &["forecast bias"],
        Kpi::Occupancy => &["occupancy"],
        Kpi::Utilisation => &["utilisation", "utilization"],
        Kpi::ScheduleAdherence => &["adherence"],
        Kpi::AttritionAnnualized => &["attrition", "staff turnover"],
        Kpi::AbsenceRate => &["absence", "absenteeism"],
        Kpi::CsatTop2 => &["csat", "customer satisfaction"],
        Kpi::Nps => &["nps", "net promoter"],
        Kpi::SurveyResponseRate => &["response rate"],
        Kpi::CsatTop2Random => &["random-sample csat"],
        Kpi::CsatTop2AgentSelected => &["agent-selected csat"],
        Kpi::CsatTop2CustomerInitiated => &["customer-initiated feedback"],
    }
}

/// Whether `text` mentions a KPI: its key, its key with spaces, or an alias
/// (case-insensitive, whole words).
pub fn mentions_kpi(text: &str, key: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    let mut names = vec![
        key.to_ascii_lowercase(),
        key.replace('_', " ").to_ascii_lowercase(),
    ];
    if let Some(kpi) = Kpi::from_key(key) {
        names.extend(kpi_aliases(kpi).iter().map(|a| (*a).to_owned()));
    }
    names.iter().any(|n| contains_word(&lower, n))
}

/// Whether `haystack` holds `needle` not glued to letters on either side
/// (a few suffixes are allowed: `abandons`, `abandoned`, `abandonment`).
fn contains_word(haystack: &str, needle: &str) -> bool {
    let bytes = haystack.as_bytes();
    let mut from = 0;
    while let Some(pos) = haystack[from..].find(needle) {
        let start = from + pos;
        let end = start + needle.len();
        let before_ok = start == 0 || !bytes[start - 1].is_ascii_alphanumeric();
        let rest = &haystack[end..];
        let after_ok = ["", "s", "es", "d", "ed", "ing", "ment"]
            .iter()
            .any(|suffix| {
                rest.strip_prefix(suffix)
                    .is_some_and(|r| r.chars().next().is_none_or(|c| !c.is_ascii_alphanumeric()))
            });
        if before_ok && after_ok {
            return true;
        }
        from = start + 1;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_to_seconds() {
        assert_eq!(parse_duration_seconds("30 minutes"), Some(1800.0));
        assert_eq!(parse_duration_seconds("2 hours"), Some(7200.0));
        assert_eq!(parse_duration_seconds("1 day"), Some(86_400.0));
        assert_eq!(parse_duration_seconds("45min"), Some(2700.0));
        assert_eq!(parse_duration_seconds("1.5 h"), Some(5400.0));
        assert_eq!(parse_duration_seconds("soon"), None);
        assert_eq!(parse_duration_seconds("30"), None);
    }

    #[test]
    fn kpi_mentions_use_keys_and_aliases_as_words() {
        assert!(mentions_kpi("Service level 80% in 20 s", "service_level"));
        assert!(mentions_kpi("CSAT top-2-box of 86%", "csat_top2"));
        assert!(mentions_kpi(
            "Annualised attrition under 60%",
            "attrition_annualized"
        ));
        assert!(mentions_kpi("Cost per order down 40%", "cost_per_order"));
        assert!(!mentions_kpi("Grow the business", "service_level"));
        assert!(!mentions_kpi("pasadherence", "schedule_adherence"));
    }

    #[test]
    fn months_of_a_period() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let ms = months_of(d("2026-01-15"), d("2026-03-01"));
        assert_eq!(
            ms.iter().map(|m| month_label(*m)).collect::<Vec<_>>(),
            ["2026-01", "2026-02", "2026-03"]
        );
        assert_eq!(slug("Customer promise"), "customer_promise");
    }
}
