//! What a long run reports while it works: tables read, criteria evaluated.
//! The binary shows it as a progress bar on a terminal and as plain lines
//! ([`Progress::line`]) elsewhere; the library never prints.

/// One step of a run, as it happens. Every event is reported on the thread
/// that called the run, in an order that does not depend on timing except
/// for [`Progress::TableRead`] and [`Progress::CriterionDone`] (in the
/// order the work finishes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress<'a> {
    /// `total` tables are about to be read (several at a time).
    ReadingTables {
        /// How many tables will be read.
        total: usize,
    },
    /// The table `name` at `path` is to be read (in `evidence.toml`'s order).
    ReadingTable {
        /// Canonical table name.
        name: &'a str,
        /// Its path, relative to the evidence folder.
        path: &'a str,
    },
    /// The table `name` has been read (or failed).
    TableRead {
        /// Canonical table name.
        name: &'a str,
    },
    /// `total` criteria are about to be evaluated.
    Evaluating {
        /// How many criteria will be evaluated.
        total: usize,
    },
    /// The criterion `id` (`index` from 0, of `total`) starts, evaluated
    /// by `method` (`plugin/evaluator` or `manual`).
    CriterionStarted {
        /// Its position in the pack, from 0.
        index: usize,
        /// How many criteria the run evaluates.
        total: usize,
        /// Criterion id.
        id: &'a str,
        /// `plugin/evaluator` or `manual`.
        method: &'a str,
    },
    /// The criterion at `index` has been evaluated.
    CriterionDone {
        /// Its position in the pack, from 0.
        index: usize,
    },
}

impl Progress<'_> {
    /// The plain line of this step, for output that is not a terminal:
    /// one line per table to read and per criterion started, the same
    /// words on every run (no timing); `None` for the steps a line would
    /// only repeat.
    pub fn line(&self) -> Option<String> {
        match *self {
            Progress::ReadingTable { name, path } => Some(format!("reading {name} ({path})")),
            Progress::CriterionStarted {
                index,
                total,
                id,
                method,
            } => Some(format!(
                "evaluating {id} ({}/{total}) with {method}",
                index + 1
            )),
            Progress::ReadingTables { .. }
            | Progress::TableRead { .. }
            | Progress::Evaluating { .. }
            | Progress::CriterionDone { .. } => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_lines_name_each_table_and_criterion() {
        let read = Progress::ReadingTable {
            name: "contacts",
            path: "data/contacts.xlsx",
        };
        assert_eq!(
            read.line().as_deref(),
            Some("reading contacts (data/contacts.xlsx)")
        );
        let started = Progress::CriterionStarted {
            index: 0,
            total: 20,
            id: "LP1",
            method: "planning/direction",
        };
        assert_eq!(
            started.line().as_deref(),
            Some("evaluating LP1 (1/20) with planning/direction")
        );
        assert_eq!(Progress::TableRead { name: "contacts" }.line(), None);
        assert_eq!(Progress::CriterionDone { index: 0 }.line(), None);
    }
}
