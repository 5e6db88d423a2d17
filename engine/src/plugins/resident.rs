//! A plugin process that serves one job after another.
//!
//! [`run_in_child`](super::child::run_in_child) forks a child for one piece
//! of work. A [`Resident`] is forked once, sets its plugin up (loads the
//! library: whatever that prints is the setup's output), then answers jobs
//! sent over a pipe, one at a time, each within its own deadline and with
//! its own output captured. A fork of a parent that holds a large centre
//! costs tens of milliseconds, and memory a fresh child allocates is faulted
//! in and zeroed again; a resident pays both once for several jobs.
//!
//! What a job leaves behind can reach only later jobs of the same process,
//! and the caller bounds even that: after each answer the child says whether
//! it is back to its one thread (a thread left running could print into the
//! next job's output or crash it); a process that is not is ended before the
//! answer counts, as a child of `run_in_child` is. The caller runs a job
//! whose process failed after serving others again in a fresh process, so
//! that a failure is judged on the job's own (`dispatch.rs`).
//!
//! Frames: the parent writes each job as a little-endian `u64` length and
//! its JSON; the child writes the setup's result, then each answer, as a
//! kind byte ([`ALONE`] or [`LINGERING`]), a `u64` length and the JSON.

use std::fs::File;
use std::io::{Read, Write};
use std::marker::PhantomData;
use std::os::fd::{AsFd, OwnedFd};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::{Duration, Instant};

use nix::sys::resource::{Resource, setrlimit};
use nix::sys::signal::{Signal, killpg};
use nix::unistd::{ForkResult, Pid, dup2_stderr, dup2_stdout, fork, pipe, setpgid};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::child::{
    ANSWER_LIMIT, CANNOT_ANSWER, CapturedOutput, ChildFailure, ChildLimits, Ended, POLL_SLICE,
    Stream, close_other_descriptors, inherited_address_space, reap, wait_readable,
};

/// Answer kind: the child is back to its one thread and may serve again.
const ALONE: u8 = 0;
/// Answer kind: a thread the job started still runs; the process must end
/// before the answer counts.
const LINGERING: u8 = 1;
/// Bytes before a frame's JSON: its kind and its length.
const HEADER: usize = 1 + 8;

/// Why a resident could not start serving.
#[derive(Debug, Clone, PartialEq)]
pub enum NotStarted {
    /// The process failed (could not be forked, crashed, hung, exited).
    Process(ChildFailure),
    /// The setup ran and refused, with its reason (a library that cannot be
    /// loaded again).
    Setup(String),
}

/// The end of one job served by a resident.
#[derive(Debug)]
pub struct Served<T> {
    /// The answer, or how the process failed.
    pub answer: Result<T, ChildFailure>,
    /// What the process printed: at setup, then during this job.
    pub output: CapturedOutput,
    /// Whether the process had served other jobs before this one (so a
    /// failure may not be this job's own).
    pub after_others: bool,
}

/// A child process that serves jobs of type `J` with answers of type `T`.
/// Dropping it ends the process and whatever it started.
pub struct Resident<J, T> {
    child: Pid,
    jobs: Option<File>,
    answers: Stream,
    output: Stream,
    pending: Vec<u8>,
    setup_output: CapturedOutput,
    timeout: Duration,
    served: usize,
    /// It serves no more jobs.
    ended: bool,
    /// How it ended, once reaped.
    reaped: Option<Ended>,
    types: PhantomData<fn(J) -> T>,
}

