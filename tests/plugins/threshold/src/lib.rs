//! Simple evaluators for cxaudit's own tests, over a `calls` table
//! (`call_id`, `wait_seconds`, `answered`), a `policy` document, and a
//! column `customer_tier` that a tailored pack adds to cx-ops' `contacts`.

use cxaudit_plugin_sdk::prelude::*;
use serde::Deserialize;

/// Share of answered calls with a wait at or under a limit, against a target.
pub struct WaitThreshold;

/// Parameters of [`WaitThreshold`].
#[derive(Deserialize, Params)]
pub struct WaitParams {
    /// wait limit, seconds
    #[param(default = 20.0, min = 0)]
    pub max_wait_seconds: f64,
    /// required share
    #[param(default = 0.8, min = 0, max = 1)]
    pub target_share: f64,
}

impl Evaluator for WaitThreshold {
    type Params = WaitParams;

    fn name(&self) -> &'static str {
        "wait_threshold"
    }

    fn manifest(&self) -> Manifest {
        Manifest::new("Share of calls answered within a wait limit, against a target share.")
            .table(
                TableNeed::required("calls")
                    .column("call_id", ColumnType::String)
                    .column("wait_seconds", ColumnType::Float)
                    .optional_column("answered", ColumnType::Bool),
            )
            .params::<WaitParams>()
            .measurement(
                "share_within",
                "ratio",
                "calls with wait <= limit / calls with a wait",
            )
    }

    fn evaluate(&self, ctx: &Context<'_>, p: &WaitParams) -> Result<Evaluation, EvalError> {
        let calls = ctx.table("calls")?;
        let (mut within, mut total) = (0u64, 0u64);
        for wait in calls.f64s("wait_seconds")?.flatten() {
            total += 1;
            if wait <= p.max_wait_seconds {
                within += 1;
            }
        }
        if total == 0 {
            return Err(EvalError::MissingEvidence("no call has a wait time".into()));
        }
        let share = within as f64 / total as f64;
        let passed = share >= p.target_share;
        let mut e = Evaluation::from_checks(vec![Check::new(
            "share_within",
            "Share of calls within the wait limit",
            share,
            format!(">= {}", p.target_share),
            passed,
        )]);
        // Partial credit between 0 and the target.
        e.score = Some(graded(share, 0.0, p.target_share, true));
        e.status = status_for_score(e.score.unwrap_or(0.0));
        e.summary = format!(
            "{within} of {total} calls waited at most {} s ({:.1}%).",
            p.max_wait_seconds,
            share * 100.0
        );
        e.measurements.push(Measurement::new(
            "share_within",
            Some(share),
            "ratio",
            "calls with wait <= limit / calls with a wait",
        ));
        if !passed {
            e.actions.push(Action {
                text: format!(
                    "Bring {} more calls per {total} within {} s.",
                    ((p.target_share - share) * total as f64).ceil(),
                    p.max_wait_seconds
                ),
                effort: Some(Effort::Medium),
                owner_role: Some(OwnerRole::Process),
            });
        }
        Ok(e)
    }
}

/// Enough rows in `calls`.
pub struct RowCount;

/// Parameters of [`RowCount`].
#[derive(Deserialize, Params)]
pub struct RowParams {
    /// Minimum rows (the manifest leaves it undescribed).
    #[param(default = 1, min = 0, description = "")]
    pub min_rows: u64,
}

impl Evaluator for RowCount {
    type Params = RowParams;

    fn name(&self) -> &'static str {
        "row_count"
    }

    fn manifest(&self) -> Manifest {
        Manifest::new("At least a number of calls in the evidence.")
            .table(TableNeed::required("calls").column("call_id", ColumnType::String))
            .params::<RowParams>()
            .measurement("rows", "calls", "rows of the calls table")
    }

    fn evaluate(&self, ctx: &Context<'_>, p: &RowParams) -> Result<Evaluation, EvalError> {
        let rows = ctx.table("calls")?.num_rows() as u64;
        let check = Check::new(
            "rows",
            "Calls in the evidence",
            rows,
            format!(">= {}", p.min_rows),
            rows >= p.min_rows,
        );
        let mut e = Evaluation::from_checks(vec![check]).summary(format!("{rows} calls."));
        e.measurements.push(Measurement::new(
            "rows",
            Some(rows as f64),
            "calls",
            "rows of the calls table",
        ));
        Ok(e)
    }
}

/// A heading present in the `policy` document, with text under it.
pub struct PolicyHeading;

/// Parameters of [`PolicyHeading`].
#[derive(Deserialize, Params)]
pub struct HeadingParams {
    /// The heading text to find (the manifest leaves it undescribed).
    #[param(default = "Escalation", description = "")]
    pub heading: String,
}

impl Evaluator for PolicyHeading {
    type Params = HeadingParams;

    fn name(&self) -> &'static str {
        "policy_heading"
    }

    fn manifest(&self) -> Manifest {
        Manifest::new("The policy document has a heading, with text under it.")
            .document("policy")
            .params::<HeadingParams>()
    }

    fn evaluate(&self, ctx: &Context<'_>, p: &HeadingParams) -> Result<Evaluation, EvalError> {
        let doc = ctx.document("policy")?;
        let wanted = format!("# {}", p.heading);
        let found = doc
            .text
            .lines()
            .any(|l| l.trim_start_matches('#').trim() == p.heading && l.starts_with('#'));
        let check = Check::new(
            "heading",
            &format!("Heading `{}` present", p.heading),
            found,
            "true",
            found,
        );
        Ok(Evaluation::from_checks(vec![check]).summary(format!(
            "{} {} `{wanted}`.",
            doc.path,
            if found { "has" } else { "lacks" }
        )))
    }
}

