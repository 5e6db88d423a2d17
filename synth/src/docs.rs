//! evidence.toml, the management tables (targets, results) and the Markdown
//! documents. Figures in them are computed from the simulated month statistics.

use std::fmt::Write;

use chrono::{Datelike, Duration, NaiveDate};

use crate::sim::{DISSAT, MonthStats, Stats};
use crate::util::field;
use crate::write::{Out, T, TABLES};
use crate::{Scenario, SynthConfig, SynthError};

/// Centre name written into evidence.toml and the documents.
pub const CENTRE: &str = "Harbour Ride Customer Care";
/// Site of the centre.
pub const SITE: &str = "Porto";

/// KPI key (as the engine names it), unit, direction, follow-up target,
/// value at the baseline audit. Units are the engine's: ratios as fractions.
/// `forecast_wape` is sized to the centre's volumes (see [`kpis`]).
const KPIS: [(&str, &str, &str, f64, f64); 14] = [
    ("service_level", "ratio", "min", 0.80, 0.30),
    ("asa_seconds", "seconds", "max", 30.0, 80.0),
    ("abandon_rate", "ratio", "max", 0.08, 0.28),
    ("fcr_rate", "ratio", "min", 0.78, 0.72),
    ("csat_top2", "ratio", "min", 0.86, 0.85),
    ("nps", "points", "min", 30.0, 22.0),
    // 45%: the top of the typical 30-45% (DOMAIN §6), the laxest attrition target cx-ops accepts.
    ("attrition_annualized", "ratio", "max", 0.45, 1.32),
    ("absence_rate", "ratio", "max", 0.04, 0.07),
    ("schedule_adherence", "ratio", "min", 0.92, 0.84),
    ("occupancy", "ratio", "max", 0.90, 0.89),
    ("utilisation", "ratio", "min", 0.88, 0.74),
    (
        "contacts_per_order",
        "contacts per order",
        "max",
        0.11,
        0.15,
    ),
    ("cost_per_order", "EUR", "max", 0.31, 0.50),
    ("forecast_wape", "ratio", "max", 0.0, 0.0),
];

/// The follow-up's targets. The interval forecast WAPE target depends on
/// the volume per interval: a perfect forecast still shows the Poisson
/// noise (`wape_floor`), so the target allows 5% above it; the baseline
/// audit's rule-of-thumb forecast (no weekday shape, no trend) was about 7
/// points above it.
fn kpis(st: &Stats) -> Vec<(&'static str, &'static str, &'static str, f64, f64)> {
    KPIS.iter()
        .map(|&(k, u, d, t, b)| {
            if k == "forecast_wape" {
                let floor = st.wape_floor;
                let target = (floor * 1.05 * 100.0).ceil() / 100.0;
                let base = ((floor + 0.07) * 100.0).round() / 100.0;
                (k, u, d, target, base)
            } else {
                (k, u, d, t, b)
            }
        })
        .collect()
}

fn rationale(kpi: &str) -> &'static str {
    match kpi {
        "service_level" => {
            "Customers abandon after about two minutes on hold; 80% in 20 s keeps waits short at peak"
        }
        "asa_seconds" => "Customer survey: waiting is the second driver of dissatisfaction",
        "abandon_rate" => {
            "Abandoned customers call back and raise demand; top of the industry range 5-8%"
        }
        "fcr_rate" => {
            "Customer survey: having to contact us again is the top cause of dissatisfaction; world class is 80%"
        }
        "csat_top2" => "Customer promise: resolve issues so customers rate us 4 or 5",
        "nps" => "Customer loyalty drives rider retention",
        "attrition_annualized" => {
            "Attrition drove new-hire handle time and repeat contacts; 45% is the top of the industry's typical 30-45%"
        }
        "absence_rate" => "Absence is the largest unplanned shrinkage",
        "schedule_adherence" => "Erlang C plans assume agents are on queue as scheduled",
        "occupancy" => {
            "Above 90% sustained occupancy leaves agents no recovery time between contacts"
        }
        "utilisation" => {
            "Paid time should be spent logged in for customers; breaks, coaching and meetings are planned, not absorbed"
        }
        "contacts_per_order" => {
            "Customers should not need to contact us; contacts must stay flat as orders grow"
        }
        "cost_per_order" => "Budget: cost per order down about 40% against the baseline audit",
        "forecast_wape" => {
            "Staffing is planned per 30-minute interval: interval WAPE within 5% of the Poisson floor of our interval volumes"
        }
        _ => "",
    }
}

