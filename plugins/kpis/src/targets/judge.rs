//! The target a criterion judges: the centre's documented target or the
//! pack's, as the criterion's [`TargetPolicy`] says, never laxer than the
//! laxest target the standard accepts, with where it came from and why.

use cxaudit_plugin_sdk::prelude::*;

use super::{KpiTargets, TargetRow};
use crate::Kpi;
use crate::evaluator::kpi_value_label;

/// What a criterion states about the target of one KPI.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetRule {
    /// The KPI judged.
    pub kpi: Kpi,
    /// Whose target counts.
    pub policy: TargetPolicy,
    /// Whether higher values meet a target (from the KPI's definition).
    pub higher_is_better: bool,
    /// The pack's own target and the parameter holding it.
    pub pack: Option<(f64, String)>,
    /// The laxest target the standard accepts and the parameter holding it.
    pub laxest: Option<(f64, String)>,
}

/// Where a judged target came from.
#[derive(Debug, Clone, PartialEq)]
pub enum TargetSource {
    /// A row of the centre's `kpi_targets`.
    Centre {
        /// 1-based row of the table.
        row: usize,
        /// The row's scope, if any.
        scope: Option<String>,
    },
    /// A parameter of the pack.
    Pack {
        /// The parameter's name.
        param: String,
    },
    /// The laxest target the standard accepts (a parameter of the pack).
    Bound {
        /// The parameter's name.
        param: String,
    },
}

impl TargetSource {
    /// Where it came from, for findings: ``the centre's kpi_targets row 4``,
    /// ``pack parameter `target` ``, ``the standard's bound `laxest_target` ``.
    pub fn label(&self) -> String {
        match self {
            TargetSource::Centre { row, scope: None } => {
                format!("the centre's kpi_targets row {row}")
            }
            TargetSource::Centre {
                row,
                scope: Some(s),
            } => format!("the centre's kpi_targets row {row} [{s}]"),
            TargetSource::Pack { param } => format!("pack parameter `{param}`"),
            TargetSource::Bound { param } => format!("the standard's bound `{param}`"),
        }
    }
}

/// The target a criterion judges, with where it came from and why.
#[derive(Debug, Clone, PartialEq)]
pub struct JudgedTarget {
    /// The KPI.
    pub kpi: Kpi,
    /// The target, in the KPI's unit.
    pub value: f64,
    /// Whether values at or above the target meet it.
    pub higher_is_better: bool,
    /// Where it came from.
    pub source: TargetSource,
    /// Why this target: the policy and what it was chosen over.
    pub why: String,
    /// The policy applied.
    pub policy: TargetPolicy,
    /// Observations for the finding (a target laxer than the standard
    /// accepts; a row's direction the KPI contradicts).
    pub observations: Vec<String>,
}

impl JudgedTarget {
    /// Whether a value meets the target (with a tolerance for float error).
    pub fn is_met(&self, value: f64) -> bool {
        let eps = 1e-12 * self.value.abs().max(1.0);
        if self.higher_is_better {
            value >= self.value - eps
        } else {
            value <= self.value + eps
        }
    }

    /// `>=` or `<=`.
    pub fn op(&self) -> &'static str {
        op(self.higher_is_better)
    }

    /// The target for people, in the KPI's unit: `80.0%`, `30.0 s`.
    pub fn value_label(&self) -> String {
        kpi_value_label(Some(self.kpi), self.value)
    }

    /// Where it came from and why, for summaries and check texts:
    /// ``pack parameter `target`: stricter than the centre's 78.0% (kpi_targets row 4)``.
    pub fn cite(&self) -> String {
        format!("{}: {}", self.source.label(), self.why)
    }

    /// The expected value of a check: ``>= 0.8 (pack parameter `target`: ...)``.
    pub fn expected(&self) -> String {
        format!("{} {} ({})", self.op(), self.value, self.cite())
    }

    /// Records the target in a finding: its definition and observations.
    pub fn record(&self, e: &mut Evaluation) {
        e.definitions.push(self.definition());
        e.observations.extend(self.observations.iter().cloned());
    }

    /// The definition the finding records: the target, its source, the
    /// policy and why.
    pub fn definition(&self) -> Definition {
        Definition::new(
            &format!("{} target", self.kpi.key()),
            &format!(
                "{} {} {} from {}; {} (target_policy = {})",
                self.kpi.key(),
                self.op(),
                self.value,
                self.source.label(),
                self.why,
                self.policy.name()
            ),
        )
    }
}

