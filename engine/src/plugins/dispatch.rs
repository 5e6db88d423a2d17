//! Calling an evaluator where the registry's isolation says: in a plugin
//! process, whose failure becomes the criterion's `error` with its cause,
//! or in this process.

use cxaudit_plugin_sdk::{Evaluation, Request};

use serde::{Deserialize, Serialize};

use super::child::{CapturedOutput, ChildFailure, ChildLimits, run_in_child};
use super::host::{Declared, EvidenceAccess, Opened, TableForm, call_evaluator};
use super::library::{LoadedEvaluator, LoadedPlugin, Registry, load_in_child, with_last_line};
use super::program::Program;
use super::resident::{NotStarted, Resident};

/// The end of one evaluation.
#[derive(Debug, Clone)]
pub struct Called {
    /// The plugin's result, or an `error` result saying why there is none.
    pub evaluation: Evaluation,
    /// Which evidence it opened (empty when the child failed).
    pub opened: Opened,
    /// What the plugin printed, bounded (process isolation only; `None`
    /// when it printed nothing).
    pub output: Option<String>,
}

/// What a resident plugin process is asked: one evaluation.
#[derive(Debug, Serialize, Deserialize)]
struct Job {
    /// The evaluator, by name within the plugin.
    evaluator: String,
    /// Its request.
    request: Request,
}

/// What a resident plugin process answers: the evaluation and the evidence
/// it opened, or why the evaluator could not be called.
type Answer = Result<(Evaluation, Opened), String>;

/// A plugin library's process, kept while a worker evaluates its criteria.
struct LibraryProcess {
    /// The plugin it serves.
    plugin: String,
    process: Resident<Job, Answer>,
}

/// Calls evaluators for one worker of a run, each seeing only the evidence
/// its manifest declares. Under process isolation a plugin library's
/// evaluators run in a process of their own, started for the worker's first
/// criterion of that library and kept for the next ones while the worker
/// stays with the library (one fork and one load per library, not per
/// criterion); a process that failed, timed out or left a thread running is
/// replaced, and a criterion whose process failed after serving others is
/// evaluated again in a fresh one, so that its failure is its own.
/// Executable plugins run in a child per evaluation; in-process plugins are
/// called directly.
pub struct Caller<'a> {
    registry: &'a Registry,
    evidence: &'a dyn EvidenceAccess,
    process: Option<LibraryProcess>,
}

impl<'a> Caller<'a> {
    /// A caller of `registry`'s plugins on `evidence` (the whole run's: each
    /// call sees the part its evaluator declares).
    pub fn new(registry: &'a Registry, evidence: &'a dyn EvidenceAccess) -> Self {
        Caller {
            registry,
            evidence,
            process: None,
        }
    }