fn date_of(cfg: &SynthConfig, d: i64) -> NaiveDate {
    cfg.start + Duration::days(d)
}

fn month_end(cfg: &SynthConfig, mi: usize) -> NaiveDate {
    cfg.start
        .checked_add_months(chrono::Months::new(mi as u32 + 1))
        .and_then(|d| d.pred_opt())
        .unwrap_or(cfg.start)
}

/// Follow-up targets are tight only where the plan demands it.
fn met(kpi: &str, dir: &str, target: f64, actual: f64) -> bool {
    let _ = kpi;
    if dir == "min" {
        actual >= target
    } else {
        actual <= target
    }
}

/// A value in the unit the CSVs carry (fractions for ratios).
fn fmt_val(unit: &str, v: f64) -> String {
    match unit {
        "ratio" | "contacts per order" => format!("{v:.4}"),
        "EUR" => format!("{v:.3}"),
        _ => format!("{v:.2}"),
    }
}

/// A value for people (review minutes): ratios as percentages.
fn fmt_human(unit: &str, v: f64) -> String {
    match unit {
        "ratio" => format!("{:.1}%", 100.0 * v),
        "seconds" => format!("{v:.1} s"),
        "EUR" => format!("{v:.3} EUR"),
        "contacts per order" => format!("{v:.4}"),
        _ => format!("{v:.1}"),
    }
}

/// Writes everything that is not produced day by day.
pub fn write_all(cfg: &SynthConfig, st: &Stats, out: &mut Out) -> Result<(), SynthError> {
    let baseline = cfg.scenario == Scenario::Baseline;
    write_targets(cfg, st, out)?;
    write_results(cfg, st, out)?;
    out.flush()?;
    out.text("evidence.toml", &evidence_toml(cfg))?;
    out.text("docs/direction.md", &direction(cfg))?;
    out.text("docs/business-plan.md", &business_plan(cfg, st))?;
    out.text("docs/survey-design.md", &survey_design(cfg))?;
    out.text("docs/escalation-policy.md", &escalation_policy(cfg))?;
    for (mi, m) in st.months.iter().enumerate() {
        // The baseline centre skipped some reviews.
        if baseline && (mi % 3 == 1) {
            continue;
        }
        let text = review(cfg, st, mi, m);
        out.text(&format!("docs/reviews/{}.md", m.label), &text)?;
    }
    Ok(())
}

fn write_targets(cfg: &SynthConfig, st: &Stats, out: &mut Out) -> Result<(), SynthError> {
    let set_on = date_of(cfg, -20);
    let due = cfg.end();
    let mut line = String::new();
    if cfg.scenario == Scenario::Baseline {
        // Few targets, set without baseline, owner or reasoning.
        let rows = [
            "service_level,voice,0.80,min,ratio,,,,,,,",
            "csat_top2,,0.90,min,ratio,,,Operations Manager,2024-03-01,,,",
            "abandon_rate,voice,0.05,max,ratio,,,,2024-03-01,,yearly,",
            "attrition_annualized,,1.00,max,ratio,1.20,2023,HR Business Partner,2024-03-01,2024-12-31,,Reduce hiring cost",
        ];
        for r in rows {
            out.row(T::KpiTargets, r)?;
        }
        return Ok(());
    }
    for (kpi, unit, dir, target, base) in kpis(st) {
        line.clear();
        let scope = match kpi {
            "service_level" | "asa_seconds" | "abandon_rate" => "voice",
            _ => "",
        };
        let owner = match kpi {
            "service_level" | "asa_seconds" | "abandon_rate" | "forecast_wape" | "occupancy"
            | "utilisation" | "schedule_adherence" => "Workforce Manager",
            "csat_top2" | "nps" | "fcr_rate" => "Head of Customer Experience",
            "attrition_annualized" | "absence_rate" => "HR Business Partner",
            _ => "Head of Operations",
        };
        let _ = write!(
            line,
            "{kpi},{scope},{},{dir},{unit},{},{},{owner},{set_on},{due},monthly,",
            fmt_val(unit, target),
            fmt_val(unit, base),
            date_of(cfg, -1).format("%Y-%m"),
        );
        field(&mut line, rationale(kpi));
        out.row(T::KpiTargets, &line)?;
    }
    Ok(())
}

