//! Running untrusted plugin code in a child process.
//!
//! The host forks: the child inherits the evidence already parsed (its pages
//! are shared copy-on-write, so no table is copied or re-read), runs one
//! piece of plugin work with its standard output and error captured and its
//! address space capped, writes the answer as JSON to a pipe, and ends with
//! `_exit`. The parent reads the answer and the output, bounded, until the
//! deadline; a crash, an abort, an `exit`, a hang or an allocation past the
//! cap costs only that piece of work, described by [`ChildFailure`].
//!
//! Forking copies only the calling thread, so the child touches nothing but
//! the evidence (read-only), the plugin it loads itself, the allocator (which
//! the C library makes safe across `fork`) and raw file descriptors.

use std::fmt;
use std::fs::File;
use std::io::{ErrorKind, Read, Write};
use std::os::fd::{AsFd, OwnedFd};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use nix::fcntl::{FcntlArg, OFlag, fcntl};
use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use nix::sys::resource::{Resource, setrlimit};
use nix::sys::signal::{Signal, killpg};
use nix::sys::wait::{WaitPidFlag, WaitStatus, waitpid};
use nix::unistd::{ForkResult, Pid, dup2_stderr, dup2_stdout, fork, pipe, setpgid};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// Bytes of plugin output kept from the start and from the end of what it
/// printed; what lies between is counted, not kept.
const OUTPUT_KEPT_EACH_END: usize = 8 * 1024;
/// The largest answer a child may write (a finding's JSON is far smaller).
pub(super) const ANSWER_LIMIT: usize = 256 * 1024 * 1024;
/// How often the parent checks whether the child has ended while it waits.
pub(super) const POLL_SLICE: Duration = Duration::from_millis(50);
/// Exit status of a child whose answer could not be encoded or written.
pub(super) const CANNOT_ANSWER: i32 = 70;

/// The limits of one child.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChildLimits {
    /// Wall time allowed from the fork to the answer.
    pub timeout: Duration,
    /// Address space the child may add to what it inherits, in bytes
    /// (`None`: no cap).
    pub memory: Option<u64>,
}

/// How a child failed to give an answer. Displayed as the end of "the
/// process ...": "was killed by SIGSEGV (segmentation fault)", "exited with
/// status 0 before answering", "timed out after 10 s".
#[derive(Debug, Clone, PartialEq)]
pub enum ChildFailure {
    /// The process could not be started.
    Spawn(String),
    /// Killed by a signal (a crash, an abort, an allocation failure).
    Signalled {
        /// The signal's name, e.g. `SIGSEGV`.
        signal: String,
        /// Whether it had already answered (the answer is not used).
        answered: bool,
    },
    /// Ended with an exit status without answering (e.g. `exit(0)`).
    Exited(i32),
    /// Still running at the deadline; killed.
    TimedOut(Duration),
    /// Answered with bytes that are not the expected JSON.
    BadAnswer(String),
}

impl fmt::Display for ChildFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ChildFailure::Spawn(why) => write!(f, "could not start the plugin process: {why}"),
            ChildFailure::Signalled { signal, answered } => {
                write!(f, "was killed by {signal}")?;
                if let Some(meaning) = signal_meaning(signal) {
                    write!(f, " ({meaning})")?;
                }
                if *answered {
                    write!(f, " after answering; the answer is not used")?;
                }
                Ok(())
            }
            ChildFailure::Exited(code) => write!(f, "exited with status {code} before answering"),
            ChildFailure::TimedOut(after) => write!(f, "timed out after {}", seconds(*after)),
            ChildFailure::BadAnswer(why) => write!(f, "answered with an unreadable result: {why}"),
        }
    }
}

/// A duration as people read a deadline: `10 s`, `2.5 s`.
fn seconds(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s.fract() == 0.0 {
        format!("{s:.0} s")
    } else {
        format!("{s} s")
    }
}

fn signal_meaning(signal: &str) -> Option<&'static str> {
    Some(match signal {
        "SIGSEGV" => "segmentation fault",
        "SIGBUS" => "bus error",
        "SIGABRT" => "aborted",
        "SIGILL" => "illegal instruction",
        "SIGFPE" => "arithmetic fault",
        "SIGKILL" => "killed",
        "SIGXCPU" => "CPU time limit",
        _ => return None,
    })
}