    /// The plugins it calls.
    pub fn registry(&self) -> &'a Registry {
        self.registry
    }

    /// The plugin whose process this caller holds, if any: its next
    /// criterion of that plugin costs no fork.
    pub fn holds(&self) -> Option<&str> {
        self.process.as_ref().map(|p| p.plugin.as_str())
    }

    /// Runs evaluator `name` of `plugin` on `request`.
    pub fn call(&mut self, plugin: &LoadedPlugin, name: &str, request: &Request) -> Called {
        let Some(evaluator) = plugin.evaluators.iter().find(|e| e.name == name) else {
            return Called::error(format!(
                "plugin `{}` has no evaluator `{name}`",
                plugin.name
            ));
        };
        let declared = declared_view(self.evidence, plugin, evaluator);
        if let Some(program) = &plugin.program {
            return call_program(
                plugin,
                program,
                evaluator,
                request,
                &declared,
                self.registry.isolation,
            );
        }
        if let Some(entry) = evaluator.entry {
            let (evaluation, opened) = call_evaluator(entry, request, &declared);
            return Called {
                evaluation,
                opened,
                output: None,
            };
        }
        match self.registry.isolation {
            super::Isolation::Process(limits) => {
                self.call_in_process(plugin, name, request, limits)
            }
            super::Isolation::None => Called::error(format!(
                "plugin `{}` has no evaluator `{name}` loaded in this process",
                plugin.name
            )),
        }
    }

    /// Runs the evaluator in the plugin's process (started if this caller
    /// holds none for it); again in a fresh one when a process that had
    /// served other criteria failed.
    fn call_in_process(
        &mut self,
        plugin: &LoadedPlugin,
        name: &str,
        request: &Request,
        limits: ChildLimits,
    ) -> Called {
        let job = Job {
            evaluator: name.to_owned(),
            request: request.clone(),
        };
        loop {
            let process = match self.process_for(plugin, name, limits) {
                Ok(process) => process,
                Err(called) => return *called,
            };
            let served = process.ask(&job);
            if !process.is_serving() {
                self.process = None;
            }
            let again = matches!(&served.answer, Err(f) if !matches!(f, ChildFailure::TimedOut(_)));
            if !(again && served.after_others) {
                return from_child(
                    plugin,
                    name,
                    served.answer,
                    &served.output,
                    limits,
                    |why, _| {
                        Evaluation::error(format!(
                            "plugin `{}` could not be loaded again: {why}",
                            plugin.name
                        ))
                    },
                );
            }
        }
    }

    /// The process of `plugin`, started when this caller holds none for it
    /// (ending the one it holds for another); or the `error` of a process
    /// that could not start.
    fn process_for(
        &mut self,
        plugin: &LoadedPlugin,
        name: &str,
        limits: ChildLimits,
    ) -> Result<&mut Resident<Job, Answer>, Box<Called>> {
        if self.holds() != Some(plugin.name.as_str()) {
            self.process = None;
            let evidence = self.evidence;
            let setup = || load_in_child(&plugin.path, plugin.built_in).map_err(|e| e.to_string());
            let serve = |loaded: &LoadedPlugin, job: Job| -> Answer {
                evaluate_loaded(plugin, loaded, evidence, job)
            };
            match Resident::start(limits, setup, serve) {
                Ok(process) => {
                    self.process = Some(LibraryProcess {
                        plugin: plugin.name.clone(),
                        process,
                    })
                }
                Err((NotStarted::Setup(why), output)) => {
                    return Err(Box::new(Called::error(with_last_line(
                        format!("plugin `{}` could not be loaded again: {why}", plugin.name),
                        output.last_line(),
                    ))));
                }
                Err((NotStarted::Process(failure), output)) => {
                    return Err(Box::new(from_child(
                        plugin,
                        name,
                        Err(failure),
                        &output,
                        limits,
                        |why, _| Evaluation::error(why),
                    )));
                }
            }
        }
        match &mut self.process {
            Some(p) => Ok(&mut p.process),
            None => Err(Box::new(Called::error(
                "the plugin process could not be kept".into(),
            ))),
        }
    }
}

/// In a plugin's process: runs `job` with the library loaded there, on the
/// evidence the evaluator declares in `plugin` (the registry's record).
fn evaluate_loaded(
    plugin: &LoadedPlugin,
    loaded: &LoadedPlugin,
    evidence: &dyn EvidenceAccess,
    job: Job,
) -> Answer {
    let name = &job.evaluator;
    let entry = loaded
        .evaluators
        .iter()
        .find(|e| &e.name == name)
        .and_then(|e| e.entry)
        .ok_or_else(|| format!("the library no longer has an evaluator `{name}`"))?;
    let evaluator = plugin
        .evaluators
        .iter()
        .find(|e| &e.name == name)
        .ok_or_else(|| format!("plugin `{}` has no evaluator `{name}`", plugin.name))?;
    let declared = declared_view(evidence, plugin, evaluator);
    Ok(call_evaluator(entry, &job.request, &declared))
}