impl<J: Serialize + DeserializeOwned, T: Serialize + DeserializeOwned> Resident<J, T> {
    /// Forks the process: in the child, `setup` runs once, then `serve`
    /// answers each job with the state `setup` made. Returns when the setup
    /// has answered (within `limits.timeout`), with what it printed when it
    /// could not start.
    ///
    /// `setup` and `serve` run in the child only; they must not rely on
    /// threads of the parent.
    pub fn start<S, Setup, Serve>(
        limits: ChildLimits,
        setup: Setup,
        serve: Serve,
    ) -> Result<Self, (NotStarted, CapturedOutput)>
    where
        Setup: FnOnce() -> Result<S, String>,
        Serve: FnMut(&S, J) -> T,
    {
        let failed = |why: String| {
            (
                NotStarted::Process(ChildFailure::Spawn(why)),
                CapturedOutput::default(),
            )
        };
        let (jobs_r, jobs_w) = pipe().map_err(|e| failed(format!("pipe: {e}")))?;
        let (answers_r, answers_w) = pipe().map_err(|e| failed(format!("pipe: {e}")))?;
        let (output_r, output_w) = pipe().map_err(|e| failed(format!("pipe: {e}")))?;
        // SAFETY: the child only runs `child_main`, which uses the allocator,
        // raw descriptors and the plugin, and leaves with `_exit` (it never
        // returns into the parent's stack or runs the parent's destructors).
        match unsafe { fork() } {
            Ok(ForkResult::Child) => {
                drop((jobs_w, answers_r, output_r));
                let code =
                    child_main::<J, T, S, _, _>(limits, jobs_r, answers_w, output_w, setup, serve);
                // SAFETY: flushing every C stdio stream has no preconditions.
                unsafe { libc::fflush(std::ptr::null_mut()) };
                // SAFETY: ends the child at once, without running atexit
                // handlers or destructors that belong to the parent.
                unsafe { libc::_exit(code) }
            }
            Ok(ForkResult::Parent { child }) => {
                drop((jobs_r, answers_w, output_w));
                let mut resident = Resident::of(child, jobs_w, answers_r, output_r, limits.timeout);
                let mut output = CapturedOutput::default();
                let deadline = Instant::now() + limits.timeout;
                let ready = resident
                    .await_answer::<Result<(), String>>(&mut output, deadline)
                    .map_err(NotStarted::Process)
                    .and_then(|r| r.map_err(NotStarted::Setup));
                match ready {
                    Ok(()) => {
                        resident.setup_output = output;
                        Ok(resident)
                    }
                    Err(why) => Err((why, output)),
                }
            }
            Err(e) => Err(failed(format!("fork: {e}"))),
        }
    }

    /// The parent's side of process `child`: the write end of its job
    /// pipe, the read ends of its answer and output pipes, and each job's
    /// deadline. Nothing is read yet.
    fn of(child: Pid, jobs: OwnedFd, answers: OwnedFd, output: OwnedFd, timeout: Duration) -> Self {
        Resident {
            child,
            jobs: Some(File::from(jobs)),
            answers: Stream::new(answers),
            output: Stream::new(output),
            pending: Vec::new(),
            setup_output: CapturedOutput::default(),
            timeout,
            served: 0,
            ended: false,
            reaped: None,
            types: PhantomData,
        }
    }

    /// Whether the process can serve another job (it has not failed, timed
    /// out or been ended because a job left a thread running).
    pub fn is_serving(&self) -> bool {
        !self.ended
    }

    /// Sends `job` and waits for its answer, at most the deadline of the
    /// limits it started with.
    pub fn ask(&mut self, job: &J) -> Served<T> {
        let after_others = self.served > 0;
        self.served += 1;
        let mut output = self.setup_output.clone();
        let deadline = Instant::now() + self.timeout;
        // A process that has ended has no job pipe: it is judged by how it ended.
        let answer = match self.send(job) {
            Ok(()) => self.await_answer::<T>(&mut output, deadline),
            Err(failure) => Err(failure.unwrap_or_else(|| self.ended_with(&mut output, deadline))),
        };
        Served {
            answer,
            output,
            after_others,
        }
    }

    /// Writes one job frame. `Err(None)`: the process no longer reads (it
    /// ended; why is found by reaping it).
    fn send(&mut self, job: &J) -> Result<(), Option<ChildFailure>> {
        let bytes = serde_json::to_vec(job)
            .map_err(|e| Some(ChildFailure::Spawn(format!("cannot encode the job: {e}"))))?;
        let jobs = self.jobs.as_mut().ok_or(None)?;
        let mut frame = Vec::with_capacity(8 + bytes.len());
        frame.extend_from_slice(&(bytes.len() as u64).to_le_bytes());
        frame.extend_from_slice(&bytes);
        jobs.write_all(&frame).map_err(|_| None)
    }