/// What a child printed on its standard output and error, interleaved as
/// written, bounded: the first and the last few kilobytes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CapturedOutput {
    head: Vec<u8>,
    tail: Vec<u8>,
    dropped: u64,
}

impl CapturedOutput {
    /// Keeps what fits of `bytes` and counts the rest.
    pub(super) fn push(&mut self, mut bytes: &[u8]) {
        let room = OUTPUT_KEPT_EACH_END.saturating_sub(self.head.len());
        let into_head = room.min(bytes.len());
        self.head.extend_from_slice(&bytes[..into_head]);
        bytes = &bytes[into_head..];
        if bytes.is_empty() {
            return;
        }
        self.tail.extend_from_slice(bytes);
        if self.tail.len() > OUTPUT_KEPT_EACH_END {
            let excess = self.tail.len() - OUTPUT_KEPT_EACH_END;
            self.tail.drain(..excess);
            self.dropped += excess as u64;
        }
    }

    /// Nothing was printed.
    pub fn is_empty(&self) -> bool {
        self.head.is_empty()
    }

    /// The output as text (invalid UTF-8 replaced), with a line saying how
    /// many bytes in the middle were not kept.
    pub fn text(&self) -> String {
        let mut text = String::from_utf8_lossy(&self.head).into_owned();
        if self.dropped > 0 {
            text.push_str(&format!(
                "\n[... {} byte(s) of output not kept ...]\n",
                self.dropped
            ));
        }
        text.push_str(&String::from_utf8_lossy(&self.tail));
        text
    }

    /// The last line printed that says something (not blank, not a frame
    /// of a backtrace or the notes around one), if any.
    pub fn last_line(&self) -> Option<String> {
        let text = self.text();
        text.lines()
            .rev()
            .map(str::trim)
            .find(|l| !l.is_empty() && !is_backtrace_noise(l))
            .map(str::to_owned)
    }
}

