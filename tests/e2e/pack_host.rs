//! A plugin author's test over a real pack and evidence folder
//! (`cxaudit::testing::PackHost`): the pack's parameters, the evidence
//! typed by its schema, and the result judged with the pack's scoring
//! rules, as `assess` judges it; the SDK's in-memory `TestHost` judges the
//! same way once given the rules.

use cxaudit::testing::{PackHost, PackHostError};
use cxaudit_model::ScoringRules;
use cxaudit_plugin_sdk::prelude::*;
use cxaudit_plugin_sdk::serde;
use cxaudit_tests::fixture_copy;

/// Parameters of [`WaitShare`].
#[derive(serde::Deserialize)]
#[serde(crate = "cxaudit_plugin_sdk::serde")]
struct Params {
    max_wait_seconds: f64,
    target_share: f64,
}

/// Share of calls answered within the wait limit, graded against the
/// target share: score = min(share / target, 1).
struct WaitShare;

impl Evaluator for WaitShare {
    type Params = Params;

    fn name(&self) -> &'static str {
        "wait_threshold"
    }

    fn manifest(&self) -> Manifest {
        Manifest::new("Share of calls within the wait limit.")
            .table(TableNeed::required("calls").column("wait_seconds", ColumnType::Float))
            .parameter(ParamSpec::number("max_wait_seconds", 20.0))
            .parameter(ParamSpec::number("target_share", 0.8))
    }

    fn evaluate(&self, ctx: &Context<'_>, p: &Params) -> Result<Evaluation, EvalError> {
        let table = ctx.table("calls")?;
        let waits: Vec<Option<f64>> = table.f64s("wait_seconds")?.collect();
        let n = waits.len() as f64;
        let within = waits
            .iter()
            .filter(|w| w.is_some_and(|w| w <= p.max_wait_seconds))
            .count() as f64;
        let share = within / n;
        let score = (share / p.target_share).min(1.0);
        let mut e = Evaluation::with_status(status_for_score(score), format!("{within} of {n}"));
        e.score = Some(score);
        e.measurements = vec![Measurement::new(
            "share_within",
            Some(share),
            "ratio",
            "calls within the limit / calls",
        )];
        Ok(e)
    }
}

/// The basic pack with `partially_met_from` set to `partially` and SV1's
/// wait limit to `max_wait`, and the basic evidence, in a temp folder.
fn basic(partially: f64, max_wait: f64) -> (tempfile::TempDir, PackHost) {
    let (dir, pack) = fixture_copy("pack-basic");
    let toml = pack.join("pack.toml");
    let text = std::fs::read_to_string(&toml).unwrap().replace(
        "partially_met_from = 0.5",
        &format!("partially_met_from = {partially}"),
    );
    std::fs::write(&toml, text).unwrap();
    let criteria = pack.join("criteria").join("basic.toml");
    let text = std::fs::read_to_string(&criteria).unwrap().replace(
        "max_wait_seconds = 20.0",
        &format!("max_wait_seconds = {max_wait:?}"),
    );
    std::fs::write(&criteria, text).unwrap();
    let host = PackHost::load(&pack, &dir.path().join("evidence-basic")).unwrap();
    (dir, host)
}

#[test]
fn the_pack_sets_the_parameters_and_the_evidence_is_typed_by_its_schema() {
    // The pack's limit of 20 s: calls c1 (5 s), c2 (12.5 s), c3 (19 s) and c5 (20 s) of five
    // are within, 0.8 = the target share: score 1, met.
    let (_dir, host) = basic(0.5, 20.0);
    let e = host.run(&WaitShare, "SV1").unwrap();
    assert_eq!(e.status, Status::Met);
    assert_eq!(
        e.measurement("share_within").and_then(|m| m.value),
        Some(0.8)
    );
}

#[test]
fn the_status_follows_the_packs_scoring_rules_not_the_sdks_defaults() {
    // A 5 s limit: only c1 is within, share 0.2, score 0.2 / 0.8 = 0.25. Under the SDK's
    // default rules (partially met from 0.5) that is not met; the pack says partially met
    // from 0.2, and assess would say partially met.
    let (_dir, host) = basic(0.2, 5.0);
    let e = host.run(&WaitShare, "SV1").unwrap();
    assert_eq!(e.score, Some(0.25));
    assert_eq!(e.status, Status::PartiallyMet);

    // The in-memory host judges alike once given the pack's rules.
    let calls = testing::TableBuilder::new()
        .floats("wait_seconds", [5.0, 12.5, 19.0, 45.0, 20.0].map(Some))
        .build();
    let mem = testing::TestHost::new().table("calls", calls);
    let params = serde_json::json!({"max_wait_seconds": 5.0});
    assert_eq!(mem.run(&WaitShare, params.clone()).status, Status::NotMet);
    let rules = ScoringRules {
        partially_met_from: 0.2,
        ..host.pack().scoring.clone()
    };
    let judged = mem.scoring(rules).run(&WaitShare, params);
    assert_eq!(
        (judged.score, judged.status),
        (Some(0.25), Status::PartiallyMet)
    );
}

#[test]
fn a_criterion_the_evaluator_does_not_judge_is_named() {
    let (_dir, host) = basic(0.5, 20.0);
    let err = host.run(&WaitShare, "XX9").unwrap_err();
    assert!(matches!(err, PackHostError::UnknownCriterion { .. }));
    assert!(
        err.to_string()
            .contains("no criterion `XX9` (it has SV1, SV2"),
        "{err}"
    );
    let err = host.run(&WaitShare, "SV2").unwrap_err().to_string();
    assert!(
        err.contains(
            "`SV2` is judged by `threshold/row_count`, not by an evaluator named `wait_threshold`"
        ),
        "{err}"
    );
}