fn op(higher_is_better: bool) -> &'static str {
    if higher_is_better { ">=" } else { "<=" }
}

/// Whether `a` asks for less than `b` (lower when higher is better).
fn laxer(a: f64, b: f64, higher_is_better: bool) -> bool {
    if higher_is_better { a < b } else { a > b }
}

/// A candidate target before the bound.
struct Candidate {
    value: f64,
    source: TargetSource,
    why: String,
}

impl TargetRule {
    /// A rule for `kpi` under `policy`, its direction from the KPI's
    /// definition, with neither a pack target nor a bound yet.
    pub fn new(kpi: Kpi, policy: TargetPolicy) -> Self {
        TargetRule {
            kpi,
            policy,
            higher_is_better: kpi.higher_is_better(),
            pack: None,
            laxest: None,
        }
    }

    /// Sets the pack's target, held by parameter `param`.
    pub fn pack_target(mut self, param: &str, value: f64) -> Self {
        self.pack = Some((value, param.to_owned()));
        self
    }

    /// Sets the laxest target the standard accepts, held by parameter
    /// `param`. For a KPI where lower is better, 0 means no bound.
    pub fn laxest(mut self, param: &str, value: f64) -> Self {
        let no_bound = !self.higher_is_better && value <= 0.0;
        self.laxest = (!no_bound).then(|| (value, param.to_owned()));
        self
    }

    /// Judges in the direction a row states (PF4 follows the centre's `min`/`max`).
    pub fn direction(mut self, higher_is_better: bool) -> Self {
        self.higher_is_better = higher_is_better;
        self
    }

    /// The target judged for the KPI from the centre's `kpi_targets`
    /// ([`KpiTargets::for_kpi`]); `None` when neither the centre nor the pack sets one.
    pub fn judge_in(&self, targets: &KpiTargets) -> Result<Option<JudgedTarget>, EvalError> {
        self.judge(targets.for_kpi(self.kpi))
    }

    /// As [`TargetRule::judge_in`], for a criterion that cannot judge
    /// without a target (one with a pack target always has one).
    pub fn required_in(&self, targets: &KpiTargets) -> Result<JudgedTarget, EvalError> {
        self.judge_in(targets)?.ok_or_else(|| {
            EvalError::Failed(format!(
                "no {} target: neither kpi_targets nor the pack sets one",
                self.kpi.key()
            ))
        })
    }

    /// The target judged given the centre's row (there always is one: the
    /// centre's, the pack's or the bound).
    pub fn judge_row(&self, row: &TargetRow) -> Result<JudgedTarget, EvalError> {
        self.judge(Some(row))?
            .ok_or_else(|| EvalError::Failed(format!("{}: no target could be judged", row.at())))
    }

    /// The target judged given the centre's row for the KPI, if any. A row
    /// whose unit cannot be read is insufficient evidence naming the row.
    pub fn judge(&self, row: Option<&TargetRow>) -> Result<Option<JudgedTarget>, EvalError> {
        let centre = match row {
            Some(r) => Some((r.target_in_kpi_unit()?, r)),
            None => None,
        };
        let Some(candidate) = self.candidate(centre) else {
            return Ok(None);
        };
        let mut judged = JudgedTarget {
            kpi: self.kpi,
            value: candidate.value,
            higher_is_better: self.higher_is_better,
            source: candidate.source,
            why: candidate.why,
            policy: self.policy,
            observations: row
                .and_then(|r| self.direction_note(r))
                .into_iter()
                .collect(),
        };
        self.apply_bound(&mut judged);
        Ok(Some(judged))
    }

