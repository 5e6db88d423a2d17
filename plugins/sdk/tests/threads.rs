//! A panic on a thread an evaluator starts with `cxaudit_plugin_sdk::thread`
//! reports where it happened, as a panic on the evaluator's own thread does
//! (the panic hook is the one a plugin library gets from the export macro).

use cxaudit_plugin_sdk::prelude::*;
use cxaudit_plugin_sdk::serde_json::json;
use cxaudit_plugin_sdk::testing::TestHost;
use cxaudit_plugin_sdk::{export, thread};

/// Where it panics: on its own thread, on a spawned one, in one of several
/// tasks side by side, or nowhere (`fine`: a spawned thread's value).
struct Panics;

#[derive(Params, cxaudit_plugin_sdk::serde::Deserialize)]
#[serde(crate = "cxaudit_plugin_sdk::serde")]
struct PanicsParams {
    /// own, spawned, side_by_side or fine
    #[param(default = "own")]
    on: String,
}

/// Panics with the line it panics on in its message.
fn boom() -> f64 {
    panic!("boom on line {}", line!())
}

impl Evaluator for Panics {
    type Params = PanicsParams;

    fn name(&self) -> &'static str {
        "panics"
    }

    fn manifest(&self) -> Manifest {
        Manifest::new("Panics where it is told to.").params::<PanicsParams>()
    }

    fn evaluate(&self, _: &Context<'_>, p: &PanicsParams) -> Result<Evaluation, EvalError> {
        let value = match p.on.as_str() {
            "own" => boom(),
            "spawned" => std::thread::scope(|scope| thread::spawn(scope, boom).join()),
            "side_by_side" => {
                let tasks: [fn() -> f64; 3] = [|| 1.0, boom, || 2.0];
                thread::side_by_side(tasks.into_iter()).iter().sum()
            }
            "fine" => std::thread::scope(|scope| thread::spawn(scope, || 0.5).join()),
            other => return Err(EvalError::Failed(format!("no place {other}"))),
        };
        Ok(Evaluation::from_checks(vec![Check::new(
            "v", "v", value, ">= 0", true,
        )]))
    }
}

/// Runs `Panics` on `on` and checks its `error` result names the file and
/// line `boom` panicked on.
fn assert_names_the_place(on: &str) {
    export::install_quiet_panic_hook();
    let result = TestHost::new().run(&Panics, json!({ "on": on }));
    assert_eq!(result.status, Status::Error, "{on}: {result:?}");
    let message = result.summary;
    let line = message.rsplit("line ").next().unwrap_or_default().trim();
    let at = format!("evaluator panicked at {}:{line}: boom on line", file!());
    assert!(line.parse::<u32>().is_ok(), "no line in {message:?}");
    assert!(message.starts_with(&at), "{on}: {message}");
}

#[test]
fn a_panic_on_the_evaluators_thread_names_its_place() {
    assert_names_the_place("own");
}

#[test]
fn a_panic_on_a_spawned_thread_names_its_place() {
    assert_names_the_place("spawned");
}

#[test]
fn a_panic_in_one_of_the_tasks_side_by_side_names_its_place() {
    assert_names_the_place("side_by_side");
}

#[test]
fn a_spawned_threads_value_comes_back() {
    export::install_quiet_panic_hook();
    let result = TestHost::new().run(&Panics, json!({ "on": "fine" }));
    assert_eq!(result.status, Status::Met, "{result:?}");
    assert_eq!(result.checks[0].measured, json!(0.5));
}
