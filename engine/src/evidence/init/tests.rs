use super::*;

fn schema() -> EvidenceSchema {
    crate::pack::load_named(Path::new("cx-ops"))
        .expect("built-in pack")
        .schema
}

fn plan_of(files: &[(&str, &str)]) -> (tempfile::TempDir, InitPlan) {
    let dir = tempfile::tempdir().expect("temp dir");
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).expect("write");
    }
    let knowledge = Knowledge::embedded().expect("presets");
    let plan = plan(&schema(), &knowledge, dir.path(), dir.path()).expect("plan");
    (dir, plan)
}

fn mapping<'a>(plan: &'a InitPlan, table: &str, column: &str) -> &'a ColumnMatch {
    plan.tables[table]
        .columns
        .iter()
        .find(|m| m.canonical == column)
        .unwrap_or_else(|| panic!("{table}.{column} not mapped: {plan:#?}"))
}

#[test]
fn normalise_folds_case_and_punctuation() {
    assert_eq!(normalise(" Contact-ID "), "contact_id");
    assert_eq!(
        normalise("Agent.AfterContactWorkDuration"),
        "agent_aftercontactworkduration"
    );
    assert_eq!(normalise("Wrap-up"), "wrap_up");
}

#[test]
fn embedded_presets_name_canonical_columns() {
    let schema = schema();
    let knowledge = Knowledge::embedded().expect("presets");
    assert!(knowledge.presets.len() >= 3);
    for (name, preset) in &knowledge.presets {
        for column in preset.columns.keys() {
            assert!(
                schema.column(&preset.table, column).is_some(),
                "preset {name}: {}.{column} is not a canonical column",
                preset.table
            );
        }
    }
    for (table, columns) in &knowledge.synonyms {
        for column in columns.keys() {
            assert!(
                schema.column(table, column).is_some(),
                "synonym of {table}.{column}"
            );
        }
    }
}

#[test]
fn name_synonym_preset_and_content_in_that_order() {
    let mut text =
        String::from("ContactId;Channel;Queue.Name;InitiationTimestamp;Talk Time;flag;kind\n");
    for i in 0..20 {
        text.push_str(&format!(
            "c{i};voice;Sales;2026-01-{:02}T08:00:00Z;12,5;{};x{i}\n",
            i + 1,
            if i % 2 == 0 { "yes" } else { "no" }
        ));
    }
    let (_dir, plan) = plan_of(&[("export.csv", &text)]);
    let t = &plan.tables["contacts"];
    assert_eq!(t.file.formats.delimiter, Some(';'));
    assert_eq!(t.file.formats.decimal, Some(DecimalMark::Comma));
    assert_eq!(mapping(&plan, "contacts", "channel").source, Source::Name);
    assert_eq!(
        mapping(&plan, "contacts", "talk_seconds").source,
        Source::Synonym
    );
    let preset = &mapping(&plan, "contacts", "contact_id").source;
    assert!(matches!(preset, Source::Preset { preset, .. } if preset == "amazon-connect-ctr"));
    // `flag` holds yes/no: the only boolean-looking header, but two boolean
    // columns (abandoned, transferred) are open, so content does not decide.
    assert!(t.unmapped_headers.contains(&"flag".to_owned()), "{t:#?}");
    assert!(t.unmapped_headers.contains(&"kind".to_owned()));
    assert!(t.missing_columns.contains(&("abandoned".to_owned(), false)));
}

#[test]
fn content_maps_a_unique_enumeration_and_says_so() {
    let mut text = String::from("Survey ID,Sample Type,Sent At,Origin\n");
    for i in 0..10 {
        text.push_str(&format!("s{i},random,2026-02-{:02} 09:00:00,chat\n", i + 1));
    }
    let (_dir, plan) = plan_of(&[("surveys.csv", &text)]);
    let m = mapping(&plan, "surveys", "channel");
    assert_eq!(m.header, "Origin");
    assert_eq!(
        m.comment(),
        "medium confidence, from content: values `chat` (allowed by the schema) in 100% of 10 sampled rows with a value"
    );
    assert_eq!(
        mapping(&plan, "surveys", "selection").source,
        Source::Synonym
    );
    let (start, end, _) = plan.period.clone().expect("period");
    assert_eq!(
        (start.to_string(), end.to_string()),
        ("2026-02-01".into(), "2026-02-10".into())
    );
}

#[test]
fn values_the_run_refuses_are_flagged() {
    let mut text = String::from("ContactId,Channel,InitiationTimestamp,DisconnectTimestamp\n");
    for i in 0..5 {
        text.push_str(&format!("c{i},VOICE,2026-01-0{}T08:00:00Z,\n", i + 1));
    }
    let (_dir, plan) = plan_of(&[("ctr.csv", &text)]);
    let w = mapping(&plan, "contacts", "channel")
        .warning
        .clone()
        .expect("warning");
    assert!(
        w.starts_with("5 of 5 sampled values are not one of voice"),
        "{w}"
    );
    assert!(
        plan.to_check
            .iter()
            .any(|c| c.starts_with("contacts.channel (`Channel`)"))
    );
}

