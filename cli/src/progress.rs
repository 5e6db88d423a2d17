//! How a command shows the engine's [`Progress`] on stderr: a progress bar
//! when stderr is a terminal, one plain line per table read and criterion
//! started otherwise ([`Progress::line`]: stable words, no timing), nothing
//! with `-q`/`--quiet`. Stdout is never written here.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::time::Duration;

use cxaudit::progress::Progress;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Where progress goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Nowhere (`--quiet`).
    Quiet,
    /// One line each on stderr (not a terminal).
    Lines,
    /// A progress bar on stderr (a terminal).
    Bar,
}

/// Shows a run's progress on stderr.
pub struct ProgressDisplay {
    mode: Mode,
    bar: Option<ProgressBar>,
    /// What is being worked on (tables or criteria), by position.
    running: BTreeMap<usize, String>,
    /// The positions of the tables announced, by name.
    tables: BTreeMap<String, usize>,
}

impl ProgressDisplay {
    /// Progress for a command: nothing when `quiet`, else a bar when stderr
    /// is a terminal and plain lines when it is not.
    pub fn new(quiet: bool) -> Self {
        let mode = if quiet {
            Mode::Quiet
        } else if std::io::stderr().is_terminal() {
            Mode::Bar
        } else {
            Mode::Lines
        };
        ProgressDisplay {
            mode,
            bar: None,
            running: BTreeMap::new(),
            tables: BTreeMap::new(),
        }
    }

    /// Shows one step.
    pub fn show(&mut self, step: Progress<'_>) {
        match self.mode {
            Mode::Quiet => {}
            Mode::Lines => {
                if let Some(line) = step.line() {
                    eprintln!("{line}");
                }
            }
            Mode::Bar => self.draw(step),
        }
    }

    /// A line of information between steps (not a warning): printed above
    /// the bar, or as it is, or not at all with `--quiet`.
    pub fn say(&mut self, line: &str) {
        match (self.mode, &self.bar) {
            (Mode::Quiet, _) => {}
            (Mode::Bar, Some(bar)) => bar.println(line),
            _ => eprintln!("{line}"),
        }
    }

    /// Clears the bar, before the command prints its results.
    pub fn finish(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
        self.running.clear();
        self.tables.clear();
    }

    /// Starts a bar of `total` steps named `what`.
    fn start(&mut self, what: &'static str, total: usize) {
        self.finish();
        let bar = ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::stderr());
        if let Ok(style) =
            ProgressStyle::with_template("{spinner} {prefix} [{bar:30}] {pos}/{len} {wide_msg}")
        {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_prefix(what);
        bar.enable_steady_tick(Duration::from_millis(120));
        self.bar = Some(bar);
    }

    /// The bar's message: what is being worked on.
    fn update_message(&self) {
        if let Some(bar) = &self.bar {
            let names: Vec<&str> = self.running.values().map(String::as_str).collect();
            bar.set_message(names.join(", "));
        }
    }

    fn draw(&mut self, step: Progress<'_>) {
        match step {
            Progress::ReadingTables { total } => self.start("reading tables", total),
            Progress::ReadingTable { name, .. } => {
                let position = self.tables.len();
                self.tables.insert(name.to_owned(), position);
                self.running.insert(position, name.to_owned());
                self.update_message();
            }
            Progress::TableRead { name } => {
                if let Some(position) = self.tables.get(name) {
                    self.running.remove(position);
                }
                if let Some(bar) = &self.bar {
                    bar.inc(1);
                }
                self.update_message();
            }
            Progress::Evaluating { total } => self.start("evaluating criteria", total),
            Progress::CriterionStarted { index, id, .. } => {
                self.running.insert(index, id.to_owned());
                self.update_message();
            }
            Progress::CriterionDone { index } => {
                self.running.remove(&index);
                if let Some(bar) = &self.bar {
                    bar.inc(1);
                }
                self.update_message();
            }
        }
    }
}

impl Drop for ProgressDisplay {
    fn drop(&mut self) {
        self.finish();
    }
}