fn reported_kpis(cfg: &SynthConfig) -> Vec<(&'static str, &'static str)> {
    KPIS.iter()
        .filter(|k| {
            cfg.scenario == Scenario::Followup
                || matches!(
                    k.0,
                    "service_level"
                        | "abandon_rate"
                        | "csat_top2"
                        | "cost_per_order"
                        | "contacts_per_order"
                        | "attrition_annualized"
                )
        })
        .map(|k| (k.0, k.1))
        .collect()
}

fn write_results(cfg: &SynthConfig, st: &Stats, out: &mut Out) -> Result<(), SynthError> {
    let mut line = String::new();
    for (kpi, unit) in reported_kpis(cfg) {
        let scope = match kpi {
            "service_level" | "abandon_rate" | "asa_seconds" => "voice",
            _ => "",
        };
        for m in &st.months {
            if let Some(v) = m.kpi(kpi) {
                line.clear();
                let _ = write!(line, "{kpi},{scope},{},{}", m.label, fmt_val(unit, v));
                out.row(T::KpiResults, &line)?;
            }
        }
    }
    Ok(())
}

fn evidence_toml(cfg: &SynthConfig) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "# Synthetic evidence ({} scenario, seed {}).",
        cfg.scenario.name(),
        cfg.seed
    );
    let _ = writeln!(s, "[centre]\nname = \"{CENTRE}\"\nsite = \"{SITE}\"\n");
    let _ = writeln!(s, "[period]\nstart = {}\nend = {}\n", cfg.start, cfg.end());
    let _ = writeln!(
        s,
        "[defaults]\ntime_zone = \"{}\"\ntimestamp_format = \"%Y-%m-%dT%H:%M:%S\"\n",
        crate::util::TIME_ZONE.name()
    );
    s.push_str("[tables]\n");
    for (name, _) in TABLES {
        let _ = writeln!(s, "{name} = {{ path = \"data/{name}.csv\" }}");
    }
    s.push_str(
        "\n[documents]\ndirection = \"docs/direction.md\"\nbusiness_plan = \"docs/business-plan.md\"\n\
         survey_design = \"docs/survey-design.md\"\nescalation_policy = \"docs/escalation-policy.md\"\n\
         review_minutes = \"docs/reviews\"\n",
    );
    s
}

fn front(title: &str, date: NaiveDate, owner: &str, approved: Option<(&str, NaiveDate)>) -> String {
    let mut s = format!("+++\ntitle = \"{title}\"\ndate = {date}\nowner = \"{owner}\"\n");
    if let Some((by, on)) = approved {
        let _ = writeln!(s, "approved_by = \"{by}\"\napproved_on = {on}");
    }
    s.push_str("+++\n\n");
    s
}

fn direction(cfg: &SynthConfig) -> String {
    let baseline = cfg.scenario == Scenario::Baseline;
    let (date, approved) = if baseline {
        (date_of(cfg, -560), date_of(cfg, -540))
    } else {
        (date_of(cfg, -45), date_of(cfg, -40))
    };
    let mut s = front(
        "Direction statement",
        date,
        "Head of Customer Care",
        Some(("Chief Operating Officer", approved)),
    );
    s.push_str(&format!("# {CENTRE}: direction\n\n## Mission\n\n"));
    s.push_str(
        "Help every rider and driver get moving again quickly, by solving their issue the first \
         time they contact us and by removing the causes of contacts.\n\n## Customer promise\n\n",
    );
    if baseline {
        s.push_str("We answer every customer.\n\n## Values\n\n- Friendly\n- Fast\n");
        return s;
    }
    s.push_str(
        "- Answer voice contacts within 20 seconds for 80% of calls, e-mails within 8 hours.\n\
         - Resolve the issue in the first contact; if we cannot, we own it and tell you when.\n\
         - Tell you about changes before they affect you.\n\n## Values\n\n\
         - Own the outcome\n- Fix the cause, not only the case\n- Be open with numbers\n\
         - Respect the customer's time\n\n## Staff briefing\n\n\
         The direction statement is briefed to every agent in induction and in team meetings.\n\n\
         | Date | Audience | Attendance |\n|---|---|---|\n",
    );
    let mut d = cfg.start;
    while d <= cfg.end() {
        let _ = writeln!(s, "| {} | All teams | 96% |", d + Duration::days(6));
        d = d
            .checked_add_months(chrono::Months::new(1))
            .unwrap_or(cfg.end() + Duration::days(1));
    }
    s
}