/// Whether a trimmed line belongs to a backtrace rather than to what went
/// wrong: `stack backtrace:`, `12: std::rt::...`, `at src/lib.rs:3:5`, and
/// Rust's notes on how to see more.
fn is_backtrace_noise(line: &str) -> bool {
    let frame = line
        .split_once(':')
        .is_some_and(|(n, _)| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
    frame
        || line.starts_with("at ")
        || line.starts_with("stack backtrace:")
        || line.starts_with("note: ")
}

/// The end of one child: its answer or why there is none, and its output.
#[derive(Debug)]
pub struct ChildRun<T> {
    /// The answer, or how the child failed.
    pub answer: Result<T, ChildFailure>,
    /// What it printed.
    pub output: CapturedOutput,
}

/// Runs `work` in a forked child within `limits` and returns its answer.
///
/// `work` runs in the child only; it must not rely on threads of the parent.
pub fn run_in_child<T, F>(limits: ChildLimits, work: F) -> ChildRun<T>
where
    T: Serialize + DeserializeOwned,
    F: FnOnce() -> T,
{
    let failed = |why: String| ChildRun {
        answer: Err(ChildFailure::Spawn(why)),
        output: CapturedOutput::default(),
    };
    let (answer_r, answer_w) = match pipe() {
        Ok(p) => p,
        Err(e) => return failed(format!("pipe: {e}")),
    };
    let (output_r, output_w) = match pipe() {
        Ok(p) => p,
        Err(e) => return failed(format!("pipe: {e}")),
    };
    // SAFETY: the child only runs `child_main`, which uses the allocator,
    // raw descriptors and the plugin, and leaves with `_exit` (it never
    // returns into the parent's stack or runs the parent's destructors).
    match unsafe { fork() } {
        Ok(ForkResult::Child) => {
            drop(answer_r);
            drop(output_r);
            let code = child_main(limits, answer_w, output_w, work);
            // SAFETY: flushing every C stdio stream (a C plugin's buffered
            // output) has no preconditions.
            unsafe { libc::fflush(std::ptr::null_mut()) };
            // SAFETY: ends the child at once, without running atexit
            // handlers or destructors that belong to the parent.
            unsafe { libc::_exit(code) }
        }
        Ok(ForkResult::Parent { child }) => {
            drop(answer_w);
            drop(output_w);
            supervise(child, limits.timeout, answer_r, output_r)
        }
        Err(e) => failed(format!("fork: {e}")),
    }
}

/// The child's side: own process group, output redirected, memory capped,
/// the work run, the answer written. Returns the exit status.
fn child_main<T: Serialize, F: FnOnce() -> T>(
    limits: ChildLimits,
    answer_w: OwnedFd,
    output_w: OwnedFd,
    work: F,
) -> i32 {
    // Its own group, so that whatever it starts is killed with it.
    let _ = setpgid(Pid::from_raw(0), Pid::from_raw(0));
    if dup2_stdout(output_w.as_fd()).is_err() || dup2_stderr(output_w.as_fd()).is_err() {
        return CANNOT_ANSWER;
    }
    drop(output_w);
    close_other_descriptors(&[&answer_w]);
    if let Some(extra) = limits.memory {
        let cap = inherited_address_space().saturating_add(extra);
        if setrlimit(Resource::RLIMIT_AS, cap, cap).is_err() {
            return CANNOT_ANSWER;
        }
    }
    let Ok(answer) = catch_unwind(AssertUnwindSafe(work)) else {
        return CANNOT_ANSWER;
    };
    let Ok(bytes) = serde_json::to_vec(&answer) else {
        return CANNOT_ANSWER;
    };
    let mut file = File::from(answer_w);
    if file.write_all(&bytes).is_err() {
        return CANNOT_ANSWER;
    }
    0
}

/// Closes every descriptor above standard error but those in `keep`: what
/// the child inherited from the parent (the pipes of sibling children
/// started at the same time among them, which would otherwise stay open
/// until this child ends). Best effort: where the system cannot, nothing is
/// closed.
pub(super) fn close_other_descriptors(keep: &[&OwnedFd]) {
    #[cfg(target_os = "linux")]
    {
        use std::os::fd::AsRawFd;
        let mut kept: Vec<libc::c_uint> = keep
            .iter()
            .map(|fd| fd.as_raw_fd() as libc::c_uint)
            .collect();
        kept.sort_unstable();
        let mut from: libc::c_uint = 3;
        for fd in kept {
            // SAFETY: close_range only closes descriptors; none of those
            // closed is used again by the child (its own are 0, 1, 2 and
            // those kept).
            unsafe {
                if fd > from {
                    libc::syscall(libc::SYS_close_range, from, fd - 1, 0);
                }
            }
            from = from.max(fd + 1);
        }
        // SAFETY: as above.
        unsafe { libc::syscall(libc::SYS_close_range, from, libc::c_uint::MAX, 0) };
    }
    #[cfg(not(target_os = "linux"))]
    let _ = keep;
}

/// The address space the process holds now, in bytes (0 when unknown).
pub(super) fn inherited_address_space() -> u64 {
    // /proc/self/statm: total program size in pages, first.
    let pages = std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<u64>().ok())
        .unwrap_or(0);
    // SAFETY: sysconf has no preconditions.
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    pages.saturating_mul(u64::try_from(page).unwrap_or(4096))
}