    /// Reads until a whole answer frame has come, the process ends or the
    /// deadline passes, capturing what it prints into `output`.
    fn await_answer<A: DeserializeOwned>(
        &mut self,
        output: &mut CapturedOutput,
        deadline: Instant,
    ) -> Result<A, ChildFailure> {
        loop {
            // Seen before the pipes are read: whatever the process wrote
            // before it ended is then in them (it may answer and exit
            // between two looks, as a setup that refuses does).
            let ended = self.answers.closed || self.poll_end().is_some();
            let pending = &mut self.pending;
            self.answers.drain(|chunk| pending.extend_from_slice(chunk));
            self.output.drain(|chunk| output.push(chunk));
            match self.whole_frame() {
                Ok(Some((kind, bytes))) => {
                    // What the job printed before answering is in the output
                    // pipe before its answer is in the other.
                    self.output.drain(|chunk| output.push(chunk));
                    if kind != ALONE {
                        self.retire(output, deadline)?;
                    }
                    return serde_json::from_slice(&bytes)
                        .map_err(|e| self.fail(ChildFailure::BadAnswer(e.to_string())));
                }
                Ok(None) => {}
                Err(failure) => return Err(self.fail(failure)),
            }
            if ended {
                return Err(self.ended_with(output, deadline));
            }
            let now = Instant::now();
            if now >= deadline {
                return Err(self.fail(ChildFailure::TimedOut(self.timeout)));
            }
            wait_readable(
                &[&self.answers, &self.output],
                (deadline - now).min(POLL_SLICE),
            );
        }
    }

    /// The frame read so far, when it is whole.
    fn whole_frame(&mut self) -> Result<Option<(u8, Vec<u8>)>, ChildFailure> {
        if self.pending.len() < HEADER {
            return Ok(None);
        }
        let mut len = [0u8; 8];
        len.copy_from_slice(&self.pending[1..HEADER]);
        let len = u64::from_le_bytes(len);
        if len > ANSWER_LIMIT as u64 {
            return Err(ChildFailure::BadAnswer(format!(
                "larger than {} MiB",
                ANSWER_LIMIT / (1024 * 1024)
            )));
        }
        let end = HEADER + len as usize;
        if self.pending.len() < end {
            return Ok(None);
        }
        let kind = self.pending[0];
        let bytes = self.pending[HEADER..end].to_vec();
        self.pending.drain(..end);
        Ok(Some((kind, bytes)))
    }

    /// Ends a process that answered with a thread still running: the job
    /// pipe is closed, and the answer counts only if the process then exits
    /// with status 0 within the deadline (as a child of `run_in_child` must).
    fn retire(
        &mut self,
        output: &mut CapturedOutput,
        deadline: Instant,
    ) -> Result<(), ChildFailure> {
        self.jobs = None;
        let status = self.wait_end(output, deadline);
        self.ended = true;
        match status {
            Some(Ended::Exited(0)) => Ok(()),
            Some(other) => Err(other.failure(self.timeout, true)),
            None => Err(self.fail(ChildFailure::TimedOut(self.timeout))),
        }
    }