fn business_plan(cfg: &SynthConfig, st: &Stats) -> String {
    let baseline = cfg.scenario == Scenario::Baseline;
    let year = cfg.start.year();
    let (date, approved) = if baseline {
        (date_of(cfg, -480), date_of(cfg, -470))
    } else {
        (date_of(cfg, -30), date_of(cfg, -25))
    };
    let mut s = front(
        &format!("Business plan {year}"),
        date,
        "Head of Customer Care",
        Some(("Chief Operating Officer", approved)),
    );
    let contacts_day = st.contacts_total as f64 / st.days as f64;
    let orders_day = st.orders_total as f64 / st.days as f64;
    let cost: f64 = st.months.iter().map(|m| m.cost).sum();
    let _ = write!(
        s,
        "# Business plan {year}\n\nPeriod: {} to {}.\n\n## Objectives\n\n",
        cfg.start,
        cfg.end()
    );
    if baseline {
        s.push_str(
            "- Improve customer satisfaction.\n- Answer calls faster.\n- Keep costs under control.\n\n\
             ## Demand forecast\n\nVolumes are expected to grow with the business.\n\n\
             ## Budget\n\nAs last year plus inflation.\n\n## Risks\n\n- Staff turnover.\n\n\
             ## Initiatives\n\n| Initiative | Owner | Due |\n|---|---|---|\n\
             | New survey tool | | |\n| Team leader training | | |\n| Knowledge base | TBD | |\n",
        );
        return s;
    }
    let _ = write!(
        s,
        "- Service level 80% in 20 s on voice every month.\n\
         - First contact resolution of 78% or more, measured from repeat contacts in 7 days.\n\
         - CSAT top-2-box of 86% or more from an unbiased random survey.\n\
         - Cost per order down about 40% against the baseline assessment.\n\
         - Annualised attrition at or under 45%, the top of the industry's typical range.\n\n\
         ## Demand forecast\n\n\
         Orders are forecast from the commercial plan (about {:.0} per day in the first month, \
         {:.0} per day in the last), contacts from the contact rate per order, which falls as \
         upstream causes are fixed: about {:.0} contacts per day on average, of which e-mail and \
         self-service are handled outside the synchronous queues. Interval forecasts use 4 weeks \
         of history, day-of-week and intra-day profiles, and known launches.\n\n\
         ## Capacity plan\n\n\
         Staff are planned per 30-minute interval with Erlang C (80% in 20 s) plus e-mail workload \
         in idle time (agents answer e-mail between calls and park it when a call waits), {:.0}% \
         shrinkage, and 4- to 8-hour shifts fitted to the interval profile: on average {:.0} agents \
         employed (planned headcount at start {}, at end {}). Recruitment runs weekly against the \
         plan; new hires take live contacts only after certification.\n\n\
         ## Budget\n\n\
         | Item | Amount (EUR) |\n|---|---|\n| Staff ({:.2} EUR per paid hour) | {:.0} |\n\
         | Fixed overhead | {:.0} |\n| Total | {:.0} |\n\n\
         ## Risks\n\n\
         | Risk | Mitigation | Owner |\n|---|---|---|\n\
         | Demand above forecast (incidents, launches) | Real-time management, overtime pool | Workforce Manager |\n\
         | Attrition of new hires | Nesting after certification, buddy system | HR Business Partner |\n\
         | Launches not notified | Change calendar with product, 7-day notice | Head of Operations |\n\n\
         ## Initiatives\n\n\
         | Initiative | Owner | Due |\n|---|---|---|\n",
        st.first_month_orders_per_day,
        st.last_month_orders_per_day,
        contacts_day,
        100.0 * crate::params::Params::for_scenario(cfg.scenario).shrinkage,
        st.avg_headcount,
        st.start_headcount,
        st.end_headcount,
        st.hourly_rate,
        cost - st.daily_overhead * st.days as f64 - 0.02 * orders_day * st.days as f64,
        st.daily_overhead * st.days as f64 + 0.02 * orders_day * st.days as f64,
        cost,
    );
    let inits = [
        (
            "Erlang C staffing and part-time peak shifts",
            "Workforce Manager",
            30,
        ),
        (
            "Random post-contact survey, all channels",
            "Head of Customer Experience",
            45,
        ),
        (
            "Bug hunt: reward staff who find process and system flaws",
            "Head of Operations",
            60,
        ),
        (
            "Contact-reason root-cause programme (contacts per order)",
            "Head of Operations",
            120,
        ),
        ("FCR coaching list per agent", "Team Leader Lead", 60),
        (
            "Self-service for refunds and lost items",
            "Digital Product Owner",
            150,
        ),
    ];
    for (name, owner, due) in inits {
        let _ = writeln!(s, "| {name} | {owner} | {} |", date_of(cfg, due));
    }
    s
}

