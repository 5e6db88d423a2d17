//! Calling an evaluator where the registry's isolation says: in a child
//! process, whose failure becomes the criterion's `error` with its cause,
//! or in this process.

use cxaudit_plugin_sdk::{Evaluation, Request};

use super::child::{CapturedOutput, ChildFailure, ChildLimits, ChildRun, run_in_child};
use super::host::{EvidenceAccess, Opened, call_evaluator};
use super::library::{LoadedPlugin, Registry, load_in_child, with_last_line};
use super::program::Program;

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

impl Registry {
    /// Runs evaluator `name` of `plugin` on `request`.
    pub fn call(
        &self,
        plugin: &LoadedPlugin,
        name: &str,
        request: &Request,
        access: &dyn EvidenceAccess,
    ) -> Called {
        let in_process = plugin
            .evaluators
            .iter()
            .find(|e| e.name == name)
            .and_then(|e| e.entry);
        if let Some(program) = &plugin.program {
            return call_program(plugin, program, name, request, access, self.isolation);
        }
        if let Some(entry) = in_process {
            let (evaluation, opened) = call_evaluator(entry, request, access);
            return Called {
                evaluation,
                opened,
                output: None,
            };
        }
        match self.isolation {
            super::Isolation::Process(limits) => {
                call_in_child(plugin, name, request, access, limits)
            }
            super::Isolation::None => Called {
                evaluation: Evaluation::error(format!(
                    "plugin `{}` has no evaluator `{name}` loaded in this process",
                    plugin.name
                )),
                opened: Opened::default(),
                output: None,
            },
        }
    }
}

/// Runs an executable plugin's evaluator: in a child process within the
/// limits (the program's output captured, a failure named with its last
/// line), or directly under `Isolation::None`.
fn call_program(
    plugin: &LoadedPlugin,
    program: &Program,
    name: &str,
    request: &Request,
    access: &dyn EvidenceAccess,
    isolation: super::Isolation,
) -> Called {
    let Some(evaluator) = plugin.evaluators.iter().find(|e| e.name == name) else {
        return Called {
            evaluation: Evaluation::error(format!(
                "plugin `{}` has no evaluator `{name}`",
                plugin.name
            )),
            opened: Opened::default(),
            output: None,
        };
    };
    let manifest = &evaluator.manifest;
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
    from_child(plugin, name, run, limits, |why, last_line| {
        failed(with_last_line(why, last_line))
    })
}

/// Loads the library (or the built-in plugin) in a fresh child and runs the
/// evaluator there.
fn call_in_child(
    plugin: &LoadedPlugin,
    name: &str,
    request: &Request,
    access: &dyn EvidenceAccess,
    limits: ChildLimits,
) -> Called {
    let run = run_in_child(limits, || -> Result<(Evaluation, Opened), String> {
        let loaded = load_in_child(&plugin.path, plugin.built_in).map_err(|e| e.to_string())?;
        let entry = loaded
            .evaluators
            .iter()
            .find(|e| e.name == name)
            .and_then(|e| e.entry)
            .ok_or_else(|| format!("the library no longer has an evaluator `{name}`"))?;
        Ok(call_evaluator(entry, request, access))
    });
    from_child(plugin, name, run, limits, |why, _| {
        Evaluation::error(format!(
            "plugin `{}` could not be loaded again: {why}",
            plugin.name
        ))
    })
}

/// The end of an evaluation run in a child: its answer; or, when the plugin
/// gave none, the `error` that `unanswered` words from the reason and the
/// last line it printed; or the `error` naming how the process failed.
fn from_child(
    plugin: &LoadedPlugin,
    name: &str,
    run: ChildRun<Result<(Evaluation, Opened), String>>,
    limits: ChildLimits,
    unanswered: impl FnOnce(String, Option<String>) -> Evaluation,
) -> Called {
    let output = (!run.output.is_empty()).then(|| run.output.text());
    let (evaluation, opened) = match run.answer {
        Ok(Ok(answer)) => answer,
        Ok(Err(why)) => (unanswered(why, run.output.last_line()), Opened::default()),
        Err(failure) => (
            Evaluation::error(failure_summary(plugin, name, &failure, &run.output, limits)),
            Opened::default(),
        ),
    };
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