#[test]
fn ambiguous_day_month_order_is_left_to_check() {
    let mut text = String::from("agent_id,team,site,role,hired_on\n");
    for i in 1..=9 {
        text.push_str(&format!("a{i},T,S,agent,0{i}/0{i}/2025\n"));
    }
    let (_dir, plan) = plan_of(&[("roster.csv", &text)]);
    let t = &plan.tables["agents"];
    assert_eq!(t.file.formats.date_format, None);
    assert!(
        t.file.notes.iter().any(|n| n.starts_with("CHECK dates")),
        "{:?}",
        t.file.notes
    );
    // A day above 12 settles it.
    let (_dir, plan) = plan_of(&[(
        "roster.csv",
        &text.replace("a9,T,S,agent,09/09", "a9,T,S,agent,25/09"),
    )]);
    assert_eq!(
        plan.tables["agents"].file.formats.date_format.as_deref(),
        Some("%d/%m/%Y")
    );
}

#[test]
fn unreadable_and_unmatched_files_are_listed() {
    let (_dir, plan) = plan_of(&[
        ("notes.md", "# Notes\n"),
        ("old.xls", "x"),
        ("misc.csv", "alpha,beta\n1,2\n"),
    ]);
    let files: Vec<&str> = plan
        .unmapped_files
        .iter()
        .map(|(f, _)| f.as_str())
        .collect();
    assert_eq!(files, ["misc.csv", "notes.md", "old.xls"]);
    assert!(plan.unmapped_files[2].1.contains("save it as .xlsx or CSV"));
    assert!(plan.tables.is_empty());
    assert!(plan.period.is_none());
}

#[test]
fn manifest_text_loads_and_refuses_to_overwrite() {
    let mut text = String::from(
        "contact_id,channel,queue,arrived_at,talk_seconds,hold_seconds,wrap_seconds,abandoned,transferred\n",
    );
    for i in 0..3 {
        text.push_str(&format!(
            "c{i},voice,Q,2026-03-0{}T10:00:00,1,2,3,false,false\n",
            i + 1
        ));
    }
    let (dir, plan) = plan_of(&[("contacts.csv", &text)]);
    let toml_text = manifest_text(&plan);
    assert_eq!(toml_text, manifest_text(&plan), "deterministic");
    write_manifest(dir.path(), &toml_text, false).expect("write");
    let manifest = crate::evidence::load_manifest(dir.path()).expect("loads");
    assert_eq!(manifest.tables["contacts"].path, "contacts.csv");
    assert_eq!(manifest.start.to_string(), "2026-03-01");
    assert!(matches!(
        write_manifest(dir.path(), &toml_text, false),
        Err(InitError::Exists(_))
    ));
    write_manifest(dir.path(), &toml_text, true).expect("forced");
}

#[test]
fn a_workbook_is_read_by_the_engine_reader_and_one_with_two_sheets_is_listed() {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let dir = tempfile::tempdir().expect("temp dir");
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    for (c, h) in ["Agent ID", "Team", "Site", "Role", "Hire Date"]
        .iter()
        .enumerate()
    {
        sheet.write_string(0, c as u16, *h).expect("header");
    }
    for r in 1..=4u32 {
        sheet.write_string(r, 0, format!("A{r}")).expect("cell");
        sheet.write_string(r, 1, "North").expect("cell");
        sheet.write_string(r, 2, "Lisbon").expect("cell");
        sheet.write_string(r, 3, "agent").expect("cell");
        let day = ExcelDateTime::from_ymd(2025, 5, r as u8).expect("date");
        sheet
            .write_datetime_with_format(r, 4, &day, &date)
            .expect("cell");
    }
    book.save(dir.path().join("roster.xlsx")).expect("save");
    let mut two = Workbook::new();
    two.add_worksheet();
    two.add_worksheet();
    two.save(dir.path().join("two.xlsx")).expect("save");
    let knowledge = Knowledge::embedded().expect("presets");
    let plan = plan(&schema(), &knowledge, dir.path(), dir.path()).expect("plan");
    let t = &plan.tables["agents"];
    assert_eq!(t.file.format, TableFormat::Excel { sheet: None });
    assert_eq!(
        mapping(&plan, "agents", "hired_on").warning,
        None,
        "native dates read"
    );
    assert_eq!(plan.unmapped_files.len(), 1);
    assert_eq!(plan.unmapped_files[0].0, "two.xlsx");
    assert!(
        plan.unmapped_files[0].1.contains("sheets"),
        "{:?}",
        plan.unmapped_files
    );
}

#[cfg(unix)]
#[test]
fn a_symbolic_link_is_listed_not_followed() {
    let outside = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        outside.path().join("calls.csv"),
        "contact_id,channel\nc1,voice\n",
    )
    .expect("write");
    let dir = tempfile::tempdir().expect("temp dir");
    std::os::unix::fs::symlink(
        outside.path().join("calls.csv"),
        dir.path().join("calls.csv"),
    )
    .expect("link");
    let knowledge = Knowledge::embedded().expect("presets");
    let plan = plan(&schema(), &knowledge, dir.path(), dir.path()).expect("plan");
    assert!(plan.tables.is_empty());
    assert_eq!(plan.unmapped_files.len(), 1);
    assert!(plan.unmapped_files[0].1.starts_with("a symbolic link"));
}