fn survey_design(cfg: &SynthConfig) -> String {
    if cfg.scenario == Scenario::Baseline {
        let mut s = front("Customer survey", date_of(cfg, -700), "Quality Lead", None);
        s.push_str(
            "# Customer survey\n\n## Scale\n\n1 = Poor, 2 = Fair, 3 = Good, 4 = Very good, 5 = Excellent.\n\n\
             ## Questions\n\n1. How would you rate the agent who helped you? (1-5)\n\
             2. How likely are you to recommend us to a friend? (0-10)\n3. Anything else?\n\n\
             ## Sampling\n\nAgents offer the survey to customers at the end of voice and chat \
             contacts. Customers can also leave feedback on the website.\n\n## Timing\n\n\
             Invitations are sent by the team leaders, usually in a weekly batch.\n",
        );
        return s;
    }
    let mut s = front(
        "Customer survey design",
        date_of(cfg, -35),
        "Head of Customer Experience",
        Some(("Head of Customer Care", date_of(cfg, -30))),
    );
    s.push_str(
        "# Customer survey design\n\n## Scale\n\nBalanced 5-point scale: 1 = Very dissatisfied, \
         2 = Dissatisfied, 3 = Neither satisfied nor dissatisfied, 4 = Satisfied, 5 = Very \
         satisfied. NPS on 0-10.\n\n## Questions\n\n\
         1. Overall, how satisfied are you with the service you received? (1-5)\n\
         2. Was your issue resolved? (yes/no)\n\
         3. How likely are you to recommend us to a friend or colleague? (0-10)\n\
         4. Rate: waiting time, the agent's knowledge, the agent's courtesy, the resolution, \
         the ease of getting help (1-5 each).\n\
         5. If you were dissatisfied, what was the main reason? (coded list)\n\n\
         ## Sampling\n\nThe survey platform selects contacts at random, never the agent: 22% of \
         voice and 30% of chat contacts; a census of messaging, e-mail and self-service \
         contacts (lower volumes), so every channel reaches about 400 responses a month. \
         The invitation rate per agent is monitored monthly.\n\n## Timing\n\nInvitations are sent \
         automatically within 4 hours of the end of the contact, always within 24 hours. \
         Response rates and respondent vs non-respondent profiles are reported monthly.\n",
    );
    s
}

fn escalation_policy(cfg: &SynthConfig) -> String {
    let baseline = cfg.scenario == Scenario::Baseline;
    let (date, approved) = if baseline {
        (date_of(cfg, -800), date_of(cfg, -790))
    } else {
        (date_of(cfg, -40), date_of(cfg, -38))
    };
    let mut s = front(
        "Escalation policy",
        date,
        "Head of Operations",
        Some(("Chief Operating Officer", approved)),
    );
    s.push_str(
        "# Escalation policy\n\nIssues are escalated to the leadership on-call by phone and in \
         the incident channel.\n\n| Severity | Time limit |\n|---|---|\n\
         | critical | 30 minutes |\n| high | 2 hours |\n| medium | 8 hours |\n| low | 24 hours |\n\n\
         Critical: service unavailable or safety issue. High: a major feature degraded or many \
         customers affected. Service launches and changes of high impact must be notified to the \
         centre at least 7 days before go-live.\n",
    );
    s
}

