//! Threads an evaluator starts. A panic on one is carried back to the
//! thread that joins it together with where it happened, so the criterion's
//! `error` result names the file and line, as it does for a panic on the
//! evaluator's own thread (the SDK's panic hook records the place on the
//! thread that panicked; resuming the panic elsewhere does not run it again).

use std::any::Any;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::thread::{Scope, ScopedJoinHandle};

use crate::export::{set_panic_location, take_panic_location};

/// A thread started by [`spawn`]; [`join`](Self::join) waits for its value.
pub struct Spawned<'scope, T> {
    handle: ScopedJoinHandle<'scope, Result<T, Panicked>>,
}

/// A panic caught on a spawned thread: its payload and where it happened.
struct Panicked {
    payload: Box<dyn Any + Send>,
    location: Option<String>,
}

/// Runs `task` on a new thread of `scope` (as `scope.spawn` does).
pub fn spawn<'scope, T: Send + 'scope>(
    scope: &'scope Scope<'scope, '_>,
    task: impl FnOnce() -> T + Send + 'scope,
) -> Spawned<'scope, T> {
    Spawned {
        handle: scope.spawn(move || {
            catch_unwind(AssertUnwindSafe(task)).map_err(|payload| Panicked {
                payload,
                location: take_panic_location(),
            })
        }),
    }
}

impl<T> Spawned<'_, T> {
    /// The thread's value; a panic there is resumed on this thread with
    /// the place it happened at.
    pub fn join(self) -> T {
        match self.handle.join() {
            Ok(Ok(value)) => value,
            Ok(Err(Panicked { payload, location })) => {
                set_panic_location(location);
                resume_unwind(payload)
            }
            // The task's panics are caught on its thread; this one happened
            // outside it (the thread could not finish), and goes on as is.
            Err(payload) => resume_unwind(payload),
        }
    }
}

/// Runs each task on a thread of its own; their values in task order (a
/// panic in a task goes on as [`Spawned::join`] says).
pub fn side_by_side<T: Send, F: FnOnce() -> T + Send>(tasks: impl Iterator<Item = F>) -> Vec<T> {
    std::thread::scope(|scope| {
        let threads: Vec<_> = tasks.map(|task| spawn(scope, task)).collect();
        threads.into_iter().map(Spawned::join).collect()
    })
}
