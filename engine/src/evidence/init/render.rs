//! The text of `evidence.toml` and of the summary `evidence init` prints.

use std::fmt::Write as _;

use super::*;

/// A TOML basic string.
fn quoted(s: &str) -> String {
    toml::Value::String(s.to_owned()).to_string()
}

/// A TOML key: bare when it can be.
fn key(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        s.to_owned()
    } else {
        quoted(s)
    }
}

/// A comment's text on one line.
fn one_line(s: &str) -> String {
    s.replace(['\n', '\r'], " ")
}

/// The encoding's name in `evidence.toml`.
fn encoding_label(e: TextEncoding) -> &'static str {
    match e {
        TextEncoding::Utf8 => "utf-8",
        TextEncoding::Utf16 => "utf-16",
        TextEncoding::Windows1252 => "windows-1252",
    }
}

/// The `evidence.toml` text of a plan: every mapping with a comment saying
/// how sure it is and from what; what cannot be inferred marked `TO FILL`.
pub fn manifest_text(plan: &InitPlan) -> String {
    let mut s = String::new();
    let w = &mut s;
    let _ = writeln!(
        w,
        "# Written by `cxaudit evidence init` from the exports in this folder."
    );
    let _ = writeln!(
        w,
        "# Each mapping says how sure it is and where it comes from (name, synonym, a platform"
    );
    let _ = writeln!(
        w,
        "# preset, or the content of sampled rows). Fill every TO FILL and review every CHECK"
    );
    let _ = writeln!(
        w,
        "# before `cxaudit assess`; `cxaudit check` says what each criterion still lacks."
    );
    let _ = writeln!(w);
    let _ = writeln!(w, "[centre]");
    let _ = writeln!(
        w,
        "# TO FILL: the centre's name and site (the exports do not say)."
    );
    let _ = writeln!(w, "name = \"\"");
    let _ = writeln!(w, "site = \"\"");
    let _ = writeln!(w);
    let _ = writeln!(w, "[period]");
    match &plan.period {
        Some((start, end, sources)) => {
            let _ = writeln!(
                w,
                "# From the data's dates: the first and last day in {} (days as written, or UTC days",
                sources.join(", ")
            );
            let _ = writeln!(
                w,
                "# for timestamps with an offset). CHECK: the assessment period may be shorter."
            );
            let _ = writeln!(w, "start = {start}");
            let _ = writeln!(w, "end = {end}");
        }
        None => {
            let _ = writeln!(
                w,
                "# TO FILL: no table with dates was found; the period's first and last day (YYYY-MM-DD)."
            );
            let _ = writeln!(w, "# start = ");
            let _ = writeln!(w, "# end = ");
        }
    }
    let _ = writeln!(w);
    let _ = writeln!(w, "[defaults]");
    defaults_text(w, &plan.time_zone);
    for (name, t) in &plan.tables {
        let _ = writeln!(w);
        let _ = writeln!(w, "[tables.{}]", key(name));
        match &t.preset {
            Some((preset, found, total)) => {
                let _ = writeln!(
                    w,
                    "# {}: {found} of the {total} headers of preset `{preset}`.",
                    one_line(&t.file.path)
                );
            }
            None => {
                let _ = writeln!(
                    w,
                    "# {}: matched by its headers and name.",
                    one_line(&t.file.path)
                );
            }
        }
        for n in &t.file.notes {
            let _ = writeln!(w, "# {}", one_line(n));
        }
        let _ = writeln!(w, "path = {}", quoted(&t.file.path));
        let f = &t.file.formats;
        if let Some(d) = f.delimiter {
            let _ = writeln!(w, "delimiter = {}", quoted(&d.to_string()));
        }
        if let Some(e) = f.encoding {
            let _ = writeln!(w, "encoding = {}", quoted(encoding_label(e)));
        }
        if let Some(d) = f.decimal {
            let _ = writeln!(w, "decimal = {}", quoted(decimal_label(d)));
        }
        if let Some(ts) = &f.timestamp_format {
            let _ = writeln!(w, "timestamp_format = {}", quoted(ts));
        }
        if let Some(d) = &f.date_format {
            let _ = writeln!(w, "date_format = {}", quoted(d));
        }
        for m in &t.columns {
            let _ = writeln!(w, "# {}", one_line(&m.comment()));
            let _ = writeln!(w, "columns.{} = {}", key(&m.canonical), quoted(&m.header));
        }
        for (column, nullable) in &t.missing_columns {
            let kind = if *nullable { "optional" } else { "required" };
            let _ = writeln!(
                w,
                "# no source for `{column}` ({kind}): columns.{column} = \"...\""
            );
        }
        if !t.unmapped_headers.is_empty() {
            let list: Vec<String> = t.unmapped_headers.iter().map(|h| quoted(h)).collect();
            let _ = writeln!(w, "# headers not mapped: {}", one_line(&list.join(", ")));
        }
    }
    let _ = writeln!(w);
    let _ = writeln!(
        w,
        "# Tables with no export here: {}.",
        list_or_none(&plan.missing_tables)
    );
    documents_text(w, plan);
    s
}