/// The share of contacts of one customer tier, read from a column that
/// cx-ops does not declare (`contacts.customer_tier`): a tailored pack adds
/// it to the base table.
pub struct TierShare;

/// Parameters of [`TierShare`] (the manifest leaves them undescribed).
#[derive(Deserialize, Params)]
pub struct TierParams {
    /// The tier counted.
    #[param(default = "gold", description = "")]
    pub tier: String,
    /// The share of contacts it must reach.
    #[param(default = 0.1, min = 0, max = 1, description = "")]
    pub min_share: f64,
}

impl Evaluator for TierShare {
    type Params = TierParams;

    fn name(&self) -> &'static str {
        "tier_share"
    }

    fn manifest(&self) -> Manifest {
        Manifest::new("Share of contacts from customers of one tier, against a minimum.")
            .table(TableNeed::required("contacts").column("customer_tier", ColumnType::String))
            .params::<TierParams>()
            .measurement(
                "tier_share",
                "ratio",
                "contacts of the tier / contacts with a tier",
            )
    }

    fn evaluate(&self, ctx: &Context<'_>, p: &TierParams) -> Result<Evaluation, EvalError> {
        let contacts = ctx.table("contacts")?;
        let (mut of_tier, mut total) = (0u64, 0u64);
        for tier in contacts.strs("customer_tier")?.flatten() {
            total += 1;
            if tier == p.tier {
                of_tier += 1;
            }
        }
        if total == 0 {
            return Err(EvalError::MissingEvidence("no contact has a tier".into()));
        }
        let share = of_tier as f64 / total as f64;
        let mut e = Evaluation::from_checks(vec![Check::new(
            "tier_share",
            &format!("Share of `{}` contacts", p.tier),
            share,
            format!(">= {}", p.min_share),
            share >= p.min_share,
        )])
        .summary(format!("{of_tier} of {total} contacts are `{}`.", p.tier));
        e.measurements.push(Measurement::new(
            "tier_share",
            Some(share),
            "ratio",
            "contacts of the tier / contacts with a tier",
        ));
        Ok(e)
    }
}

export_plugin!(
    name: "threshold",
    version: env!("CARGO_PKG_VERSION"),
    evaluators: [WaitThreshold, RowCount, PolicyHeading, TierShare],
);

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn calls(waits: &[Option<f64>]) -> testing::TestHost {
        let ids: Vec<String> = (0..waits.len()).map(|i| format!("c{i}")).collect();
        testing::TestHost::new().table(
            "calls",
            testing::TableBuilder::new()
                .strings("call_id", ids.iter().map(|s| Some(s.as_str())))
                .floats("wait_seconds", waits.iter().copied())
                .build(),
        )
    }

    #[test]
    fn three_of_four_within_limit_is_partial_credit() {
        // 3 of 4 calls within 20 s: share 0.75, target 0.8 -> score 0.75/0.8.
        let e =
            calls(&[Some(5.0), Some(20.0), Some(19.0), Some(40.0)]).run(&WaitThreshold, json!({}));
        assert!((e.score.unwrap() - 0.9375).abs() < 1e-12);
        assert_eq!(e.status, Status::PartiallyMet);
        assert!(!e.checks[0].passed);
    }

    #[test]
    fn null_waits_are_not_counted_and_params_apply() {
        let e = calls(&[Some(5.0), None, Some(25.0)])
            .run(&WaitThreshold, json!({"max_wait_seconds": 30.0}));
        assert_eq!(e.score, Some(1.0));
        assert_eq!(e.status, Status::Met);
    }

    #[test]
    fn bad_parameter_is_an_error_result() {
        let e = calls(&[Some(1.0)]).run(&WaitThreshold, json!({"target_share": 2.0}));
        assert_eq!(e.status, Status::Error);
        assert!(e.summary.contains("target_share"), "{}", e.summary);
    }

    #[test]
    fn missing_document_is_insufficient_evidence() {
        let e = testing::TestHost::new().run(&PolicyHeading, json!({}));
        assert_eq!(e.status, Status::InsufficientEvidence);
    }

    #[test]
    fn derived_params_are_the_specs_the_manifests_wrote_by_hand() {
        // The specs the manifests declared by hand before `#[derive(Params)]`.
        let by_hand = [
            (
                WaitThreshold.manifest().parameters,
                vec![
                    ParamSpec::number("max_wait_seconds", 20.0)
                        .min(0.0)
                        .describe("wait limit, seconds"),
                    ParamSpec::number("target_share", 0.8)
                        .min(0.0)
                        .max(1.0)
                        .describe("required share"),
                ],
            ),
            (
                RowCount.manifest().parameters,
                vec![ParamSpec::integer("min_rows", 1).min(0.0)],
            ),
            (
                PolicyHeading.manifest().parameters,
                vec![ParamSpec::string("heading", "Escalation")],
            ),
            (
                TierShare.manifest().parameters,
                vec![
                    ParamSpec::string("tier", "gold"),
                    ParamSpec::number("min_share", 0.1).min(0.0).max(1.0),
                ],
            ),
        ];
        for (derived, by_hand) in by_hand {
            assert_eq!(derived.len(), by_hand.len());
            for (derived, by_hand) in derived.iter().zip(&by_hand) {
                assert_eq!(derived, by_hand, "parameter `{}`", by_hand.name);
            }
            assert_eq!(
                serde_json::to_string(&derived).unwrap(),
                serde_json::to_string(&by_hand).unwrap()
            );
        }
    }
}