fn review(cfg: &SynthConfig, st: &Stats, mi: usize, m: &MonthStats) -> String {
    let baseline = cfg.scenario == Scenario::Baseline;
    let date = month_end(cfg, mi).min(cfg.end());
    let date = if date.weekday().num_days_from_monday() >= 5 {
        date - Duration::days(date.weekday().num_days_from_monday() as i64 - 4)
    } else {
        date
    };
    let attendees = if baseline {
        "[\"Head of Customer Care\", \"Team leaders\"]"
    } else {
        "[\"Head of Customer Care\", \"Workforce Manager\", \"Head of Customer Experience\", \"HR Business Partner\", \"Team Leader Lead\"]"
    };
    let mut s = format!(
        "+++\ntitle = \"Monthly performance review {}\"\ndate = {date}\nperiod = \"{}\"\nowner = \"Head of Customer Care\"\nattendees = {attendees}\n+++\n\n",
        m.label, m.label
    );
    let _ = write!(
        s,
        "# Performance review {}\n\n## KPI review\n\n| KPI | Target | Actual | Status |\n|---|---|---|---|\n",
        m.label
    );
    let targets: Vec<(&str, &str, &str, f64)> = if baseline {
        vec![
            ("service_level", "ratio", "min", 0.80),
            ("csat_top2", "ratio", "min", 0.90),
            ("abandon_rate", "ratio", "max", 0.05),
        ]
    } else {
        kpis(st).iter().map(|k| (k.0, k.1, k.2, k.3)).collect()
    };
    let mut off = Vec::new();
    for (kpi, unit, dir, target) in &targets {
        let Some(v) = m.kpi(kpi) else { continue };
        let ok = met(kpi, dir, *target, v);
        if !ok {
            off.push(*kpi);
        }
        let _ = writeln!(
            s,
            "| {kpi} | {} {} | {} | {} |",
            if *dir == "min" { ">=" } else { "<=" },
            fmt_human(unit, *target),
            fmt_human(unit, v),
            if ok { "On target" } else { "Off target" }
        );
    }
    let _ = write!(s, "\n## Discussion\n\n");
    let mut reasons: Vec<(usize, u64)> = m.dissat.iter().copied().enumerate().collect();
    reasons.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    if baseline {
        s.push_str("Volumes were high. Team leaders to keep pushing handle time down.\n\n");
        s.push_str("## Actions\n\n| KPI | Action | Owner | Due |\n|---|---|---|---|\n");
        s.push_str("| service_level | Recruit more agents | | |\n");
        return s;
    }
    let _ = writeln!(
        s,
        "Responses with CSAT 1-2 this month: top reasons {}.\n",
        reasons
            .iter()
            .filter(|(_, n)| *n > 0)
            .take(3)
            .map(|(k, n)| format!("{} ({n})", DISSAT[*k]))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let _ = st;
    s.push_str("## Actions\n\n| KPI | Action | Owner | Due |\n|---|---|---|---|\n");
    let due = date + Duration::days(30);
    for kpi in off {
        let (action, owner) = match kpi {
            "service_level" | "asa_seconds" | "abandon_rate" => (
                "Re-forecast peak intervals and add part-time peak shifts",
                "Workforce Manager",
            ),
            "fcr_rate" => (
                "Coach agents on the FCR coaching list; fix top repeat reasons",
                "Team Leader Lead",
            ),
            "csat_top2" | "nps" => (
                "Act on the top dissatisfaction reasons",
                "Head of Customer Experience",
            ),
            "attrition_annualized" | "absence_rate" => (
                "Stay interviews and return-to-work talks",
                "HR Business Partner",
            ),
            "schedule_adherence" | "occupancy" | "utilisation" | "forecast_wape" => (
                "Review intraday plan and real-time management",
                "Workforce Manager",
            ),
            _ => (
                "Root-cause review of contact reasons and cost",
                "Head of Operations",
            ),
        };
        let _ = writeln!(s, "| {kpi} | {action} | {owner} | {due} |");
    }
    // The three most frequent reasons each get an action, as the pack asks.
    for (k, n) in reasons.iter().take(3) {
        if *n == 0 {
            continue;
        }
        let action = match DISSAT[*k] {
            "long_wait" => "Dissatisfaction reason long_wait: staff peaks to forecast",
            "agent_knowledge" => {
                "Dissatisfaction reason agent_knowledge: knowledge base refresh and coaching"
            }
            "agent_attitude" => {
                "Dissatisfaction reason agent_attitude: call listening and coaching"
            }
            "issue_not_resolved" => {
                "Dissatisfaction reason issue_not_resolved: root-cause top repeat reasons"
            }
            _ => "Dissatisfaction reason too_much_effort: reduce transfers, fix routing",
        };
        let _ = writeln!(
            s,
            "| csat_top2 | {action} | Head of Customer Experience | {due} |"
        );
    }
    s
}
