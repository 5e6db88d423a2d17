//! Misbehaving evaluators for cxaudit's own run-integrity tests: each does
//! one thing an untrusted plugin may do to the process that runs it. Under
//! process isolation each must cost exactly its own criterion. One more,
//! `process`, says which process it ran in, for the tests of how a
//! library's process is kept between its criteria.
//!
//! The library also prints a line on standard output when it is loaded, as
//! a careless plugin might: it must never reach cxaudit's own output.

use std::time::Duration;

use cxaudit_plugin_sdk::prelude::*;

/// Runs when the library is loaded, before any handshake.
extern "C" fn print_when_loaded() {
    println!("hostile plugin: loaded (a line on stdout at load time)");
}

#[used]
#[unsafe(link_section = ".init_array")]
static PRINT_WHEN_LOADED: extern "C" fn() = print_when_loaded;

/// A met result, for the evaluators that misbehave without failing.
fn met(summary: &str) -> Evaluation {
    let mut e = Evaluation::with_status(Status::Met, summary);
    e.score = Some(1.0);
    e
}

macro_rules! hostile {
    ($ty:ident, $name:literal, $what:literal, |$ctx:ident| $body:block) => {
        #[doc = $what]
        pub struct $ty;

        impl Evaluator for $ty {
            type Params = serde_json::Value;

            fn name(&self) -> &'static str {
                $name
            }

            fn manifest(&self) -> Manifest {
                Manifest::new($what)
            }

            fn evaluate(
                &self,
                $ctx: &Context<'_>,
                _: &serde_json::Value,
            ) -> Result<Evaluation, EvalError> {
                $body
            }
        }
    };
}

hostile!(
    Segfault,
    "segfault",
    "Writes through a null pointer.",
    |_ctx| {
        // SAFETY: none; crashing the process is the point of this evaluator.
        unsafe { std::ptr::null_mut::<u64>().write_volatile(1) };
        Ok(met("unreachable"))
    }
);

hostile!(Abort, "abort", "Aborts the process.", |_ctx| {
    std::process::abort()
});

hostile!(Spin, "spin", "Never returns.", |_ctx| {
    loop {
        std::hint::spin_loop();
    }
});

hostile!(
    ExitZero,
    "exit_zero",
    "Ends the process with status 0 instead of answering.",
    |_ctx| { std::process::exit(0) }
);

hostile!(
    LateAbort,
    "late_abort",
    "Starts a thread that aborts the process while the evaluation still works.",
    |_ctx| {
        std::thread::spawn(|| {
            std::thread::sleep(Duration::from_millis(50));
            std::process::abort();
        });
        std::thread::sleep(Duration::from_millis(1500));
        Ok(met("finished after its thread aborted"))
    }
);

hostile!(
    Chatty,
    "chatty",
    "Prints on stdout and stderr, then answers met.",
    |_ctx| {
        println!("chatty: a line on stdout");
        eprintln!("chatty: a line on stderr");
        Ok(met("Met, after printing."))
    }
);

/// Evaluations made so far in this process (by [`Process`]).
static EVALUATIONS: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);

hostile!(
    Process,
    "process",
    "Answers met with its process id and how many evaluations of this library the process has made.",
    |_ctx| {
        let n = EVALUATIONS.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
        Ok(met(&format!(
            "process {}, evaluation {n} in it",
            std::process::id()
        )))
    }
);

hostile!(Hog, "hog", "Allocates (and touches) 2 GiB.", |_ctx| {
    let big = vec![1u8; 2 << 30];
    Ok(met(&format!("allocated {} bytes", big.len())))
});

export_plugin!(
    name: "hostile",
    version: env!("CARGO_PKG_VERSION"),
    evaluators: [Segfault, Abort, Spin, ExitZero, LateAbort, Chatty, Hog, Process]
);
