//! A small, fixed pair of assessments (baseline and follow-up) of a
//! cx-ops-shaped pack, for the report, plan and comparison tests. The tests
//! read the checked-in `tests/fixtures/report/{base,new}.json` ([`fixture`]);
//! the builder here ([`assessment`]) writes those files only when asked
//! (`CXAUDIT_UPDATE_FIXTURES=1`), and builds random cases for the plan tests.
//!
//! Hostile strings (`<script>alert(1)</script>`) sit where evidence puts
//! them: an agent name in a drill-down, a check description and an
//! observation quoting a document heading.

#![allow(dead_code)]

use chrono::NaiveDate;
use cxaudit_model::assessment::scoring_method;
use cxaudit_model::evaluation::{
    Action, Chart, ChartKind, Check, Definition, Drilldown, Effort, EvidenceRef, Measurement,
    OwnerRole, Period, Series, Status,
};
use cxaudit_model::plan::{self, Rescorer};
use cxaudit_model::scoring::status_for_score;
use cxaudit_model::{
    Assessment, Centre, Decision, EngineInfo, Finding, Guidance, GuidanceAction, HeadlineKpi,
    InventoryEntry, Outcome, Override, OverrideKind, PackInfo, PluginInfo, RunInfo, SCHEMA_VERSION,
    Scores, ScoringRules, SectionScore, SettingsFile, Totals,
};
use serde_json::json;

/// The injected string.
pub const XSS: &str = "<script>alert(1)</script>";

const SECTIONS: [(&str, &str); 5] = [
    ("LP", "Leadership & planning"),
    ("WF", "Workforce"),
    ("PE", "People"),
    ("PF", "Performance"),
    ("GV", "Governance"),
];