    /// Waits (until the deadline) for the process to end, capturing its
    /// output; `None` if it has not.
    fn wait_end(&mut self, output: &mut CapturedOutput, deadline: Instant) -> Option<Ended> {
        loop {
            self.output.drain(|chunk| output.push(chunk));
            if let Some(end) = self.poll_end() {
                self.output.drain(|chunk| output.push(chunk));
                return Some(end);
            }
            if Instant::now() >= deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
    }

    /// How a process that ended (or closed its answer pipe) without
    /// answering failed.
    fn ended_with(&mut self, output: &mut CapturedOutput, deadline: Instant) -> ChildFailure {
        let status = self.wait_end(output, deadline);
        let failure = match status {
            Some(end) => end.failure(self.timeout, false),
            None => ChildFailure::TimedOut(self.timeout),
        };
        self.ended = true;
        self.fail(failure)
    }

    /// How the process ended, if it has (reaped once, then remembered).
    fn poll_end(&mut self) -> Option<Ended> {
        if self.reaped.is_none() {
            self.reaped = reap(self.child, false);
        }
        self.reaped.clone()
    }

    /// Ends the process (and what it started) and passes `failure` on.
    fn fail(&mut self, failure: ChildFailure) -> ChildFailure {
        self.end();
        failure
    }

    /// Ends the process: see [`end`].
    fn end(&mut self) {
        end(self.child, &mut self.jobs, &mut self.reaped);
        self.ended = true;
    }
}

/// Closes the job pipe, kills the process group (the process and whatever
/// it started) and reaps the process unless it was.
fn end(child: Pid, jobs: &mut Option<File>, reaped: &mut Option<Ended>) {
    *jobs = None;
    let _ = killpg(child, Signal::SIGKILL);
    if reaped.is_none() {
        *reaped = reap(child, true);
    }
}

impl<J, T> Drop for Resident<J, T> {
    /// Closes the job pipe and kills the process group, as [`end`] does,
    /// but leaves the reaping to a thread of its own: the kernel takes tens
    /// of milliseconds to tear down a process forked from a large parent,
    /// which the worker (at the end of a run, the whole run) need not wait
    /// for.
    fn drop(&mut self) {
        self.jobs = None;
        let _ = killpg(self.child, Signal::SIGKILL);
        if self.reaped.is_none() {
            super::child::reap_in_background(self.child);
        }
    }
}

/// The child's side: its own process group, output redirected, memory
/// capped, the setup, then one job after another until the job pipe ends.
/// Returns the exit status.
fn child_main<J, T, S, Setup, Serve>(
    limits: ChildLimits,
    jobs_r: OwnedFd,
    answers_w: OwnedFd,
    output_w: OwnedFd,
    setup: Setup,
    mut serve: Serve,
) -> i32
where
    J: DeserializeOwned,
    T: Serialize,
    Setup: FnOnce() -> Result<S, String>,
    Serve: FnMut(&S, J) -> T,
{
    let _ = setpgid(Pid::from_raw(0), Pid::from_raw(0));
    if dup2_stdout(output_w.as_fd()).is_err() || dup2_stderr(output_w.as_fd()).is_err() {
        return CANNOT_ANSWER;
    }
    drop(output_w);
    close_other_descriptors(&[&jobs_r, &answers_w]);
    if let Some(extra) = limits.memory {
        let cap = inherited_address_space().saturating_add(extra);
        if setrlimit(Resource::RLIMIT_AS, cap, cap).is_err() {
            return CANNOT_ANSWER;
        }
    }
    let mut jobs = File::from(jobs_r);
    keep_no_free_memory();
    let mut answers = File::from(answers_w);
    let Ok(state) = catch_unwind(AssertUnwindSafe(setup)) else {
        return CANNOT_ANSWER;
    };
    let ready: Result<(), &String> = state.as_ref().map(|_| ());
    if write_frame(&mut answers, ALONE, &ready).is_err() {
        return CANNOT_ANSWER;
    }
    let Ok(state) = state else {
        return 0;
    };
    loop {
        let job: J = match read_job(&mut jobs) {
            Ok(Some(job)) => job,
            Ok(None) => return 0,
            Err(()) => return CANNOT_ANSWER,
        };
        let Ok(answer) = catch_unwind(AssertUnwindSafe(|| serve(&state, job))) else {
            return CANNOT_ANSWER;
        };
        // What the job freed goes back to the system (glibc keeps freed
        // memory in its arenas), so that the next job's memory, and the
        // process's peak, is that job's own.
        #[cfg(target_env = "gnu")]
        // SAFETY: malloc_trim has no preconditions.
        unsafe {
            libc::malloc_trim(0);
        }
        // SAFETY: flushing every C stdio stream (a C plugin's buffered
        // output, so that it is this job's) has no preconditions.
        unsafe { libc::fflush(std::ptr::null_mut()) };
        let kind = if alone() { ALONE } else { LINGERING };
        if write_frame(&mut answers, kind, &answer).is_err() {
            return CANNOT_ANSWER;
        }
    }
}

/// Free memory at the top of a heap above this is given back to the system
/// at once (see [`keep_no_free_memory`]).
#[cfg(target_env = "gnu")]
const TRIM_THRESHOLD: i32 = 1024 * 1024;

/// Makes the C library give back what a job frees (beyond a megabyte at the
/// top of a heap) instead of keeping it for later. glibc raises its trim
/// threshold to twice the largest block it has unmapped (up to 64 MiB), so a
/// process that served one job would keep tens of megabytes the next job
/// does not use, and its peak would be the sum: in the performance plugin's
/// process at 2M, 21 MB after its first criterion, which `malloc_trim` does
/// not return (it leaves the top of each thread's heap). A fixed threshold
/// also keeps the allocator from raising it again.
fn keep_no_free_memory() {
    #[cfg(target_env = "gnu")]
    // SAFETY: mallopt only changes the allocator's tuning.
    unsafe {
        libc::mallopt(libc::M_TRIM_THRESHOLD, TRIM_THRESHOLD);
    }
}

/// Reads one job frame; `Ok(None)` at the end of the pipe.
fn read_job<J: DeserializeOwned>(jobs: &mut File) -> Result<Option<J>, ()> {
    let mut len = [0u8; 8];
    match jobs.read_exact(&mut len) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(_) => return Err(()),
    }
    let len = usize::try_from(u64::from_le_bytes(len)).map_err(|_| ())?;
    let mut bytes = vec![0u8; len];
    jobs.read_exact(&mut bytes).map_err(|_| ())?;
    serde_json::from_slice(&bytes).map(Some).map_err(|_| ())
}