/// The `[defaults]` lines: the time zone an export states, with where it
/// comes from, else a commented line to fill.
fn defaults_text(w: &mut String, finding: &TimeZoneFinding) {
    match finding {
        TimeZoneFinding::Found(sources) => {
            let from: Vec<String> = sources
                .iter()
                .map(|s| {
                    format!(
                        "`{}` column `{}` (the same IANA name in every one of {} sampled rows)",
                        s.path, s.header, s.rows
                    )
                })
                .collect();
            let _ = writeln!(
                w,
                "# From the exports: {}. CHECK it is the centre's own time zone.",
                one_line(&from.join(", "))
            );
            if let Some(zone) = finding.zone() {
                let _ = writeln!(w, "time_zone = {}", quoted(zone));
            }
        }
        TimeZoneFinding::Several(zones) => {
            let _ = writeln!(
                w,
                "# TO FILL: the centre's IANA time zone. The exports state several ({}): it is not chosen;",
                zones.join(", ")
            );
            let _ = writeln!(
                w,
                "# until it is set, timestamps without an offset are read as UTC and days are UTC days."
            );
            let _ = writeln!(w, "# time_zone = \"\"");
        }
        TimeZoneFinding::None => {
            let _ = writeln!(
                w,
                "# TO FILL: the centre's IANA time zone (e.g. Europe/Lisbon). The exports do not state it and it"
            );
            let _ = writeln!(
                w,
                "# is never guessed; until it is set, timestamps without an offset are read as UTC and days are"
            );
            let _ = writeln!(w, "# UTC days.");
            let _ = writeln!(w, "# time_zone = \"\"");
        }
    }
}

/// The `[documents]` table: each document found with how sure and from
/// what, then the kinds with none.
fn documents_text(w: &mut String, plan: &InitPlan) {
    let _ = writeln!(w);
    let _ = writeln!(w, "[documents]");
    for (kind, m) in &plan.documents {
        let _ = writeln!(w, "# {}", one_line(&m.comment()));
        let _ = writeln!(w, "{} = {}", key(kind), quoted(&m.path));
    }
    for kind in &plan.missing_documents {
        let _ = writeln!(
            w,
            "# TO FILL: no document found for `{kind}`: {kind} = \"path\" (a Markdown file or folder)"
        );
    }
}

/// The summary's line on the time zone the exports state, if any.
fn time_zone_summary(w: &mut String, finding: &TimeZoneFinding) {
    match finding {
        TimeZoneFinding::Found(sources) => {
            let from: Vec<String> = sources
                .iter()
                .map(|s| format!("{} column {}", s.path, s.header))
                .collect();
            let _ = writeln!(
                w,
                "time zone: {} (stated by {})",
                finding.zone().unwrap_or_default(),
                one_line(&from.join(", "))
            );
        }
        TimeZoneFinding::Several(zones) => {
            let _ = writeln!(
                w,
                "time zone: the exports state several ({}); not chosen",
                zones.join(", ")
            );
        }
        TimeZoneFinding::None => {}
    }
}

fn list_or_none(items: &[String]) -> String {
    if items.is_empty() {
        "none".to_owned()
    } else {
        items.join(", ")
    }
}

/// The summary printed on stdout: the tables written, then what stays
/// unmapped (files, headers, canonical tables and columns with no source),
/// what to fill and what to check.
pub fn summary_text(plan: &InitPlan, manifest: &str) -> String {
    let mut s = String::new();
    let w = &mut s;
    let _ = writeln!(w, "wrote {manifest}");
    let _ = writeln!(w, "tables:");
    for (name, t) in &plan.tables {
        let how = match &t.preset {
            Some((preset, _, _)) => format!(", preset {preset}"),
            None => String::new(),
        };
        let _ = writeln!(
            w,
            "  {name} <- {} ({} columns mapped{how})",
            t.file.path,
            t.columns.len()
        );
    }
    let _ = writeln!(w, "unmapped files:");
    if plan.unmapped_files.is_empty() {
        let _ = writeln!(w, "  none");
    }
    for (file, why) in &plan.unmapped_files {
        let _ = writeln!(w, "  {file}: {}", one_line(why));
    }
    let _ = writeln!(w, "unmapped headers:");
    let mut any = false;
    for t in plan.tables.values() {
        if !t.unmapped_headers.is_empty() {
            any = true;
            let _ = writeln!(
                w,
                "  {}: {}",
                t.file.path,
                one_line(&t.unmapped_headers.join(", "))
            );
        }
    }
    if !any {
        let _ = writeln!(w, "  none");
    }
    let _ = writeln!(w, "canonical columns with no source:");
    let mut any = false;
    for (name, t) in &plan.tables {
        for (column, nullable) in &t.missing_columns {
            any = true;
            let kind = if *nullable { "optional" } else { "required" };
            let _ = writeln!(w, "  {name}.{column} ({kind})");
        }
    }
    if !any {
        let _ = writeln!(w, "  none");
    }
    let _ = writeln!(
        w,
        "canonical tables with no source: {}",
        list_or_none(&plan.missing_tables)
    );
    let _ = writeln!(w, "documents:");
    if plan.documents.is_empty() {
        let _ = writeln!(w, "  none");
    }
    for (kind, m) in &plan.documents {
        let _ = writeln!(w, "  {kind} <- {} ({} confidence)", m.path, m.confidence);
    }
    let _ = writeln!(
        w,
        "document kinds with no source: {}",
        list_or_none(&plan.missing_documents)
    );
    time_zone_summary(w, &plan.time_zone);
    let _ = writeln!(w, "to fill in evidence.toml:");
    let _ = writeln!(w, "  [centre] name and site");
    if plan.time_zone.zone().is_none() {
        let _ = writeln!(
            w,
            "  [defaults] time_zone (the centre's IANA time zone; never guessed)"
        );
    }
    for kind in &plan.missing_documents {
        let _ = writeln!(w, "  [documents] {kind}");
    }
    if plan.period.is_none() {
        let _ = writeln!(w, "  [period] start and end (no dates found)");
    }
    let _ = writeln!(w, "to check:");
    if plan.to_check.is_empty() {
        let _ = writeln!(w, "  nothing");
    }
    for c in &plan.to_check {
        let _ = writeln!(w, "  {}", one_line(c));
    }
    s
}