/// The parent's side: read the answer and the output until both end, the
/// child ends, or the deadline passes; then reap the child.
fn supervise<T: DeserializeOwned>(
    child: Pid,
    timeout: Duration,
    answer_r: OwnedFd,
    output_r: OwnedFd,
) -> ChildRun<T> {
    let deadline = Instant::now() + timeout;
    let mut answer = Stream::new(answer_r);
    let mut output = Stream::new(output_r);
    let mut captured = CapturedOutput::default();
    let mut bytes = Vec::new();
    let mut status = None;
    let mut too_big = false;
    loop {
        let now = Instant::now();
        if now >= deadline {
            break;
        }
        let slice = (deadline - now).min(POLL_SLICE);
        wait_readable(&[&answer, &output], slice);
        answer.drain(|chunk| {
            if bytes.len() + chunk.len() > ANSWER_LIMIT {
                too_big = true;
            } else {
                bytes.extend_from_slice(chunk);
            }
        });
        output.drain(|chunk| captured.push(chunk));
        status = reap(child, false);
        if status.is_some() || (answer.closed && output.closed) {
            break;
        }
    }
    if status.is_none() && answer.closed && output.closed {
        // Both pipes closed: the child is ending; give it until the deadline.
        while status.is_none() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(5));
            status = reap(child, false);
        }
    }
    // Whatever the child left behind (it, or processes it started) goes.
    let _ = killpg(child, Signal::SIGKILL);
    let Some(status) = status.or_else(|| reap(child, true)) else {
        return ChildRun {
            answer: Err(ChildFailure::Spawn("the child could not be reaped".into())),
            output: captured,
        };
    };
    // What was written just before the end is still in the pipes: the
    // answer too (a child can write its last bytes and exit between two
    // reads; and with criteria evaluated at a time, a sibling child may hold
    // a copy of this pipe, so its end of file cannot be waited for).
    answer.drain(|chunk| {
        if bytes.len() + chunk.len() > ANSWER_LIMIT {
            too_big = true;
        } else {
            bytes.extend_from_slice(chunk);
        }
    });
    output.drain(|chunk| captured.push(chunk));
    let answer = judge(status, timeout, &bytes, too_big);
    ChildRun {
        answer,
        output: captured,
    }
}

/// How a child ended, as the answer to use or the failure to report.
fn judge<T: DeserializeOwned>(
    status: Ended,
    timeout: Duration,
    bytes: &[u8],
    too_big: bool,
) -> Result<T, ChildFailure> {
    match status {
        Ended::Exited(0) if too_big => Err(ChildFailure::BadAnswer(format!(
            "larger than {} MiB",
            ANSWER_LIMIT / (1024 * 1024)
        ))),
        Ended::Exited(0) if !bytes.is_empty() => {
            serde_json::from_slice(bytes).map_err(|e| ChildFailure::BadAnswer(e.to_string()))
        }
        other => Err(other.failure(timeout, !bytes.is_empty())),
    }
}

/// How a reaped child ended.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Ended {
    /// Exit status.
    Exited(i32),
    /// Killed by a signal of its own making.
    Signalled(String),
    /// Killed by the parent at the deadline.
    Killed,
}

impl Ended {
    /// The failure of a child that ended so without an answer to use
    /// (`answered`: it had written one).
    pub(super) fn failure(self, timeout: Duration, answered: bool) -> ChildFailure {
        match self {
            Ended::Killed => ChildFailure::TimedOut(timeout),
            Ended::Signalled(signal) => ChildFailure::Signalled { signal, answered },
            Ended::Exited(code) => ChildFailure::Exited(code),
        }
    }
}

/// Reaps a child that was sent `SIGKILL` on a thread of its own, so that
/// the caller goes on while the kernel tears the child down; reaps it here
/// if no thread can be started. The pid is the reaper's from then on;
/// [`wait_for_reaping`] waits for every such child.
///
/// The reaper is detached, not joined: a thread that has ended but is not
/// yet joined keeps its stack, and a process forked later (the next library
/// process) was killed by `SIGSEGV` when several such threads were about
/// (the e2e evidence tests, run side by side in one process).
pub(super) fn reap_in_background(child: Pid) {
    let (unreaped, _) = &UNREAPED;
    *lock(unreaped) += 1;
    let reaper = std::thread::Builder::new()
        .name("cxaudit-reaper".into())
        .spawn(move || {
            reap(child, true);
            one_reaped();
        });
    if reaper.is_err() {
        reap(child, true);
        one_reaped();
    }
}

/// The children killed and left to a reaper ([`reap_in_background`]) not
/// yet reaped, and the signal that the last one was.
static UNREAPED: (Mutex<usize>, Condvar) = (Mutex::new(0), Condvar::new());