/// The part of `evidence` that `evaluator` of `plugin` declares, its tables
/// in the form the plugin's ABI takes.
fn declared_view<'a>(
    evidence: &'a dyn EvidenceAccess,
    plugin: &LoadedPlugin,
    evaluator: &'a LoadedEvaluator,
) -> Declared<'a> {
    Declared::new(
        evidence,
        &evaluator.manifest,
        TableForm::for_abi(&plugin.abi_version),
    )
}

impl Called {
    /// An `error` result with `summary`, nothing opened or printed.
    fn error(summary: String) -> Self {
        Called {
            evaluation: Evaluation::error(summary),
            opened: Opened::default(),
            output: None,
        }
    }
}

/// Runs an executable plugin's evaluator: in a child process within the
/// limits (the program's output captured, a failure named with its last
/// line), or directly under `Isolation::None`.
fn call_program(
    plugin: &LoadedPlugin,
    program: &Program,
    evaluator: &LoadedEvaluator,
    request: &Request,
    access: &dyn EvidenceAccess,
    isolation: super::Isolation,
) -> Called {
    let (name, manifest) = (evaluator.name.as_str(), &evaluator.manifest);
    let failed = |why: String| {
        Evaluation::error(format!(
            "Evaluator `{}/{name}` did not answer: {why}.",
            plugin.name
        ))
    };
    let limits = match isolation {
        super::Isolation::None => {
            let (evaluation, opened) = program
                .evaluate(name, manifest, request, access)
                .unwrap_or_else(|why| (failed(why), Opened::default()));
            return Called {
                evaluation,
                opened,
                output: None,
            };
        }
        super::Isolation::Process(limits) => limits,
    };
    let run = run_in_child(limits, || program.evaluate(name, manifest, request, access));
    from_child(
        plugin,
        name,
        run.answer,
        &run.output,
        limits,
        |why, last_line| failed(with_last_line(why, last_line)),
    )
}

/// The end of an evaluation run in a child: its answer; or, when the plugin
/// gave none, the `error` that `unanswered` words from the reason and the
/// last line it printed; or the `error` naming how the process failed.
fn from_child(
    plugin: &LoadedPlugin,
    name: &str,
    answer: Result<Answer, ChildFailure>,
    output: &CapturedOutput,
    limits: ChildLimits,
    unanswered: impl FnOnce(String, Option<String>) -> Evaluation,
) -> Called {
    let (evaluation, opened) = match answer {
        Ok(Ok(answer)) => answer,
        Ok(Err(why)) => (unanswered(why, output.last_line()), Opened::default()),
        Err(failure) => (
            Evaluation::error(failure_summary(plugin, name, &failure, output, limits)),
            Opened::default(),
        ),
    };
    let output = (!output.is_empty()).then(|| output.text());
    Called {
        evaluation,
        opened,
        output,
    }
}

/// The `error` summary of an evaluation whose process failed: the cause,
/// what it last printed, and whether it ran out of memory.
fn failure_summary(
    plugin: &LoadedPlugin,
    name: &str,
    failure: &ChildFailure,
    output: &CapturedOutput,
    limits: ChildLimits,
) -> String {
    let mut summary = format!(
        "Evaluator `{}/{name}` did not answer: its process {failure}.",
        plugin.name
    );
    let text = output.text();
    let out_of_memory = text.contains("memory allocation of")
        || text.contains("out of memory")
        || text.contains("Cannot allocate memory");
    if out_of_memory && let Some(cap) = limits.memory {
        summary.push_str(&format!(
            " It ran out of memory: a plugin process may use {} MiB beyond the host's (`--plugin-memory`).",
            cap / (1024 * 1024)
        ));
    }
    if let ChildFailure::TimedOut(_) = failure {
        summary.push_str(
            " The deadline per criterion is the pack's `[scoring] evaluator_timeout_seconds`, or `assess --timeout`.",
        );
    }
    if let Some(line) = output.last_line() {
        summary.push_str(&format!(" Its last output: {line}"));
    }
    summary
}
