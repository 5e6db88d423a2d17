//! Output folder: buffered CSV tables and text documents.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::{Summary, SynthError};

/// Canonical tables with their header, in the schema's column order.
pub const TABLES: [(&str, &str); 10] = [
    (
        "contacts",
        "contact_id,customer_id,channel,queue,agent_id,arrived_at,answered_at,ended_at,talk_seconds,hold_seconds,wrap_seconds,abandoned,transferred,resolved,contact_reason",
    ),
    (
        "intervals",
        "queue,interval_start,interval_minutes,forecast_contacts,actual_contacts,forecast_aht_seconds,actual_aht_seconds,required_agents,scheduled_agents,channel",
    ),
    (
        "agents",
        "agent_id,team,site,role,hired_on,certified_on,exited_on,exit_type",
    ),
    (
        "adherence",
        "agent_id,date,scheduled_minutes,adherent_minutes,worked_minutes,unplanned_absence_minutes,paid_minutes",
    ),
    (
        "surveys",
        "survey_id,contact_id,channel,agent_id,selection,invited_at,responded_at,csat,nps,resolved_reported,attr_wait,attr_agent_knowledge,attr_agent_courtesy,attr_resolution,attr_ease,dissatisfaction_reason",
    ),
    (
        "kpi_targets",
        "kpi,scope,target,direction,unit,baseline,baseline_period,owner,set_on,due,review_cadence,rationale",
    ),
    ("kpi_results", "kpi,scope,month,value"),
    ("business_daily", "date,orders,operating_cost"),
    (
        "incidents",
        "incident_id,severity,detected_at,escalated_at,resolved_at",
    ),
    ("changes", "change_id,impact,go_live_at,notified_at"),
];

/// Index of each table in [`TABLES`].
#[derive(Clone, Copy)]
pub enum T {
    Contacts = 0,
    Intervals = 1,
    Agents = 2,
    Adherence = 3,
    Surveys = 4,
    KpiTargets = 5,
    KpiResults = 6,
    BusinessDaily = 7,
    Incidents = 8,
    Changes = 9,
}

struct Table {
    path: PathBuf,
    w: BufWriter<File>,
    rows: u64,
}

/// The output folder being written.
pub struct Out {
    root: PathBuf,
    tables: Vec<Table>,
    files: Vec<PathBuf>,
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> SynthError + '_ {
    move |source| SynthError::Io {
        path: path.to_path_buf(),
        source,
    }
}

impl Out {
    /// Creates the folder layout and opens every table with its header.
    pub fn create(root: &Path) -> Result<Self, SynthError> {
        for sub in ["data", "docs/reviews"] {
            let p = root.join(sub);
            std::fs::create_dir_all(&p).map_err(io(&p))?;
        }
        let mut tables = Vec::new();
        let mut files = Vec::new();
        for (name, header) in TABLES {
            let rel = PathBuf::from(format!("data/{name}.csv"));
            let path = root.join(&rel);
            let f = File::create(&path).map_err(io(&path))?;
            let mut w = BufWriter::with_capacity(1 << 18, f);
            w.write_all(header.as_bytes()).map_err(io(&path))?;
            w.write_all(b"\n").map_err(io(&path))?;
            files.push(rel);
            tables.push(Table { path, w, rows: 0 });
        }
        Ok(Out {
            root: root.to_path_buf(),
            tables,
            files,
        })
    }

    /// Appends one row (without newline) to a table.
    pub fn row(&mut self, t: T, line: &str) -> Result<(), SynthError> {
        let tab = &mut self.tables[t as usize];
        tab.rows += 1;
        tab.w.write_all(line.as_bytes()).map_err(io(&tab.path))?;
        tab.w.write_all(b"\n").map_err(io(&tab.path))
    }

    /// Rows written so far to a table.
    pub fn rows(&self, t: T) -> u64 {
        self.tables[t as usize].rows
    }

    /// Writes a whole text file (relative path).
    pub fn text(&mut self, rel: &str, content: &str) -> Result<(), SynthError> {
        let path = self.root.join(rel);
        std::fs::write(&path, content).map_err(io(&path))?;
        self.files.push(PathBuf::from(rel));
        Ok(())
    }

    /// Flushes every table; returns the summary.
    pub fn flush(&mut self) -> Result<(), SynthError> {
        for tab in &mut self.tables {
            tab.w.flush().map_err(io(&tab.path))?;
        }
        Ok(())
    }

    /// The summary of what was written.
    pub fn finish(self) -> Summary {
        let mut s = Summary {
            files: self.files,
            ..Summary::default()
        };
        for (i, (name, _)) in TABLES.iter().enumerate() {
            s.rows.insert((*name).to_string(), self.tables[i].rows);
        }
        s
    }
}