/// The count, whatever a panicking thread left it at.
fn lock(m: &Mutex<usize>) -> MutexGuard<'_, usize> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Counts one child reaped.
fn one_reaped() {
    let (unreaped, all_reaped) = &UNREAPED;
    let mut n = lock(unreaped);
    *n = n.saturating_sub(1);
    if *n == 0 {
        all_reaped.notify_all();
    }
}

/// Waits until every child killed and left to a reaper
/// ([`reap_in_background`]) has been reaped. A command calls it before it
/// exits: a child not reaped by then is reaped by init, and its CPU time and
/// memory are then missing from what `time` reports of the command.
pub fn wait_for_reaping() {
    let (unreaped, all_reaped) = &UNREAPED;
    let mut n = lock(unreaped);
    while *n > 0 {
        n = all_reaped
            .wait(n)
            .unwrap_or_else(std::sync::PoisonError::into_inner);
    }
}

/// Reaps the child if it has ended (or, with `block`, waits for it).
pub(super) fn reap(child: Pid, block: bool) -> Option<Ended> {
    let flags = (!block).then_some(WaitPidFlag::WNOHANG);
    loop {
        return match waitpid(child, flags) {
            Ok(WaitStatus::Exited(_, code)) => Some(Ended::Exited(code)),
            Ok(WaitStatus::Signaled(_, Signal::SIGKILL, _)) if block => Some(Ended::Killed),
            Ok(WaitStatus::Signaled(_, signal, _)) => {
                Some(Ended::Signalled(signal.as_str().into()))
            }
            Ok(WaitStatus::StillAlive) => None,
            Ok(_) => continue, // stopped or continued: not an end
            Err(nix::errno::Errno::EINTR) => continue,
            Err(_) => None,
        };
    }
}

/// One pipe end the parent reads without blocking.
pub(super) struct Stream {
    file: File,
    /// Read to its end, or unreadable.
    pub(super) closed: bool,
}

impl Stream {
    /// The read end `fd`, made non-blocking.
    pub(super) fn new(fd: OwnedFd) -> Self {
        let nonblocking = fcntl(fd.as_fd(), FcntlArg::F_GETFL)
            .map(|flags| OFlag::from_bits_truncate(flags) | OFlag::O_NONBLOCK)
            .and_then(|flags| fcntl(fd.as_fd(), FcntlArg::F_SETFL(flags)));
        Stream {
            file: File::from(fd),
            // A pipe that cannot be made non-blocking is not read (a read
            // could block past the deadline); its child is judged by its end.
            closed: nonblocking.is_err(),
        }
    }

    /// Reads what is available, handing each chunk to `sink`.
    pub(super) fn drain(&mut self, mut sink: impl FnMut(&[u8])) {
        let mut buf = [0u8; 64 * 1024];
        while !self.closed {
            match self.file.read(&mut buf) {
                Ok(0) => self.closed = true,
                Ok(n) => sink(&buf[..n]),
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) if e.kind() == ErrorKind::WouldBlock => return,
                Err(_) => self.closed = true,
            }
        }
    }
}