fn sha(seed: &str) -> String {
    use std::fmt::Write;
    // A fixed, hex-looking digest per name (not a real hash: the fixture is hand-made).
    let mut out = String::new();
    let mut x: u64 = 0xcbf2_9ce4_8422_2325;
    for b in seed.bytes() {
        x = (x ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    while out.len() < 64 {
        x = x
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        let _ = write!(out, "{:016x}", x);
    }
    out.truncate(64);
    out
}

struct Spec {
    id: &'static str,
    section: &'static str,
    title: &'static str,
    points: f64,
    mandatory: bool,
    plugin: &'static str,
    score: Option<f64>,
    status: Option<Status>,
}

fn finding(s: &Spec) -> Finding {
    let status = s
        .status
        .unwrap_or_else(|| status_for_score(s.score.unwrap_or(0.0), &ScoringRules::default()));
    let outcome = Outcome::new(status, s.score, s.points);
    Finding {
        criterion: s.id.into(),
        section: s.section.into(),
        title: s.title.into(),
        requirement: format!(
            "The centre shows **{}** for the whole period. <b>Raw HTML</b> in a pack stays text.",
            s.title.to_lowercase()
        ),
        points: s.points,
        mandatory: s.mandatory,
        method: if s.plugin == "manual" {
            "manual".into()
        } else {
            format!("{}/{}", s.plugin, s.id.to_lowercase())
        },
        outcome,
        evaluated: outcome,
        attestation: None,
        flagged: outcome.flagged(),
        summary: String::new(),
        checks: Vec::new(),
        measurements: Vec::new(),
        definitions: Vec::new(),
        parameters: json!({}),
        evidence: Vec::new(),
        observations: Vec::new(),
        drilldowns: Vec::new(),
        charts: Vec::new(),
        actions: Vec::new(),
        guidance: Guidance::default(),
        references: Vec::new(),
        plugin_output: None,
    }
}

fn guidance(met: &str, actions: &[(&str, Effort, OwnerRole)]) -> Guidance {
    Guidance {
        met: met.into(),
        actions: actions
            .iter()
            .map(|(t, e, o)| GuidanceAction {
                text: (*t).into(),
                effort: *e,
                owner_role: *o,
            })
            .collect(),
    }
}

fn eref(path: &str, rows: Option<u64>) -> EvidenceRef {
    EvidenceRef {
        path: path.into(),
        sha256: sha(path),
        rows,
    }
}

fn m(name: &str, value: f64, unit: &str, def: &str) -> Measurement {
    Measurement::new(name, Some(value), unit, def)
}

/// Which assessment to build.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Which {
    /// The baseline.
    Base,
    /// The follow-up six months later.
    New,
}

#[allow(clippy::too_many_lines)]
fn findings(which: Which) -> Vec<Finding> {
    let base = which == Which::Base;
    let pick = |b: f64, n: f64| if base { b } else { n };
    let specs = [
        Spec {
            id: "LP1",
            section: "LP",
            title: "Direction statement",
            points: 100.0,
            mandatory: false,
            plugin: "planning",
            score: Some(1.0),
            status: None,
        },
        Spec {
            id: "LP3",
            section: "LP",
            title: "Targets",
            points: 100.0,
            mandatory: true,
            plugin: "planning",
            score: Some(pick(0.6, 1.0)),
            status: None,
        },
        Spec {
            id: "WF1",
            section: "WF",
            title: "Forecast accuracy",
            points: 100.0,
            mandatory: true,
            plugin: "workforce",
            score: Some(pick(0.3, 1.0)),
            status: None,
        },
        Spec {
            id: "WF2",
            section: "WF",
            title: "Capacity and staffing fit",
            points: 100.0,
            mandatory: false,
            plugin: "workforce",
            score: Some(pick(0.7, 1.0)),
            status: None,
        },
        Spec {
            id: "WF3",
            section: "WF",
            title: "Service level",
            points: 100.0,
            mandatory: false,
            plugin: "workforce",
            score: Some(pick(1.0, 0.7)),
            status: None,
        },
        Spec {
            id: "WF4",
            section: "WF",
            title: "Adherence and utilisation",
            points: 100.0,
            mandatory: false,
            plugin: "workforce",
            score: Some(pick(1.0, 0.8)),
            status: None,
        },
        Spec {
            id: "PE1",
            section: "PE",
            title: "Staff attrition",
            points: 120.0,
            mandatory: false,
            plugin: "people",
            score: Some(pick(0.0, 1.0)),
            status: None,
        },
        Spec {
            id: "PF1",
            section: "PF",
            title: "Customer satisfaction",
            points: 100.0,
            mandatory: false,
            plugin: "performance",
            score: Some(pick(0.5, 1.0)),
            status: None,
        },
        Spec {
            id: "PF2",
            section: "PF",
            title: "First contact resolution",
            points: 100.0,
            mandatory: false,
            plugin: "performance",
            score: Some(pick(0.4, 0.8)),
            status: None,
        },
        Spec {
            id: "PF3",
            section: "PF",
            title: "Contact demand and cost",
            points: 100.0,
            mandatory: false,
            plugin: "performance",
            score: Some(1.0),
            status: None,
        },
        Spec {
            id: "GV1",
            section: "GV",
            title: "Escalation to leadership",
            points: 50.0,
            mandatory: false,
            plugin: "planning",
            score: None,
            status: Some(Status::InsufficientEvidence),
        },
        Spec {
            id: "GV2",
            section: "GV",
            title: "Change notice",
            points: 50.0,
            mandatory: false,
            plugin: "planning",
            score: if base { None } else { Some(1.0) },
            status: if base { Some(Status::Error) } else { None },
        },
    ];
    let mut out: Vec<Finding> = specs.iter().map(finding).collect();
    for f in &mut out {
        match f.criterion.as_str() {
            "LP1" => {
                f.summary = "The direction statement is dated, approved and briefed.".into();
                f.checks = vec![
                    Check::new("approved", "Approved within 12 months", true, "true", true),
                    Check::new("briefed", "Briefed to staff", 0.94, ">= 0.9", true),
                ];
                f.observations = vec![format!(
                    "docs/direction.md has a heading `{XSS}` with no content under it."
                )];
                f.evidence = vec![eref("docs/direction.md", None)];
                f.guidance = guidance(
                    "A dated, approved statement of mission, *customer promise* and values.",
                    &[(
                        "Re-brief the statement to new joiners.",
                        Effort::Low,
                        OwnerRole::People,
                    )],
                );
                f.references = vec!["DOMAIN.md §4 LP1".into()];
            }
            "LP3" => {
                f.summary = if base {
                    "3 of 5 KPI families have SMART targets.".into()
                } else {
                    "Every KPI family has a SMART target.".into()
                };
                f.checks = vec![
                    Check::new(
                        "families",
                        "KPI families with a target",
                        pick(3.0, 5.0),
                        ">= 5",
                        !base,
                    ),
                    Check::new(
                        "smart",
                        &format!("Targets SMART (owner {XSS})"),
                        pick(0.6, 1.0),
                        ">= 1",
                        !base,
                    ),
                    Check::new(
                        "feasible",
                        "Service-level target feasible by Erlang C",
                        true,
                        "true",
                        true,
                    ),
                ];
                f.measurements = vec![m(
                    "smart_share",
                    pick(0.6, 1.0),
                    "ratio",
                    "SMART targets / targets",
                )];
                f.parameters =
                    json!({"required_families": ["service", "csat", "fcr", "attrition", "cost"]});
                f.guidance = guidance(
                    "Every required KPI has a numeric target with owner, baseline and review cadence.",
                    &[(
                        "Set **baseline and owner** for each target.",
                        Effort::Low,
                        OwnerRole::Process,
                    )],
                );
            }
            "WF1" => {
                f.summary = if base {
                    "Interval WAPE 23.4% against a 15% limit.".into()
                } else {
                    "Interval WAPE 9.1% within the 15% limit.".into()
                };
                f.checks = vec![
                    Check::new(
                        "wape",
                        "Interval WAPE",
                        pick(0.234, 0.091),
                        "<= 0.15",
                        !base,
                    ),
                    Check::new(
                        "bias",
                        "Forecast bias",
                        pick(0.081, 0.012),
                        "<= 0.05",
                        !base,
                    ),
                ];
                f.measurements = vec![
                    m(
                        "forecast_wape",
                        pick(0.234, 0.091),
                        "ratio",
                        "sum|F-A| / sum A over intervals",
                    ),
                    m(
                        "forecast_bias",
                        pick(0.081, 0.012),
                        "ratio",
                        "sum(F-A) / sum A",
                    ),
                ];
                f.definitions = vec![Definition {
                    term: "WAPE".into(),
                    text: "weighted absolute percentage error".into(),
                }];
                let days = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
                f.charts = vec![Chart {
                    id: "forecast_daily".into(),
                    title: "Daily contacts: forecast against actual".into(),
                    kind: ChartKind::Line,
                    x: days.iter().map(|d| (*d).into()).collect(),
                    y: Vec::new(),
                    unit: "contacts".into(),
                    series: vec![
                        Series {
                            name: "Forecast".into(),
                            values: [1200.0, 1150.0, 1100.0, 1080.0, 1020.0, 600.0, 420.0]
                                .iter()
                                .map(|v| Some(*v))
                                .collect(),
                        },
                        Series {
                            name: "Actual".into(),
                            values: [1310.0, 1190.0, 1045.0, 990.0, 1105.0, 655.0, 380.0]
                                .iter()
                                .map(|v| Some(*v * pick(1.0, 0.97)))
                                .collect(),
                        },
                    ],
                }];
                f.guidance = guidance(
                    "",
                    &[(
                        "Rebuild the interval forecast with **12 weeks of history**.",
                        Effort::Medium,
                        OwnerRole::Process,
                    )],
                );
            }
            "WF2" => {
                f.summary = "Staffing fit by interval.".into();
                f.checks = vec![Check::new(
                    "under",
                    "Under-staffing",
                    pick(0.12, 0.03),
                    "<= 0.05",
                    !base,
                )];
                let hours: Vec<String> = (8..20).map(|h| format!("{h:02}:00")).collect();
                let days = ["Mon", "Tue", "Wed", "Thu", "Fri"];
                f.charts = vec![Chart {
                    id: "gap_heatmap".into(),
                    title: "Scheduled minus required agents by weekday and hour".into(),
                    kind: ChartKind::Heatmap,
                    x: hours.clone(),
                    y: days.iter().map(|d| (*d).into()).collect(),
                    unit: "agents".into(),
                    series: days
                        .iter()
                        .enumerate()
                        .map(|(d, name)| Series {
                            name: (*name).into(),
                            values: (0..hours.len())
                                .map(|h| {
                                    if d == 4 && h == 11 {
                                        None
                                    } else {
                                        Some(((d * 7 + h * 3) % 11) as f64 - pick(6.0, 3.0))
                                    }
                                })
                                .collect(),
                        })
                        .collect(),
                }];
                f.drilldowns = vec![Drilldown {
                    id: "restaff".into(),
                    title: "Intervals to restaff".into(),
                    columns: vec![
                        "interval".into(),
                        "queue".into(),
                        "required".into(),
                        "scheduled".into(),
                    ],
                    rows: (0..32)
                        .map(|i| {
                            vec![
                                json!(format!("2026-01-{:02} {:02}:00", 5 + i / 8, 8 + i % 8)),
                                json!("billing|vip"),
                                json!(14 + i % 4),
                                json!(11 + i % 3),
                            ]
                        })
                        .collect(),
                    units: Vec::new(),
                }];
                f.actions = vec![Action {
                    text: "Move 3 agents from the 14:00 block to 09:00-11:00 on Mondays.".into(),
                    effort: Some(Effort::Low),
                    owner_role: Some(OwnerRole::Process),
                }];
            }
            "WF3" => {
                f.summary = "Service level by queue against the 80/20 target.".into();
                f.measurements = vec![
                    m(
                        "service_level",
                        pick(0.84, 0.78),
                        "ratio",
                        "answered within 20 s / (offered - abandoned within 5 s)",
                    ),
                    m(
                        "asa",
                        pick(21.4, 33.0),
                        "seconds",
                        "queue time of answered / answered",
                    ),
                ];
                f.charts = vec![Chart {
                    id: "sl_queue".into(),
                    title: "Service level by queue".into(),
                    kind: ChartKind::Bar,
                    x: vec![
                        "billing".into(),
                        "sales".into(),
                        "support".into(),
                        "retention".into(),
                    ],
                    y: Vec::new(),
                    unit: "ratio".into(),
                    series: vec![
                        Series {
                            name: "Service level".into(),
                            values: vec![
                                Some(pick(0.86, 0.79)),
                                Some(0.82),
                                Some(pick(0.84, 0.74)),
                                None,
                            ],
                        },
                        Series {
                            name: "Target".into(),
                            values: vec![Some(0.8); 4],
                        },
                    ],
                }];
            }
            "WF4" => {
                f.summary = "Adherence and utilisation.".into();
                f.measurements = if base {
                    vec![m(
                        "adherence",
                        0.93,
                        "ratio",
                        "minutes in adherence / scheduled minutes",
                    )]
                } else {
                    vec![
                        m(
                            "adherence",
                            0.88,
                            "ratio",
                            "minutes in adherence / scheduled minutes",
                        ),
                        m("utilisation", 0.91, "ratio", "productive time / paid time"),
                    ]
                };
            }
            "PE1" => {
                f.summary = "Annualised attrition against a 45% target.".into();
                f.measurements = vec![m(
                    "attrition_annualized",
                    pick(1.32, 0.55),
                    "ratio",
                    "sum of 12 monthly rates",
                )];
                let months = [
                    "2025-07", "2025-08", "2025-09", "2025-10", "2025-11", "2025-12",
                ];
                f.charts = vec![Chart {
                    id: "attrition_monthly".into(),
                    title: "Monthly attrition against the target's monthly equivalent".into(),
                    kind: ChartKind::Line,
                    x: months.iter().map(|x| (*x).into()).collect(),
                    y: Vec::new(),
                    unit: "ratio".into(),
                    series: vec![
                        Series {
                            name: "Monthly attrition".into(),
                            values: [0.12, 0.11, 0.115, 0.1, 0.09, 0.105]
                                .iter()
                                .map(|v| Some(v * pick(1.0, 0.42)))
                                .collect(),
                        },
                        Series {
                            name: "Target (monthly equivalent)".into(),
                            values: vec![Some(0.0375); 6],
                        },
                    ],
                }];
                f.actions = vec![Action {
                    text: "Interview the 14 early-tenure leavers of team North|East.".into(),
                    effort: Some(Effort::Medium),
                    owner_role: Some(OwnerRole::People),
                }];
            }
            "PF1" => {
                f.summary = "CSAT met target in 2 of the last 4 months.".into();
                f.measurements = vec![m(
                    "csat_top2",
                    pick(0.85, 0.87),
                    "ratio",
                    "responses 4-5 / valid responses",
                )];
            }
            "PF2" => {
                f.summary = "FCR 68% against a 75% target; 2 agents under 60%.".into();
                f.measurements = vec![m(
                    "fcr_rate",
                    pick(0.68, 0.74),
                    "ratio",
                    "1 - repeat generators / eligible contacts (7 days)",
                )];
                f.drilldowns = vec![Drilldown {
                    id: "coaching".into(),
                    title: "Coaching list: agents under the FCR threshold".into(),
                    columns: vec!["agent".into(), "contacts".into(), "fcr".into()],
                    rows: vec![
                        vec![json!(XSS), json!(212), json!(0.55)],
                        vec![json!("Dana | Ortiz"), json!(187), json!(0.58)],
                    ],
                    // FCR is a ratio: the reports show it as a percentage.
                    units: vec![String::new(), String::new(), "ratio".into()],
                }];
                f.charts = vec![Chart {
                    id: "fcr_agent".into(),
                    title: "FCR per agent".into(),
                    kind: ChartKind::Bar,
                    x: vec![XSS.into(), "Dana | Ortiz".into(), "Lee".into()],
                    y: Vec::new(),
                    unit: "ratio".into(),
                    series: vec![
                        Series {
                            name: "FCR".into(),
                            values: vec![Some(0.55), Some(0.58), Some(0.81)],
                        },
                        Series {
                            name: "Threshold".into(),
                            values: vec![Some(0.6); 3],
                        },
                    ],
                }];
                f.actions = vec![Action {
                    text: format!("Coach 2 agents under 60% FCR, starting with {XSS}."),
                    effort: Some(Effort::Low),
                    owner_role: Some(OwnerRole::People),
                }];
            }
            "PF3" => {
                f.summary = "Contacts per order and cost per order on target.".into();
                f.measurements = vec![
                    m(
                        "cost_per_order",
                        pick(2.40, 1.42),
                        "EUR",
                        "operating cost / orders",
                    ),
                    m(
                        "contacts_per_order",
                        pick(0.21, 0.15),
                        "contacts",
                        "contacts / orders",
                    ),
                ];
            }
            "GV1" => {
                f.summary = "The incidents table is missing.".into();
            }
            "GV2" => {
                f.summary = if base {
                    "evaluator panicked: index out of bounds".into()
                } else {
                    "Every high-impact change was notified in advance.".into()
                };
            }
            _ => {}
        }
    }
    // PF1: attested met in the baseline; GV1: waived in both.
    for f in &mut out {
        if f.criterion == "PF1" && base {
            let o = Override {
                kind: OverrideKind::Attestation,
                criterion: "PF1".into(),
                status: Status::Met,
                score: Some(1.0),
                justification: "Survey vendor report for December shows target met.".into(),
                approver: "A. Auditor".into(),
                date: NaiveDate::from_ymd_opt(2026, 1, 20).unwrap(),
                expires: Some(NaiveDate::from_ymd_opt(2026, 6, 30).unwrap()),
                applied: true,
                ignored_because: None,
            };
            f.outcome = Outcome::new(o.status, o.score, f.points);
            f.attestation = Some(o);
        }
        if f.criterion == "GV1" {
            let o = Override {
                kind: OverrideKind::Waiver,
                criterion: "GV1".into(),
                status: Status::NotApplicable,
                score: None,
                justification: "No critical incident in the period; register kept on paper.".into(),
                approver: "C. Lead".into(),
                date: NaiveDate::from_ymd_opt(2026, 1, 15).unwrap(),
                expires: Some(NaiveDate::from_ymd_opt(2026, 12, 31).unwrap()),
                applied: true,
                ignored_because: None,
            };
            f.outcome = Outcome::new(o.status, o.score, f.points);
            f.flagged = false;
            f.attestation = Some(o);
        }
    }
    out
}

/// Fills in scores, decision and plan from the findings, with the engine's scoring.
pub fn finish(mut a: Assessment) -> Assessment {
    let scores_of = |a: &Assessment, pick: &dyn Fn(&Finding) -> Outcome| {
        let r = Rescorer::of(a);
        let outcomes: Vec<Outcome> = a.findings.iter().map(pick).collect();
        r.score(&outcomes)
    };
    let scores = scores_of(&a, &|f| f.outcome);
    let without = scores_of(&a, &|f| f.evaluated);
    a.improvement_plan = plan::build(&a.findings, &scores, &a.scoring_method.rules);
    a.decision = Decision {
        certified: scores.certified,
        certified_without_attestations: without.certified,
        failed_rules: scores.rules.iter().filter(|r| !r.passed).cloned().collect(),
        partial: None,
    };
    a.scores = scores;
    a.scores_without_attestations = without;
    a.seal_run_digest();
    a
}

/// Empty scores listing the sections (their minimums), to be filled by [`finish`].
pub fn empty_scores(sections: &[(&str, &str, f64)]) -> Scores {
    Scores {
        overall: Totals {
            points: 0.0,
            available: 0.0,
            earned: 0.0,
            score: None,
        },
        sections: sections
            .iter()
            .map(|(id, title, min)| SectionScore {
                id: (*id).into(),
                title: (*title).into(),
                totals: Totals {
                    points: 0.0,
                    available: 0.0,
                    earned: 0.0,
                    score: None,
                },
                minimum: *min,
                passed: true,
            })
            .collect(),
        certified: false,
        rules: Vec::new(),
        omitted: Vec::new(),
    }
}

/// The headline KPIs of the fixture's pack (the cx-ops list).
fn headline_kpis() -> Vec<HeadlineKpi> {
    [
        ("csat_top2", "Customer satisfaction (top-2-box)", true),
        ("utilisation", "Agent utilisation", true),
        ("cost_per_order", "Cost per order", false),
        ("attrition_annualized", "Annualised agent attrition", false),
        ("service_level", "Service level", true),
        ("fcr_rate", "First contact resolution", true),
        ("forecast_wape", "Forecast error (WAPE)", false),
    ]
    .iter()
    .map(|(m, l, h)| HeadlineKpi {
        measurement: (*m).into(),
        label: (*l).into(),
        higher_is_better: *h,
    })
    .collect()
}

/// A bare assessment around the given findings and sections.
pub fn skeleton(
    findings: Vec<Finding>,
    sections: &[(&str, &str, f64)],
    rules: ScoringRules,
) -> Assessment {
    let scores = empty_scores(sections);
    let no_plan = plan::build(&[], &scores, &rules);
    Assessment {
        schema_version: SCHEMA_VERSION.into(),
        engine: EngineInfo {
            name: "cxaudit".into(),
            version: "0.1.0".into(),
        },
        pack: PackInfo {
            id: "cx-ops-mini".into(),
            title: "Contact centre operations (test subset)".into(),
            version: "1.0.0".into(),
            sha256: sha("pack"),
            extends: Vec::new(),
            headline_kpis: headline_kpis(),
        },
        centre: Centre {
            name: "Northwind Care".into(),
            site: "Lisbon".into(),
        },
        period: Period {
            start: "2025-07-01".into(),
            end: "2025-12-31".into(),
        },
        as_of: "2025-12-31".into(),
        run: RunInfo {
            digest: String::new(),
            settings: vec![SettingsFile {
                path: "evidence.toml".into(),
                sha256: sha("evidence.toml"),
            }],
        },
        scoring_method: scoring_method(&rules),
        evidence: Vec::new(),
        plugins: Vec::new(),
        findings,
        scores: scores.clone(),
        scores_without_attestations: scores,
        decision: Decision {
            certified: false,
            certified_without_attestations: false,
            failed_rules: Vec::new(),
            partial: None,
        },
        attestations: Vec::new(),
        improvement_plan: no_plan,
        warnings: Vec::new(),
        execution: None,
    }
}

/// The baseline or the follow-up.
pub fn assessment(which: Which) -> Assessment {
    let sections: Vec<(&str, &str, f64)> = SECTIONS.iter().map(|(i, t)| (*i, *t, 0.75)).collect();
    let findings = findings(which);
    let mut a = skeleton(findings, &sections, ScoringRules::default());
    if which == Which::New {
        a.period = Period {
            start: "2026-01-01".into(),
            end: "2026-06-30".into(),
        };
        a.as_of = "2026-06-30".into();
    }
    a.attestations = a
        .findings
        .iter()
        .filter_map(|f| f.attestation.clone())
        .collect();
    let tables = [
        ("contacts", "data/contacts.csv", 48_211u64),
        ("intervals", "data/intervals.csv", 8_736),
        ("agents", "data/agents.csv", 164),
    ];
    a.evidence = tables
        .iter()
        .map(|(name, path, rows)| InventoryEntry {
            kind: "table".into(),
            name: (*name).into(),
            path: (*path).into(),
            sha256: Some(sha(&format!("{path}{}", which == Which::New))),
            rows: Some(*rows),
            // Contacts: 3 rows skipped as unparseable, 12 outside the period.
            records: Some(*rows + if *name == "contacts" { 3 } else { 0 }),
            skipped_rows: Some(if *name == "contacts" { 3 } else { 0 }),
            skipped_by_reason: if *name == "contacts" {
                [("unparseable cell".to_owned(), 3)].into()
            } else {
                Default::default()
            },
            outside_period: Some(if *name == "contacts" { 12 } else { 0 }),
            key: match *name {
                "contacts" => vec!["contact_id".into()],
                "intervals" => vec!["queue".into(), "interval_start".into()],
                _ => vec!["agent_id".into(), "hired_on".into()],
            },
            status: "loaded".into(),
            messages: Vec::new(),
            missing_columns: Vec::new(),
            ..Default::default()
        })
        .chain(std::iter::once(InventoryEntry {
            kind: "document".into(),
            name: "direction".into(),
            path: "docs/direction.md".into(),
            sha256: Some(sha("docs/direction.md")),
            rows: None,
            skipped_rows: None,
            status: "loaded".into(),
            messages: Vec::new(),
            missing_columns: Vec::new(),
            ..Default::default()
        }))
        .collect();
    a.plugins = ["people", "performance", "planning", "workforce"]
        .iter()
        .map(|p| PluginInfo {
            name: (*p).into(),
            version: "0.1.0".into(),
            abi_version: "1.0".into(),
            sdk_version: "0.1.0".into(),
            sha256: sha(p),
            file: format!("libcxaudit_plugin_{p}.so"),
        })
        .collect();
    if which == Which::Base {
        a.warnings = vec![
            "data/contacts.csv: 3 rows skipped (line 17: `answered_at` not a timestamp)".into(),
        ];
    }
    finish(a)
}

/// Where the JSON copies live.
pub fn fixture_path(which: Which) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures/report")
        .join(match which {
            Which::Base => "base.json",
            Which::New => "new.json",
        })
}

/// The checked-in fixture (`tests/fixtures/report/{base,new}.json`).
pub fn fixture(which: Which) -> Assessment {
    let text = std::fs::read_to_string(fixture_path(which)).expect("the fixture is checked in");
    Assessment::from_json(&text).expect("the fixture is an assessment.json")
}