/// Writes one answer frame.
fn write_frame<A: Serialize>(answers: &mut File, kind: u8, answer: &A) -> Result<(), ()> {
    let bytes = serde_json::to_vec(answer).map_err(|_| ())?;
    let mut frame = Vec::with_capacity(HEADER + bytes.len());
    frame.push(kind);
    frame.extend_from_slice(&(bytes.len() as u64).to_le_bytes());
    frame.extend_from_slice(&bytes);
    answers.write_all(&frame).map_err(|_| ())
}

/// Whether this process is back to one thread. A thread that was joined
/// may still be listed for a moment after the join returns, so a few
/// looks are taken before saying no. Where threads cannot be counted, no.
fn alone() -> bool {
    #[cfg(target_os = "linux")]
    for _ in 0..20 {
        let threads = std::fs::read_dir("/proc/self/task").map(|d| d.count());
        match threads {
            Ok(1) => return true,
            Ok(_) => std::thread::sleep(Duration::from_millis(1)),
            Err(_) => return false,
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::super::child::tests::{limits, raw_write};
    use super::*;

    /// What the test jobs do.
    #[derive(Debug, Serialize, serde::Deserialize)]
    enum Job {
        /// Answers the process id and how many jobs it served, after
        /// printing `text`.
        Count(String),
        Crash,
        Hang,
        /// Leaves a thread running that prints later.
        Linger,
    }

    fn start(timeout_ms: u64) -> Resident<Job, (u32, u32)> {
        let setup = || {
            raw_write(1, "set up\n");
            Ok(std::cell::Cell::new(0u32))
        };
        let serve = |served: &std::cell::Cell<u32>, job: Job| {
            served.set(served.get() + 1);
            match job {
                Job::Count(text) => raw_write(2, &text),
                Job::Crash => {
                    // SAFETY: none; a crash in the child is the point.
                    unsafe { std::ptr::null_mut::<u64>().write_volatile(1) }
                }
                Job::Hang => loop {
                    std::thread::sleep(Duration::from_millis(10));
                },
                Job::Linger => {
                    std::thread::spawn(|| {
                        std::thread::sleep(Duration::from_millis(300));
                        raw_write(1, "late line\n");
                    });
                }
            }
            (std::process::id(), served.get())
        };
        match Resident::start(limits(timeout_ms), setup, serve) {
            Ok(r) => r,
            Err((why, _)) => panic!("did not start: {why:?}"),
        }
    }

    #[test]
    fn one_process_serves_job_after_job_each_with_its_own_output() {
        let mut r = start(10_000);
        let first = r.ask(&Job::Count("first job\n".into()));
        let second = r.ask(&Job::Count("second job\n".into()));
        let (pid, n) = first.answer.unwrap();
        assert_eq!(n, 1);
        assert_eq!(second.answer.unwrap(), (pid, 2));
        assert_ne!(pid, std::process::id());
        // The setup's output opens each job's, as a fresh child's would.
        assert_eq!(first.output.text(), "set up\nfirst job\n");
        assert_eq!(second.output.text(), "set up\nsecond job\n");
        assert!(!first.after_others);
        assert!(second.after_others);
        assert!(r.is_serving());
    }

    #[test]
    fn a_crash_ends_the_process_and_says_it_had_served_others() {
        let mut r = start(10_000);
        r.ask(&Job::Count(String::new())).answer.unwrap();
        let crashed = r.ask(&Job::Crash);
        assert_eq!(
            crashed.answer.unwrap_err().to_string(),
            "was killed by SIGSEGV (segmentation fault)"
        );
        assert!(crashed.after_others);
        assert!(!r.is_serving());
    }

    #[test]
    fn a_hang_is_killed_at_its_own_deadline() {
        let mut r = start(400);
        // Jobs before it do not use up its time.
        for _ in 0..3 {
            std::thread::sleep(Duration::from_millis(150));
            r.ask(&Job::Count(String::new())).answer.unwrap();
        }
        let started = Instant::now();
        let hung = r.ask(&Job::Hang);
        assert_eq!(
            hung.answer,
            Err(ChildFailure::TimedOut(Duration::from_millis(400)))
        );
        assert!(started.elapsed() >= Duration::from_millis(400));
        assert!(!r.is_serving());
    }

    #[test]
    fn a_job_that_leaves_a_thread_running_ends_its_process() {
        let mut r = start(10_000);
        let lingered = r.ask(&Job::Linger);
        // Its answer counts (the process then exited with status 0), and
        // nothing its thread would print later can reach another job.
        assert_eq!(lingered.answer.map(|(_, n)| n), Ok(1));
        assert!(!r.is_serving());
        assert!(!lingered.output.text().contains("late line"));
    }

    #[test]
    fn a_dropped_process_is_killed_and_reaped() {
        // A process that never reads its jobs nor ends by itself: only the
        // kill ends it.
        let (jobs_r, jobs_w) = pipe().unwrap();
        let (answers_r, answers_w) = pipe().unwrap();
        let (output_r, output_w) = pipe().unwrap();
        // SAFETY: the child only sleeps until it is killed.
        let child = match unsafe { fork() }.unwrap() {
            ForkResult::Child => loop {
                std::thread::sleep(Duration::from_secs(1));
            },
            ForkResult::Parent { child } => child,
        };
        // Its own group, as `start` gives a library's process (the kill is
        // of the group).
        let _ = nix::unistd::setpgid(child, child);
        drop((jobs_r, answers_w, output_w));
        let r: Resident<Job, u32> =
            Resident::of(child, jobs_w, answers_r, output_r, Duration::from_secs(10));
        drop(r);
        // Killed, and reaped by its reaper: a zombie, or a live process,
        // would still answer signal 0.
        let deadline = Instant::now() + Duration::from_secs(10);
        while nix::sys::signal::kill(child, None).is_ok() {
            if Instant::now() > deadline {
                let _ = killpg(child, Signal::SIGKILL);
                panic!("{child} was not killed and reaped");
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    #[test]
    fn waiting_for_the_reapers_returns_once_the_dropped_processes_are_reaped() {
        let mut r = start(10_000);
        let (pid, _) = r.ask(&Job::Count(String::new())).answer.unwrap();
        let pid = Pid::from_raw(pid as i32);
        drop(r);
        super::super::child::wait_for_reaping();
        // Reaped by then, not later: no zombie answers signal 0.
        assert_eq!(
            nix::sys::signal::kill(pid, None),
            Err(nix::errno::Errno::ESRCH)
        );
    }

    /// A resident whose process wrote `answer` as its one frame and has
    /// ended (not yet reaped) before the parent first looks.
    fn ended_after_answering(answer: &Result<(), String>) -> Resident<Job, u32> {
        let (jobs_r, jobs_w) = pipe().unwrap();
        let (answers_r, answers_w) = pipe().unwrap();
        let (output_r, output_w) = pipe().unwrap();
        let mut answers = File::from(answers_w);
        write_frame(&mut answers, ALONE, answer).unwrap();
        drop((jobs_r, answers, output_w));
        // SAFETY: the child only leaves, with `_exit`.
        let child = match unsafe { fork() }.unwrap() {
            ForkResult::Child => unsafe { libc::_exit(0) },
            ForkResult::Parent { child } => child,
        };
        // Waits for its end without reaping it, as the parent may find it.
        nix::sys::wait::waitid(
            nix::sys::wait::Id::Pid(child),
            nix::sys::wait::WaitPidFlag::WEXITED | nix::sys::wait::WaitPidFlag::WNOWAIT,
        )
        .unwrap();
        Resident::of(child, jobs_w, answers_r, output_r, Duration::from_secs(10))
    }

    #[test]
    fn an_answer_written_before_the_process_ended_is_read() {
        let mut r = ended_after_answering(&Err("no such file".into()));
        let deadline = Instant::now() + Duration::from_secs(10);
        let answer = r.await_answer::<Result<(), String>>(&mut CapturedOutput::default(), deadline);
        assert_eq!(answer, Ok(Err("no such file".into())));
    }

    #[test]
    fn a_setup_that_refuses_is_named_with_its_output() {
        let setup = || -> Result<(), String> {
            raw_write(2, "cannot open the library\n");
            Err("no such file".into())
        };
        let refused = Resident::<Job, u32>::start(limits(10_000), setup, |_: &(), _| 0);
        let Err((why, output)) = refused else {
            panic!("started")
        };
        assert_eq!(why, NotStarted::Setup("no such file".into()));
        assert_eq!(
            output.last_line().as_deref(),
            Some("cannot open the library")
        );
    }
}