    /// The target the policy picks, before the bound.
    fn candidate(&self, centre: Option<(f64, &TargetRow)>) -> Option<Candidate> {
        let from_centre = |(value, r): (f64, &TargetRow), why: String| Candidate {
            value,
            source: TargetSource::Centre {
                row: r.row,
                scope: r.scope.clone(),
            },
            why,
        };
        let from_pack = |value: f64, param: &str, why: String| Candidate {
            value,
            source: TargetSource::Pack {
                param: param.to_owned(),
            },
            why,
        };
        let centre_text = |(v, r): (f64, &TargetRow)| {
            format!("the centre's {} (kpi_targets row {})", self.label(v), r.row)
        };
        let pack = self.pack.as_ref();
        Some(match (self.policy, centre, pack) {
            (_, None, None) => return None,
            (TargetPolicy::Centre, Some(c), _) => {
                from_centre(c, "the centre's documented target (policy centre)".into())
            }
            (TargetPolicy::Pack, Some(c), None) | (TargetPolicy::StricterOf, Some(c), None) => {
                from_centre(
                    c,
                    format!("the pack sets no target (policy {})", self.policy.name()),
                )
            }
            (_, None, Some((v, param))) => from_pack(
                *v,
                param,
                format!(
                    "kpi_targets has no {} target (policy {})",
                    self.kpi.key(),
                    self.policy.name()
                ),
            ),
            (TargetPolicy::Pack, Some(c), Some((v, param))) => from_pack(
                *v,
                param,
                format!(
                    "the pack's target counts (policy pack), not {}",
                    centre_text(c)
                ),
            ),
            (TargetPolicy::StricterOf, Some(c), Some((v, param))) => {
                if laxer(c.0, *v, self.higher_is_better) {
                    from_pack(
                        *v,
                        param,
                        format!("stricter than {} (policy stricter_of)", centre_text(c)),
                    )
                } else {
                    let why = format!(
                        "at least as strict as the pack's {} (`{param}`, policy stricter_of)",
                        self.label(*v)
                    );
                    from_centre(c, why)
                }
            }
        })
    }

    /// Replaces a target laxer than the standard accepts by the bound, and
    /// says so.
    fn apply_bound(&self, judged: &mut JudgedTarget) {
        let Some((bound, param)) = &self.laxest else {
            return;
        };
        if !laxer(judged.value, *bound, self.higher_is_better) {
            return;
        }
        let whose = match judged.source {
            TargetSource::Centre { .. } => "Centre target",
            _ => "Pack target",
        };
        judged.observations.push(format!(
            "{whose} laxer than the standard accepts: {} sets {} {} {}; the laxest target the standard accepts is {} {} (`{param}`), so {} is judged.",
            judged.source.label(),
            self.kpi.key(),
            judged.op(),
            self.label(judged.value),
            judged.op(),
            self.label(*bound),
            self.label(*bound),
        ));
        judged.why = format!(
            "{} sets {}, laxer than the standard accepts",
            judged.source.label(),
            self.label(judged.value)
        );
        judged.value = *bound;
        judged.source = TargetSource::Bound {
            param: param.clone(),
        };
    }

    /// An observation when the row's direction contradicts the judged one.
    fn direction_note(&self, row: &TargetRow) -> Option<String> {
        let stated = row.higher_is_better()?;
        (stated != self.higher_is_better).then(|| {
            format!(
                "{} states direction `{}`; {} is judged as {} ({}).",
                row.at(),
                row.direction.as_deref().unwrap_or(""),
                self.kpi.key(),
                if self.higher_is_better {
                    "at least"
                } else {
                    "at most"
                },
                if self.higher_is_better {
                    "higher is better"
                } else {
                    "lower is better"
                }
            )
        })
    }

    fn label(&self, value: f64) -> String {
        kpi_value_label(Some(self.kpi), value)
    }
}
