//! The whole assessment, from folders to the record: pack, plugins,
//! evidence (each needed table parsed once), evaluations, attestations,
//! scoring, improvement plan.

use std::num::NonZeroUsize;
use std::path::Path;
use std::sync::{Mutex, mpsc};
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use cxaudit_plugin_sdk::Period;

use cxaudit_model::assessment::scoring_method;
use cxaudit_model::{
    Assessment, Decision, EngineInfo, Execution, Finding, Guidance, GuidanceAction, IsolationMode,
    Outcome, PackInfo, PartialRun, PluginInfo, RunInfo, SCHEMA_VERSION, Scores, SettingsFile, plan,
};

use crate::attestations::{self, AttestationError};
use crate::evidence::{self, EvidenceError, EvidenceStore};
use crate::pack::{Method, Pack};
use crate::plugins::{Caller, Isolation, Registry};
use crate::progress::Progress;
use crate::run::{self, Evaluated};
use crate::scoring;

/// Why an assessment could not be made at all (bad input; what depends on
/// a single bad table or plugin is reported in the findings instead).
#[derive(Debug, thiserror::Error)]
pub enum AssessError {
    /// `evidence.toml` is unusable.
    #[error(transparent)]
    Evidence(#[from] EvidenceError),
    /// `attestations.toml` is unusable.
    #[error(transparent)]
    Attestations(#[from] AttestationError),
    /// `--only` names a criterion the pack does not have.
    #[error(transparent)]
    UnknownCriteria(#[from] crate::pack::UnknownCriteria),
}

/// What a run produced besides the record: for tests and progress.
#[derive(Debug)]
pub struct RunReport {
    /// The evidence store (parse counts, inventory).
    pub store: EvidenceStore,
    /// Where the time went (wall time; never part of the record).
    pub timings: Timings,
}

/// Where the wall time of a run went, for `assess --timings`.
#[derive(Debug, Clone, Default)]
pub struct Timings {
    /// Loading the evidence: hashing, parsing the tables, reading documents.
    pub evidence: Duration,
    /// Parsing each table (part of `evidence`).
    pub tables: Vec<(String, Duration)>,
    /// Resolving each reference between tables, by `table.column` (part of
    /// `evidence`).
    pub references: Vec<(String, Duration)>,
    /// Evaluating every criterion (with `jobs` at a time).
    pub evaluations: Duration,
    /// Each criterion's evaluation, in pack order (they overlap when
    /// several run at a time).
    pub criteria: Vec<(String, Duration)>,
    /// How many criteria were evaluated at a time.
    pub jobs: usize,
    /// Scoring, the improvement plan and the record.
    pub assembly: Duration,
}

/// Options of a run.
#[derive(Debug, Clone, Default)]
pub struct AssessOptions {
    /// The date the assessment is made as of (default: the period end).
    pub as_of: Option<NaiveDate>,
    /// How many criteria are evaluated at a time under process isolation
    /// (`None`: one per available core). The record is the same bytes
    /// whatever the number; in-process plugins run one at a time.
    pub jobs: Option<NonZeroUsize>,
    /// Run only these criteria (`assess --only`): a partial run, whose
    /// record scores only them and is never a certification decision.
    pub only: Option<Vec<String>>,
}

impl AssessOptions {
    /// The number of criteria evaluated at a time with `registry`: one
    /// in-process (the plugin ABI does not promise that an evaluator may run
    /// concurrently with itself), else `jobs` or the available cores.
    pub fn jobs_for(&self, registry: &Registry) -> usize {
        match registry.isolation {
            Isolation::None => 1,
            Isolation::Process(_) => self
                .jobs
                .or_else(|| std::thread::available_parallelism().ok())
                .map_or(1, NonZeroUsize::get),
        }
    }
}

/// Runs an assessment of the evidence in `evidence_dir` against `pack`
/// with the plugins of `registry`.
pub fn assess(
    pack: &Pack,
    registry: &Registry,
    evidence_dir: &Path,
    options: &AssessOptions,
    progress: &mut dyn FnMut(Progress<'_>),
) -> Result<(Assessment, RunReport), AssessError> {
    // A partial run is the pack restricted to the chosen criteria; the
    // omitted ones are only named (in the scores and the decision).
    let selected;
    let (pack, omitted) = match &options.only {
        Some(ids) => {
            let (restricted, omitted) = pack.only(ids)?;
            selected = restricted;
            (&selected, omitted)
        }
        None => (pack, Vec::new()),
    };
    let manifest = evidence::load_manifest(evidence_dir)?;
    evidence::check_document_names(&manifest, &pack.schema)?;
    let as_of = options.as_of.unwrap_or(manifest.end);
    let (overrides, mut warnings) = attestations::load(evidence_dir, pack, as_of)?;
    let needs = run::needs_of(pack.criteria.iter(), registry);
    let started = Instant::now();
    let store = EvidenceStore::load(manifest, &pack.schema, &needs.tables, progress);
    let mut timings = Timings {
        evidence: started.elapsed(),
        tables: store
            .parse_times()
            .iter()
            .map(|(name, d)| (name.clone(), *d))
            .collect(),
        references: store.reference_times().to_vec(),
        jobs: options.jobs_for(registry),
        ..Timings::default()
    };
    warnings.extend(store.warnings.iter().cloned());

    let period = Period {
        start: store.manifest.start.to_string(),
        end: store.manifest.end.to_string(),
    };
    let as_of_text = as_of.to_string();
    let total = pack.criteria.len();
    let started = Instant::now();
    let context = RunContext {
        pack,
        registry,
        store: &store,
        period: &period,
        as_of: &as_of_text,
    };
    let timed = evaluate_all(&context, timings.jobs, progress);
    timings.evaluations = started.elapsed();
    let started = Instant::now();
    let mut evaluated = Vec::with_capacity(total);
    for (c, (e, took)) in pack.criteria.iter().zip(timed) {
        timings.criteria.push((c.id.clone(), took));
        evaluated.push(e);
    }

    let mut findings = Vec::with_capacity(total);
    for (c, e) in pack.criteria.iter().zip(evaluated) {
        let evaluated_outcome = Outcome::new(e.evaluation.status, e.evaluation.score, c.points);
        let applied = overrides
            .iter()
            .find(|o| o.applied && o.criterion == c.id)
            .cloned();
        let outcome = match &applied {
            Some(o) => Outcome::new(o.status, o.score, c.points),
            None => evaluated_outcome,
        };
        let ev = e.evaluation;
        findings.push(Finding {
            criterion: c.id.clone(),
            section: c.section.clone(),
            title: c.title.clone(),
            requirement: c.requirement.clone(),
            points: c.points,
            mandatory: c.mandatory,
            method: c.method.label(),
            flagged: outcome.flagged(),
            outcome,
            evaluated: evaluated_outcome,
            attestation: applied,
            summary: ev.summary,
            checks: ev.checks,
            measurements: ev.measurements,
            definitions: ev.definitions,
            parameters: e.parameters,
            evidence: e.evidence,
            observations: ev.observations,
            drilldowns: ev.drilldowns,
            charts: ev.charts,
            actions: ev.actions,
            guidance: guidance(&c.guidance),
            references: c.references.clone(),
            plugin_output: e.output,
        });
    }
    let scores_of = |pick: &dyn Fn(&Finding) -> Outcome| -> Scores {
        let outcomes: Vec<Outcome> = findings.iter().map(pick).collect();
        scoring::score(pack, &omitted, &outcomes)
    };
    let scores = scores_of(&|f| f.outcome);
    let without = scores_of(&|f| f.evaluated);
    let plan = plan::build(&findings, &scores, &pack.scoring);
    let decision = Decision {
        certified: scores.certified,
        certified_without_attestations: without.certified,
        failed_rules: scores.rules.iter().filter(|r| !r.passed).cloned().collect(),
        partial: (!omitted.is_empty()).then(|| PartialRun {
            criteria: pack.criteria.iter().map(|c| c.id.clone()).collect(),
            omitted: omitted.clone(),
        }),
    };
    let settings = settings_files(evidence_dir, &store.manifest.sha256);
    let mut record = Assessment {
        schema_version: SCHEMA_VERSION.to_owned(),
        engine: EngineInfo {
            name: "cxaudit".into(),
            version: crate::ENGINE_VERSION.into(),
        },
        pack: PackInfo {
            id: pack.id.clone(),
            title: pack.title.clone(),
            version: pack.version.clone(),
            sha256: pack.sha256.clone(),
            extends: pack.extends.clone(),
            headline_kpis: pack.headline_kpis.clone(),
        },
        centre: store.manifest.centre.clone(),
        period,
        as_of: as_of_text,
        run: RunInfo {
            digest: String::new(),
            settings,
        },
        scoring_method: scoring_method(&pack.scoring),
        evidence: store.inventory.clone(),
        plugins: plugins_used(pack, registry),
        findings,
        scores,
        scores_without_attestations: without,
        decision,
        attestations: overrides,
        improvement_plan: plan,
        warnings,
        execution: Some(execution(registry.isolation)),
    };
    record.seal_run_digest();
    timings.assembly = started.elapsed();
    Ok((record, RunReport { store, timings }))
}

/// What every evaluation of a run reads.
struct RunContext<'a> {
    pack: &'a Pack,
    registry: &'a Registry,
    store: &'a EvidenceStore,
    period: &'a Period,
    as_of: &'a str,
}

impl RunContext<'_> {
    /// Evaluates the `i`-th criterion of the pack with `caller`, timed.
    fn evaluate(&self, i: usize, caller: &mut Caller<'_>) -> (Evaluated, Duration) {
        let started = Instant::now();
        let c = &self.pack.criteria[i];
        let e = run::evaluate(c, self.pack, caller, self.store, self.period, self.as_of);
        (e, started.elapsed())
    }

    /// The plugin that evaluates the `i`-th criterion (none for a manual one).
    fn plugin_of(&self, i: usize) -> Option<&str> {
        match &self.pack.criteria[i].method {
            Method::Evaluator { plugin, .. } => Some(plugin),
            Method::Manual { .. } => None,
        }
    }

    /// The order in which criteria start when several are evaluated at a
    /// time: those whose evaluators read the most rows first (ties in pack
    /// order), so that the longest evaluations do not start last and leave
    /// the other workers idle. The results do not depend on it.
    fn start_order(&self) -> Vec<usize> {
        let rows_read = |i: usize| -> u64 {
            let Method::Evaluator { plugin, name } = &self.pack.criteria[i].method else {
                return 0;
            };
            let Ok(ev) = self.registry.evaluator(plugin, name) else {
                return 0;
            };
            ev.manifest
                .tables
                .iter()
                .filter_map(|t| {
                    let entry = self
                        .store
                        .inventory
                        .iter()
                        .find(|e| e.kind == "table" && e.name == t.name)?;
                    entry.rows
                })
                .sum()
        };
        let mut order: Vec<usize> = (0..self.pack.criteria.len()).collect();
        order.sort_by_cached_key(|&i| (std::cmp::Reverse(rows_read(i)), i));
        order
    }

    /// Reports that the `i`-th criterion starts.
    fn starting(&self, i: usize, progress: &mut dyn FnMut(Progress<'_>)) {
        let c = &self.pack.criteria[i];
        progress(Progress::CriterionStarted {
            index: i,
            total: self.pack.criteria.len(),
            id: &c.id,
            method: &c.method.label(),
        });
    }
}

/// One message of a worker to the thread that collects the results.
enum Worker {
    /// It starts the `i`-th criterion.
    Starts(usize),
    /// The `i`-th criterion's evaluation.
    Done(usize, Box<(Evaluated, Duration)>),
}

/// The criteria no worker has taken yet, and the plugin each worker holds a
/// process of.
struct Pending {
    /// Criterion indexes in start order.
    order: Vec<usize>,
    /// By worker: the plugin of the criterion it took last.
    holding: Vec<Option<String>>,
}

impl Pending {
    /// The next criterion for `worker`, whose caller holds a process of
    /// `holds`: the first of that plugin; else the first of a plugin no
    /// other worker holds (so that a library's criteria share its process);
    /// else the first (so that no worker idles while criteria wait).
    fn take(
        &mut self,
        context: &RunContext<'_>,
        worker: usize,
        holds: Option<&str>,
    ) -> Option<usize> {
        let held_by_others = |plugin: Option<&str>| {
            self.holding
                .iter()
                .enumerate()
                .any(|(w, h)| w != worker && plugin.is_some() && h.as_deref() == plugin)
        };
        let at = self
            .order
            .iter()
            .position(|&i| holds.is_some() && context.plugin_of(i) == holds)
            .or_else(|| {
                self.order
                    .iter()
                    .position(|&i| !held_by_others(context.plugin_of(i)))
            })
            .or((!self.order.is_empty()).then_some(0))?;
        let i = self.order.remove(at);
        self.holding[worker] = context.plugin_of(i).map(str::to_owned);
        Some(i)
    }
}

/// Evaluates every criterion of the pack, `jobs` at a time, and returns the
/// results in pack order. Each criterion is evaluated exactly once and on
/// its own, whoever evaluates it (under isolation, in its plugin's process,
/// kept for the worker's next criteria of that plugin: a worker takes those
/// first), so the results do not depend on `jobs` nor on which finishes
/// first; progress goes through `progress` on the calling thread only.
fn evaluate_all(
    context: &RunContext<'_>,
    jobs: usize,
    progress: &mut dyn FnMut(Progress<'_>),
) -> Vec<(Evaluated, Duration)> {
    let total = context.pack.criteria.len();
    progress(Progress::Evaluating { total });
    let workers = jobs.clamp(1, total.max(1));
    if workers == 1 {
        let mut caller = Caller::new(context.registry, context.store);
        return (0..total)
            .map(|i| {
                context.starting(i, progress);
                let done = context.evaluate(i, &mut caller);
                progress(Progress::CriterionDone { index: i });
                done
            })
            .collect();
    }
    let pending = Mutex::new(Pending {
        order: context.start_order(),
        holding: vec![None; workers],
    });
    let mut slots: Vec<Option<(Evaluated, Duration)>> = (0..total).map(|_| None).collect();
    std::thread::scope(|scope| {
        let (sender, receiver) = mpsc::channel();
        for worker in 0..workers {
            let (sender, pending) = (sender.clone(), &pending);
            scope.spawn(move || {
                let mut caller = Caller::new(context.registry, context.store);
                loop {
                    let next = match pending.lock() {
                        Ok(mut p) => p.take(context, worker, caller.holds()),
                        Err(_) => None,
                    };
                    let Some(i) = next else { break };
                    if sender.send(Worker::Starts(i)).is_err() {
                        break;
                    }
                    let done = Worker::Done(i, Box::new(context.evaluate(i, &mut caller)));
                    if sender.send(done).is_err() {
                        break;
                    }
                }
            });
        }
        drop(sender);
        for message in receiver {
            match message {
                Worker::Starts(i) => context.starting(i, progress),
                Worker::Done(i, result) => {
                    progress(Progress::CriterionDone { index: i });
                    slots[i] = Some(*result);
                }
            }
        }
    });
    slots
        .into_iter()
        .map(|slot| slot.expect("every criterion is evaluated by exactly one worker"))
        .collect()
}

/// The evidence folder's settings files for the run digest: `evidence.toml`
/// (hashed as read) and `attestations.toml` when it exists.
fn settings_files(evidence_dir: &Path, manifest_sha256: &str) -> Vec<SettingsFile> {
    let mut files = vec![SettingsFile {
        path: "evidence.toml".into(),
        sha256: manifest_sha256.to_owned(),
    }];
    let attestations = evidence_dir.join(crate::attestations::FILE_NAME);
    if let Ok(sha256) = crate::hashing::sha256_file(&attestations) {
        files.push(SettingsFile {
            path: crate::attestations::FILE_NAME.into(),
            sha256,
        });
    }
    files
}

/// How the plugins were run, as the record carries it.
fn execution(isolation: Isolation) -> Execution {
    match isolation {
        Isolation::Process(limits) => Execution {
            isolation: IsolationMode::Process,
            evaluator_timeout_seconds: Some(limits.timeout.as_secs_f64()),
            plugin_memory_mib: limits.memory.map(|bytes| bytes / (1024 * 1024)),
        },
        Isolation::None => Execution {
            isolation: IsolationMode::None,
            evaluator_timeout_seconds: None,
            plugin_memory_mib: None,
        },
    }
}

/// The pack's guidance as the record carries it.
fn guidance(g: &crate::pack::Guidance) -> Guidance {
    Guidance {
        met: g.met.clone(),
        actions: g
            .actions
            .iter()
            .map(|a| GuidanceAction {
                text: a.text.clone(),
                effort: a.effort,
                owner_role: a.owner_role,
            })
            .collect(),
    }
}

/// The plugins the pack's criteria use, sorted by name.
fn plugins_used(pack: &Pack, registry: &Registry) -> Vec<PluginInfo> {
    let mut names: Vec<&str> = pack
        .criteria
        .iter()
        .filter_map(|c| match &c.method {
            Method::Evaluator { plugin, .. } => Some(plugin.as_str()),
            Method::Manual { .. } => None,
        })
        .collect();
    names.sort();
    names.dedup();
    names
        .into_iter()
        .filter_map(|n| registry.plugin(n))
        .map(|p| PluginInfo {
            name: p.name.clone(),
            version: p.version.clone(),
            abi_version: p.abi_version.clone(),
            sdk_version: p.sdk_version.clone(),
            sha256: p.sha256.clone(),
            file: p
                .path
                .file_name()
                .map(|f| f.to_string_lossy().into_owned())
                .unwrap_or_default(),
        })
        .collect()
}