/// Waits until one of the open streams has data (or is closed), at most `slice`.
pub(super) fn wait_readable(streams: &[&Stream], slice: Duration) {
    let mut fds: Vec<PollFd<'_>> = streams
        .iter()
        .filter(|s| !s.closed)
        .map(|s| PollFd::new(s.file.as_fd(), PollFlags::POLLIN))
        .collect();
    let timeout = PollTimeout::try_from(slice).unwrap_or(PollTimeout::MAX);
    if fds.is_empty() {
        std::thread::sleep(slice);
    } else {
        let _ = poll(&mut fds, timeout);
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// A deadline of `timeout_ms` and no memory cap.
    pub(in crate::plugins) fn limits(timeout_ms: u64) -> ChildLimits {
        ChildLimits {
            timeout: Duration::from_millis(timeout_ms),
            memory: None,
        }
    }

    /// Writes straight to a descriptor (the test harness captures Rust's
    /// own `print!` in the parent, not in a forked child).
    pub(in crate::plugins) fn raw_write(fd: i32, text: &str) {
        // SAFETY: writing a live buffer to a descriptor.
        unsafe { libc::write(fd, text.as_ptr().cast(), text.len()) };
    }

    #[test]
    fn an_answer_comes_back_with_what_the_child_printed() {
        let run = run_in_child(limits(10_000), || {
            raw_write(1, "to stdout\n");
            raw_write(2, "to stderr\n");
            vec![1u32, 2, 3]
        });
        assert_eq!(run.answer, Ok(vec![1, 2, 3]));
        assert_eq!(run.output.text(), "to stdout\nto stderr\n");
        assert_eq!(run.output.last_line().as_deref(), Some("to stderr"));
    }

    #[test]
    fn an_exit_before_answering_is_named_with_its_status() {
        // SAFETY: ends the child, as a plugin calling exit would.
        let run = run_in_child(limits(10_000), || -> u32 { unsafe { libc::_exit(0) } });
        assert_eq!(run.answer, Err(ChildFailure::Exited(0)));
        assert_eq!(
            run.answer.unwrap_err().to_string(),
            "exited with status 0 before answering"
        );
    }

    #[test]
    fn a_crash_is_named_by_its_signal() {
        let run = run_in_child(limits(10_000), || -> u32 {
            // SAFETY: none; a segmentation fault in the child is the point.
            unsafe { std::ptr::null_mut::<u64>().write_volatile(1) };
            7
        });
        let failure = run.answer.unwrap_err();
        assert_eq!(
            failure.to_string(),
            "was killed by SIGSEGV (segmentation fault)"
        );
    }

    #[test]
    fn a_hang_is_killed_at_the_deadline() {
        let started = Instant::now();
        let run = run_in_child(limits(300), || -> u32 {
            loop {
                std::thread::sleep(Duration::from_millis(10));
            }
        });
        assert_eq!(
            run.answer,
            Err(ChildFailure::TimedOut(Duration::from_millis(300)))
        );
        assert_eq!(run.answer.unwrap_err().to_string(), "timed out after 0.3 s");
        // Killed, not waited for: well before the test harness would notice.
        assert!(started.elapsed() < Duration::from_secs(30));
    }

    #[test]
    fn an_allocation_past_the_cap_fails_in_the_child_only() {
        let capped = ChildLimits {
            timeout: Duration::from_secs(30),
            memory: Some(64 * 1024 * 1024),
        };
        let run = run_in_child(capped, || -> usize {
            let big: Vec<u8> = vec![1; 1 << 30];
            big.len()
        });
        assert!(
            matches!(&run.answer, Err(ChildFailure::Signalled { signal, .. }) if signal == "SIGABRT"),
            "{:?}",
            run.answer
        );
        assert!(run.output.text().contains("memory allocation of"));
    }

    #[test]
    fn output_is_kept_from_both_ends_and_the_middle_counted() {
        let mut out = CapturedOutput::default();
        out.push(b"first line\n");
        out.push(&vec![b'x'; 3 * OUTPUT_KEPT_EACH_END]);
        out.push(b"\nlast line\n");
        let text = out.text();
        assert!(text.starts_with("first line\n"));
        assert!(text.ends_with("\nlast line\n"));
        let kept = 2 * OUTPUT_KEPT_EACH_END;
        let total = 11 + 3 * OUTPUT_KEPT_EACH_END + 11;
        assert!(text.contains(&format!(
            "[... {} byte(s) of output not kept ...]",
            total - kept
        )));
        assert_eq!(out.last_line().as_deref(), Some("last line"));
    }

    #[test]
    fn the_last_line_is_the_cause_not_the_backtrace_after_it() {
        let mut out = CapturedOutput::default();
        out.push(
            b"memory allocation of 2147483648 bytes failed\nstack backtrace:\n   0: std::alloc::rust_oom\n\
              \x20            at /rustc/library/std/src/alloc.rs:4:5\n  12: main\n\
              note: Some details are omitted, run with `RUST_BACKTRACE=full` for a verbose backtrace.\n",
        );
        assert_eq!(
            out.last_line().as_deref(),
            Some("memory allocation of 2147483648 bytes failed")
        );
    }
}
